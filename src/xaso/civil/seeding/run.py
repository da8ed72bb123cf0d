"""The seeder's run: which agencies and days, the books and their numbering, the entries of each
event, and the batched writes (the package docstring says why it is done this way)."""

from __future__ import annotations

import random
import time as _time
import uuid
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xaso.core.audit import audit_record
from xaso.core.errors import InvalidInput
from xaso.dossiers.seeding.bulk import _Table
from xaso.dossiers.seeding.world import SeedRefused
from xaso.org.models import Agency, Staff
from xaso.people.models import Person

from .. import permissions
from ..demo import DEMO_AGENCIES
from ..models import CivilBook, CivilParty, CivilRecord, Event, PartyRole
from ..rules import (
    BIRTH_DECLARATION_DAYS,
    DEATH_DECLARATION_DAYS,
    MARRIAGE_AGE,
    PROCEDURES,
    marital_confirmation_valid_until,
    period_end,
)
from ..selectors import search_index_optimize
from ..services import fee_assess
from .names import People, Someone

DEFAULT_BATCH = 5000
DEFAULT_YEARS = 30
#: From this year on entries carry personal ID numbers (numbers given at birth registration).
IDS_FROM = 2016
#: The mix of events in the books (a commune's registers: births first).
EVENT_WEIGHTS = (
    (Event.BIRTH, 55),
    (Event.DEATH, 20),
    (Event.MARRIAGE, 15),
    (Event.MARITAL_STATUS, 10),
)
SUBJECTS_BY_EVENT = {
    Event.BIRTH: (PartyRole.CHILD,),
    Event.DEATH: (PartyRole.DECEASED,),
    Event.MARRIAGE: (PartyRole.HUSBAND, PartyRole.WIFE),
    Event.MARITAL_STATUS: (PartyRole.PERSON,),
}
HOSPITALS = (
    "Trạm Y tế xã",
    "Bệnh viện Đa khoa huyện Thanh Sơn",
    "Bệnh viện Sản Nhi Phú Thọ",
    "Bệnh viện Đa khoa tỉnh Phú Thọ",
)
PURPOSES = (
    "Bổ sung hồ sơ vay vốn ngân hàng",
    "Làm thủ tục mua bán nhà đất",
    "Bổ sung hồ sơ xin việc",
    "Làm thủ tục xuất khẩu lao động",
)
CAUSES = ("Già yếu", "Bệnh tật", "Tai nạn giao thông", "Đột quỵ")
#: How many married couples of a commune are remembered as parents of later births.
COUPLES_KEPT = 4000


@dataclass(frozen=True)
class CivilSeedResult:
    count: int
    parties: int
    books: int
    closed: int
    agencies: list[str]
    first_day: date
    last_day: date
    seconds: float


@dataclass
class _Book:
    """A register book as the seeder sees it: the counter it continues, and the totals of what
    it wrote (for closing a book it opened)."""

    agency_id: int
    event: str
    year: int
    id: int | None = None
    last_number: int = 0
    last_registered_on: date | None = None
    opened_on: date | None = None
    closed: bool = False
    created: bool = False
    touched: bool = False
    late: int = 0
    by_sex: Counter[str] = field(default_factory=Counter)


@dataclass
class _Desk:
    """One commune: who records and signs, its people, the days it kept registers."""

    agency: Agency
    officer: Staff
    leader: Staff
    first: date
    last: date
    people: People
    couples: deque[tuple[Someone, Someone, date]] = field(
        default_factory=lambda: deque(maxlen=COUPLES_KEPT)
    )


@dataclass
class _Entry:
    desk: _Desk
    book: _Book
    row: dict[str, Any]
    parties: list[dict[str, Any]]


def _staff_pair(agency: Agency) -> tuple[Staff, Staff] | None:
    staff = list(
        Staff.objects.filter(agency=agency, is_active=True)
        .prefetch_related("roles")
        .select_related("agency")
        .order_by("username")
    )
    officer = next((s for s in staff if permissions.is_civil_officer(s)), None)
    leader = next((s for s in staff if s.has_role("leader")), None)
    return (officer, leader) if officer and leader else None


def _desks(agency_code: str | None, first: date, today: date, rng: random.Random) -> list[_Desk]:
    agencies = list(
        Agency.objects.filter(code__in=DEMO_AGENCIES).select_related("unit").order_by("code")
    )
    if not agencies:
        raise SeedRefused(
            _(
                "Chưa có dữ liệu minh họa (cơ quan, cán bộ hộ tịch). Hãy chạy “xaso demo "
                "--password <mật khẩu>” trước khi tạo sổ hộ tịch mẫu."
            )
        )
    if agency_code and agency_code not in {a.code for a in agencies}:
        raise SeedRefused(
            _("Cơ quan %(code)s không phải xã giữ sổ hộ tịch của dữ liệu minh họa (%(codes)s).")
            % {"code": agency_code, "codes": ", ".join(a.code for a in agencies)}
        )
    desks = []
    for agency in agencies:
        if agency_code and agency.code != agency_code:
            continue
        pair = _staff_pair(agency)
        if pair is None:
            continue
        unit = agency.unit
        start, end = first, today
        if agency_code is None and unit is not None:
            # Each commune registers while it exists; a single commune asked for by name takes
            # the whole period (a benchmark's worst case: every entry in one agency's books).
            if unit.established_on:
                start = max(start, unit.established_on)
            if unit.dissolved_on:
                end = min(end, unit.dissolved_on - timedelta(days=1))
        if end < start:
            continue
        used = set(
            CivilParty.objects.filter(agency=agency)
            .exclude(id_number="")
            .values_list("id_number", flat=True)
        ) | set(
            Person.objects.filter(agency=agency)
            .exclude(personal_id="")
            .values_list("personal_id", flat=True)
        )
        address = unit.name if unit is not None else agency.name
        people = People(random.Random(rng.random()), used, address)
        desks.append(_Desk(agency, pair[0], pair[1], start, end, people))
    if not desks:
        raise SeedRefused(
            _("Không có xã nào của dữ liệu minh họa có công chức hộ tịch và lãnh đạo.")
        )
    return desks


def _books(desks: list[_Desk]) -> dict[tuple[int, str, int], _Book]:
    books: dict[tuple[int, str, int], _Book] = {}
    for b in CivilBook.objects.filter(agency__in=[d.agency for d in desks]):
        books[(b.agency_id, b.event, b.year)] = _Book(
            agency_id=b.agency_id,
            event=b.event,
            year=b.year,
            id=b.pk,
            last_number=b.last_number,
            last_registered_on=b.last_registered_on,
            opened_on=b.opened_on,
            closed=b.is_closed,
        )
    return books


Books = dict[tuple[int, str, int], _Book]


def _writable(books: Books, agency_id: int, event: str, day: date) -> bool:
    book = books.get((agency_id, event, day.year))
    if book is None:
        return True
    if book.closed:
        return False
    return book.last_registered_on is None or day >= book.last_registered_on


def _slots(
    desks: list[_Desk], books: Books, first: date, today: date, count: int
) -> list[tuple[date, int, list[str], int]]:
    """(day, desk index, events writable that day, how many entries) over the working days,
    ``count`` in all, spread evenly."""
    open_slots: list[tuple[date, int, list[str]]] = []
    day = first
    while day <= today:
        if day.weekday() < 5:
            for i, desk in enumerate(desks):
                if desk.first <= day <= desk.last:
                    agency_id = desk.agency.pk
                    events = [
                        str(e) for e, _w in EVENT_WEIGHTS if _writable(books, agency_id, e, day)
                    ]
                    if events:
                        open_slots.append((day, i, events))
        day += timedelta(days=1)
    if not open_slots:
        raise SeedRefused(
            _("Không còn ngày nào để ghi thêm vào sổ hộ tịch trong khoảng thời gian đã chọn.")
        )
    n = len(open_slots)
    out = []
    for k, (d, i, events) in enumerate(open_slots):
        many = (k + 1) * count // n - k * count // n
        if many:
            out.append((d, i, events, many))
    return out


class _Writer:
    """Builds the rows of one entry of each event, as the services would have written them."""

    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng = rng
        self.now = now
        self.fees: dict[tuple[str, bool], tuple[int | None, int | None, str]] = {}

    def fee(self, event: str, late: bool) -> tuple[int | None, int | None, str]:
        """(procedure id, amount, note) from the catalogue, as ``fee_assess`` gives them."""
        key = (event, late)
        if key not in self.fees:
            exempt = ""
            if event == Event.BIRTH and not late:
                exempt = _("đăng ký khai sinh đúng hạn")
            elif event == Event.DEATH and not late:
                exempt = _("đăng ký khai tử đúng hạn")
            elif event == Event.MARRIAGE:
                exempt = _("đăng ký kết hôn của công dân Việt Nam")
            fee = fee_assess(procedure_code=PROCEDURES[(event, "", "")], law_exempt=exempt)
            self.fees[key] = (fee.procedure.pk if fee.procedure else None, fee.amount, fee.note)
        return self.fees[key]

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    @staticmethod
    def party(
        people: People, role: str, who: Someone, *, parts: bool = True, with_dob: bool = True
    ) -> dict[str, Any]:
        full = who.full_name
        return {
            "role": str(role),
            "family_name": who.family if parts else "",
            "middle_name": who.middle if parts else "",
            "given_name": who.given if parts else "",
            "full_name": full,
            "name_folded": people.folded(full),
            "sex": who.sex,
            "date_of_birth": who.born if with_dob else None,
            "birth_year": who.born.year,
            "id_number": who.id_number,
            "ethnicity": who.ethnicity,
            "nationality": "Việt Nam",
            "residence": who.residence,
            "relationship": "",
        }

    def record(self, desk: _Desk, book: _Book, on: date, **values: Any) -> dict[str, Any]:
        procedure_id, amount, note = self.fee(book.event, bool(values.get("late")))
        return {
            "public_id": self.uuid(),
            "agency_id": desk.agency.pk,
            "event": book.event,
            "variant": "",
            "registered_on": on,
            "procedure_id": procedure_id,
            "fee_amount_vnd": amount,
            "fee_note": note,
            "registrar_id": desk.officer.pk,
            "registrar_name": desk.officer.full_name,
            "signer_id": desk.leader.pk,
            "signer_name": desk.leader.full_name,
            "signer_title": desk.leader.title,
            "created_at": self.now,
            **values,
        }

    # --- one entry of each event ---------------------------------------------------------------

    def birth(self, desk: _Desk, book: _Book, on: date) -> _Entry:
        rng, people = self.rng, desk.people
        with_ids = on.year >= IDS_FROM
        sex = "male" if rng.random() < 0.51 else "female"
        late = rng.random() < 0.1
        born = on - timedelta(days=rng.randint(90, 2500) if late else rng.randint(1, 55))
        father: Someone | None = None
        mother: Someone | None = None
        if desk.couples and rng.random() < 0.45:
            man, woman, married = desk.couples[rng.randrange(len(desk.couples))]
            if married < born and 18 <= born.year - woman.born.year <= 44:
                father, mother = man, woman
        if mother is None:
            mother = people.person(
                "female",
                people.born_between(
                    born - timedelta(days=40 * 365), born - timedelta(days=19 * 365)
                ),
                with_id=with_ids and rng.random() < 0.9,
            )
            if rng.random() < 0.85:
                father = people.person(
                    "male",
                    people.born_between(
                        born - timedelta(days=45 * 365), born - timedelta(days=21 * 365)
                    ),
                    with_id=with_ids and rng.random() < 0.9,
                    ethnicity=mother.ethnicity if rng.random() < 0.8 else None,
                )
        source = father if father is not None and rng.random() < 0.95 else mother
        child = people.person(
            sex, born, with_id=with_ids, family=source.family, ethnicity=source.ethnicity
        )
        due = period_end(born, BIRTH_DECLARATION_DAYS)
        content = {
            "place_of_birth": f"{rng.choice(HOSPITALS)}, tỉnh Phú Thọ",
            "home_town": desk.people.address,
            "birth_notice": "",
            "note": "",
            "declaration_due": due.isoformat(),
        }
        if father is not None:
            content["father_basis"] = "marriage_elsewhere"
            content["parents_marriage"] = f"UBND xã {rng.choice(('Đông', 'Tây', 'Nam', 'Bắc'))}"
        late = on > due
        parties = [
            self.party(people, PartyRole.MOTHER, mother, parts=False, with_dob=False),
        ]
        if father is not None:
            parties.append(
                self.party(people, PartyRole.FATHER, father, parts=False, with_dob=False)
            )
        declarer, relationship = (
            (father, "father") if father is not None and rng.random() < 0.3 else (mother, "mother")
        )
        declarant = self.party(people, PartyRole.DECLARANT, declarer, parts=False, with_dob=False)
        declarant["relationship"] = relationship
        parties.append(declarant)
        parties.append(self.party(people, PartyRole.CHILD, child))
        row = self.record(desk, book, on, event_date=born, late=late, content=content)
        book.late += late
        book.by_sex[sex] += 1
        return _Entry(desk, book, row, parties)

    def death(self, desk: _Desk, book: _Book, on: date) -> _Entry:
        rng, people = self.rng, desk.people
        sex = "male" if rng.random() < 0.52 else "female"
        late = rng.random() < 0.1
        died = on - timedelta(days=rng.randint(30, 400) if late else rng.randint(1, 14))
        born = people.born_between(died - timedelta(days=98 * 365), died - timedelta(days=40 * 365))
        deceased = people.person(sex, born, with_id=on.year >= IDS_FROM and rng.random() < 0.85)
        relative = people.person(
            "male" if rng.random() < 0.5 else "female",
            people.born_between(born + timedelta(days=18 * 365), died - timedelta(days=18 * 365)),
            with_id=False,
        )
        due = period_end(died, DEATH_DECLARATION_DAYS)
        late = on > due
        subject = self.party(people, PartyRole.DECEASED, deceased, with_dob=rng.random() < 0.8)
        declarant = self.party(people, PartyRole.DECLARANT, relative, parts=False, with_dob=False)
        declarant["relationship"] = rng.choice(("child", "spouse", "relative", "sibling"))
        content = {
            "place_of_death": rng.choice(("Tại nhà", "Bệnh viện Đa khoa tỉnh Phú Thọ")),
            "time_of_death": f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
            "cause": rng.choice(CAUSES),
            "death_notice": "",
            "note": "",
            "declaration_due": due.isoformat(),
        }
        row = self.record(desk, book, on, event_date=died, late=late, content=content)
        book.late += late
        book.by_sex[sex] += 1
        return _Entry(desk, book, row, [declarant, subject])

    def marriage(self, desk: _Desk, book: _Book, on: date) -> _Entry:
        rng, people = self.rng, desk.people
        with_ids = on.year >= IDS_FROM
        man = people.person(
            "male",
            people.born_between(
                on - timedelta(days=38 * 365), on - timedelta(days=(MARRIAGE_AGE["male"] + 1) * 365)
            ),
            with_id=with_ids,
        )
        woman = people.person(
            "female",
            people.born_between(
                on - timedelta(days=34 * 365),
                on - timedelta(days=(MARRIAGE_AGE["female"] + 1) * 365),
            ),
            with_id=with_ids,
            ethnicity=man.ethnicity if man.ethnicity != "Kinh" and rng.random() < 0.7 else None,
        )
        desk.couples.append((man, woman, on))
        row = self.record(desk, book, on, event_date=on, content={"note": ""})
        book.by_sex.update(("male", "female"))
        return _Entry(
            desk,
            book,
            row,
            [self.party(people, PartyRole.HUSBAND, man), self.party(people, PartyRole.WIFE, woman)],
        )

    def marital_status(self, desk: _Desk, book: _Book, on: date) -> _Entry:
        rng, people = self.rng, desk.people
        sex = "male" if rng.random() < 0.5 else "female"
        who = people.person(
            sex,
            people.born_between(on - timedelta(days=50 * 365), on - timedelta(days=21 * 365)),
            with_id=on.year >= IDS_FROM,
        )
        content = {
            "declared_status": "single",
            "purpose_kind": "other",
            "purpose": rng.choice(PURPOSES),
            "note": "",
            "status_on_record": "single",
            "marriages_on_record": [],
        }
        row = self.record(
            desk,
            book,
            on,
            event_date=on,
            valid_until=marital_confirmation_valid_until(on),
            content=content,
        )
        book.by_sex[sex] += 1
        return _Entry(desk, book, row, [self.party(people, PartyRole.PERSON, who)])


def _totals(book: _Book) -> dict[str, Any]:
    """The closing totals, in the shape ``services.books`` gives them."""
    return {
        "by_variant": {"ordinary": book.last_number},
        "late": book.late,
        "on_time": book.last_number - book.late
        if book.event in (Event.BIRTH, Event.DEATH)
        else None,
        "subjects_by_sex": dict(sorted(book.by_sex.items())),
    }


class _Rows(_Table):
    """Multi-row INSERTs on SQLite (COPY on PostgreSQL as ``_Table`` does).

    Why: every statement that may write the search index (the triggers of migration 0003 on
    the parties) opens a savepoint of the FTS5 table, and FTS5 writes out what it holds in
    memory at each savepoint. One statement per row, as ``executemany`` runs them, made one
    tiny index segment per row and the seeding ten times slower."""

    ROWS_PER_STATEMENT = 400

    def insert(self, rows: list[dict[str, Any]]) -> None:
        if self.pg or not rows:
            super().insert(rows)
            return
        defaults, adapted, getter = self.defaults, self.adapted, self.getter
        values: list[Any] = []
        for row in rows:
            merged = {**defaults, **row}
            for name, adapt in adapted:
                if name in row:
                    merged[name] = adapt(row[name])
            values.append(getter(merged))
        head, marks = self.sql.split(" VALUES ")
        step = self.ROWS_PER_STATEMENT
        with connection.cursor() as cursor:
            for i in range(0, len(values), step):
                chunk = values[i : i + step]
                cursor.execute(
                    f"{head} VALUES {', '.join([marks] * len(chunk))}",
                    [v for row in chunk for v in row],
                )


def _close_books(books: Books, desks: list[_Desk], today: date) -> int:
    """Khóa sổ of the past years' books the seeder opened: 31/12, the leader, the totals."""
    leaders = {d.agency.pk: d.leader for d in desks}
    closed = 0
    now = timezone.now()
    with transaction.atomic():
        for book in books.values():
            if not book.created or book.year >= today.year or book.closed:
                continue
            leader = leaders[book.agency_id]
            assert book.id is not None
            CivilBook.objects.filter(pk=book.id).update(
                closed_on=date(book.year, 12, 31),
                closed_at=now,
                closed_by=leader,
                closing_signer_name=leader.full_name,
                closing_signer_title=leader.title,
                total_entries=book.last_number,
                total_pages=book.last_number,  # one entry a page (CivilBook.entries_per_page)
                closing_totals=_totals(book),
            )
            book.closed = True
            closed += 1
    return closed


def civil_seed(
    *,
    count: int,
    agency_code: str | None = None,
    years: int = DEFAULT_YEARS,
    seed: int = 0,
    now: datetime | None = None,
    batch_size: int = DEFAULT_BATCH,
    progress: Callable[[int, int, float], None] | None = None,
) -> CivilSeedResult:
    """Write ``count`` synthetic entries into the demo communes' books over the last ``years``
    years up to ``now`` (see the package docstring). Refused (``SeedRefused``) without the
    demo. One audit entry for the run."""
    if count < 1:
        raise InvalidInput(_("Số mục hộ tịch cần tạo phải lớn hơn 0."), fields={"civil": []})
    if not 1 <= years <= 100:
        raise InvalidInput(_("Số năm phải từ 1 đến 100."), fields={"civil_years": []})
    started = _time.monotonic()
    now = timezone.localtime(now or timezone.now())
    today = now.date()
    first = date(today.year - years + 1, 1, 1)
    rng = random.Random(seed)
    desks = _desks(agency_code, first, today, rng)
    books = _books(desks)
    slots = _slots(desks, books, first, today, count)
    writer = _Writer(rng, now)
    makers: dict[str, Callable[[_Desk, _Book, date], _Entry]] = {
        Event.BIRTH: writer.birth,
        Event.DEATH: writer.death,
        Event.MARRIAGE: writer.marriage,
        Event.MARITAL_STATUS: writer.marital_status,
    }
    weights = {str(e): w for e, w in EVENT_WEIGHTS}
    records, parties = _Rows(CivilRecord), _Rows(CivilParty)
    if connection.vendor == "sqlite":
        # The indexes take rows in many places at once: a 1 GB page cache keeps them in memory
        # (SQLite's default is 2 MB, and every insert would read pages back from disk).
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size=-1000000")

    made = party_count = 0
    batch: list[_Entry] = []

    def flush() -> None:
        nonlocal party_count
        with transaction.atomic():
            for book in {id(e.book): e.book for e in batch}.values():
                if book.id is None:
                    desk = next(e.desk for e in batch if e.book is book)
                    created = CivilBook.objects.create(
                        agency=desk.agency,
                        event=book.event,
                        year=book.year,
                        opened_on=book.opened_on or date(book.year, 1, 1),
                    )
                    book.id = created.pk
            if connection.vendor == "postgresql":
                # The search rows of the batch are written at once below, not row by row by
                # the triggers (migration 0003: xaso.search_deferred, for this transaction).
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL xaso.search_deferred = 'on'")
            record_id = records.next_id()
            party_id = parties.next_id()
            record_rows: list[dict[str, Any]] = []
            first_rows: list[dict[str, Any]] = []
            subject_rows: list[dict[str, Any]] = []
            for entry in batch:
                entry.row["id"] = record_id
                entry.row["book_id"] = entry.book.id
                record_rows.append(entry.row)
                for p in entry.parties:
                    p["id"] = party_id
                    p["record_id"] = record_id
                    p["agency_id"] = entry.desk.agency.pk
                    party_id += 1
                    # Parents before the subject: the search index of the subject row reads
                    # its parents' names when the row is inserted (selectors, SQLite FTS5).
                    (subject_rows if p["role"] in SUBJECT_ROLE_SET else first_rows).append(p)
                record_id += 1
            records.insert(record_rows)
            parties.insert(first_rows)
            parties.insert(subject_rows)
            records.reset_sequence()
            parties.reset_sequence()
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT civil_search_index(%s::bigint[])", [[r["id"] for r in record_rows]]
                    )
            party_count += len(first_rows) + len(subject_rows)
            for book in {id(e.book): e.book for e in batch}.values():
                assert book.id is not None
                CivilBook.objects.filter(pk=book.id).update(
                    last_number=book.last_number, last_registered_on=book.last_registered_on
                )
        batch.clear()
        if progress is not None:
            progress(made, count, _time.monotonic() - started)

    for day, index, events, many in slots:
        desk = desks[index]
        for _k in range(many):
            event = (
                events[0]
                if len(events) == 1
                else rng.choices(events, [weights[e] for e in events])[0]
            )
            key = (desk.agency.pk, event, day.year)
            book = books.get(key)
            if book is None:
                book = books[key] = _Book(
                    agency_id=desk.agency.pk, event=event, year=day.year, created=True
                )
                book.opened_on = day
            entry = makers[event](desk, book, day)
            book.last_number += 1
            book.last_registered_on = day
            entry.row["entry_number"] = entry.row["page"] = book.last_number
            batch.append(entry)
            made += 1
            if len(batch) >= batch_size:
                flush()
    if batch:
        flush()
    closed = _close_books(books, desks, today)
    _after_load()
    with transaction.atomic():
        audit_record(
            actor=None,
            action="civil.seed",
            object_type="civil.civilrecord",
            changes={
                "count": made,
                "parties": party_count,
                "agencies": [d.agency.code for d in desks],
                "years": years,
                "from": first.isoformat(),
                "to": today.isoformat(),
                "books_opened": sum(b.created for b in books.values()),
                "books_closed": closed,
                "seed": seed,
                "synthetic": True,
            },
        )
    return CivilSeedResult(
        count=made,
        parties=party_count,
        books=sum(b.created for b in books.values()),
        closed=closed,
        agencies=[d.agency.code for d in desks],
        first_day=slots[0][0],
        last_day=slots[-1][0],
        seconds=_time.monotonic() - started,
    )


SUBJECT_ROLE_SET = frozenset(str(r) for roles in SUBJECTS_BY_EVENT.values() for r in roles)


def _after_load() -> None:
    """Fresh planner statistics after a bulk load (PostgreSQL's autovacuum has not sampled the
    tables yet; SQLite has no statistics until ANALYZE), and the SQLite search index's segments
    merged into one, as a freshly built index would be."""
    tables = [CivilRecord._meta.db_table, CivilParty._meta.db_table, CivilBook._meta.db_table]
    with connection.cursor() as cursor:
        for table in (*tables, "civil_search"):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
    search_index_optimize()
