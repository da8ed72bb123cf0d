"""One entry of an old paper book, as the officer copies it: checked (``entry_clean``) and written
(``entry_write``) under the number, page, date and book number the paper gives.

What is checked, and what is not: a register keeps what was written on the day, so an old entry
is not judged by today's procedure — no declaration period, fee, who-may-declare or duplicate
warning (the paper is the evidence; vn-rules.md §3). What is checked is what a copying mistake
breaks: names made of letters, the sex of a mother, father, husband or wife, dates that cannot be
(in the future, an event after the day it was registered, a child born before its parent, a
death before the birth), a personal ID number that does not agree with the date or year of birth
and the sex, an entry dated outside its book's year, a number already used in the book, a book
number other than the one the agency keeps for that year, a closed book.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.utils.translation import gettext as _

from xaso.core.text import squash_spaces
from xaso.org.models import Agency, Staff

from ..errors import BookClosed, DatesInconsistent
from ..inputs import CleanParty, Problems, clean_party, clean_text
from ..models import CivilBook, CivilParty, CivilRecord, Event, PartyRole, Relationship
from ..services import checks
from .errors import BookNumberMismatch, EntryNumberTaken, PageScanExists
from .models import DIGITISED_EVENTS, DigitisedEntry, ImportBatch, PageScan

#: The first year an old register may be dated (the search keys count days from 1800).
EARLIEST_YEAR = 1850
MAX_NUMBER = 1_000_000
#: The parties of each event: the subjects the search finds, then those only recorded.
PARENTS = (PartyRole.MOTHER, PartyRole.FATHER)


@dataclass(frozen=True)
class HistoricalEntry:
    """An entry of a paper book, checked: what ``entry_write`` writes."""

    event: str
    book_number: str
    entry_number: int
    page: int
    registered_on: date
    event_date: date | None
    parties: tuple[CleanParty, ...]
    content: dict[str, Any]
    registrar_name: str
    signer_name: str
    signer_title: str


def _number(p: Problems, field: str, value: Any, *, missing: str, wrong: str) -> int:
    """A number of 1 to ``MAX_NUMBER``; ``missing`` and ``wrong`` say what is amiss."""
    if value in (None, ""):
        p.field("required", field, missing)
        return 0
    try:
        number = int(str(value).strip())
    except ValueError:
        number = 0
    if not 1 <= number <= MAX_NUMBER:
        p.field("invalid_number", field, wrong % {"max": MAX_NUMBER})
        return 0
    return number


def _person(data: Mapping[str, Any], key: str) -> Mapping[str, Any] | None:
    """A person's mapping, or None when nothing about them was written."""
    value = data.get(key)
    if not isinstance(value, Mapping):
        return None
    if not any(v not in (None, "") for v in value.values()):
        return None
    return value


def _relationships(person: Mapping[str, Any] | None) -> frozenset[str] | None:
    """Check a declarant's relationship against the list only when one was written."""
    if person is None or not person.get("relationship"):
        return None
    return frozenset(Relationship.values)


def entry_clean(event: str, data: Mapping[str, Any], *, today: date) -> HistoricalEntry:
    """Check one entry copied from paper (see the module docstring); every problem is reported
    at once, under the field it concerns (``child.date_of_birth``, ``entry_number``, ...)."""
    p = Problems()
    if event not in DIGITISED_EVENTS:
        p.field("invalid_choice", "event", _("Chỉ số hóa sổ khai sinh, khai tử và kết hôn."))
        p.raise_if_any()
    book_number = squash_spaces(str(data.get("book_number") or ""))
    if not book_number:
        p.field("required", "book_number", _("Cần nhập quyển số."))
    elif len(book_number) > 16:
        p.field("too_long", "book_number", _("Quá dài: tối đa %(n)d ký tự.") % {"n": 16})
    entry_number = _number(
        p,
        "entry_number",
        data.get("entry_number"),
        missing=_("Cần nhập số của mục trong sổ."),
        wrong=_("Số phải là một số từ 1 đến %(max)d."),
    )
    page = _number(
        p,
        "page",
        data.get("page"),
        missing=_("Cần nhập trang số."),
        wrong=_("Trang số phải là một số từ 1 đến %(max)d."),
    )
    registered_on = data.get("registered_on")
    if not isinstance(registered_on, date):
        p.field("required", "registered_on", _("Cần nhập ngày đăng ký (dd/mm/yyyy)."))
        registered_on = None
    elif registered_on > today:
        p.field("date_in_future", "registered_on", _("Ngày đăng ký không thể sau hôm nay."))
        registered_on = None
    elif registered_on.year < EARLIEST_YEAR:
        p.field(
            "registration_too_old",
            "registered_on",
            _("Ngày đăng ký phải từ năm %(year)d.") % {"year": EARLIEST_YEAR},
        )
        registered_on = None
    texts = {
        name: clean_text(p, name, str(data.get(name) or ""))
        for name in ("registrar_name", "signer_name", "signer_title", "note")
    }
    content: dict[str, Any] = {"note": texts["note"]}
    parties: list[CleanParty | None] = []
    event_date: date | None = None
    subjects: list[CleanParty | None] = []

    if event == Event.BIRTH:
        child = clean_party(
            p, PartyRole.CHILD, data.get("child"), today=today, need={"name_parts", "sex"}
        )
        if child is not None and child.date_of_birth is None:
            p.field("required", "child.date_of_birth", _("Cần khai ngày, tháng, năm sinh."))
        mother_data, father_data = _person(data, "mother"), _person(data, "father")
        mother = clean_party(p, PartyRole.MOTHER, mother_data, today=today) if mother_data else None
        father = clean_party(p, PartyRole.FATHER, father_data, today=today) if father_data else None
        declarant_data = _person(data, "declarant")
        declarant = (
            clean_party(
                p,
                PartyRole.DECLARANT,
                declarant_data,
                today=today,
                relationships=_relationships(declarant_data),
            )
            if declarant_data
            else None
        )
        content.update(
            place_of_birth=clean_text(
                p, "child.place_of_birth", str(data.get("place_of_birth") or "")
            ),
            home_town=clean_text(p, "child.home_town", str(data.get("home_town") or "")),
        )
        if child is not None and child.date_of_birth is not None:
            event_date = child.date_of_birth
            if registered_on is not None:
                checks.event_not_after(p, "child.date_of_birth", event_date, registered_on)
            checks.born_after_parent(p, event_date, mother)
            checks.born_after_parent(p, event_date, father)
        parties = [mother, father, declarant, child]
        subjects = [child]
    elif event == Event.DEATH:
        deceased = clean_party(
            p, PartyRole.DECEASED, data.get("deceased"), today=today, need={"sex"}
        )
        died = data.get("date_of_death")
        if not isinstance(died, date):
            p.field("required", "date_of_death", _("Cần nhập ngày chết (dd/mm/yyyy)."))
            died = None
        elif died > today:
            p.field("date_in_future", "date_of_death", _("Ngày chết không thể sau hôm nay."))
            died = None
        declarant_data = _person(data, "declarant")
        declarant = (
            clean_party(
                p,
                PartyRole.DECLARANT,
                declarant_data,
                today=today,
                relationships=_relationships(declarant_data),
            )
            if declarant_data
            else None
        )
        content.update(
            place_of_death=clean_text(p, "place_of_death", str(data.get("place_of_death") or "")),
            time_of_death="",
            cause=clean_text(p, "cause", str(data.get("cause") or "")),
        )
        if died is not None:
            event_date = died
            if registered_on is not None:
                checks.event_not_after(p, "date_of_death", died, registered_on)
            if deceased is not None and (
                (deceased.date_of_birth is not None and deceased.date_of_birth > died)
                or (deceased.birth_year is not None and deceased.birth_year > died.year)
            ):
                p.add(
                    DatesInconsistent(
                        "death_before_birth",
                        _("Ngày chết trước ngày sinh của người chết."),
                        field="date_of_death",
                    )
                )
        parties = [declarant, deceased]
        subjects = [deceased]
    else:
        husband = clean_party(p, PartyRole.HUSBAND, data.get("husband"), today=today)
        wife = clean_party(p, PartyRole.WIFE, data.get("wife"), today=today)
        event_date = registered_on
        for party in (husband, wife):
            if party is not None and registered_on is not None and party.date_of_birth:
                checks.event_not_after(
                    p, f"{party.role}.date_of_birth", party.date_of_birth, registered_on
                )
        parties = [husband, wife]
        subjects = [husband, wife]
    p.raise_if_any()
    assert registered_on is not None and all(s is not None for s in subjects)
    return HistoricalEntry(
        event=event,
        book_number=book_number,
        entry_number=entry_number,
        page=page,
        registered_on=registered_on,
        event_date=event_date,
        parties=tuple(x for x in parties if x is not None),
        content=content,
        registrar_name=texts["registrar_name"],
        signer_name=texts["signer_name"],
        signer_title=texts["signer_title"],
    )


def book_for(agency: Agency, entry: HistoricalEntry, *, create: bool = True) -> CivilBook | None:
    """The agency's book of the entry's event and year, locked; opened under the paper's book
    number when it is the first entry of that book. Refused when the agency keeps that year's
    book under another number, or when it is closed."""
    year = entry.registered_on.year
    book = (
        CivilBook.objects.select_for_update()
        .filter(agency=agency, event=entry.event, year=year)
        .first()
    )
    if book is None:
        if not create:
            return None
        return CivilBook.objects.create(
            agency=agency,
            event=entry.event,
            year=year,
            number=entry.book_number,
            opened_on=entry.registered_on,
        )
    book_check(book, entry)
    return book


def book_check(book: CivilBook, entry: HistoricalEntry) -> None:
    if squash_spaces(book.number).lower() != entry.book_number.lower():
        raise BookNumberMismatch(
            _("%(book)s của cơ quan là quyển số %(kept)s, không phải quyển số %(given)s.")
            % {
                "book": book.name + f" {book.year}",
                "kept": book.number,
                "given": entry.book_number,
            },
            fields={"book_number": [_("Khác quyển số của sổ năm %(year)d.") % {"year": book.year}]},
        )
    if book.is_closed:
        raise BookClosed(
            _("%(book)s đã khóa ngày %(day)s: không ghi thêm được.")
            % {"book": str(book), "day": f"{book.closed_on:%d/%m/%Y}"},
            fields={"registered_on": [_("Sổ của năm này đã khóa.")]},
        )


def number_taken(book: CivilBook, entry_number: int) -> EntryNumberTaken:
    return EntryNumberTaken(
        _("%(book)s đã có mục số %(n)d.") % {"book": str(book), "n": entry_number},
        fields={"entry_number": [_("Số này đã có trong sổ.")]},
    )


def entry_write(
    *,
    actor: Staff,
    entry: HistoricalEntry,
    book: CivilBook,
    scan: UploadedFile | None = None,
    batch: ImportBatch | None = None,
    row: int | None = None,
    legacy_encoding: str = "",
) -> CivilRecord:
    """Write a checked entry into ``book`` (locked by the caller's transaction, see
    ``book_for``): the record with the paper's number, page and date, its parties (not linked to
    ``people.Person``: an old entry says what was declared then, not who the person is now), the
    page's scan, and the mark of its digitising. The search index follows (its triggers)."""
    if CivilRecord.objects.filter(book=book, entry_number=entry.entry_number).exists():
        raise number_taken(book, entry.entry_number)
    page_scan = PageScan.objects.filter(book=book, page=entry.page).first()
    if scan is not None:
        if page_scan is not None:
            raise PageScanExists(
                _("Trang %(page)d của %(book)s đã có bản quét.")
                % {"page": entry.page, "book": str(book)},
                fields={"scan": [_("Trang này đã có bản quét.")]},
            )
        page_scan = scan_save(actor=actor, book=book, page=entry.page, upload=scan)
    record = CivilRecord.objects.create(
        agency=book.agency,
        book=book,
        entry_number=entry.entry_number,
        page=entry.page,
        event=entry.event,
        variant="",
        registered_on=entry.registered_on,
        event_date=entry.event_date,
        late=False,
        fee_amount_vnd=None,
        fee_note=_("Mục số hóa từ sổ giấy: lệ phí không ghi lại."),
        content=entry.content,
        registrar=actor,
        registrar_name=entry.registrar_name,
        signer_name=entry.signer_name,
        signer_title=entry.signer_title,
    )
    CivilParty.objects.bulk_create(
        [
            CivilParty(record=record, agency=book.agency, **party.model_values())
            for party in entry.parties
        ]
    )
    changed = []
    if entry.entry_number > book.last_number:
        book.last_number = entry.entry_number
        changed.append("last_number")
    if book.last_registered_on is None or entry.registered_on > book.last_registered_on:
        book.last_registered_on = entry.registered_on
        changed.append("last_registered_on")
    if entry.registered_on < book.opened_on:
        book.opened_on = entry.registered_on
        changed.append("opened_on")
    if changed:
        book.save(update_fields=changed)
    DigitisedEntry.objects.create(
        record=record,
        scan=page_scan,
        batch=batch,
        row=row,
        source="import" if batch is not None else "form",
        legacy_encoding=legacy_encoding,
        entered_by=actor,
    )
    return record


def scan_save(*, actor: Staff, book: CivilBook, page: int, upload: UploadedFile) -> PageScan:
    """The scan of a page, its type checked by content as a dossier's scans are."""
    from xaso.dossiers.services.attachments import attachment_check

    content_type, extension = attachment_check(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    scan = PageScan(
        agency=book.agency,
        book=book,
        page=page,
        content_type=content_type,
        size=upload.size or 0,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
    )
    scan.file.save(f"{book.public_id}-p{page}{extension}", upload, save=False)
    scan.save()
    return scan


def entries_taken(
    agency: Agency, event: str, keys: set[tuple[int, int]]
) -> dict[tuple[int, int], str]:
    """Of (year, entry number) pairs, those the agency's books of ``event`` already hold, with
    the book's label (one query)."""
    if not keys:
        return {}
    cond = Q()
    for year in {y for y, _n in keys}:
        cond |= Q(book__year=year, entry_number__in=[n for y, n in keys if y == year])
    found = CivilRecord.objects.filter(cond, agency=agency, event=event).select_related("book")
    return {(r.book.year, r.entry_number): str(r.book) for r in found}
