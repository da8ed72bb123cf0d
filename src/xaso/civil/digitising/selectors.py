"""Reads of digitising, scoped like the registers (``civil.permissions.can_read``): a batch or a
scan of another agency, or seen by staff who may not read the registers, is missing (404).
Opening a scan shows personal data: ``scan_open_for`` writes ``civil.scan_read`` in the audit
trail (Decree 13/2023/NĐ-CP)."""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from xaso.core.audit import audit_record
from xaso.org.models import Staff

from .. import permissions
from ..errors import BookNotFound
from ..models import CivilBook
from .errors import ImportBatchNotFound, ScanNotFound
from .models import ImportBatch, PageScan


def batch_list_for(*, actor: Staff) -> QuerySet[ImportBatch]:
    """The agency's import batches, newest first."""
    if not permissions.can_read(actor):
        return ImportBatch.objects.none()
    return ImportBatch.objects.filter(agency_id=actor.agency_id).select_related("requested_by")


def batch_get_for(*, actor: Staff, public_id: UUID | str) -> ImportBatch:
    try:
        return batch_list_for(actor=actor).get(public_id=public_id)
    except (ImportBatch.DoesNotExist, ValueError, ValidationError):
        raise ImportBatchNotFound(_("Không tìm thấy lần nhập này.")) from None


def book_for_scan(*, actor: Staff, public_id: UUID | str) -> CivilBook:
    """A book of the actor's agency, to attach a page's scan to."""
    if not permissions.can_read(actor):
        raise BookNotFound(_("Không tìm thấy sổ hộ tịch."))
    try:
        return CivilBook.objects.select_related("agency").get(
            agency_id=actor.agency_id, public_id=public_id
        )
    except (CivilBook.DoesNotExist, ValueError, ValidationError):
        raise BookNotFound(_("Không tìm thấy sổ hộ tịch.")) from None


def scan_get_for(*, actor: Staff, public_id: UUID | str) -> PageScan:
    if not permissions.can_read(actor):
        raise ScanNotFound(_("Không tìm thấy bản quét."))
    try:
        return PageScan.objects.select_related("book").get(
            agency_id=actor.agency_id, public_id=public_id
        )
    except (PageScan.DoesNotExist, ValueError, ValidationError):
        raise ScanNotFound(_("Không tìm thấy bản quét.")) from None


def scan_open_for(*, actor: Staff, public_id: UUID | str) -> PageScan:
    """A page's scan to download; audited as a read of personal data."""
    scan = scan_get_for(actor=actor, public_id=public_id)
    audit_record(
        actor=actor,
        action="civil.scan_read",
        obj=scan,
        object_id=str(scan.public_id),
        changes={"book": str(scan.book.public_id), "page": scan.page},
    )
    return scan
