"""What the exchange hands over (registered in ``DocumentsConfig.ready()``): a document for one
of our agencies becomes an incoming document awaiting registration; a status message updates
the Recipient row of the document it is about.

The exchange calls each handler once per message (exactly-once registration, contract); the
handlers are safe when called again anyway: a second delivery returns the incoming document
already made, a status already known changes nothing."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xaso.core.audit import audit_record
from xaso.core.text import nfc, squash_spaces
from xaso.org.models import Agency

from ..errors import PackageRefused
from ..models import (
    RECIPIENT_RANK,
    DocumentType,
    IncomingDocument,
    IncomingSource,
    IncomingStatus,
    Recipient,
    RecipientStatus,
    Urgency,
)
from .files import EXTENSIONS, SCAN_TYPES, check_file

logger = logging.getLogger(__name__)


def _clip(value: Any, n: int) -> str:
    return squash_spaces(nfc(str(value or "")))[:n]


@transaction.atomic
def document_received(package: Any, agency: Agency) -> IncomingDocument:
    """A ``DocumentPackage`` for ``agency``: a new incoming document, status "received" (not yet
    registered). Refused (``PackageRefused``: the exchange sends "refused" back) when its type is
    not one of Decree 30's or it carries no PDF."""
    existing = IncomingDocument.objects.filter(agency=agency, message_id=package.message_id).first()
    if existing is not None:
        return existing
    if package.document_type not in DocumentType.values:
        raise PackageRefused(
            _("Loại văn bản “%(type)s” không thuộc Nghị định 30/2020/NĐ-CP.")
            % {"type": package.document_type}
        )
    pdfs = [a for a in package.attachments if bytes(a.data).lstrip()[:5] == b"%PDF-"]
    if not pdfs:
        raise PackageRefused(_("Gói tin không có tệp văn bản PDF."))
    checked = check_file(bytes(pdfs[0].data), name=pdfs[0].name, accepted=SCAN_TYPES)
    document = IncomingDocument(
        agency=agency,
        source=IncomingSource.ELECTRONIC,
        status=IncomingStatus.RECEIVED,
        message_id=package.message_id,
        sender_code=_clip(package.sender.code, 35),
        sender_name=_clip(package.sender.name, 255),
        doc_type=package.document_type,
        code_number=_clip(package.code_number, 16),
        code_notation=_clip(package.code_notation, 64),
        promulgation_date=package.promulgation_date,
        subject=_clip(package.subject, 500),
        signer_name=_clip(package.signer_name, 128),
        urgency=package.urgency if package.urgency in Urgency.values else Urgency.NORMAL,
        sender_due_date=package.due_date,
        file_name=checked.name,
        content_type=checked.content_type,
        sha256=checked.sha256,
        arrived_at=timezone.now(),
    )
    document.file.save(
        f"{document.public_id}{EXTENSIONS[checked.content_type]}", checked.content(), save=False
    )
    document.save()
    audit_record(
        actor=None,
        action="document.incoming_receive",
        obj=document,
        changes={
            "message_id": package.message_id,
            "sender": document.sender_code,
            "code": document.code_text,
            "agency": agency.code,
            "sha256": document.sha256,
        },
    )
    return document


@transaction.atomic
def status_received(status: Any) -> None:
    """A ``StatusPackage`` from a recipient agency: the Recipient row moves forward (a late or
    repeated status changes nothing but its own timestamp if it had none)."""
    row = (
        Recipient.objects.select_for_update(of=("self",))
        .select_related("document")
        .filter(message_id=status.document_message_id, agency_code=status.sender.code)
        .first()
    )
    if row is None:
        logger.warning(
            "status %s for unknown message %s from %s",
            status.status,
            status.document_message_id,
            status.sender.code,
        )
        return
    if status.status not in RecipientStatus.values or status.status == RecipientStatus.SENT:
        logger.warning("unknown status %r from %s", status.status, status.sender.code)
        return
    new = RecipientStatus(status.status)
    stamp = f"{new.value}_at"
    changed: dict[str, Any] = {}
    if getattr(row, stamp) is None:
        setattr(row, stamp, status.at)
        changed[stamp] = status.at
    if RECIPIENT_RANK[new] > RECIPIENT_RANK[RecipientStatus(row.status)] or (
        new == RecipientStatus.REFUSED and row.status == RecipientStatus.ARRIVED
    ):
        changed["status"] = [row.status, new.value]
        row.status = new.value
        row.comment = _clip(status.comment, 1000)
        row.staff_name = _clip(status.staff_name, 128)
    if not changed:
        return
    row.updated_at = timezone.now()
    row.save()
    audit_record(
        actor=None,
        action="document.recipient_status",
        object_type="documents.recipient",
        object_id=str(row.document.public_id),
        object_repr=f"{row.agency_code}: {row.status}",
        changes={"agency": row.agency_code, **changed},
    )
