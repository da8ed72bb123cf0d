"""Two reminder sweeps at once (cron and the worker) remind each target exactly once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tests import factories
from xaso.core.models import AuditEntry
from xaso.exchange.models import OutboxMessage
from xaso.reports import services
from xaso.reports.models import ReportTarget

from .conftest import request_kwargs


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_remind_each_target_once(file_database):
    huyen = factories.agency(code="H25.37", name="UBND huyện Thanh Sơn")
    for n in range(1, 7):
        factories.agency(code=f"H25.37.{n:02d}", name=f"UBND xã Số {n}", parent=huyen)
    leader = factories.staff(agency_obj=huyen, roles=("leader",))
    req = services.report_request_create(
        actor=leader, **request_kwargs(deadline=timezone.now() + timedelta(hours=6))
    )
    services.report_request_send(actor=leader, request=req)  # autocommit: delivered at once
    assert ReportTarget.objects.filter(request=req, delivery="arrived").count() == 6

    barrier = threading.Barrier(2)
    results: list[object] = []

    def sweep() -> None:
        try:
            barrier.wait()
            results.append(services.reminders_send())
        except Exception as exc:  # pragma: no cover - shown by the assertion below
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == 6  # type: ignore[arg-type]
    assert ReportTarget.objects.filter(request=req, reminded_at__isnull=True).count() == 0
    # Each commune's copy was told once.
    copies = ReportTarget.objects.filter(request__origin_id=req.origin_id).exclude(request=req)
    assert copies.filter(reminded_at__isnull=False).count() == 6
    first = ReportTarget.objects.filter(request=req).values_list("message_id", flat=True)[0]
    reminded = list(
        OutboxMessage.objects.filter(document_kind="report_request")
        .exclude(message_id=first)
        .values_list("recipient_code", flat=True)
    )
    assert sorted(reminded) == [f"H25.37.{n:02d}" for n in range(1, 7)]
    assert AuditEntry.objects.filter(action="reports.remind").count() in (1, 2)
    assert services.reminders_send() == 0


@pytest.mark.django_db(transaction=True)
def test_two_officers_saving_the_same_draft_at_once_one_wins(file_database):
    """Both read version 1 and save together: one edit is kept, the other is refused as stale
    (never a silent overwrite), whichever database serialises them."""
    from xaso.reports import errors
    from xaso.reports.models import ReportRequest

    huyen = factories.agency(code="H25.37", name="UBND huyện Thanh Sơn")
    factories.agency(code="H25.37.01", name="UBND xã Số 1", parent=huyen)
    leader = factories.staff(agency_obj=huyen, roles=("leader",))
    admin = factories.staff(agency_obj=huyen, roles=("admin",))
    req = services.report_request_create(actor=leader, **request_kwargs())

    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def save(actor, title: str) -> None:
        try:
            mine = ReportRequest.objects.get(pk=req.pk)
            barrier.wait()
            services.report_request_update(
                actor=actor,
                request=mine,
                expected_version=mine.version,
                **request_kwargs(title=title, deadline=mine.deadline),
            )
            outcomes[title] = "saved"
        except Exception as exc:
            outcomes[title] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(leader, "Bản của anh Tuấn")),
        threading.Thread(target=save, args=(admin, "Bản của chị Lan")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    saved = [title for title, o in outcomes.items() if o == "saved"]
    refused = [o for o in outcomes.values() if o != "saved"]
    assert len(saved) == 1, outcomes
    assert len(refused) == 1 and isinstance(refused[0], errors.RequestStale), outcomes
    req.refresh_from_db()
    assert (req.title, req.version) == (saved[0], 2)
    assert AuditEntry.objects.filter(action="reports.request_update").count() == 1
