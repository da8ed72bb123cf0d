"""Reads of the tracking books made in the background: each official sees only the books they
asked for (they hold applicants' personal data); another's, or a missing one, is a 404."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from xaso.core.audit import audit_record
from xaso.core.errors import NotFound
from xaso.org.models import Staff

from .errors import ExportExpired, ExportFailed, ExportNotReady
from .models import ExportStatus, TrackingBookExport
from .slips import can_read_tracking_book


def export_urls(export: TrackingBookExport) -> tuple[str, str | None]:
    """The API addresses of an export's status and, once made, of its file."""
    url = f"/api/v1/tracking-book/exports/{export.public_id}"
    return url, (f"{url}/file" if export.status == ExportStatus.DONE else None)


def tracking_book_exports_for(*, actor: Staff) -> QuerySet[TrackingBookExport]:
    """The books the actor asked for in their current agency, newest first."""
    if not can_read_tracking_book(actor):
        return TrackingBookExport.objects.none()
    return TrackingBookExport.objects.filter(
        requested_by_id=actor.pk, agency_id=actor.agency_id
    ).order_by("-created_at", "-pk")


def tracking_book_export_get_for(*, actor: Staff, export_id: str) -> TrackingBookExport:
    try:
        key = uuid.UUID(str(export_id))
    except ValueError:
        raise NotFound(_("Không tìm thấy sổ đã yêu cầu.")) from None
    export = tracking_book_exports_for(actor=actor).filter(public_id=key).first()
    if export is None:
        raise NotFound(_("Không tìm thấy sổ đã yêu cầu."))
    return export


def tracking_book_export_open_for(*, actor: Staff, export_id: str) -> TrackingBookExport:
    """A made book to hand over: refused while it is being made, when it failed or expired.
    Handing it over is a read of personal data, audited."""
    export = tracking_book_export_get_for(actor=actor, export_id=export_id)
    if export.status in (ExportStatus.QUEUED, ExportStatus.RUNNING):
        raise ExportNotReady(_("Sổ đang được lập; vui lòng thử lại sau ít phút."))
    if export.status == ExportStatus.FAILED:
        raise ExportFailed(_("Không lập được sổ này; hãy yêu cầu lập lại."))
    if export.status == ExportStatus.EXPIRED or not export.file:
        raise ExportExpired(_("Tệp sổ đã bị xóa sau thời hạn lưu; hãy yêu cầu lập lại."))
    audit_record(
        actor=actor,
        action="dossier.tracking_book_download",
        obj=export,
        object_id=str(export.public_id),
        changes={"format": export.format, "rows": export.rows},
    )
    return export
