"""32 registrations at once into one book (some abandoned after taking their number, a quarter
of them naming the same mother): the committed entry numbers are unique and gapless, the book's
counter agrees, the shared mother is one person record, and the audit chain holds. On SQLite (a
file, as in production) and on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection, transaction

from tests.civil.world import FATHER, PID_FATHER, PID_MOTHER, birth, build_world
from xaso.civil import services
from xaso.civil.models import CivilBook, CivilParty, CivilRecord
from xaso.core.audit import audit_verify
from xaso.people.models import Person

REGISTRATIONS = 32
GIVEN = ["An", "Bình", "Cúc", "Dung", "Đào", "Giang", "Hà", "Khánh"]


class Abandon(Exception):
    pass


@pytest.fixture
def cworld(transactional_db):
    return build_world()


@pytest.mark.django_db(transaction=True)
def test_parallel_registrations_get_unique_gapless_numbers(cworld, file_database):
    barrier = threading.Barrier(REGISTRATIONS)
    errors: list[BaseException] = []
    committed: list[int] = []
    lock = threading.Lock()
    officers = [cworld.officer, cworld.generalist]  # both keep people records

    def register(i: int) -> None:
        try:
            kw = birth(registered_on=date(2026, 3, 10))
            kw["child"]["given_name"] = GIVEN[i % len(GIVEN)]
            kw["child"]["middle_name"] = f"Thị {['Mai', 'Lan', 'Hoa', 'Cúc'][i // 8]}"
            if i % 4:
                # Three of four mothers are distinct people without an ID number on record.
                kw["mother"] = {
                    **kw["mother"],
                    "full_name": f"Trần Thị Mỹ {GIVEN[i % 8]}",
                    "id_number": "",
                }
                kw["declarant"] = {**kw["mother"], "relationship": "mother"}
            barrier.wait()
            with transaction.atomic():
                record = services.civil_register_birth(actor=officers[i % 2], **kw)
                if i % 8 == 7:
                    raise Abandon
            with lock:
                committed.append(record.entry_number)
        except Abandon:
            pass
        except BaseException as exc:  # reported in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(i,)) for i in range(REGISTRATIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    expected = list(range(1, REGISTRATIONS - REGISTRATIONS // 8 + 1))  # 28 committed
    assert sorted(committed) == expected
    book = CivilBook.objects.get()
    assert (book.event, book.year, book.last_number) == ("birth", 2026, len(expected))
    assert sorted(CivilRecord.objects.values_list("entry_number", flat=True)) == expected
    assert CivilParty.objects.filter(role="child").count() == len(expected)
    # i % 4 == 0 named the mother with her ID number; none of them was abandoned.
    assert Person.objects.filter(personal_id=PID_MOTHER).count() == 1
    assert CivilParty.objects.filter(role="mother", person__personal_id=PID_MOTHER).count() == 8
    assert audit_verify().ok


@pytest.mark.django_db(transaction=True)
def test_parallel_registrations_in_several_books_naming_the_same_people(cworld, file_database):
    """Births naming mother X and father Y, and marital status confirmations of X and of Y, in
    two books at once, while X and Y are created by the first of them: the locks are taken in
    one order (``services.common.lock``), so none deadlocks (PostgreSQL would abort one)."""
    barrier = threading.Barrier(REGISTRATIONS)
    errors: list[BaseException] = []
    people = {
        "mother": {
            "full_name": "Trần Thị Mỹ",
            "date_of_birth": date(1996, 4, 4),
            "id_number": PID_MOTHER,
            "sex": "female",
        },
        "father": {
            "full_name": "Nguyễn Văn Đạt",
            "date_of_birth": date(1994, 6, 2),
            "id_number": PID_FATHER,
            "sex": "male",
        },
    }

    def register(i: int) -> None:
        actor = cworld.officer if i % 2 else cworld.generalist
        try:
            barrier.wait()
            if i % 2:
                kw = birth(
                    registered_on=date(2026, 3, 10),
                    confirm_duplicate=True,
                    father=dict(FATHER),
                    father_basis="marriage_elsewhere",
                    parents_marriage="UBND xã Tây",
                )
                kw["child"]["family_name"] = "Nguyễn"
                kw["child"]["given_name"] = GIVEN[i % len(GIVEN)]
                services.civil_register_birth(actor=actor, **kw)
            else:
                who = people["mother" if i % 4 else "father"]
                services.civil_register_marital_status(
                    actor=actor,
                    person={**who, "nationality": "Việt Nam", "residence": "Thôn Đông"},
                    declared_status="single",
                    purpose="Vay vốn",
                    registered_on=date(2026, 3, 10),
                    confirm_duplicate=True,
                )
        except BaseException as exc:  # reported in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(i,)) for i in range(REGISTRATIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    half = list(range(1, REGISTRATIONS // 2 + 1))
    for event in ("birth", "marital_status"):
        numbers = CivilRecord.objects.filter(event=event).values_list("entry_number", flat=True)
        assert sorted(numbers) == half, event
    assert Person.objects.filter(personal_id__in=[PID_MOTHER, PID_FATHER]).count() == 2
    assert audit_verify().ok
