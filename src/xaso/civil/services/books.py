"""The register books: opening on first use, the gapless entry-number allocator, and closing at
the end of the year (Law on Civil Status 2014 Art 58; vn-rules.md §3.4)."""

from __future__ import annotations

from collections import Counter
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from xaso.core.audit import audit_record
from xaso.org.models import Agency, Staff

from .. import permissions
from ..errors import BookClosed, BookNotClosable, RegistrationDateInvalid
from ..models import SUBJECT_ROLES, CivilBook, CivilParty, CivilRecord, Event, PartyRole


def agency_lock(agency: Agency) -> None:
    """Serialise the civil status writes of one agency: the first lock every one of them takes.

    Why: a registration locks its book, the people rows it names and the audit head, and a
    people row may be created by a concurrent registration between the moment it looks for it
    and the moment it writes it; two registrations of the same agency in different books could
    then each hold what the other waits for (a deadlock on PostgreSQL). People rows belong to one
    agency, so serialising an agency's registrations removes the cycle; a commune registers a
    handful of events an hour, so nothing is lost in throughput. ``FOR NO KEY UPDATE`` leaves
    inserts that refer to the agency free (they take KEY SHARE). SQLite holds the database write
    lock for every transaction anyway."""
    list(
        Agency.objects.select_for_update(no_key=True)
        .filter(pk=agency.pk)
        .values_list("pk", flat=True)
    )


def book_lock_for(*, agency: Agency, event: str, year: int, opened_on: date) -> CivilBook:
    """The book of ``event`` kept by ``agency`` for ``year``, opened (created) if it is the
    year's first entry, and locked until the caller's transaction ends.

    The lock is what makes entry numbers unique and gapless: the caller MUST be inside
    ``transaction.atomic()`` and write its entry in that same transaction (see
    ``entry_number_next``). On PostgreSQL the row is locked ``FOR UPDATE``; on SQLite every
    transaction begins IMMEDIATE and holds the database write lock. The first entries of a year
    may race to open the book: the loser's INSERT fails on the unique constraint, its savepoint
    is rolled back, and the winner's row (committed by then) is selected and locked — as
    ``dossiers.services.codes`` does for the daily dossier counter.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("book_lock_for must run inside the transaction that writes the entry")
    for _attempt in range(3):
        try:
            with transaction.atomic():
                book, _created = CivilBook.objects.select_for_update().get_or_create(
                    agency=agency, event=event, year=year, defaults={"opened_on": opened_on}
                )
            return book
        except IntegrityError:
            continue
    raise RuntimeError(f"could not lock the {event} book {year} of {agency.code}")


def book_check_open(book: CivilBook, *, registered_on: date) -> None:
    """Refuse an entry into a closed book, or dated before the book's last entry (entries are
    written one after the other; a later entry cannot carry an earlier date)."""
    if book.is_closed:
        raise BookClosed(
            _("%(book)s đã khóa ngày %(day)s: không ghi thêm được.")
            % {"book": str(book), "day": f"{book.closed_on:%d/%m/%Y}"}
        )
    if book.last_registered_on is not None and registered_on < book.last_registered_on:
        raise RegistrationDateInvalid(
            "registration_before_last_entry",
            _(
                "Ngày đăng ký %(day)s sớm hơn ngày của mục cuối cùng trong sổ (%(last)s): các "
                "mục trong sổ được ghi theo thứ tự ngày."
            )
            % {"day": f"{registered_on:%d/%m/%Y}", "last": f"{book.last_registered_on:%d/%m/%Y}"},
            field="registered_on",
        )


def entry_number_next(book: CivilBook, *, registered_on: date) -> tuple[int, int]:
    """Take the next entry number of a book locked by ``book_lock_for``; returns (number,
    page). If the caller's transaction rolls back, the increment rolls back with it, so the
    numbers of committed entries have no holes."""
    book.last_number += 1
    book.last_registered_on = registered_on
    book.save(update_fields=["last_number", "last_registered_on"])
    page = (book.last_number - 1) // book.entries_per_page + 1
    return book.last_number, page


def _totals(book: CivilBook) -> dict[str, object]:
    records = CivilRecord.objects.filter(book=book)
    by_variant = Counter(records.values_list("variant", flat=True))
    late = records.filter(late=True).count()
    subjects = CivilParty.objects.filter(
        record__book=book, role__in=SUBJECT_ROLES, added_by__isnull=True
    )
    if book.event == Event.BIRTH:
        subjects = subjects.filter(role=PartyRole.CHILD)
    elif book.event == Event.DEATH:
        subjects = subjects.filter(role=PartyRole.DECEASED)
    by_sex = Counter(subjects.values_list("sex", flat=True))
    return {
        "by_variant": {k or "ordinary": v for k, v in sorted(by_variant.items())},
        "late": late,
        "on_time": records.count() - late if book.event in (Event.BIRTH, Event.DEATH) else None,
        "subjects_by_sex": {k or "unknown": v for k, v in sorted(by_sex.items())},
    }


@transaction.atomic
def book_close(*, actor: Staff, book: CivilBook, closed_on: date | None = None) -> CivilBook:
    """Khóa sổ: close a book on the last day of its year, or later if that was missed, with the
    total of entries and pages, signed by the head of the authority (Law Art 58). A closed book
    takes no more entries; the next year's entries go into the next year's book."""
    permissions.require_close_book(actor, book.agency)
    agency_lock(book.agency)
    locked = CivilBook.objects.select_for_update().get(pk=book.pk)
    on = closed_on or timezone.localdate()
    if locked.is_closed:
        raise BookNotClosable(
            "book_already_closed",
            _("Sổ đã được khóa ngày %(day)s.") % {"day": f"{locked.closed_on:%d/%m/%Y}"},
        )
    if on < date(locked.year, 12, 31):
        raise BookNotClosable(
            "book_year_not_over",
            _("Sổ năm %(year)d chỉ được khóa từ ngày 31/12/%(year)d (ngày khóa: %(day)s).")
            % {"year": locked.year, "day": f"{on:%d/%m/%Y}"},
            field="closed_on",
        )
    if on > timezone.localdate():
        raise BookNotClosable(
            "closing_in_future",
            _("Không khóa sổ vào một ngày chưa tới (%(day)s).") % {"day": f"{on:%d/%m/%Y}"},
            field="closed_on",
        )
    locked.closed_on = on
    locked.closed_at = timezone.now()
    locked.closed_by = actor
    locked.closing_signer_name = actor.full_name
    locked.closing_signer_title = actor.title
    locked.total_entries = locked.last_number
    locked.total_pages = (
        (locked.last_number - 1) // locked.entries_per_page + 1 if locked.last_number else 0
    )
    locked.closing_totals = _totals(locked)
    locked.save()
    audit_record(
        actor=actor,
        action="civil.book_close",
        obj=locked,
        object_id=str(locked.public_id),
        changes={
            "closed_on": on,
            "total_entries": locked.total_entries,
            "total_pages": locked.total_pages,
            "totals": locked.closing_totals,
        },
    )
    return locked


def book_copies_add(record: CivilRecord, copies: int) -> None:
    """Count copies of an extract issued from ``record`` (an atomic increment)."""
    CivilRecord.objects.filter(pk=record.pk).update(copies_issued=F("copies_issued") + copies)
    record.refresh_from_db(fields=["copies_issued"])
