"""The civil status search at any volume: a phrase of the name starting at a word (tone marks,
case, đ/d and NFC/NFD ignored, the last word possibly cut short), year/date of birth, ID
number, parents' names, event and book, keyset pages — the same answers from the SQLite FTS5
index (kept by triggers through registrations, amendments, recognitions and the seeder) and
the PostgreSQL tsvector index, checked against a plain reference implementation."""

from __future__ import annotations

import importlib
import random
import re
import unicodedata
from datetime import date
from typing import Any

import pytest
from django.db import connection

from tests.civil.world import FATHER, PID_CHILD, birth, marriage
from xaso.civil import permissions, services
from xaso.civil.models import PARENT_ROLES, SUBJECT_ROLES, CivilParty, CivilRecord
from xaso.civil.seeding import civil_seed
from xaso.civil.selectors import (
    KEY_EPOCH,
    record_search_for,
    search_index_optimize,
    search_key,
    search_words,
)
from xaso.core.errors import InvalidInput
from xaso.org.demo import demo_load
from xaso.org.models import Staff

pytestmark = pytest.mark.django_db


def names(page: Any, role: str | None = None) -> list[str]:
    out = []
    for now in page.items:
        views = [v for r, v in now.parties.items() if r in SUBJECT_ROLES and role in (None, r)]
        out.append(views[0].full_name)
    return out


def child(family: str, middle: str, given: str, born: date, sex: str = "female") -> dict:
    return {
        "family_name": family,
        "middle_name": middle,
        "given_name": given,
        "sex": sex,
        "date_of_birth": born,
        "ethnicity": "Kinh",
        "nationality": "Việt Nam",
    }


def register(w: Any, kid: dict, on: date, **over: Any) -> CivilRecord:
    actor = over.pop("actor", w.officer)
    mother = over.pop("mother", None) or {
        "full_name": f"{kid['family_name']} Thị Mỹ",
        "birth_year": 1990,
        "ethnicity": "Kinh",
        "nationality": "Việt Nam",
        "residence": "Thôn Đông",
    }
    kw = birth(
        child=kid,
        mother=mother,
        declarant={**mother, "relationship": "mother"},
        registered_on=on,
        confirm_duplicate=True,
        **over,
    )
    return services.civil_register_birth(actor=actor, **kw)


@pytest.fixture
def people(w: Any) -> dict[str, CivilRecord]:
    """Names that differ only by tone, Đ/đ, a letter inside a word, or word order."""
    rows = [
        ("hang", child("Đặng", "Thị", "Hằng", date(2026, 1, 3)), date(2026, 1, 12)),
        ("hanh", child("Đặng", "Thị", "Hạnh", date(2026, 1, 4)), date(2026, 1, 13)),
        ("duc", child("Đặng", "Văn", "Đức", date(2026, 1, 5), "male"), date(2026, 1, 14)),
        ("thang", child("Trần", "Văn", "Thắng", date(2026, 1, 6), "male"), date(2026, 1, 15)),
        ("pao", child("Lò", "", "Páo", date(2026, 1, 7), "male"), date(2026, 1, 16)),
        ("hen", child("Đặng", "Thị", "H'Hen", date(2026, 1, 8)), date(2026, 1, 16)),
    ]
    return {key: register(w, kid, on) for key, kid, on in rows}


def test_names_ignore_tones_case_d_and_unicode_form(w, people):
    def q(text: str, **kw: Any) -> list[str]:
        return names(record_search_for(actor=w.officer, q=text, **kw))

    assert q("dang") == ["Đặng Thị H'Hen", "Đặng Văn Đức", "Đặng Thị Hạnh", "Đặng Thị Hằng"]
    assert q("ĐẶNG THỊ HẰNG") == ["Đặng Thị Hằng"]
    assert q(unicodedata.normalize("NFD", "đặng thị hạnh")) == ["Đặng Thị Hạnh"]
    assert q("dang thi ha") == ["Đặng Thị Hạnh", "Đặng Thị Hằng"]  # the last word cut short
    assert q("thi h") == ["Đặng Thị H'Hen", "Đặng Thị Hạnh", "Đặng Thị Hằng"]
    assert q("van duc") == ["Đặng Văn Đức"]
    assert q("Đức") == ["Đặng Văn Đức"]
    assert q("đ", birth_year=2026, event="birth") == [
        "Đặng Thị H'Hen",
        "Đặng Văn Đức",
        "Đặng Thị Hạnh",
        "Đặng Thị Hằng",
    ]
    assert q("lo pao") == ["Lò Páo"]
    assert q("hen") == ["Đặng Thị H'Hen"]  # an apostrophe splits the word
    # A phrase starts at a word: "ang" is inside Đặng and Hằng, "thang" is not "thắng" alone.
    assert q("ang") == []
    assert q("thi hang thang") == []
    assert q("duc van") == []  # the words in their order
    assert q("thang") == ["Trần Văn Thắng"]
    assert q("hang") == ["Đặng Thị Hằng"]  # not Thắng: "hang" is not where Thắng starts
    assert q("  ") == q("") != []  # no name: every entry


def test_birth_date_year_and_id_number_hold_for_the_same_person(w, people):
    born = register(
        w,
        {**child("Nguyễn", "Thị", "Lan", date(2026, 2, 1)), "id_number": PID_CHILD},
        date(2026, 2, 9),
    )
    page = record_search_for(actor=w.officer, id_number=PID_CHILD)
    assert [n.record for n in page.items] == [born]
    assert names(record_search_for(actor=w.officer, id_number=PID_CHILD, q="lan")) == [
        "Nguyễn Thị Lan"
    ]
    assert record_search_for(actor=w.officer, id_number=PID_CHILD, q="hang").items == []
    assert names(record_search_for(actor=w.officer, birth_date=date(2026, 1, 4))) == [
        "Đặng Thị Hạnh"
    ]
    assert names(record_search_for(actor=w.officer, birth_date=date(2026, 1, 4), q="thi")) == [
        "Đặng Thị Hạnh"
    ]
    assert record_search_for(actor=w.officer, birth_date=date(2026, 1, 4), q="duc").items == []
    assert len(record_search_for(actor=w.officer, birth_year=2026).items) == 7
    assert record_search_for(actor=w.officer, birth_year=2025).items == []
    # A marriage: the husband's name and the wife's year of birth are not one person.
    services.civil_register_marriage(actor=w.officer, **marriage())
    assert names(record_search_for(actor=w.officer, q="le van toan", birth_year=1998)) == [
        "Lê Văn Toàn"
    ]
    assert record_search_for(actor=w.officer, q="le van toan", birth_year=2000).items == []
    assert names(record_search_for(actor=w.officer, q="ha thi ngoc", birth_year=2000), "wife") == [
        "Hà Thị Ngọc"
    ]


def test_parents_names_and_their_later_changes(w, people):
    with_father = register(
        w,
        child("Nguyễn", "Văn", "An", date(2026, 2, 2), "male"),
        date(2026, 2, 10),
        father={**FATHER, "id_number": ""},
        father_basis="marriage_elsewhere",
        parents_marriage="UBND xã Tây, 2024",
        mother={
            "full_name": "Lê Thị Hoa",
            "birth_year": 1995,
            "ethnicity": "Kinh",
            "nationality": "Việt Nam",
            "residence": "Thôn Đông",
        },
    )
    found = record_search_for(actor=w.officer, parent="le thi hoa")
    assert [n.record for n in found.items] == [with_father]
    assert [n.record for n in record_search_for(actor=w.officer, parent="văn đạt").items] == [
        with_father
    ]
    assert names(record_search_for(actor=w.officer, parent="nguyen van dat", q="an")) == [
        "Nguyễn Văn An"
    ]
    assert record_search_for(actor=w.officer, parent="nguyen van dat", q="hang").items == []
    # The mother's name corrected: found by the new name only.
    services.civil_register_change(
        actor=w.officer,
        target=with_father,
        kind="correction",
        changes=[{"role": "mother", "field": "full_name", "value": "Lê Thị Huệ"}],
        reason="Ghi sai tên mẹ",
        requester={"full_name": "Lê Thị Huệ", "relationship": "mother"},
        registered_on=date(2026, 3, 2),
    )
    assert record_search_for(actor=w.officer, parent="le thi hoa").items == []
    assert [n.record for n in record_search_for(actor=w.officer, parent="le thi hue").items] == [
        with_father
    ]
    # A father recognised later is added to the birth entry, and found there.
    hang = people["hang"]
    assert record_search_for(actor=w.officer, parent="Phùng Văn Lực").items == []
    services.civil_register_parentage(
        actor=w.officer,
        parent={
            "full_name": "Phùng Văn Lực",
            "birth_year": 1990,
            "nationality": "Việt Nam",
            "residence": "Thôn Đông",
        },
        child={
            "family_name": "Đặng",
            "middle_name": "Thị",
            "given_name": "Hằng",
            "date_of_birth": date(2026, 1, 3),
            "nationality": "Việt Nam",
            "residence": "Thôn Đông",
        },
        recognized_as="father",
        registered_on=date(2026, 6, 1),
    )
    found = record_search_for(actor=w.officer, parent="phung van luc")
    assert hang in [n.record for n in found.items]
    # The child renamed: found by the new name, the birth entry no longer by the old one.
    services.civil_register_change(
        actor=w.officer,
        target=people["duc"],
        kind="change",
        changes=[{"role": "child", "field": "given_name", "value": "Đạt"}],
        reason="Tên trùng với người trong họ",
        requester={"full_name": "Đặng Thị Mỹ", "relationship": "mother"},
        registered_on=date(2026, 3, 3),
    )
    assert [n.record for n in record_search_for(actor=w.officer, q="dang van dat").items] == [
        people["duc"]
    ]
    assert [n.record.event for n in record_search_for(actor=w.officer, q="van duc").items] == [
        "change"
    ]


def test_an_entry_with_two_matching_subjects_is_listed_once(w, people):
    services.civil_register_marriage(
        actor=w.officer,
        **marriage(
            husband={**marriage()["husband"], "family_name": "Đặng"},
            wife={**marriage()["wife"], "family_name": "Đặng"},
        ),
    )
    page = record_search_for(actor=w.officer, q="dang", limit=2)
    assert [n.record.event for n in page.items] == ["marriage", "birth"]
    rest = record_search_for(actor=w.officer, q="dang", after=page.next_cursor)
    assert len(rest.items) == 3 and rest.next_cursor is None


def test_event_book_and_keyset_pages(w, people):
    services.civil_register_marriage(actor=w.officer, **marriage())
    book = people["hang"].book
    seen: list[int] = []
    after = None
    while True:
        page = record_search_for(actor=w.officer, q="d", book=book.public_id, limit=2, after=after)
        seen += [n.record.entry_number for n in page.items]
        after = page.next_cursor
        if after is None:
            break
    assert seen == [6, 3, 2, 1]  # the Đặng entries of the birth book, newest first
    assert record_search_for(actor=w.officer, q="le", event="birth").items == []
    assert names(record_search_for(actor=w.officer, q="le", event="marriage")) == ["Lê Văn Toàn"]
    assert names(record_search_for(actor=w.officer, event="marriage")) == ["Lê Văn Toàn"]
    other = CivilRecord.objects.get(event="marriage").book
    assert record_search_for(actor=w.officer, q="dang", book=other.public_id).items == []
    with pytest.raises(InvalidInput):
        record_search_for(actor=w.officer, after="garbage!")
    with pytest.raises(InvalidInput):
        record_search_for(actor=w.officer, event="baptism")
    with pytest.raises(InvalidInput):
        record_search_for(actor=w.officer, book="not-a-uuid")


def test_scoped_to_the_agency_and_its_readers(w, people):
    def in_b(kid: dict, on: date) -> CivilRecord:
        return register(w, kid, on, actor=w.officer_b)

    theirs = in_b(child("Đặng", "Thị", "Hằng", date(2026, 1, 3)), date(2026, 1, 20))
    assert [n.record for n in record_search_for(actor=w.officer_b, q="dang").items] == [theirs]
    assert theirs not in [n.record for n in record_search_for(actor=w.officer, q="dang").items]
    assert record_search_for(actor=w.officer_b, parent="dang thi my").items[0].record == theirs
    for outsider in (w.reception, w.supervisor, w.admin):
        assert record_search_for(actor=outsider, q="dang").items == []


def test_words_and_keys():
    assert search_words("  Đặng  THỊ H'Hen-Niê ") == ["dang", "thi", "h", "hen", "nie"]
    assert search_words(unicodedata.normalize("NFD", "Nguyễn")) == ["nguyen"]
    assert search_key(KEY_EPOCH, 1) == 16
    assert search_key(date(2026, 3, 1), 7, 3) == (82604 << 40) | (7 << 4) | 3
    assert search_key(date(2026, 3, 1), 1) > search_key(date(2026, 2, 28), 10**9)


# --- The indexes give the reference's answers ------------------------------------------------


@pytest.fixture
def seeded(db: None) -> Staff:
    demo_load(password="Demo-Phu-Tho-2026")
    civil_seed(count=700, agency_code="H25.38.21", years=5, seed=11, batch_size=150)
    search_index_optimize()
    return next(
        s
        for s in Staff.objects.filter(agency__code="H25.38.21")
        .select_related("agency")
        .prefetch_related("roles")
        if permissions.is_civil_officer(s)
    )


def _spaced(name: str) -> str:
    return " " + re.sub(r"['’-]", " ", name)


def reference(actor: Staff, **kw: Any) -> list[int]:
    """What the search must answer, computed by reading every entry of the agency."""
    words, parents = search_words(kw.get("q", "")), search_words(kw.get("parent", ""))
    out = []
    records = CivilRecord.objects.filter(agency=actor.agency).prefetch_related("parties")
    for r in records:
        parties = list(r.parties.all())
        if kw.get("event") and r.event != kw["event"]:
            continue
        subjects = [p for p in parties if p.role in SUBJECT_ROLES]
        if words or kw.get("birth_year") or kw.get("birth_date") or kw.get("id_number"):
            subjects = [
                p
                for p in subjects
                if (not words or " " + " ".join(words) in _spaced(p.name_folded))
                and (kw.get("birth_year") is None or p.birth_year == kw["birth_year"])
                and (kw.get("birth_date") is None or p.date_of_birth == kw["birth_date"])
                and (not kw.get("id_number") or p.id_number == kw["id_number"])
            ]
            if not subjects:
                continue
        if parents:
            phrase = " " + " ".join(parents)
            if not any(
                p.role in PARENT_ROLES and phrase in _spaced(p.name_folded) for p in parties
            ):
                continue
        out.append(r)
    out.sort(key=lambda r: (r.registered_on, r.pk), reverse=True)
    return [r.pk for r in out]


def searched(actor: Staff, limit: int, **kw: Any) -> list[int]:
    ids: list[int] = []
    after = None
    while True:
        page = record_search_for(actor=actor, limit=limit, after=after, **kw)
        ids += [n.record.pk for n in page.items]
        after = page.next_cursor
        if after is None:
            return ids


def test_indexes_answer_like_a_full_read(seeded: Staff) -> None:
    rng = random.Random(5)
    subjects = list(
        CivilParty.objects.filter(agency=seeded.agency, role__in=SUBJECT_ROLES).order_by("pk")
    )
    mothers = list(CivilParty.objects.filter(agency=seeded.agency, role="mother").order_by("pk"))
    queries: list[dict[str, Any]] = []
    for p in rng.sample(subjects, 12):
        words = p.full_name.split()
        queries += [
            {"q": p.full_name},
            {"q": p.full_name.upper()},
            {"q": unicodedata.normalize("NFD", " ".join(words[1:]))},
            {"q": words[-1][:2]},
            {"q": p.given_name or words[-1], "birth_year": p.birth_year},
            {"q": words[0], "event": p.record.event},
        ]
        if p.date_of_birth:
            queries.append({"birth_date": p.date_of_birth, "q": words[-1][:1]})
        if p.id_number:
            queries.append({"id_number": p.id_number})
    for m in rng.sample(mothers, 8):
        queries += [{"parent": m.full_name}, {"parent": " ".join(m.full_name.split()[1:])}]
        queries.append({"parent": m.full_name.split()[0], "q": "thi"})
    queries += [{"q": "nguyen"}, {"q": "guyen"}, {"birth_year": 1990}, {"q": "zz"}, {}]
    nonempty = 0
    for kw in queries:
        expected = reference(seeded, **kw)
        nonempty += bool(expected)
        assert searched(seeded, 17, **kw) == expected, (connection.vendor, kw)
    assert nonempty > len(queries) * 3 // 4
    assert reference(seeded, q="guyen") == []


def test_the_migration_indexes_existing_entries(seeded: Staff) -> None:
    """The rows the migration writes for the entries already there are those the triggers
    (and the seeder's batches on PostgreSQL) wrote."""
    migration = importlib.import_module("xaso.civil.migrations.0003_search")
    columns = "rowid, doc" if connection.vendor == "sqlite" else "key, record_id, doc::text"
    order = "rowid" if connection.vendor == "sqlite" else "key"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM civil_search ORDER BY {order}")
        kept = cursor.fetchall()
        cursor.execute("DELETE FROM civil_search")
        if connection.vendor == "sqlite":
            cursor.execute(migration.SQLITE_FORWARD[1])
        else:
            cursor.execute(migration.POSTGRES_FORWARD[-1])
        cursor.execute(f"SELECT {columns} FROM civil_search ORDER BY {order}")
        assert cursor.fetchall() == kept
    assert len(kept) == CivilParty.objects.filter(role__in=SUBJECT_ROLES).count()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's search function")
def test_every_way_of_the_postgresql_search_gives_the_same_entries(seeded: Staff) -> None:
    """civil_search_find answers from a short walk, a long walk or the GIN index: forced into
    each by its window sizes, it must name the same entries."""
    from xaso.civil.selectors import _index_terms, _tsquery

    rng = random.Random(9)
    subjects = list(CivilParty.objects.filter(agency=seeded.agency, role__in=SUBJECT_ROLES))
    queries = [[p.full_name.split()[-1][:2]] for p in rng.sample(subjects, 6)]
    queries += [p.full_name.split() for p in rng.sample(subjects, 6)]
    agency = seeded.agency_id
    for words in queries:
        terms = _index_terms(
            agency_id=agency,
            words=search_words(" ".join(words)),
            parent_words=[],
            birth_year=None,
            event="",
            book_id=None,
        )
        answers = set()
        for short, long, enough in ((100_000, 100_000, 1), (1, 1, 2), (1, 100_000, 1), (5, 60, 1)):
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT civil_search_find(%s, %s::tsquery, %s, %s, %s, %s, %s)",
                    [agency, _tsquery(terms), 1 << 58, 12, short, long, enough],
                )
                answers.add(frozenset(r[0] for r in cursor.fetchall()))
        expected = set(reference(seeded, q=" ".join(words))[:12])
        assert answers == {frozenset(expected)}, words
