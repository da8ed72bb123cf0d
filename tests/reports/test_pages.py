"""The reports pages: the district's requests and their table, the commune's inbox with the
time left and the submit form; refusals shown on the form with nothing written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from xaso.reports import services
from xaso.reports.models import ReportRequest, ReportSubmission
from xaso.reports.views import countdown

from .conftest import request_kwargs

pytestmark = pytest.mark.django_db


def login(client, staff):
    client.force_login(staff)


@pytest.fixture
def sent(world, django_capture_on_commit_callbacks):
    req = services.report_request_create(actor=world.leader, **request_kwargs())
    with django_capture_on_commit_callbacks(execute=True):
        services.report_request_send(actor=world.leader, request=req)
    return req


def test_countdown_words():
    now = timezone.now()
    assert countdown(now + timedelta(days=2, hours=5, minutes=3), now) == "còn 2 ngày 5 giờ"
    assert countdown(now + timedelta(minutes=42), now) == "còn 42 phút"
    assert countdown(now - timedelta(hours=3, minutes=10), now) == "quá hạn 3 giờ 10 phút"


def test_new_request_page_creates_a_draft_and_send_page_sends(
    client, world, django_capture_on_commit_callbacks
):
    login(client, world.leader)
    assert client.get(reverse("reports:new")).status_code == 200
    deadline = timezone.localtime(timezone.now() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    data = {
        "title": "Báo cáo tình hình tiếp nhận hồ sơ tháng 12",
        "period_from": "2026-12-01",
        "period_to": "2026-12-31",
        "deadline": deadline,
        "kind": "figures",
        "indicators": (
            "ho_so | Hồ sơ tiếp nhận | hồ sơ | integer\nty_le | Tỷ lệ đúng hạn | % | decimal"
        ),
        "instructions": "",
    }
    bad = client.post(reverse("reports:new"), {**data, "indicators": "Sai mã | x"})
    assert bad.status_code == 200
    # The faulty line is named next to the form of figures.
    assert "Dòng 1: Mã chỉ tiêu “Sai mã” phải bắt đầu bằng chữ thường" in bad.content.decode()
    assert ReportRequest.objects.count() == 0
    r = client.post(reverse("reports:new"), data)
    req = ReportRequest.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("reports:detail", args=[req.public_id])
    assert req.indicators[1] == {
        "code": "ty_le",
        "label": "Tỷ lệ đúng hạn",
        "unit": "%",
        "type": "decimal",
    }
    page = client.get(r["Location"])
    assert page.status_code == 200
    assert [c.code for c in page.context["candidates"]] == ["H25.37.01", "H25.37.02"]
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            reverse("reports:send", args=[req.public_id]),
            {"scope": "chosen", "codes": ["H25.37.02"]},
        )
    assert r.status_code == 302
    assert list(req.targets.values_list("agency_code", flat=True)) == ["H25.37.02"]


def test_request_page_shows_missing_late_and_totals(
    client, world, sent, django_capture_on_commit_callbacks
):
    copy = ReportRequest.objects.get(origin_id=sent.origin_id, agency=world.xa1)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_submit(
            actor=world.clerk1, request=copy, values={"ho_so_truc_tuyen": 120, "ty_le": "87.5"}
        )
    login(client, world.supervisor)
    r = client.get(reverse("reports:detail", args=[sent.public_id]))
    assert r.status_code == 200
    html = r.content.decode()
    assert "Đã nộp 1/2 · chưa nộp 1 · trễ hạn 0" in html
    assert [t.agency_code for t in r.context["summary"].missing] == ["H25.37.02"]
    assert 'data-testid="total-ho_so_truc_tuyen">120<' in html
    # Figures as officials write them: decimal comma, dot between thousands.
    assert 'data-testid="total-ty_le">87,5<' in html
    assert "Đóng yêu cầu" not in html  # a supervisor reads only
    x = client.get(reverse("reports:export", args=[sent.public_id]))
    assert x.status_code == 200 and x.content[:2] == b"PK"
    index = client.get(reverse("reports:index"))
    assert [(q.n_submitted, q.n_targets) for q in index.context["sent"]] == [(1, 2)]


def test_inbox_page_submits_and_shows_errors(
    client, world, sent, django_capture_on_commit_callbacks
):
    copy = ReportRequest.objects.get(origin_id=sent.origin_id, agency=world.xa1)
    login(client, world.specialist1)
    index = client.get(reverse("reports:index"))
    assert index.status_code == 200
    [item] = index.context["inbox"]
    assert item["countdown"] == "còn 2 ngày 23 giờ"
    url = reverse("reports:inbox_detail", args=[copy.public_id])
    page = client.get(url)
    assert page.status_code == 200
    assert list(page.context["form"].fields) == ["v_ho_so_truc_tuyen", "v_ty_le"]
    with django_capture_on_commit_callbacks(execute=True):
        bad = client.post(url, {"v_ho_so_truc_tuyen": "mười", "v_ty_le": "87,5"})
    assert bad.status_code == 400
    assert bad.context["form"].errors["v_ho_so_truc_tuyen"] == ["Phải là số nguyên."]
    assert ReportSubmission.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        ok = client.post(url, {"v_ho_so_truc_tuyen": "1.234", "v_ty_le": "87,5"})
    assert ok.status_code == 302
    at_district = ReportSubmission.objects.get(target__request=sent)
    assert at_district.values == {"ho_so_truc_tuyen": 1234, "ty_le": "87.5"}
    page = client.get(url)
    html = page.content.decode()
    assert "Đã nhận" in html
    # The commune's own history names its figures as the form does.
    assert "Hồ sơ trực tuyến: 1.234 hồ sơ; Tỷ lệ hồ sơ trực tuyến: 87,5 %" in html


def test_pages_refuse_who_has_no_business(client, world, sent):
    copy = ReportRequest.objects.get(origin_id=sent.origin_id, agency=world.xa1)
    login(client, world.reception1)
    assert client.get(reverse("reports:index")).status_code == 403
    login(client, world.leader2)
    assert client.get(reverse("reports:inbox_detail", args=[copy.public_id])).status_code == 404
    assert client.get(reverse("reports:detail", args=[sent.public_id])).status_code == 404
    login(client, world.supervisor)
    assert client.get(reverse("reports:new")).status_code == 403
    r = client.post(reverse("reports:close", args=[sent.public_id]))
    assert r.status_code == 302
    sent.refresh_from_db()
    assert sent.status == "sent"
    login(client, world.clerk1)
    r = client.get(reverse("reports:inbox_detail", args=[copy.public_id]))
    assert r.status_code == 200


def test_index_query_count_does_not_grow_with_requests(
    client, world, django_capture_on_commit_callbacks
):
    def make(n: int) -> None:
        for i in range(n):
            req = services.report_request_create(
                actor=world.leader, **request_kwargs(title=f"Báo cáo đợt {i}")
            )
            with django_capture_on_commit_callbacks(execute=True):
                services.report_request_send(actor=world.leader, request=req)

    def count(staff) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client.force_login(staff)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("reports:index")).status_code == 200
        return len(ctx.captured_queries)

    make(1)
    one_leader, one_clerk = count(world.leader), count(world.clerk1)
    make(3)
    assert (count(world.leader), count(world.clerk1)) == (one_leader, one_clerk)
    assert len(client.get(reverse("reports:index")).context["inbox"]) == 4
