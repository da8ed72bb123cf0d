"""Sổ theo dõi hồ sơ for a long period, made in the background (STYLE.md §5).

Printing a book takes about 25 ms and 0.3 MB of memory per dossier (WeasyPrint, measured): a
busy commune's year is minutes of work, which must not hold a web worker. The official asks
(``tracking_book_export_request``: the same permission and period checks as the direct book,
one audit entry), a task queued after commit makes the file (``tracking_book_export_build``,
safe to run twice: a finished export is left alone, one being made by a live worker too), and
the official polls its status and downloads it when done. The book read is audited by
``slips.tracking_book_for`` as for the direct download, with the requester as the actor.

The file holds applicants' personal data: only the requester may download it, and it is deleted
``EXPORT_KEEP`` after it was asked for (``tracking_book_exports_purge``, run with each request).
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from functools import partial

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xaso.core.audit import audit_record
from xaso.core.errors import DomainError, InvalidInput
from xaso.org.models import Staff

from .. import slips
from ..models import ExportFormat, ExportStatus, TrackingBookExport

logger = logging.getLogger(__name__)

#: How long a made book can be downloaded before its file is deleted.
EXPORT_KEEP = timedelta(days=1)
#: A ``running`` export older than this is taken to belong to a worker that died.
STALE_RUNNING = timedelta(minutes=30)
PENDING = (ExportStatus.QUEUED, ExportStatus.RUNNING)


def tracking_book_export_request(
    *, actor: Staff, start: date, end: date, format: str
) -> TrackingBookExport:
    """Ask for the actor's agency book for ``start``..``end`` as ``format`` (pdf, xlsx), made in
    the background. Asking again for the same book while it is being made returns that one."""
    slips.tracking_book_check(actor=actor, start=start, end=end)
    if format not in ExportFormat.values:
        raise InvalidInput(
            _("Định dạng sổ phải là pdf hoặc xlsx."),
            fields={"format": [_("Giá trị không nằm trong danh sách cho phép.")]},
        )
    now = timezone.now()
    with transaction.atomic():
        tracking_book_exports_purge(now=now)
        same = TrackingBookExport.objects.filter(
            requested_by=actor,
            agency_id=actor.agency_id,
            period_start=start,
            period_end=end,
            format=format,
            status__in=PENDING,
            created_at__gte=now - STALE_RUNNING,
        ).first()
        if same is not None:
            return same
        export = TrackingBookExport.objects.create(
            agency_id=actor.agency_id,
            requested_by=actor,
            period_start=start,
            period_end=end,
            format=format,
            created_at=now,
        )
        audit_record(
            actor=actor,
            action="dossier.tracking_book_export",
            obj=export,
            object_id=str(export.public_id),
            changes={"from": start.isoformat(), "to": end.isoformat(), "format": format},
        )
        transaction.on_commit(partial(_enqueue, export.pk), robust=True)
    return export


def _enqueue(export_id: int) -> None:
    from ..tasks import build_tracking_book

    build_tracking_book.enqueue(export_id)


def _claim(export_id: int, now: datetime) -> TrackingBookExport | None:
    """Mark the export as being made by this run; None when there is nothing to do."""
    with transaction.atomic():
        export = (
            TrackingBookExport.objects.select_for_update()
            .select_related("agency")
            .filter(pk=export_id)
            .first()
        )
        if export is None:
            logger.warning("tracking book export %s: no such export", export_id)
            return None
        if export.status not in PENDING:
            return None
        started = export.started_at
        if export.status == ExportStatus.RUNNING and started and now - started < STALE_RUNNING:
            return None
        export.status, export.started_at = ExportStatus.RUNNING, now
        export.save(update_fields=["status", "started_at"])
    return export


def _fail(export: TrackingBookExport, error: str) -> str:
    export.status, export.error, export.finished_at = ExportStatus.FAILED, error, timezone.now()
    export.save(update_fields=["status", "error", "finished_at"])
    logger.warning("tracking book export %s: failed (%s)", export.public_id, error)
    return export.status


def tracking_book_export_build(*, export_id: int) -> str:
    """Make the file of export ``export_id`` and return its status. The permission is checked
    again as the requester: one who lost the role meanwhile gets no book."""
    export = _claim(export_id, timezone.now())
    if export is None:
        found = TrackingBookExport.objects.filter(pk=export_id).values_list("status", flat=True)
        return found.first() or "missing"
    actor = Staff.objects.select_related("agency").get(pk=export.requested_by_id)
    try:
        with transaction.atomic():
            book = slips.tracking_book_for(
                actor=actor, start=export.period_start, end=export.period_end, agency=export.agency
            )
    except DomainError as exc:
        return _fail(export, exc.code)
    from ..documents import render_tracking_book_pdf, render_tracking_book_xlsx

    try:
        if export.format == ExportFormat.PDF:
            content = render_tracking_book_pdf(book)
        else:
            content = render_tracking_book_xlsx(book)
    except Exception as exc:  # noqa: BLE001 - any renderer failure is this export's failure
        logger.error("tracking book export %s: %s", export.public_id, exc.__class__.__name__)
        return _fail(export, "render_failed")
    name = slips.tracking_book_file_name(
        export.period_start, export.period_end, export.format, tag=str(export.public_id)
    )
    with transaction.atomic():
        export.file.save(name, ContentFile(content), save=False)
        export.status, export.error = ExportStatus.DONE, ""
        export.size, export.rows = len(content), len(book.rows)
        export.finished_at = timezone.now()
        export.save(update_fields=["file", "status", "error", "size", "rows", "finished_at"])
    logger.info("tracking book export %s: done (%d rows)", export.public_id, export.rows)
    return export.status


def tracking_book_exports_purge(*, now: datetime | None = None) -> int:
    """Delete the files of books asked for more than ``EXPORT_KEEP`` ago (after commit) and mark
    them expired; returns how many."""
    now = now or timezone.now()
    old = list(
        TrackingBookExport.objects.select_for_update()
        .filter(status=ExportStatus.DONE, created_at__lt=now - EXPORT_KEEP)
        .only("pk", "file")
    )
    for export in old:
        name = export.file.name
        storage = export.file.storage
        if name:
            transaction.on_commit(partial(storage.delete, name))
    TrackingBookExport.objects.filter(pk__in=[e.pk for e in old]).update(
        status=ExportStatus.EXPIRED, file=""
    )
    return len(old)
