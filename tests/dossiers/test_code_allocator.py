"""The dossier code allocator: official format, one sequence per agency and day, gapless under
rollback and under concurrent intake (vn-rules.md §1.7)."""

from __future__ import annotations

import threading
import time
from datetime import date
from typing import Any

import pytest
from django.db import connection, transaction

from tests import factories
from xaso.core.audit import audit_record
from xaso.core.models import AuditEntry
from xaso.dossiers.models import DossierCodeCounter
from xaso.dossiers.services import dossier_code_format, dossier_code_next

DAY = date(2026, 11, 28)


class Rollback(Exception):
    """Raised inside an intake's transaction to abandon it on purpose."""


def take(agency: Any, day: date = DAY) -> str:
    with transaction.atomic():
        return dossier_code_next(agency=agency, received_on=day)


@pytest.mark.django_db
def test_codes_follow_the_official_pattern_in_sequence():
    agency = factories.agency(code="H25.54.01")
    assert [take(agency) for _ in range(3)] == [
        "H25.54.01-261128-0001",
        "H25.54.01-261128-0002",
        "H25.54.01-261128-0003",
    ]
    counter = DossierCodeCounter.objects.get()
    assert (counter.agency_id, counter.day, counter.last) == (agency.pk, DAY, 3)


@pytest.mark.django_db
def test_sequence_grows_past_four_digits():
    agency = factories.agency(code="H25.54.01")
    DossierCodeCounter.objects.create(agency=agency, day=DAY, last=9998)
    assert [take(agency) for _ in range(3)] == [
        "H25.54.01-261128-9999",
        "H25.54.01-261128-10000",
        "H25.54.01-261128-10001",
    ]


def test_format_pads_to_four_digits_and_refuses_zero():
    assert dossier_code_format(agency_code="G01.002", received_on=date(2027, 1, 5), sequence=7) == (
        "G01.002-270105-0007"
    )
    assert dossier_code_format(agency_code="G01.002", received_on=DAY, sequence=123456) == (
        "G01.002-261128-123456"
    )
    with pytest.raises(ValueError, match="sequence starts at 1, not 0"):
        dossier_code_format(agency_code="G01.002", received_on=DAY, sequence=0)


@pytest.mark.django_db
def test_one_sequence_per_agency_and_per_day():
    a = factories.agency(code="H25.54.01")
    b = factories.agency(code="H25.54.02")
    next_day = date(2026, 11, 29)
    assert take(a) == "H25.54.01-261128-0001"
    assert take(b) == "H25.54.02-261128-0001"
    assert take(a) == "H25.54.01-261128-0002"
    assert take(a, next_day) == "H25.54.01-261129-0001"
    assert take(b) == "H25.54.02-261128-0002"
    assert take(a) == "H25.54.01-261128-0003"
    rows = DossierCodeCounter.objects.order_by("agency__code", "day")
    assert [(r.agency.code, r.day, r.last) for r in rows] == [
        ("H25.54.01", DAY, 3),
        ("H25.54.01", next_day, 1),
        ("H25.54.02", DAY, 2),
    ]


@pytest.mark.django_db
def test_a_rolled_back_intake_does_not_consume_its_number():
    agency = factories.agency(code="H25.54.01")
    assert take(agency) == "H25.54.01-261128-0001"
    with pytest.raises(Rollback), transaction.atomic():
        assert dossier_code_next(agency=agency, received_on=DAY) == "H25.54.01-261128-0002"
        raise Rollback
    assert take(agency) == "H25.54.01-261128-0002"
    assert DossierCodeCounter.objects.get().last == 2


@pytest.mark.django_db
def test_a_rolled_back_first_intake_of_the_day_leaves_no_counter():
    agency = factories.agency(code="H25.54.01")
    with pytest.raises(Rollback), transaction.atomic():
        assert dossier_code_next(agency=agency, received_on=DAY) == "H25.54.01-261128-0001"
        raise Rollback
    assert DossierCodeCounter.objects.count() == 0
    assert take(agency) == "H25.54.01-261128-0001"


@pytest.mark.django_db(transaction=True)
def test_refused_outside_a_transaction():
    agency = factories.agency(code="H25.54.01")
    with pytest.raises(RuntimeError, match="must run inside the transaction.atomic"):
        dossier_code_next(agency=agency, received_on=DAY)
    assert DossierCodeCounter.objects.count() == 0


# --- concurrency ----------------------------------------------------------------------------

INTAKES = 48  # parallel intakes, each in its own thread and database connection


@pytest.fixture
def two_agencies(transactional_db):
    return [factories.agency(code="H25.54.01"), factories.agency(code="H25.54.02")]


@pytest.mark.django_db(transaction=True)
def test_concurrent_intakes_get_unique_gapless_codes(two_agencies, file_database):
    """48 intakes at once, 24 per agency; every third of each agency's is abandoned after
    taking its number (and holding the lock a moment). Each intake writes a row in the same
    transaction (an audit entry naming the code), as the real intake will write its dossier.
    What committed must be exactly 0001..N per agency, and the counters must say N."""
    barrier = threading.Barrier(INTAKES)
    errors: list[BaseException] = []
    committed: list[str] = []
    lock = threading.Lock()

    def intake(i: int) -> None:
        agency = two_agencies[i % 2]
        try:
            barrier.wait()
            with transaction.atomic():
                code = dossier_code_next(agency=agency, received_on=DAY)
                audit_record(actor=None, action="test.intake", object_id=code)
                if (i // 2) % 3 == 2:
                    time.sleep(0.01)
                    raise Rollback
            with lock:
                committed.append(code)
        except Rollback:
            pass
        except BaseException as exc:  # reported below, in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=intake, args=(i,)) for i in range(INTAKES)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    # 24 intakes per agency, 8 of which rolled back: 16 committed each.
    expected = sorted(
        f"{code}-261128-{n:04d}" for code in ("H25.54.01", "H25.54.02") for n in range(1, 17)
    )
    assert sorted(committed) == expected
    written = AuditEntry.objects.filter(action="test.intake").values_list("object_id", flat=True)
    assert sorted(written) == expected
    counters = DossierCodeCounter.objects.order_by("agency__code")
    assert [(c.agency.code, c.last) for c in counters] == [("H25.54.01", 16), ("H25.54.02", 16)]
