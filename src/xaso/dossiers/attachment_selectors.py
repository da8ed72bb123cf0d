"""Reads of a dossier's scans, scoped like every dossier read (``selectors.dossier_get_for``):
a dossier or a scan outside the actor's agencies is answered like a missing one (404). Opening
a scan is a read of personal data (Decree 13/2023/NĐ-CP) and is audited; listing shows only
titles, types and sizes."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from xaso.core.audit import audit_record
from xaso.org.models import Staff

from .errors import DossierNotFound
from .models import Dossier, DossierAttachment
from .selectors import dossier_get_for


def attachment_list_for(*, actor: Staff, code: str) -> tuple[Dossier, QuerySet[DossierAttachment]]:
    """The dossier ``code`` and its scans, oldest first."""
    dossier = dossier_get_for(actor=actor, code=code)
    scans = DossierAttachment.objects.filter(dossier=dossier).select_related(
        "checklist_item", "uploaded_by"
    )
    return dossier, scans.order_by("uploaded_at", "pk")


def attachment_open_for(*, actor: Staff, code: str, public_id: str) -> DossierAttachment:
    """One scan of dossier ``code`` to hand over, audited as ``dossier.attachment_read``."""
    dossier = dossier_get_for(actor=actor, code=code)
    try:
        key = uuid.UUID(public_id)
    except ValueError:
        raise DossierNotFound(_("Không tìm thấy bản quét.")) from None
    item = DossierAttachment.objects.filter(dossier=dossier, public_id=key).first()
    if item is None:
        raise DossierNotFound(_("Không tìm thấy bản quét."))
    audit_record(
        actor=actor,
        action="dossier.attachment_read",
        obj=item,
        changes={"dossier": dossier.code},
    )
    return item
