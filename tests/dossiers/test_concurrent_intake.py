"""32 parallel intakes through ``dossier_receive`` (two agencies, some abandoned after taking
their number, some for the same citizen): the committed codes are unique and gapless per agency,
every dossier has its event, and the counters agree. On SQLite (a file, as in production) and on
PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from tests.dossiers.world import APPLICANT, MARITAL, PID, build_world, vn
from xaso.dossiers.models import Dossier, DossierCodeCounter, DossierEvent
from xaso.dossiers.services import dossier_receive
from xaso.people.models import Person

INTAKES = 32


class Abandon(Exception):
    pass


@pytest.fixture
def cworld(transactional_db):
    return build_world()


@pytest.mark.django_db(transaction=True)
def test_parallel_intakes_get_unique_gapless_codes(cworld, file_database):
    barrier = threading.Barrier(INTAKES)
    errors: list[BaseException] = []
    committed: list[str] = []
    lock = threading.Lock()
    officers = [cworld.reception, cworld.reception_b]

    def intake(i: int) -> None:
        try:
            barrier.wait()
            # Every 4th intake is for the same citizen (one person record per agency results).
            pid = PID if i % 4 == 0 else ""
            name = f"Nguyễn Văn Khách {i}" if pid == "" else APPLICANT["full_name"]
            with transaction.atomic():
                d = dossier_receive(
                    actor=officers[i % 2],
                    procedure_code=MARITAL,
                    channel="counter",
                    applicant={"full_name": name, "personal_id": pid},
                    received_at=vn(2026, 9, 10, 9, 0),
                )
                if i % 8 == 7:
                    raise Abandon
            with lock:
                committed.append(d.code)
        except Abandon:
            pass
        except BaseException as exc:  # reported in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=intake, args=(i,)) for i in range(INTAKES)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    # 16 per agency; i = 7, 15, 23, 31 (all received by B) were abandoned.
    expected = sorted(
        [f"H98.01-260910-{n:04d}" for n in range(1, 17)]
        + [f"H98.02-260910-{n:04d}" for n in range(1, 13)]
    )
    assert sorted(committed) == expected
    assert sorted(Dossier.objects.values_list("code", flat=True)) == expected
    assert (
        sorted(
            DossierEvent.objects.filter(action="receive").values_list("dossier__code", flat=True)
        )
        == expected
    )
    counters = DossierCodeCounter.objects.order_by("agency__code")
    assert [(c.agency.code, c.last) for c in counters] == [("H98.01", 16), ("H98.02", 12)]
    # i % 4 == 0 are even: all received by A, none abandoned: one person record for them.
    assert Person.objects.filter(personal_id=PID).count() == 1
    assert Dossier.objects.filter(applicant__personal_id=PID).count() == 8
