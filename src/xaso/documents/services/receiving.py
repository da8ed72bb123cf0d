"""What the exchange hands over (registered in ``DocumentsConfig.ready()``): a document for one
of our agencies becomes an incoming document awaiting registration; a status message updates
the Recipient row of the document it is about.

The exchange calls each handler once per message (exactly-once registration, contract); the
handlers are safe when called again anyway: a second delivery returns the incoming document
already made, a status already known changes nothing."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xaso.core.audit import AuditItem, audit_record, audit_record_many
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
    SignatureState,
    Urgency,
)
from .files import EXTENSIONS, SCAN_TYPES, CheckedFile, check_file

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
    document = _incoming(package, agency, _checked_pdf(package))
    document.save()
    audit_record(actor=None, **_receive_audit(document, package, agency))
    return document


@transaction.atomic
def documents_received(items: list[tuple[Any, Agency]]) -> list[IncomingDocument]:
    """``document_received`` for many (package, agency) pairs at once — a directive to 150
    communes of this node (Decree 30/2020/NĐ-CP Art. 21: received documents registered the
    same day) — with one look for earlier copies, one insert and one audit batch. The first
    pair it cannot take raises; the exchange then undoes the batch and goes pair by pair."""
    existing = set(
        IncomingDocument.objects.filter(
            agency__in=[agency for _package, agency in items],
            message_id__in={package.message_id for package, _agency in items},
        ).values_list("agency_id", "message_id")
    )
    checked: dict[int, ReceivedFile] = {}  # the same file is checked once, not per recipient
    documents: list[IncomingDocument] = []
    audits: list[AuditItem] = []
    for package, agency in items:
        if (agency.pk, package.message_id) in existing:
            continue
        existing.add((agency.pk, package.message_id))
        if id(package) not in checked:
            checked[id(package)] = _checked_pdf(package)
        document = _incoming(package, agency, checked[id(package)])
        documents.append(document)
        audits.append(AuditItem(**_receive_audit(document, package, agency)))
    IncomingDocument.objects.bulk_create(documents)
    audit_record_many(actor=None, items=audits)
    return documents


@dataclass(frozen=True)
class SignatureCheck:
    """What the arrival check of a received PDF's signatures found, kept on the incoming
    document (``IncomingDocument.signature_*``)."""

    state: str
    signer: str = ""
    signed_at: datetime | None = None
    note: str = ""


@dataclass(frozen=True)
class ReceivedFile:
    """The received PDF, accepted, with its signature check: made once per package."""

    file: CheckedFile
    signature: SignatureCheck


def _checked_pdf(package: Any) -> ReceivedFile:
    if package.document_type not in DocumentType.values:
        raise PackageRefused(
            _("Loại văn bản “%(type)s” không thuộc Nghị định 30/2020/NĐ-CP.")
            % {"type": package.document_type}
        )
    pdfs = [a for a in package.attachments if bytes(a.data).lstrip()[:5] == b"%PDF-"]
    if not pdfs:
        raise PackageRefused(_("Gói tin không có tệp văn bản PDF."))
    checked = check_file(bytes(pdfs[0].data), name=pdfs[0].name, accepted=SCAN_TYPES)
    return ReceivedFile(checked, signature_check(checked.data))


#: Problems of a received PDF's signatures that mean it is not the document that was signed
#: (or the signer's certificate was revoked): the package is refused and the sender told why.
#: A signature by a CA this installation does not trust, or an expired certificate, is not among
#: them: the document is taken as "untrusted" with the reason, and the clerk sees it.
BROKEN_SIGNATURE = frozenset(
    {
        "content_changed",
        "signature_invalid",
        "signature_unreadable",
        "modified_after_signing",
        "pdf_damaged",
        "certificate_revoked",
    }
)


def signature_check(pdf: bytes) -> SignatureCheck:
    """Văn bản điện tử đến: its digital signatures are checked on arrival (Decree 30/2020/NĐ-CP
    Art. 21.1: the clerk checks the received document's validity), so that a document changed
    after signing never enters the incoming register (``PackageRefused``); otherwise the outcome
    — valid, signed by a certificate not trusted here (or expired, ...), or not signed — with
    the signers' names and the signing time."""
    from xaso.signing.verify import verify_pdf

    result = verify_pdf(pdf)
    broken = [p for p in result.problems if p.code in BROKEN_SIGNATURE]
    if broken:
        raise PackageRefused(
            _("Chữ ký số trên văn bản không hợp lệ: %(reason)s") % {"reason": broken[0].message}
        )
    if not result.signed:
        return SignatureCheck(SignatureState.NOT_SIGNED)
    signers = list(dict.fromkeys(s.signer or s.organisation for s in result.signatures))
    times = [
        s.timestamp if s.timestamp is not None and s.timestamp_trusted else s.signed_at
        for s in result.signatures
    ]
    known = [t for t in times if t is not None]
    return SignatureCheck(
        state=SignatureState.VALID if result.valid else SignatureState.UNTRUSTED,
        signer=_clip("; ".join(n for n in signers if n), 255),
        signed_at=max(known) if known else None,
        note="" if result.valid else _clip(" ".join(p.message for p in result.problems), 500),
    )


def _incoming(package: Any, agency: Agency, received: ReceivedFile) -> IncomingDocument:
    """The unsaved incoming document of ``package`` for ``agency``, its file written."""
    checked, signature = received.file, received.signature
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
        signature_state=signature.state,
        signature_signer=signature.signer,
        signature_signed_at=signature.signed_at,
        signature_note=signature.note,
        arrived_at=timezone.now(),
    )
    document.file.save(
        f"{document.public_id}{EXTENSIONS[checked.content_type]}", checked.content(), save=False
    )
    return document


def _receive_audit(document: IncomingDocument, package: Any, agency: Agency) -> dict[str, Any]:
    return {
        "action": "document.incoming_receive",
        "obj": document,
        "changes": {
            "message_id": package.message_id,
            "sender": document.sender_code,
            "code": document.code_text,
            "agency": agency.code,
            "sha256": document.sha256,
            "signature": document.signature_state,
        },
    }


@transaction.atomic
def status_received(status: Any) -> None:
    """A ``StatusPackage`` from a recipient agency: the Recipient row moves forward (a late or
    repeated status changes nothing but its own timestamp if it had none)."""
    statuses_received([status])


@transaction.atomic
def statuses_received(statuses: list[Any]) -> None:
    """``status_received`` for many statuses at once (the 150 "arrived" of a directive): one
    locked read of the Recipient rows, one update, one audit batch."""
    rows = {
        (row.message_id, row.agency_code): row
        for row in Recipient.objects.select_for_update(of=("self",))
        .select_related("document")
        .filter(
            message_id__in={s.document_message_id for s in statuses},
            agency_code__in={s.sender.code for s in statuses},
        )
    }
    changed_rows: dict[int, Recipient] = {}
    audits: list[AuditItem] = []
    for status in statuses:
        row = rows.get((status.document_message_id, status.sender.code))
        if row is None:
            # Not a document of ours: the statuses of report requests and reports come here too.
            logger.debug(
                "status %s for unknown message %s from %s",
                status.status,
                status.document_message_id,
                status.sender.code,
            )
            continue
        changed = _move(row, status)
        if not changed:
            continue
        changed_rows[row.pk] = row
        audits.append(
            AuditItem(
                action="document.recipient_status",
                object_type="documents.recipient",
                object_id=str(row.document.public_id),
                object_repr=f"{row.agency_code}: {row.status}",
                changes={"agency": row.agency_code, **changed},
            )
        )
    if changed_rows:
        Recipient.objects.bulk_update(list(changed_rows.values()), RECIPIENT_STATUS_FIELDS)
    audit_record_many(actor=None, items=audits)


RECIPIENT_STATUS_FIELDS = [
    "status",
    "comment",
    "staff_name",
    "updated_at",
    *(f"{s.value}_at" for s in RecipientStatus if s != RecipientStatus.SENT),
]


def _move(row: Recipient, status: Any) -> dict[str, Any]:
    """Apply one status to the in-memory row; what changed (empty: nothing)."""
    if status.status not in RecipientStatus.values or status.status == RecipientStatus.SENT:
        logger.warning("unknown status %r from %s", status.status, status.sender.code)
        return {}
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
    if changed:
        row.updated_at = timezone.now()
    return changed
