"""Writes of digitising (số hóa sổ hộ tịch): one entry of an old paper book with the scan of its
page (``civil_digitise_entry``), and a spreadsheet of entries imported in the background
(``import_batch_request`` queues it, the task ``tasks.import_civil_batch`` runs
``import_batch_run``).

A batch imports whole or not at all: every row is read and checked first (the entry's own rules,
``entries.entry_clean``; numbers repeated in the file or already in the books; books kept under
another number or closed) and the report lists every refused row with its reason in
Vietnamese; only a batch without a refused row is written, in one transaction. How far the
task has gone is kept in the cache (``import_progress``: the rows checked, then written), which
every process reads; the writing transaction is invisible to the others until it commits.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xaso.core.audit import audit_record
from xaso.core.errors import DomainError, InvalidInput
from xaso.org.models import Staff

from .. import permissions
from ..models import CivilBook, CivilParty, CivilRecord
from ..services.books import agency_lock
from . import sheets
from .entries import (
    HistoricalEntry,
    book_check,
    book_for,
    entries_taken,
    entry_clean,
    entry_write,
    number_taken,
    scan_save,
)
from .errors import ImportFileInvalid, PageScanExists
from .models import DIGITISED_EVENTS, BatchStatus, DigitisedEntry, ImportBatch, PageScan

logger = logging.getLogger(__name__)

#: A ``running`` batch older than this belongs to a worker that died: it may be run again.
STALE_RUNNING = timedelta(minutes=30)
#: Rows written per step of the writing phase (the progress moves after each).
WRITE_CHUNK = 250
PROGRESS_KEEP = 24 * 3600


@transaction.atomic
def civil_digitise_entry(
    *, actor: Staff, event: str, data: dict[str, Any], scan: UploadedFile | None = None
) -> CivilRecord:
    """Số hóa: copy one entry of an old paper book under the book number, entry number, page and
    date the paper gives (none allocated), with the scan of its page (PDF/JPEG/PNG by content,
    once per page). By the agency's civil status officers and leaders; one audit entry."""
    permissions.require_register(actor)
    entry = entry_clean(event, data, today=timezone.localdate())
    agency_lock(actor.agency)
    book = book_for(actor.agency, entry)
    assert book is not None
    record = entry_write(actor=actor, entry=entry, book=book, scan=scan)
    mark = DigitisedEntry.objects.select_related("scan").get(record=record)
    audit_record(
        actor=actor,
        action="civil.digitise",
        obj=record,
        object_id=str(record.public_id),
        changes={
            "book": str(book.public_id),
            "book_year": book.year,
            "book_number": book.number,
            "entry_number": record.entry_number,
            "page": record.page,
            "registered_on": record.registered_on,
            "scan_sha256": mark.scan.sha256 if mark.scan else None,
        },
    )
    return record


# --- Import batches ---------------------------------------------------------------------------


def import_batch_request(
    *, actor: Staff, event: str, upload: UploadedFile, encoding: str = "auto"
) -> ImportBatch:
    """Keep the file and queue its import (after commit). The file is read here only enough
    to refuse at once what is not a spreadsheet of this event's entries."""
    permissions.require_register(actor)
    if event not in DIGITISED_EVENTS:
        raise InvalidInput(
            _("Chỉ số hóa sổ khai sinh, khai tử và kết hôn."),
            fields={"event": [_("Giá trị không nằm trong danh sách cho phép.")]},
        )
    if encoding not in sheets.ENCODINGS:
        raise InvalidInput(
            _("Bảng mã phải là auto, tcvn3, vni hoặc unicode."),
            fields={"encoding": [_("Giá trị không nằm trong danh sách cho phép.")]},
        )
    raw = upload.read()
    sheets.read_sheet(name=upload.name or "", raw=raw, event=event, encoding=encoding)
    with transaction.atomic():
        batch = ImportBatch(
            agency_id=actor.agency_id,
            requested_by=actor,
            event=event,
            encoding=encoding,
            file_name=(upload.name or "import")[:255],
            size=len(raw),
            sha256=hashlib.sha256(raw).hexdigest(),
            created_at=timezone.now(),
        )
        extension = ".xlsx" if raw[:4] == b"PK\x03\x04" else ".csv"
        batch.file.save(f"{batch.public_id}{extension}", ContentFile(raw), save=False)
        batch.save()
        audit_record(
            actor=actor,
            action="civil.digitise_import_request",
            obj=batch,
            object_id=str(batch.public_id),
            changes={"event": event, "file": batch.file_name, "sha256": batch.sha256},
        )
        transaction.on_commit(partial(_enqueue, batch.pk), robust=True)
    return batch


def _enqueue(batch_id: int) -> None:
    from .tasks import import_civil_batch

    import_civil_batch.enqueue(batch_id)


@dataclass(frozen=True)
class Progress:
    """Rows checked and written so far, out of ``total`` each (0 before the file is read)."""

    checked: int
    written: int
    total: int

    @property
    def percent(self) -> int:
        if not self.total:
            return 0
        return min(100, (self.checked + self.written) * 50 // self.total)


def _progress_key(batch: ImportBatch) -> str:
    return f"civil:digitise:import:{batch.public_id}"


def import_progress(batch: ImportBatch) -> Progress:
    """How far the batch has gone: from the cache while it runs, from the row once finished."""
    if batch.status == BatchStatus.DONE:
        return Progress(batch.total_rows, batch.total_rows, batch.total_rows)
    if batch.status in (BatchStatus.REJECTED, BatchStatus.FAILED):
        return Progress(batch.total_rows, 0, batch.total_rows)
    found = cache.get(_progress_key(batch))
    if found is None:
        return Progress(0, 0, batch.total_rows)
    return Progress(*found)


def _claim(batch_id: int, now: datetime) -> ImportBatch | None:
    with transaction.atomic():
        batch = (
            ImportBatch.objects.select_for_update()
            .select_related("agency", "requested_by")
            .filter(pk=batch_id)
            .first()
        )
        if batch is None:
            logger.warning("civil import %s: no such batch", batch_id)
            return None
        if batch.status not in (BatchStatus.QUEUED, BatchStatus.RUNNING):
            return None
        started = batch.started_at
        if batch.status == BatchStatus.RUNNING and started and now - started < STALE_RUNNING:
            return None
        batch.status, batch.started_at = BatchStatus.RUNNING, now
        batch.save(update_fields=["status", "started_at"])
    return batch


def _finish(batch: ImportBatch, status: str, **values: Any) -> str:
    batch.status = status
    batch.finished_at = timezone.now()
    for name, value in values.items():
        setattr(batch, name, value)
    batch.save(update_fields=["status", "finished_at", *values])
    cache.delete(_progress_key(batch))
    logger.info("civil import %s: %s", batch.public_id, status)
    return status


def import_batch_run(
    *, batch_id: int, on_progress: Callable[[Progress], None] | None = None
) -> str:
    """Check every row of batch ``batch_id`` and, when none is refused, write them all in one
    transaction; returns the batch's status. Safe to run twice: a finished batch is left alone,
    one being run by a live worker too. The permission is checked again as the requester."""
    batch = _claim(batch_id, timezone.now())
    if batch is None:
        found = ImportBatch.objects.filter(pk=batch_id).values_list("status", flat=True)
        return found.first() or "missing"
    actor = (
        Staff.objects.select_related("agency")
        .prefetch_related("roles")
        .get(pk=batch.requested_by_id)
    )
    key = _progress_key(batch)

    def tell(progress: Progress) -> None:
        cache.set(key, (progress.checked, progress.written, progress.total), PROGRESS_KEEP)
        if on_progress is not None:
            on_progress(progress)

    if not permissions.can_register(actor, batch.agency):
        return _finish(batch, BatchStatus.FAILED, error="permission_denied")
    try:
        with batch.file.open("rb") as stream:
            raw = stream.read()
        sheet = sheets.read_sheet(
            name=batch.file.name or "", raw=raw, event=batch.event, encoding=batch.encoding
        )
    except ImportFileInvalid:
        return _finish(batch, BatchStatus.FAILED, error="import_file_invalid")
    total = len(sheet.rows)
    batch.total_rows, batch.detected_encoding = total, sheet.encoding
    batch.save(update_fields=["total_rows", "detected_encoding"])
    tell(Progress(0, 0, total))
    entries, problems = _check(batch, actor, sheet, tell)
    if problems:
        return _finish(
            batch, BatchStatus.REJECTED, report=[p.as_json() for p in problems], imported_rows=0
        )
    try:
        with transaction.atomic():
            written = _write(batch, actor, entries, sheet.encoding, tell)
    except DomainError as exc:  # a registration took a number meanwhile, a book was closed
        problem = sheets.Problem(0, "", exc.message)
        return _finish(batch, BatchStatus.REJECTED, report=[problem.as_json()], imported_rows=0)
    return _finish(batch, BatchStatus.DONE, imported_rows=written, report=[])


def _check(
    batch: ImportBatch,
    actor: Staff,
    sheet: sheets.Sheet,
    tell: Callable[[Progress], None],
) -> tuple[list[tuple[int, HistoricalEntry]], list[sheets.Problem]]:
    """Every row read and checked; nothing written. Returns the entries and every problem."""
    today = timezone.localdate()
    total = len(sheet.rows)
    entries: list[tuple[int, HistoricalEntry]] = []
    problems: list[sheets.Problem] = []
    seen: dict[tuple[int, int], int] = {}
    books: dict[int, str] = {}
    for done, (row, cells) in enumerate(sheet.rows, start=1):
        data, unreadable = sheets.row_values(batch.event, cells, row)
        problems += unreadable
        if not unreadable:
            try:
                entry = entry_clean(batch.event, data, today=today)
            except DomainError as exc:
                problems += _row_problems(batch.event, row, exc)
            else:
                key = (entry.registered_on.year, entry.entry_number)
                if key in seen:
                    problems.append(
                        sheets.Problem(
                            row,
                            "Số",
                            _("Số %(n)d của sổ năm %(year)d trùng với dòng %(other)d.")
                            % {"n": key[1], "year": key[0], "other": seen[key]},
                        )
                    )
                else:
                    seen[key] = row
                    entries.append((row, entry))
                    number = books.setdefault(key[0], entry.book_number)
                    if number.lower() != entry.book_number.lower():
                        problems.append(
                            sheets.Problem(
                                row,
                                "Quyển số",
                                _(
                                    "Sổ năm %(year)d ghi quyển số %(a)s ở dòng trên, %(b)s ở "
                                    "dòng này."
                                )
                                % {"year": key[0], "a": number, "b": entry.book_number},
                            )
                        )
        if done % 100 == 0 or done == total:
            tell(Progress(done, 0, total))
    problems += _against_books(batch, entries)
    problems.sort(key=lambda p: p.row)
    return entries, problems


def _row_problems(event: str, row: int, exc: DomainError) -> list[sheets.Problem]:
    out = []
    for field, messages in (exc.fields or {}).items():
        for message in messages:
            out.append(sheets.Problem(row, sheets.label_of(event, field), str(message)))
    return out or [sheets.Problem(row, "", exc.message)]


def _against_books(
    batch: ImportBatch, entries: list[tuple[int, HistoricalEntry]]
) -> list[sheets.Problem]:
    """What the agency's books already say: numbers taken, another book number, closed."""
    problems: list[sheets.Problem] = []
    taken = entries_taken(
        batch.agency, batch.event, {(e.registered_on.year, e.entry_number) for _r, e in entries}
    )
    books = {
        b.year: b
        for b in CivilBook.objects.filter(
            agency_id=batch.agency_id,
            event=batch.event,
            year__in={e.registered_on.year for _r, e in entries},
        )
    }
    for row, entry in entries:
        year = entry.registered_on.year
        where = taken.get((year, entry.entry_number))
        if where is not None:
            problems.append(
                sheets.Problem(
                    row,
                    "Số",
                    _("%(book)s đã có mục số %(n)d.") % {"book": where, "n": entry.entry_number},
                )
            )
        book = books.get(year)
        if book is not None:
            try:
                book_check(book, entry)
            except DomainError as exc:
                problems.append(
                    sheets.Problem(
                        row,
                        "Quyển số" if exc.code == "book_number_mismatch" else "Ngày đăng ký",
                        exc.message,
                    )
                )
    return problems


def _write(
    batch: ImportBatch,
    actor: Staff,
    entries: list[tuple[int, HistoricalEntry]],
    encoding: str,
    tell: Callable[[Progress], None],
) -> int:
    """Write every entry (in the caller's transaction), their books opened or locked in year
    order, and one audit entry for the batch."""
    agency_lock(batch.agency)
    total = len(entries)
    # Oldest first: the search index takes its keys in ascending order (SQLite FTS5 writes a
    # new segment whenever a key is lower than the last one).
    ordered = sorted(entries, key=lambda e: (e[1].registered_on, e[1].entry_number))
    books: dict[int, CivilBook] = {}
    for _row, entry in ordered:
        year = entry.registered_on.year
        if year not in books:
            book = book_for(batch.agency, entry)
            assert book is not None
            books[year] = book
    legacy = encoding if encoding in ("tcvn3", "vni") else ""
    written = 0
    for start in range(0, total, WRITE_CHUNK):
        chunk = ordered[start : start + WRITE_CHUNK]
        for _row, entry in chunk:
            book = books[entry.registered_on.year]
            if CivilRecord.objects.filter(book=book, entry_number=entry.entry_number).exists():
                raise number_taken(book, entry.entry_number)
        _write_chunk(batch, actor, chunk, books, legacy)
        written += len(chunk)
        tell(Progress(total, written, total))
    audit_record(
        actor=actor,
        action="civil.digitise_import",
        obj=batch,
        object_id=str(batch.public_id),
        changes={
            "event": batch.event,
            "rows": written,
            "books": sorted(f"{b.number}/{b.year}" for b in books.values()),
            "file_sha256": batch.sha256,
            "encoding": encoding,
        },
    )
    return written


def _write_chunk(
    batch: ImportBatch,
    actor: Staff,
    chunk: list[tuple[int, HistoricalEntry]],
    books: dict[int, CivilBook],
    legacy: str,
) -> None:
    """Rows in bulk: the records, then all parents and declarants, then the subjects (the
    search index of a subject reads its parents when it is written), then the marks."""
    records = CivilRecord.objects.bulk_create(
        [
            CivilRecord(
                agency_id=batch.agency_id,
                book=books[e.registered_on.year],
                entry_number=e.entry_number,
                page=e.page,
                event=e.event,
                variant="",
                registered_on=e.registered_on,
                event_date=e.event_date,
                late=False,
                fee_amount_vnd=None,
                fee_note=_("Mục số hóa từ sổ giấy: lệ phí không ghi lại."),
                content=e.content,
                registrar=actor,
                registrar_name=e.registrar_name,
                signer_name=e.signer_name,
                signer_title=e.signer_title,
            )
            for _row, e in chunk
        ]
    )
    subjects = {"child", "deceased", "husband", "wife"}
    first: list[CivilParty] = []
    then: list[CivilParty] = []
    for record, (_row, entry) in zip(records, chunk, strict=True):
        for party in entry.parties:
            row = CivilParty(record=record, agency_id=batch.agency_id, **party.model_values())
            (then if party.role in subjects else first).append(row)
    CivilParty.objects.bulk_create(first)
    CivilParty.objects.bulk_create(then)
    scans = {
        (s.book_id, s.page): s
        for s in PageScan.objects.filter(
            book__in=list(books.values()), page__in={e.page for _r, e in chunk}
        )
    }
    DigitisedEntry.objects.bulk_create(
        [
            DigitisedEntry(
                record=record,
                scan=scans.get((record.book_id, entry.page)),
                batch=batch,
                row=row,
                source="import",
                legacy_encoding=legacy,
                entered_by=actor,
            )
            for record, (row, entry) in zip(records, chunk, strict=True)
        ]
    )
    for book in books.values():
        mine = [e for _r, e in chunk if e.registered_on.year == book.year]
        if not mine:
            continue
        book.last_number = max(book.last_number, *(e.entry_number for e in mine))
        last = max(e.registered_on for e in mine)
        if book.last_registered_on is None or last > book.last_registered_on:
            book.last_registered_on = last
        book.opened_on = min(book.opened_on, *(e.registered_on for e in mine))
        book.save(update_fields=["last_number", "last_registered_on", "opened_on"])


@transaction.atomic
def page_scan_attach(*, actor: Staff, book: CivilBook, page: int, upload: UploadedFile) -> PageScan:
    """The scan of page ``page`` of ``book``, attached once (a scan is evidence: never replaced);
    the entries already copied from that page point to it. One audit entry."""
    permissions.require_register(actor, book.agency)
    if page < 1:
        raise InvalidInput(_("Trang số phải từ 1."), fields={"page": [_("Trang số phải từ 1.")]})
    agency_lock(book.agency)
    locked = CivilBook.objects.select_for_update().get(pk=book.pk)
    if PageScan.objects.filter(book=locked, page=page).exists():
        raise PageScanExists(
            _("Trang %(page)d của %(book)s đã có bản quét.") % {"page": page, "book": str(locked)},
            fields={"scan": [_("Trang này đã có bản quét.")]},
        )
    scan = scan_save(actor=actor, book=locked, page=page, upload=upload)
    linked = DigitisedEntry.objects.filter(
        record__book=locked, record__page=page, scan__isnull=True
    ).update(scan=scan)
    audit_record(
        actor=actor,
        action="civil.digitise_scan",
        obj=scan,
        object_id=str(scan.public_id),
        changes={
            "book": str(locked.public_id),
            "page": page,
            "content_type": scan.content_type,
            "size": scan.size,
            "sha256": scan.sha256,
            "entries": linked,
        },
    )
    return scan
