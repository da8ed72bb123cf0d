"""Gia hạn: a sent request's deadline moves later, the agencies' copies follow, those that have
not submitted are reminded again before the new deadline; an earlier or past deadline, a draft
or a closed request is refused with nothing changed."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

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
    req = services.report_request_create(
        actor=world.leader, **request_kwargs(deadline=timezone.now() + timedelta(hours=6))
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.report_request_send(actor=world.leader, request=req)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send() == 2
    req.refresh_from_db()
    return req


def copy_of(req, agency):
    return ReportRequest.objects.get(origin_id=req.origin_id, agency=agency)


def extend(capture, actor, req, deadline):
    with capture(execute=True):
        return services.report_request_extend(actor=actor, request=req, deadline=deadline)


def test_extend_moves_the_deadline_everywhere_and_reminds_again(
    world, sent, django_capture_on_commit_callbacks
):
    cap = django_capture_on_commit_callbacks
    copy1 = copy_of(sent, world.xa1)
    with cap(execute=True):
        services.report_submit(
            actor=world.clerk1, request=copy1, values={i["code"]: 3 for i in INDICATORS}
        )
    old = sent.deadline
    new = timezone.now() + timedelta(days=10)
    extend(cap, world.admin, sent, new)
    sent.refresh_from_db()
    assert sent.deadline == new
    for agency in (world.xa1, world.xa2):
        assert copy_of(sent, agency).deadline == new
    # Reminders start over for who has not submitted; the one who did is left alone.
    t1, t2 = sent.targets.order_by("agency_code")
    assert t1.state == "submitted" and t1.reminded_at is not None
    assert t2.state == "pending" and t2.reminded_at is None
    assert copy_of(sent, world.xa2).targets.get().reminded_at is None
    assert OutboxMessage.objects.filter(subject__startswith="Gia hạn nộp báo cáo").count() == 2
    entry = AuditEntry.objects.get(action="reports.request_extend")
    assert entry.changes == {"deadline": [old.isoformat(), new.isoformat()]}
    # The sweep reminds the commune again once the new deadline is near.
    with cap(execute=True):
        assert services.reminders_send(now=new - timedelta(hours=2)) == 1


@pytest.mark.parametrize(
    ("delta", "message"),
    [
        (timedelta(hours=-1), "Hạn nộp mới phải ở tương lai."),
        (timedelta(hours=3), "Hạn nộp mới phải sau hạn nộp hiện tại"),
    ],
)
def test_extend_refuses_an_earlier_or_past_deadline(
    world, sent, django_capture_on_commit_callbacks, delta, message
):
    before = sent.deadline
    with pytest.raises(errors.RequestInvalid) as exc:
        extend(django_capture_on_commit_callbacks, world.leader, sent, timezone.now() + delta)
    assert exc.value.message.startswith(message)
    assert "deadline" in exc.value.fields
    assert ReportRequest.objects.get(pk=sent.pk).deadline == before
    assert copy_of(sent, world.xa1).deadline == before
    assert not AuditEntry.objects.filter(action="reports.request_extend").exists()


def test_extend_refuses_drafts_closed_requests_and_outsiders(
    world, sent, django_capture_on_commit_callbacks
):
    cap = django_capture_on_commit_callbacks
    later = timezone.now() + timedelta(days=5)
    draft = services.report_request_create(actor=world.leader, **request_kwargs())
    with pytest.raises(errors.RequestNotOpen):
        extend(cap, world.leader, draft, later)
    for who in ("supervisor", "leader2", "clerk1"):
        with pytest.raises(PermissionDenied):
            extend(cap, getattr(world, who), sent, later)
    services.report_request_close(actor=world.leader, request=sent)
    with pytest.raises(errors.RequestNotOpen) as exc:
        extend(cap, world.leader, sent, later)
    assert exc.value.code == "report_request_not_open"
    assert ReportRequest.objects.get(pk=sent.pk).deadline != later
    assert ReportTarget.objects.filter(request=sent, reminded_at__isnull=True).count() == 0


def test_an_older_extension_arriving_late_changes_nothing(world, sent):
    from xaso.exchange.edxml import DocumentPackage, Organization
    from xaso.reports.services import report_request_received

    copy = copy_of(sent, world.xa1)
    copy.deadline = timezone.now() + timedelta(days=9)
    copy.save(update_fields=["deadline"])
    package = DocumentPackage(
        message_id="m-old-extension",
        sender=Organization(code="H25.37", name="UBND huyện Thanh Sơn"),
        recipients=[Organization(code="H25.37.01", name="UBND xã Thạch Khoán")],
        code_number="",
        code_notation="",
        place="",
        promulgation_date=timezone.localdate(),
        document_type="CV",
        document_type_name="Công văn",
        subject="Gia hạn",
        kind="report_request",
        extra={
            "action": "extend",
            "request_id": str(sent.origin_id),
            "deadline": (timezone.now() + timedelta(days=7)).isoformat(),
        },
    )
    report_request_received(package, world.xa1)
    assert copy_of(sent, world.xa1).deadline == copy.deadline


def test_extend_from_the_page_and_the_api(client, world, sent, django_capture_on_commit_callbacks):
    cap = django_capture_on_commit_callbacks
    client.force_login(world.leader)
    page = client.get(reverse("reports:detail", args=[sent.public_id])).content.decode()
    assert 'data-testid="extend"' in page
    new = timezone.localtime(timezone.now() + timedelta(days=4)).replace(second=0, microsecond=0)
    with cap(execute=True):
        r = client.post(
            reverse("reports:extend", args=[sent.public_id]),
            {"deadline": new.strftime("%Y-%m-%dT%H:%M")},
            follow=True,
        )
    assert "Đã gia hạn nộp báo cáo đến " + new.strftime("%H:%M %d/%m/%Y") in r.content.decode()
    assert ReportRequest.objects.get(pk=sent.pk).deadline == new
    with cap(execute=True):
        r = client.post(
            reverse("reports:extend", args=[sent.public_id]),
            {"deadline": new.strftime("%Y-%m-%dT%H:%M")},
            follow=True,
        )
    assert "Hạn nộp mới phải sau hạn nộp hiện tại" in r.content.decode()
    client.force_login(world.supervisor)
    r = client.post(reverse("reports:extend", args=[sent.public_id]), {"deadline": "x"})
    assert r.status_code == 403

    url = f"/api/v1/reports/requests/{sent.public_id}/extend"
    later = (timezone.now() + timedelta(days=6)).replace(microsecond=0).isoformat()
    with cap(execute=True):
        r = client.post(
            url,
            json.dumps({"deadline": later}),
            content_type="application/json",
            **bearer(world.admin),
        )
    assert r.status_code == 200, r.content
    stored = ReportRequest.objects.get(pk=sent.pk).deadline
    assert stored == datetime.fromisoformat(later)
    assert datetime.fromisoformat(r.json()["deadline"].replace("Z", "+00:00")) == stored
    with cap(execute=True):
        r = client.post(
            url,
            json.dumps({"deadline": later}),
            content_type="application/json",
            **bearer(world.admin),
        )
    assert (r.status_code, r.json()["code"]) == (400, "report_request_invalid")
