"""Editing and discarding a draft request: the services (rules, audit, refusal once sent, the
stale edit of a second officer), the pages (edit form, htmx, confirmation) and the API (PATCH,
DELETE) — every refusal leaves the draft exactly as it was."""

from __future__ import annotations

import json
from datetime import date, timedelta

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

BASE = "/api/v1/reports"
NEW_INDICATORS = [
    {"code": "ho_so", "label": "Hồ sơ tiếp nhận", "unit": "hồ sơ", "type": "integer"},
]


def create(actor, **overrides):
    return services.report_request_create(actor=actor, **request_kwargs(**overrides))


def update(actor, req, version, **overrides):
    return services.report_request_update(
        actor=actor, request=req, expected_version=version, **request_kwargs(**overrides)
    )


def snapshot(req: ReportRequest) -> dict[str, object]:
    return ReportRequest.objects.filter(pk=req.pk).values().get()


def send(world, capture, req, **kwargs):
    with capture(execute=True):
        return services.report_request_send(actor=world.leader, request=req, **kwargs)


# --- Services -----------------------------------------------------------------------------------


def test_update_changes_the_draft_and_audits_only_what_changed(world):
    req = create(world.leader)
    deadline = timezone.now() + timedelta(days=7)
    out = update(
        world.leader,
        req,
        1,
        title=" Báo cáo tiếp nhận hồ sơ tháng 12 ",
        deadline=deadline,
        kind="both",
        indicators=NEW_INDICATORS,
        signature_required=True,
        target_codes=["H25.37.02"],
    )
    req.refresh_from_db()
    assert (req.version, out.version) == (2, 2)
    assert req.title == "Báo cáo tiếp nhận hồ sơ tháng 12"
    assert (req.kind, req.signature_required, req.deadline) == ("both", True, deadline)
    assert req.indicators == NEW_INDICATORS
    assert req.target_codes == ["H25.37.02"]
    assert req.status == "draft"
    entry = AuditEntry.objects.get(action="reports.request_update")
    assert entry.actor_id == world.leader.pk
    assert sorted(entry.changes) == [
        "deadline",
        "indicators",
        "kind",
        "signature_required",
        "target_codes",
        "title",
        "version",
    ]
    assert entry.changes["title"] == [
        "Báo cáo kết quả chuyển đổi số quý IV năm 2026",
        "Báo cáo tiếp nhận hồ sơ tháng 12",
    ]
    assert entry.changes["target_codes"] == [None, ["H25.37.02"]]
    assert entry.changes["version"] == [1, 2]


def test_update_with_nothing_changed_keeps_the_version_and_writes_no_entry(world):
    req = create(world.leader)
    update(world.leader, req, 1, deadline=req.deadline)
    req.refresh_from_db()
    assert req.version == 1
    assert not AuditEntry.objects.filter(action="reports.request_update").exists()


@pytest.mark.parametrize(
    ("overrides", "error", "field"),
    [
        ({"title": " "}, errors.RequestInvalid, "title"),
        ({"deadline": timezone.now() - timedelta(minutes=1)}, errors.RequestInvalid, "deadline"),
        (
            {"period_from": date(2026, 12, 31), "period_to": date(2026, 1, 1)},
            errors.RequestInvalid,
            "period_to",
        ),
        ({"indicators": []}, errors.IndicatorsInvalid, "indicators"),
        ({"kind": "file"}, errors.IndicatorsInvalid, "indicators"),
        (
            {"indicators": [{"code": "Sai mã", "label": "x", "type": "integer"}]},
            errors.IndicatorsInvalid,
            "indicators.1",
        ),
        ({"signature_required": True}, errors.RequestInvalid, "signature_required"),
        ({"target_codes": ["H25.38"]}, errors.TargetInvalid, "codes"),
        ({"target_codes": [" "]}, errors.TargetInvalid, "codes"),
    ],
)
def test_update_refusals_change_nothing(world, overrides, error, field):
    req = create(world.leader)
    before = snapshot(req)
    with pytest.raises(error) as exc:
        update(world.leader, req, 1, **overrides)
    assert field in exc.value.fields
    assert snapshot(req) == before
    assert not AuditEntry.objects.filter(action="reports.request_update").exists()


def test_a_sent_request_is_no_longer_edited_or_deleted(world, django_capture_on_commit_callbacks):
    req = create(world.leader)
    send(world, django_capture_on_commit_callbacks, req)
    before = snapshot(req)
    with pytest.raises(errors.RequestNotDraft) as exc:
        update(world.leader, req, 2, title="Đổi tên sau khi gửi")
    assert exc.value.code == "report_request_not_draft"
    assert exc.value.status == 409
    assert exc.value.message == "Yêu cầu báo cáo đã gửi tới các cơ quan; không sửa được nữa."
    with pytest.raises(errors.RequestNotDraft) as exc:
        services.report_request_delete(actor=world.leader, request=req)
    assert exc.value.message == "Yêu cầu báo cáo đã gửi không xóa được; hãy đóng yêu cầu."
    services.report_request_close(actor=world.leader, request=req)
    with pytest.raises(errors.RequestNotDraft):
        update(world.leader, req, 1, title="Đổi tên sau khi đóng")
    req.refresh_from_db()
    assert req.title == before["title"] and req.version == 1
    assert ReportRequest.objects.filter(pk=req.pk).exists()
    assert not AuditEntry.objects.filter(
        action__in=["reports.request_update", "reports.request_delete"]
    ).exists()


def test_second_officer_saving_a_stale_version_gets_a_conflict(world):
    req = create(world.leader)
    # Both open version 1; the administrator saves first.
    seen_by_leader = ReportRequest.objects.get(pk=req.pk)
    update(world.admin, req, 1, title="Bản của chị Lan")
    before = snapshot(req)
    with pytest.raises(errors.RequestStale) as exc:
        update(world.leader, seen_by_leader, seen_by_leader.version, title="Bản của anh Tuấn")
    assert exc.value.code == "report_request_stale"
    assert exc.value.status == 409
    assert "phiên bản 1" in exc.value.message and "phiên bản 2" in exc.value.message
    assert exc.value.fields == {"version": ["Phiên bản dự thảo đã cũ."]}
    assert snapshot(req) == before
    assert ReportRequest.objects.get(pk=req.pk).title == "Bản của chị Lan"
    # Read again, the leader's edit goes through.
    update(world.leader, req, 2, title="Bản của anh Tuấn")
    assert ReportRequest.objects.get(pk=req.pk).version == 3


def test_sending_a_draft_edited_since_it_was_read_is_refused(
    world, django_capture_on_commit_callbacks
):
    req = create(world.leader)
    update(world.admin, req, 1, title="Đã sửa")
    with pytest.raises(errors.RequestStale):
        send(world, django_capture_on_commit_callbacks, req, expected_version=1)
    assert ReportTarget.objects.count() == 0
    assert OutboxMessage.objects.count() == 0
    assert ReportRequest.objects.get(pk=req.pk).status == "draft"
    send(world, django_capture_on_commit_callbacks, req, expected_version=2)
    assert ReportRequest.objects.get(pk=req.pk).status == "sent"


@pytest.mark.parametrize("who", ["supervisor", "specialist_huyen", "leader2", "clerk1"])
def test_only_the_requesting_agencys_leaders_edit_or_delete(world, who):
    req = create(world.leader)
    before = snapshot(req)
    with pytest.raises(PermissionDenied):
        update(getattr(world, who), req, 1, title="Không được sửa")
    with pytest.raises(PermissionDenied):
        services.report_request_delete(actor=getattr(world, who), request=req)
    assert snapshot(req) == before


def test_delete_discards_a_draft_and_keeps_it_in_the_audit(world):
    req = create(world.leader)
    pk = req.pk
    services.report_request_delete(actor=world.admin, request=req, expected_version=1)
    assert not ReportRequest.objects.filter(pk=pk).exists()
    entry = AuditEntry.objects.get(action="reports.request_delete")
    assert entry.object_id == str(req.public_id)
    assert entry.changes["title"] == "Báo cáo kết quả chuyển đổi số quý IV năm 2026"
    assert entry.changes["indicators"] == INDICATORS
    assert entry.changes["version"] == 1


def test_delete_of_a_draft_changed_since_read_is_refused(world):
    req = create(world.leader)
    update(world.admin, req, 1, title="Đã sửa")
    with pytest.raises(errors.RequestStale):
        services.report_request_delete(actor=world.leader, request=req, expected_version=1)
    assert ReportRequest.objects.filter(pk=req.pk).exists()


def test_planned_recipients_are_what_the_draft_is_sent_to(
    world, django_capture_on_commit_callbacks
):
    req = create(world.leader, target_codes=["H25.37.02", "H25.37.02 "])
    assert req.target_codes == ["H25.37.02"]
    with pytest.raises(errors.TargetInvalid):
        create(world.leader, target_codes=["H25.38"])
    with pytest.raises(errors.TargetInvalid):
        create(world.leader, target_codes=[])
    assert ReportRequest.objects.count() == 1


# --- Pages --------------------------------------------------------------------------------------


def form_data(req: ReportRequest, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": req.title,
        "period_from": req.period_from.isoformat(),
        "period_to": req.period_to.isoformat(),
        "deadline": timezone.localtime(req.deadline).strftime("%Y-%m-%dT%H:%M"),
        "kind": req.kind,
        "indicators": "\n".join(
            f"{i['code']} | {i['label']} | {i['unit']} | {i['type']}" for i in req.indicators
        ),
        "instructions": req.instructions,
        "scope": "all",
        "version": req.version,
    }
    data.update(overrides)
    return data


def test_draft_page_offers_edit_delete_and_previews_the_form(client, world):
    req = create(world.leader, target_codes=["H25.37.02"])
    client.force_login(world.leader)
    page = client.get(reverse("reports:detail", args=[req.public_id]))
    html = page.content.decode()
    assert reverse("reports:edit", args=[req.public_id]) in html
    assert reverse("reports:delete", args=[req.public_id]) in html
    assert "Hồ sơ trực tuyến" in html and "Tỷ lệ hồ sơ trực tuyến" in html
    preview = page.context["preview"]
    assert list(preview.fields) == ["v_ho_so_truc_tuyen", "v_ty_le"]
    assert all(f.disabled for f in preview.fields.values())
    assert 'value="H25.37.02" checked' in html
    assert 'value="H25.37.01" checked' not in html
    assert f'name="version" value="{req.version}"' in html
    # A supervisor reads the draft but is offered neither action.
    client.force_login(world.supervisor)
    html = client.get(reverse("reports:detail", args=[req.public_id])).content.decode()
    assert reverse("reports:edit", args=[req.public_id]) not in html


def test_edit_page_saves_the_draft(client, world):
    req = create(world.leader)
    client.force_login(world.leader)
    url = reverse("reports:edit", args=[req.public_id])
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"].initial["version"] == 1
    assert "ho_so_truc_tuyen | Hồ sơ trực tuyến | hồ sơ | integer" in page.content.decode()
    r = client.post(
        url,
        form_data(
            req,
            title="Báo cáo tháng 12",
            indicators="ho_so | Hồ sơ tiếp nhận | hồ sơ | integer",
            scope="chosen",
            codes=["H25.37.01"],
        ),
    )
    assert r.status_code == 302 and r["Location"] == reverse("reports:detail", args=[req.public_id])
    deadline = req.deadline
    req.refresh_from_db()
    assert (req.title, req.indicators, req.target_codes, req.version) == (
        "Báo cáo tháng 12",
        NEW_INDICATORS,
        ["H25.37.01"],
        2,
    )
    # The deadline shown to the minute and left alone is not "changed" to the whole minute.
    assert req.deadline == deadline
    changes = AuditEntry.objects.get(action="reports.request_update").changes
    assert sorted(changes) == ["indicators", "target_codes", "title", "version"]


def test_edit_page_over_htmx(client, world):
    req = create(world.leader)
    client.force_login(world.leader)
    url = reverse("reports:edit", args=[req.public_id])
    detail = client.get(reverse("reports:detail", args=[req.public_id])).content.decode()
    assert f'hx-get="{url}" hx-target="#draft-body"' in detail and 'id="draft-body"' in detail
    inline = client.get(url, HTTP_HX_REQUEST="true")
    assert inline.status_code == 200
    assert inline.content.decode().startswith('<form method="post" action="' + url)
    restored = client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in restored.content.decode()
    bad = client.post(url, form_data(req, indicators="Sai mã | x"), HTTP_HX_REQUEST="true")
    assert bad.status_code == 200  # htmx swaps only 2xx answers
    html = bad.content.decode()
    assert "<html" not in html and 'id="request-form"' in html
    assert "Vui lòng sửa các lỗi bên dưới." in html
    # The faulty line is named next to the form of figures.
    assert "Dòng 1: Mã chỉ tiêu “Sai mã” phải bắt đầu bằng chữ thường" in html
    assert ReportRequest.objects.get(pk=req.pk).version == 1
    ok = client.post(url, form_data(req, title="Đã sửa qua htmx"), HTTP_HX_REQUEST="true")
    assert ok.status_code == 204
    assert ok["HX-Redirect"] == reverse("reports:detail", args=[req.public_id])
    assert ReportRequest.objects.get(pk=req.pk).title == "Đã sửa qua htmx"


def test_edit_page_refuses_a_stale_version_and_a_sent_request(
    client, world, django_capture_on_commit_callbacks
):
    req = create(world.leader)
    update(world.admin, req, 1, title="Bản của chị Lan")
    before = snapshot(req)
    client.force_login(world.leader)
    url = reverse("reports:edit", args=[req.public_id])
    r = client.post(url, form_data(req, title="Bản của anh Tuấn", version=1))
    assert r.status_code == 409
    html = r.content.decode()
    assert "Dự thảo đã được người khác sửa sau khi bạn mở" in html
    assert "Tải lại dự thảo hiện hành" in html
    assert snapshot(req) == before

    req.refresh_from_db()
    send(world, django_capture_on_commit_callbacks, req)
    for method in (client.get, client.post):
        r = method(url, form_data(req, title="Sau khi gửi"), follow=True)
        assert r.redirect_chain[-1][0] == reverse("reports:detail", args=[req.public_id])
        assert "không sửa được nữa" in r.content.decode()
    assert ReportRequest.objects.get(pk=req.pk).title == "Bản của chị Lan"


def test_edit_and_delete_pages_refuse_who_may_not_manage(client, world):
    req = create(world.leader)
    before = snapshot(req)
    for who, status in (("supervisor", 403), ("leader2", 404), ("clerk1", 404)):
        client.force_login(getattr(world, who))
        assert client.get(reverse("reports:edit", args=[req.public_id])).status_code == status
        r = client.post(reverse("reports:edit", args=[req.public_id]), form_data(req, title="X"))
        assert r.status_code == status
        r = client.post(reverse("reports:delete", args=[req.public_id]), {"version": 1})
        assert r.status_code == status
    assert snapshot(req) == before


def test_delete_page_confirms_then_discards(client, world, django_capture_on_commit_callbacks):
    req = create(world.leader)
    client.force_login(world.leader)
    url = reverse("reports:delete", args=[req.public_id])
    page = client.get(url)
    assert page.status_code == 200
    assert "sau khi xóa không khôi phục được" in page.content.decode()
    assert ReportRequest.objects.filter(pk=req.pk).exists()  # a GET deletes nothing
    r = client.post(url, {"version": 1}, follow=True)
    assert r.redirect_chain[-1][0] == reverse("reports:index")
    assert "Đã xóa bản nháp" in r.content.decode()
    assert not ReportRequest.objects.filter(pk=req.pk).exists()

    sent = create(world.leader)
    send(world, django_capture_on_commit_callbacks, sent)
    url = reverse("reports:delete", args=[sent.public_id])
    assert client.get(url).status_code == 302
    r = client.post(url, {"version": 1})
    assert r.status_code == 409
    assert "hãy đóng yêu cầu" in r.content.decode()
    assert ReportRequest.objects.filter(pk=sent.pk).exists()


def test_new_page_plans_the_recipients(client, world):
    client.force_login(world.leader)
    page = client.get(reverse("reports:new"))
    assert [c[0] for c in page.context["form"].fields["codes"].choices] == [
        "H25.37.01",
        "H25.37.02",
    ]
    req = create(world.leader)
    data = form_data(req, scope="chosen", codes=["H25.37.01"])
    data.pop("version")
    r = client.post(reverse("reports:new"), data)
    assert r.status_code == 302
    assert ReportRequest.objects.order_by("-pk").first().target_codes == ["H25.37.01"]


# --- API ----------------------------------------------------------------------------------------


def patch(client, rid, actor, data):
    return client.patch(
        f"{BASE}/requests/{rid}", json.dumps(data), content_type="application/json", **bearer(actor)
    )


def test_patch_changes_only_what_is_given(client, world):
    req = create(world.leader)
    rid = str(req.public_id)
    r = client.get(f"{BASE}/requests/{rid}", **bearer(world.leader))
    assert (r.json()["version"], r.json()["scope"], r.json()["codes"]) == (1, "all", [])
    r = patch(client, rid, world.leader, {"version": 1, "title": "Báo cáo tháng 12"})
    assert r.status_code == 200, r.content
    d = r.json()
    assert (d["title"], d["version"], d["kind"], d["indicators"]) == (
        "Báo cáo tháng 12",
        2,
        "figures",
        INDICATORS,
    )
    r = patch(
        client,
        rid,
        world.admin,
        {
            "version": 2,
            "kind": "file",
            "signature_required": True,
            "scope": "chosen",
            "codes": ["H25.37.02"],
        },
    )
    assert r.status_code == 200, r.content
    d = r.json()
    assert (d["kind"], d["indicators"], d["signature_required"]) == ("file", [], True)
    assert (d["scope"], d["codes"], d["version"]) == ("chosen", ["H25.37.02"], 3)
    assert AuditEntry.objects.filter(action="reports.request_update").count() == 2


def test_patch_refusals_keep_the_error_shape_and_change_nothing(
    client, world, django_capture_on_commit_callbacks
):
    req = create(world.leader)
    rid = str(req.public_id)
    before = snapshot(req)
    r = patch(client, rid, world.leader, {"version": 7, "title": "Cũ"})
    assert r.status_code == 409
    assert r.json()["code"] == "report_request_stale"
    assert r.json()["fields"] == {"version": ["Phiên bản dự thảo đã cũ."]}
    r = patch(
        client,
        rid,
        world.leader,
        {"version": 1, "deadline": (timezone.now() - timedelta(hours=1)).isoformat()},
    )
    assert (r.status_code, r.json()["code"]) == (400, "report_request_invalid")
    assert r.json()["fields"] == {"deadline": ["Hạn nộp phải ở tương lai."]}
    r = patch(client, rid, world.leader, {"version": 1, "scope": "chosen", "codes": ["H25.38"]})
    assert (r.status_code, r.json()["code"]) == (400, "report_target_invalid")
    r = patch(client, rid, world.leader, {"title": "Thiếu phiên bản"})
    assert r.status_code == 422
    for actor, status, code in (
        (world.supervisor, 403, "permission_denied"),
        (world.specialist_huyen, 404, "not_found"),
        (world.leader2, 404, "not_found"),
    ):
        r = patch(client, rid, actor, {"version": 1, "title": "Không được"})
        assert (r.status_code, r.json()["code"]) == (status, code)
    assert snapshot(req) == before

    send(world, django_capture_on_commit_callbacks, req)
    before = snapshot(req)
    r = patch(client, rid, world.leader, {"version": 1, "title": "Sau khi gửi"})
    assert r.status_code == 409
    assert r.json() == {
        "code": "report_request_not_draft",
        "message": "Yêu cầu báo cáo đã gửi tới các cơ quan; không sửa được nữa.",
        "fields": {},
    }
    assert snapshot(req) == before


def test_delete_over_api(client, world, django_capture_on_commit_callbacks):
    req = create(world.leader)
    rid = str(req.public_id)
    r = client.delete(f"{BASE}/requests/{rid}?version=3", **bearer(world.leader))
    assert (r.status_code, r.json()["code"]) == (409, "report_request_stale")
    r = client.delete(f"{BASE}/requests/{rid}", **bearer(world.supervisor))
    assert (r.status_code, r.json()["code"]) == (403, "permission_denied")
    assert ReportRequest.objects.filter(pk=req.pk).exists()
    r = client.delete(f"{BASE}/requests/{rid}?version=1", **bearer(world.leader))
    assert r.status_code == 204
    assert client.get(f"{BASE}/requests/{rid}", **bearer(world.leader)).status_code == 404
    assert AuditEntry.objects.filter(action="reports.request_delete").count() == 1

    sent = create(world.leader)
    send(world, django_capture_on_commit_callbacks, sent)
    r = client.delete(f"{BASE}/requests/{sent.public_id}", **bearer(world.leader))
    assert (r.status_code, r.json()["code"]) == (409, "report_request_not_draft")
    assert ReportRequest.objects.filter(pk=sent.pk).exists()


def test_send_over_api_follows_the_plan_and_the_version(
    client, world, django_capture_on_commit_callbacks
):
    cap = django_capture_on_commit_callbacks
    req = create(world.leader, target_codes=["H25.37.02"])
    url = f"{BASE}/requests/{req.public_id}/send"
    with cap(execute=True):
        r = client.post(
            url, json.dumps({"version": 5}), content_type="application/json", **bearer(world.leader)
        )
    assert (r.status_code, r.json()["code"]) == (409, "report_request_stale")
    assert ReportTarget.objects.count() == 0
    with cap(execute=True):
        r = client.post(
            url, json.dumps({"version": 1}), content_type="application/json", **bearer(world.leader)
        )
    assert r.status_code == 200, r.content
    assert [t["code"] for t in r.json()["targets"]] == ["H25.37.02"]


def test_candidates_over_api(client, world):
    r = client.get(f"{BASE}/candidates", **bearer(world.admin))
    assert r.status_code == 200
    assert r.json() == [
        {"code": "H25.37.01", "name": "UBND xã Thạch Khoán", "on_this_node": True},
        {"code": "H25.37.02", "name": "UBND xã Địch Quả", "on_this_node": True},
    ]
    assert client.get(f"{BASE}/candidates", **bearer(world.leader2)).json() == []
    r = client.get(f"{BASE}/candidates", **bearer(world.supervisor))
    assert (r.status_code, r.json()["code"]) == (403, "permission_denied")


def test_draft_page_warns_of_a_deadline_on_a_day_off(client, world):
    from datetime import datetime, time

    from xaso.workdays.selectors import work_calendar

    today = timezone.localdate()
    sunday = today + timedelta(days=7 + (6 - today.weekday()) % 7)
    monday = sunday + timedelta(days=1)
    tz = timezone.get_current_timezone()
    req = create(world.leader, deadline=datetime.combine(sunday, time(10), tzinfo=tz))
    client.force_login(world.leader)
    url = reverse("reports:detail", args=[req.public_id])
    assert client.get(url).context["day_off"] == (
        f"Hạn nộp rơi vào ngày nghỉ (Chủ nhật, {sunday:%d/%m/%Y}): "
        "các cơ quan có thể không làm việc hôm đó."
    )
    working = work_calendar().working_day_on_or_after(monday)
    update(world.leader, req, 1, deadline=datetime.combine(working, time(10), tzinfo=tz))
    assert 'data-testid="day-off"' not in client.get(url).content.decode()
