"""`xaso seed --civil N`: synthetic register entries whose every row obeys what the services
would have checked — books per event and year numbered 1..n without gaps in date order, demo
books continued after their last entry and closed ones left alone, past books closed with the
totals ``book_close`` computes, valid personal IDs for the date of birth and sex, consistent
dates, late flags and fees — names with every tone, Đ/đ and minority names without a middle
name; deterministic for a seed; refused without the demo."""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from xaso.civil.models import CivilBook, CivilParty, CivilRecord, Event, PartyRole
from xaso.civil.rules import completed_age, marital_confirmation_valid_until
from xaso.civil.seeding import civil_seed
from xaso.civil.services.books import _totals
from xaso.core.audit import audit_verify
from xaso.core.models import AuditEntry
from xaso.core.text import fold, validate_personal_id
from xaso.dossiers.seeding import SeedRefused
from xaso.org.demo import demo_load

pytestmark = pytest.mark.django_db

CIVIL_AGENCIES = ["H25.37.01", "H25.38.21", "H25.54"]


@pytest.fixture
def demo(db: None) -> None:
    demo_load(password="Demo-Phu-Tho-2026")


def seed(count: int = 600, **kw: object) -> object:
    kw.setdefault("years", 12)
    kw.setdefault("seed", 7)
    return civil_seed(count=count, batch_size=97, **kw)  # type: ignore[arg-type]


def books_state() -> dict[int, tuple[object, ...]]:
    return {
        b.pk: (b.last_number, b.last_registered_on, b.closed_on, b.total_entries)
        for b in CivilBook.objects.all()
    }


def check_books() -> None:
    """Every book holds the numbers 1..n in date order, and its counter says n."""
    entries: dict[int, list[tuple[int, date]]] = defaultdict(list)
    for book_id, number, on in CivilRecord.objects.values_list(
        "book_id", "entry_number", "registered_on"
    ):
        entries[book_id].append((number, on))
    for book in CivilBook.objects.all():
        rows = sorted(entries[book.pk])
        assert [n for n, _d in rows] == list(range(1, book.last_number + 1)), book
        days = [d for _n, d in rows]
        assert days == sorted(days), book
        assert {d.year for d in days} <= {book.year}
        if rows:
            assert book.last_registered_on == days[-1]


def last_pk() -> int:
    return CivilRecord.objects.aggregate(m=Max("pk"))["m"] or 0


def snapshot(after: int) -> list[tuple[object, ...]]:
    return list(
        CivilParty.objects.order_by("record__book__agency__code", "record__registered_on", "pk")
        .filter(record_id__gt=after)
        .values_list(
            "record__agency__code",
            "record__event",
            "record__book__year",
            "record__entry_number",
            "record__registered_on",
            "role",
            "full_name",
            "date_of_birth",
            "birth_year",
            "id_number",
        )
    )


def test_seeded_books_are_gapless_continued_and_closed(demo: None) -> None:
    before = books_state()
    demo_records = CivilRecord.objects.count()
    result = seed()
    assert result.count == 600
    assert CivilRecord.objects.count() == demo_records + 600
    check_books()
    today = timezone.localdate()
    after = {b.pk: b for b in CivilBook.objects.all()}
    for pk, (last, last_on, closed_on, _total) in before.items():
        book = after[pk]
        if closed_on is not None:
            assert (book.last_number, book.last_registered_on) == (last, last_on)
        else:
            assert book.last_number >= last
    opened = [b for pk, b in after.items() if pk not in before]
    assert len(opened) == result.books > 0
    for book in opened:
        if book.year < today.year:
            assert book.closed_on == date(book.year, 12, 31)
            assert book.total_entries == book.total_pages == book.last_number
            assert book.closing_totals == _totals(book)
            assert book.closed_by.has_role("leader")
            assert book.closing_signer_name == book.closed_by.full_name
        else:
            assert book.closed_on is None
    assert result.closed == sum(b.year < today.year for b in opened)
    years = {b.year for b in opened}
    assert min(years) == today.year - 11
    assert set(CivilRecord.objects.values_list("agency__code", flat=True)) == set(CIVIL_AGENCIES)
    # Communes register while they exist: Thạch Khoán and Lâm Thao until 30/6/2025.
    for code in ("H25.37.01", "H25.38.21"):
        last = CivilRecord.objects.filter(agency__code=code).latest("registered_on")
        assert last.registered_on < date(2025, 7, 1)
    assert all(d.weekday() < 5 for d in CivilRecord.objects.values_list("registered_on", flat=True))
    [audit] = AuditEntry.objects.filter(action="civil.seed")
    assert audit.changes["count"] == 600 and audit.changes["synthetic"] is True
    assert audit_verify().ok


def test_seeded_entries_are_what_the_services_would_write(demo: None) -> None:
    after = last_pk()
    seed(800)
    records = {r.pk: r for r in CivilRecord.objects.filter(pk__gt=after)}
    assert len(records) == 800
    parties: dict[int, dict[str, CivilParty]] = defaultdict(dict)
    for p in CivilParty.objects.filter(record_id__in=records):
        parties[p.record_id][p.role] = p
    events = Counter(r.event for r in records.values())
    assert set(events) >= {Event.BIRTH, Event.DEATH, Event.MARRIAGE, Event.MARITAL_STATUS}
    assert events[Event.BIRTH] > events[Event.DEATH] > 0
    people: dict[str, tuple[str, int]] = {}
    for pk, record in records.items():
        roles = parties[pk]
        for p in roles.values():
            assert p.full_name == unicodedata.normalize("NFC", p.full_name)
            assert p.name_folded == fold(p.full_name)
            if p.family_name:
                assert p.full_name == " ".join(
                    x for x in (p.family_name, p.middle_name, p.given_name) if x
                )
            if p.id_number:
                born = p.date_of_birth or date(p.birth_year, 1, 1)
                validate_personal_id(p.id_number, date_of_birth=born, sex=p.sex or None)
                assert record.registered_on.year >= 2016
                # One number, one person (a parent of several children keeps theirs).
                same = people.setdefault(p.id_number, (p.full_name, p.birth_year))
                assert same == (p.full_name, p.birth_year)
        if record.event == Event.BIRTH:
            child, mother = roles[PartyRole.CHILD], roles[PartyRole.MOTHER]
            assert set(roles) <= {"child", "mother", "father", "declarant"}
            assert roles[PartyRole.DECLARANT].relationship in ("mother", "father")
            assert record.event_date == child.date_of_birth <= record.registered_on
            assert mother.sex == "female" and mother.birth_year < child.date_of_birth.year
            father = roles.get(PartyRole.FATHER)
            if father is not None:
                assert father.sex == "male" and father.birth_year < child.date_of_birth.year
            family = {mother.full_name.split()[0]} | (
                {father.full_name.split()[0]} if father else set()
            )
            assert child.family_name in family
            due = date.fromisoformat(record.content["declaration_due"])
            assert record.late == (record.registered_on > due)
            if not record.late:
                assert record.fee_amount_vnd == 0
                assert record.fee_note.endswith("đăng ký khai sinh đúng hạn.")
            else:
                assert not record.fee_note.startswith("Miễn lệ phí")
        elif record.event == Event.DEATH:
            dead = roles[PartyRole.DECEASED]
            assert record.event_date <= record.registered_on
            assert dead.birth_year < record.event_date.year
            assert record.late == (
                record.registered_on > date.fromisoformat(record.content["declaration_due"])
            )
        elif record.event == Event.MARRIAGE:
            man, woman = roles[PartyRole.HUSBAND], roles[PartyRole.WIFE]
            assert (man.sex, woman.sex) == ("male", "female")
            assert completed_age(man.date_of_birth, record.registered_on) >= 20
            assert completed_age(woman.date_of_birth, record.registered_on) >= 18
            assert record.fee_amount_vnd == 0
        else:
            assert set(roles) == {"person"}
            assert record.valid_until == marital_confirmation_valid_until(record.registered_on)
        assert record.registrar.agency_id == record.agency_id
        assert record.signer.has_role("leader")
    # Every tone, Đ/đ, and minority names without a middle name.
    names = CivilParty.objects.filter(record_id__in=records, role__in=["child", "husband", "wife"])
    given = set(names.values_list("given_name", flat=True))
    marks = {c for g in given for c in unicodedata.normalize("NFD", g) if unicodedata.combining(c)}
    assert {"\u0300", "\u0309", "\u0303", "\u0301", "\u0323"} <= marks
    assert any(g in given for g in ("An", "Anh", "Lan", "Linh"))  # ngang
    assert names.filter(family_name__startswith="Đ").exists()
    assert names.filter(middle_name="", ethnicity__in=["Thái", "Mường", "Dao", "Mông"]).exists()
    # Siblings: some mothers register more than one child.
    mothers = Counter(
        CivilParty.objects.filter(record_id__in=records, role="mother")
        .exclude(id_number="")
        .values_list("id_number", flat=True)
    )
    assert max(mothers.values()) >= 2


class Undo(Exception):
    pass


def test_same_seed_same_entries(demo: None) -> None:
    after = last_pk()
    with pytest.raises(Undo), transaction.atomic():
        seed(300)
        first = snapshot(after)
        raise Undo
    assert last_pk() == after
    seed(300)
    assert len(first) > 600
    assert snapshot(after) == first
    with pytest.raises(Undo), transaction.atomic():
        seed(300, seed=8)
        assert snapshot(after) != first
        raise Undo


def test_seed_one_agency_takes_the_whole_period(demo: None) -> None:
    others = CivilRecord.objects.exclude(agency__code="H25.38.21").count()
    after = last_pk()
    result = seed(200, agency_code="H25.38.21")
    assert result.agencies == ["H25.38.21"]
    seeded = CivilRecord.objects.filter(pk__gt=after)
    assert set(seeded.values_list("agency__code", flat=True)) == {"H25.38.21"}
    assert CivilRecord.objects.exclude(agency__code="H25.38.21").count() == others
    # A single commune asked for by name gets entries up to today, even after its merger.
    assert seeded.filter(registered_on__gte=date(2025, 7, 1)).exists()
    check_books()
    with pytest.raises(SeedRefused) as exc:
        seed(5, agency_code="H25.54.01")
    assert exc.value.message == (
        "Cơ quan H25.54.01 không phải xã giữ sổ hộ tịch của dữ liệu minh họa "
        "(H25.37.01, H25.38.21, H25.54)."
    )


def test_seeding_twice_continues_the_books(demo: None) -> None:
    seed(300, years=3)
    seed(200, years=3, seed=8)
    check_books()
    assert AuditEntry.objects.filter(action="civil.seed").count() == 2


REFUSAL = (
    "Chưa có dữ liệu minh họa (cơ quan, cán bộ hộ tịch). Hãy chạy “xaso demo "
    "--password <mật khẩu>” trước khi tạo sổ hộ tịch mẫu."
)


def test_seed_refused_without_the_demo() -> None:
    with pytest.raises(SeedRefused) as exc:
        seed(10)
    assert (exc.value.code, exc.value.message) == ("seed_refused", REFUSAL)
    with pytest.raises(CommandError) as cmd:
        call_command("seed", civil=10, stdout=StringIO())
    assert str(cmd.value) == REFUSAL
    assert CivilRecord.objects.count() == AuditEntry.objects.count() == 0


def test_seed_refuses_bad_counts(demo: None) -> None:
    for kw, field in (({"count": 0}, "civil"), ({"count": 5, "years": 0}, "civil_years")):
        with pytest.raises(Exception) as exc:
            civil_seed(**kw)  # type: ignore[arg-type]
        assert exc.value.code == "invalid_input"  # type: ignore[attr-defined]
        assert list(exc.value.fields) == [field]  # type: ignore[attr-defined]
    with pytest.raises(CommandError) as cmd:
        call_command("seed", stdout=StringIO())
    assert str(cmd.value) == "Cần --dossiers N hoặc --civil N."


def test_seed_command_prints_progress(demo: None) -> None:
    out = StringIO()
    call_command("seed", civil=30, civil_years=2, seed=3, batch=10, stdout=out)
    lines = out.getvalue().splitlines()
    assert [line.split()[0] for line in lines[:3]] == ["10", "20", "30"]
    assert lines[-1].startswith("Đã tạo 30 mục hộ tịch (")
    assert AuditEntry.objects.get(action="civil.seed").changes["count"] == 30
