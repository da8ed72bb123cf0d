"""Two counters declaring the same citizen at once make one record, not two."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection

from tests import factories
from xaso.core.models import AuditEntry
from xaso.people.models import Person
from xaso.people.services import person_upsert

THREADS = 12


@pytest.fixture
def receptionists(transactional_db):
    agency = factories.agency(code="H25.54.01")
    return [
        factories.staff(agency_obj=agency, roles=("reception",), username=f"tn{i}")
        for i in range(THREADS)
    ]


@pytest.mark.django_db(transaction=True)
def test_concurrent_upserts_of_one_personal_id_make_one_record(receptionists, file_database):
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []
    phones = [f"09123456{i:02d}" for i in range(THREADS)]

    def declare(i: int) -> None:
        actor = receptionists[i]
        try:
            barrier.wait()
            person_upsert(
                actor=actor,
                agency=actor.agency,
                personal_id="001099012345",
                full_name="Nguyễn Văn An",
                phone=phones[i],
                today=date(2026, 11, 28),
            )
        except BaseException as exc:  # reported below, in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=declare, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    person = Person.objects.get()
    entries = list(AuditEntry.objects.order_by("seq").values_list("action", "changes"))
    # One create, then one update per other counter: every phone differs, so each was a change,
    # made on the row as the previous one left it.
    assert [a for a, _c in entries] == ["person.create"] + ["person.update"] * (THREADS - 1)
    assert sorted(c["phone"][1] for _a, c in entries) == phones
    assert [c["phone"][0] for _a, c in entries[1:]] == [c["phone"][1] for _a, c in entries[:-1]]
    assert person.phone == entries[-1][1]["phone"][1]
