"""Reminding by hand the agencies that have not submitted: who is reminded, how often, what
reaches their copy, and the refusals (draft, closed, nothing to remind) that change nothing."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.dossiers.world import bearer
from xaso.core.errors import PermissionDenied
from xaso.core.models import AuditEntry
from xaso.exchange.models import OutboxMessage
from xaso.reports import errors, services
from xaso.reports.models import ReportRequest, ReportTarget

from .conftest import INDICATORS, request_kwargs

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(world, django_capture_on_commit_callbacks):
    req = services.report_request_create(actor=world.leader, **request_kwargs())
    with django_capture_on_commit_callbacks(execute=True):
        services.report_request_send(actor=world.leader, request=req)
    copy = ReportRequest.objects.get(origin_id=req.origin_id, agency=world.xa1)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_submit(
            actor=world.clerk1, request=copy, values={c["code"]: 1 for c in INDICATORS}
        )
    return req


def remind(capture, actor, req):
    with capture(execute=True):
        return services.report_request_remind(actor=actor, request=req)


def reminders_out() -> int:
    return OutboxMessage.objects.filter(
        document_kind="report_request", subject__startswith="Nhắc hạn"
    ).count()


def test_remind_reaches_only_who_has_not_submitted(world, sent, django_capture_on_commit_callbacks):
    assert remind(django_capture_on_commit_callbacks, world.admin, sent) == ["H25.37.02"]
    t1, t2 = sent.targets.order_by("agency_code")
    assert t1.reminded_at is None and t2.reminded_at is not None
    copy = ReportRequest.objects.get(origin_id=sent.origin_id, agency=world.xa2)
    assert copy.targets.get().reminded_at is not None
    assert reminders_out() == 1
    entry = AuditEntry.objects.get(action="reports.remind")
    assert (entry.actor_id, entry.changes) == (world.admin.pk, {"targets": ["H25.37.02"]})


def test_remind_again_within_the_hour_is_refused_then_allowed(
    world, sent, django_capture_on_commit_callbacks
):
    cap = django_capture_on_commit_callbacks
    remind(cap, world.leader, sent)
    with pytest.raises(errors.NothingToRemind) as exc:
        remind(cap, world.leader, sent)
    assert exc.value.code == "report_nothing_to_remind"
    assert "trong vòng một giờ" in exc.value.message
    assert reminders_out() == 1
    earlier = timezone.now() - timedelta(hours=1, minutes=1)
    ReportTarget.objects.filter(request=sent).update(reminded_at=earlier)
    assert remind(cap, world.leader, sent) == ["H25.37.02"]
    copy = ReportRequest.objects.get(origin_id=sent.origin_id, agency=world.xa2)
    # The commune sees the latest reminder.
    assert copy.targets.get().reminded_at > earlier
    assert reminders_out() == 2


def test_remind_refusals_change_nothing(world, sent, django_capture_on_commit_callbacks):
    cap = django_capture_on_commit_callbacks
    draft = services.report_request_create(actor=world.leader, **request_kwargs())
    with pytest.raises(errors.RequestNotOpen):
        remind(cap, world.leader, draft)
    for who in ("supervisor", "leader2", "clerk1"):
        with pytest.raises(PermissionDenied):
            remind(cap, getattr(world, who), sent)
    copy = ReportRequest.objects.get(origin_id=sent.origin_id, agency=world.xa2)
    with cap(execute=True):
        services.report_submit(
            actor=world.leader2, request=copy, values={c["code"]: 2 for c in INDICATORS}
        )
    with pytest.raises(errors.NothingToRemind) as exc:
        remind(cap, world.leader, sent)
    assert exc.value.message == "Mọi cơ quan được yêu cầu đã nộp báo cáo."
    services.report_request_close(actor=world.leader, request=sent)
    with pytest.raises(errors.RequestNotOpen) as exc:
        remind(cap, world.leader, sent)
    assert exc.value.message == "Yêu cầu báo cáo đã đóng; không nhắc nữa."
    assert ReportTarget.objects.filter(request=sent, reminded_at__isnull=False).count() == 0
    assert reminders_out() == 0
    assert not AuditEntry.objects.filter(action="reports.remind").exists()


def test_remind_button_and_api(client, world, sent, django_capture_on_commit_callbacks):
    cap = django_capture_on_commit_callbacks
    client.force_login(world.leader)
    page = client.get(reverse("reports:detail", args=[sent.public_id])).content.decode()
    assert "Nhắc các cơ quan chưa nộp (1)" in page
    client.force_login(world.supervisor)
    page = client.get(reverse("reports:detail", args=[sent.public_id])).content.decode()
    assert "Nhắc các cơ quan chưa nộp" not in page
    with cap(execute=True):
        r = client.post(reverse("reports:remind", args=[sent.public_id]))
    assert r.status_code == 403
    client.force_login(world.leader)
    with cap(execute=True):
        r = client.post(reverse("reports:remind", args=[sent.public_id]), follow=True)
    assert "Đã nhắc 1 cơ quan chưa nộp báo cáo." in r.content.decode()

    url = f"/api/v1/reports/requests/{sent.public_id}/remind"
    with cap(execute=True):
        r = client.post(url, json.dumps({}), content_type="application/json", **bearer(world.admin))
    assert (r.status_code, r.json()["code"]) == (409, "report_nothing_to_remind")
    ReportTarget.objects.filter(request=sent).update(
        reminded_at=timezone.now() - timedelta(hours=2)
    )
    with cap(execute=True):
        r = client.post(url, **bearer(world.admin))
    assert (r.status_code, r.json()) == (200, {"reminded": ["H25.37.02"]})
    with cap(execute=True):
        r = client.post(url, **bearer(world.supervisor))
    assert (r.status_code, r.json()["code"]) == (403, "permission_denied")


def test_close_asks_for_confirmation_and_answers_htmx(
    client, world, sent, django_capture_on_commit_callbacks
):
    client.force_login(world.leader)
    url = reverse("reports:detail", args=[sent.public_id])
    page = client.get(url).content.decode()
    assert 'hx-confirm="Đóng yêu cầu báo cáo? Sau khi đóng không nhận thêm báo cáo nào' in page
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("reports:close", args=[sent.public_id]), HTTP_HX_REQUEST="true")
    assert (r.status_code, r["HX-Redirect"]) == (204, url)
    assert ReportRequest.objects.get(pk=sent.pk).status == "closed"
    assert "Đã đóng yêu cầu báo cáo." in client.get(url).content.decode()
