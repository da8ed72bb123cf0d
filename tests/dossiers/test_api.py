"""The dossier API: intake, detail (audited applicant read), queue with keyset pages, actions,
role and agency isolation per endpoint, and the public lookup (no personal data, rate-limited)."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.dossiers.world import APPLICANT, BIRTH, MARITAL, PID, bearer, drive, receive, state
from xaso.core.models import AuditEntry
from xaso.dossiers.models import Dossier, Status

BODY = {
    "procedure": MARITAL,
    "channel": "counter",
    "applicant": {
        "full_name": "Nguyễn Văn Bình",
        "id_number": PID,
        "date_of_birth": "1990-05-17",
        "phone": "0912345678",
        "email": "binh@example.vn",
        "address": "Thôn Đông, xã Thử Nghiệm",
    },
    "checklist": [{"document": 1, "originals": 1}],
}


def post(client, url, body, staff):
    return client.post(url, json.dumps(body), content_type="application/json", **bearer(staff))


def test_intake_over_the_api(client, world):
    r = post(client, "/api/v1/dossiers", BODY, world.reception)
    assert r.status_code == 201, r.content
    body = r.json()
    code = body["code"]
    assert code.startswith("H98.01-") and len(code) == len("H98.01-260910-0001")
    assert (body["status"], body["status_label"], body["national_status"]) == (
        "received",
        "Đã tiếp nhận",
        2,
    )
    assert (body["procedure"], body["channel"], body["national_channel"]) == (MARITAL, "counter", 1)
    assert body["received_at"].endswith("+07:00") and body["due_at"].endswith("T17:00:00+07:00")
    assert body["checklist"][0]["order"] == 1
    assert "applicant" not in body
    d = Dossier.objects.get()
    assert (d.code, d.applicant.personal_id) == (code, PID)


def test_intake_refusals_over_the_api(client, world):
    before = state()
    r = post(client, "/api/v1/dossiers", {**BODY, "procedure": "1.011607"}, world.reception)
    assert (r.status_code, r.json()["code"]) == (409, "time_limit_unconfirmed")
    r = post(client, "/api/v1/dossiers", {**BODY, "channel": "fax"}, world.reception)
    assert (r.status_code, r.json()["code"]) == (422, "validation_error")
    for staff in (world.specialist, world.leader, world.admin, world.supervisor):
        r = post(client, "/api/v1/dossiers", BODY, staff)
        assert (r.status_code, r.json()["code"]) == (403, "permission_denied")
    r = client.post("/api/v1/dossiers", json.dumps(BODY), content_type="application/json")
    assert r.status_code == 401
    assert state() == before


def test_detail_is_scoped_and_audits_the_applicant_read(client, world):
    d = drive(world, Status.IN_PROCESSING)
    r = client.get(f"/api/v1/dossiers/{d.code}", **bearer(world.specialist))
    assert r.status_code == 200
    body = r.json()
    assert body["applicant"] == {
        "personal_id": PID,
        "full_name": "Nguyễn Văn Bình",
        "date_of_birth": "1990-05-17",
        "phone": "0912345678",
        "email": "binh@example.vn",
        "address": "Thôn Đông, xã Thử Nghiệm",
    }
    assert [e["action"] for e in body["events"]] == ["receive", "assign"]
    assert body["step"] == {
        "order": 2,
        "name": "Thẩm định, xử lý và dự thảo kết quả",
        "role": "specialist",
    }
    read = AuditEntry.objects.filter(action="person.read").get()
    assert (read.actor_username, read.changes) == (
        "chuyenvien",
        {"via": "dossier", "dossier": d.code},
    )
    for outsider in (world.all_b, world.reception_c, world.admin, world.supervisor):
        before = state()
        r = client.get(f"/api/v1/dossiers/{d.code}", **bearer(outsider))
        assert (r.status_code, r.json()["code"]) == (404, "not_found")
        assert state() == before


def test_actions_over_the_api(client, world):
    d = receive(world)
    url = f"/api/v1/dossiers/{d.code}/actions"
    r = post(client, f"{url}/assign", {"assignee": "chuyenvien"}, world.leader)
    assert (r.status_code, r.json()["status"], r.json()["assignee"]) == (
        200,
        "in_processing",
        "chuyenvien",
    )
    r = post(client, f"{url}/request_supplement", {"missing": ["Tờ khai"]}, world.specialist)
    assert r.json()["supplement"]["missing"] == ["Tờ khai"]
    before = state()
    r = post(client, f"{url}/approve", {}, world.leader)
    assert (r.status_code, r.json()["code"]) == (409, "transition_not_allowed")
    r = post(client, f"{url}/refuse", {"reason": "x"}, world.specialist)
    assert (r.status_code, r.json()["code"]) == (409, "transition_not_allowed")
    r = post(client, f"{url}/receive_supplement", {}, world.clerk)
    assert (r.status_code, r.json()["code"]) == (403, "permission_denied")
    r = post(client, f"{url}/receive_supplement", {}, world.all_b)
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    r = post(client, f"{url}/unknown", {}, world.leader)
    assert r.status_code == 422
    r = post(client, f"{url}/apologize", {"reason": "Chậm"}, world.leader)
    assert (r.status_code, r.json()["fields"]) == (400, {"new_due_at": ["Trường này là bắt buộc."]})
    assert state() == before
    r = post(client, f"{url}/receive_supplement", {}, world.reception)
    assert r.json()["status"] == "in_processing"
    r = post(client, f"{url}/forward", {"assignee": "lanhdao"}, world.specialist)
    assert r.json()["step"]["order"] == 3
    for action, who in (("approve", world.leader), ("mark_ready", world.clerk)):
        assert post(client, f"{url}/{action}", {}, who).status_code == 200
    r = post(client, f"{url}/return_result", {"note": "Đã giao tận tay"}, world.reception)
    assert (r.json()["status"], r.json()["status_label"]) == ("returned", "Đã trả kết quả")
    r = client.get(f"/api/v1/public/dossiers/{d.code}")
    assert r.json()["status"] == "Đã trả kết quả"


def test_transfer_over_the_api(client, world):
    d = receive(world)
    r = post(
        client, f"/api/v1/dossiers/{d.code}/actions/transfer", {"agency": "H97.01"}, world.leader
    )
    assert (r.status_code, r.json()["code"]) == (400, "transfer_target_invalid")
    r = post(
        client, f"/api/v1/dossiers/{d.code}/actions/transfer", {"agency": "H98.02"}, world.leader
    )
    assert (r.json()["status"], r.json()["competent_agency"]) == ("transferred", "H98.02")
    r = post(
        client,
        f"/api/v1/dossiers/{d.code}/actions/assign",
        {"assignee": "chuyenvien_b"},
        world.leader_b,
    )
    assert (r.status_code, r.json()["assignee"]) == (200, "chuyenvien_b")


# --- the queue ------------------------------------------------------------------------------


def test_queue_keyset_pages_with_a_pinned_query_count(client, world):
    from datetime import timedelta

    from tests.dossiers.world import vn

    start = vn(2026, 9, 7, 8, 0)
    codes = []
    for i in range(7):
        codes.append(receive(world, BIRTH, at=start + timedelta(days=i % 5, minutes=i)).code)
    receive(world, actor=world.reception_c)  # another province's: never listed for A
    expected = [
        d.code for d in Dossier.objects.filter(receiving_agency=world.a).order_by("due_at", "pk")
    ]
    headers = bearer(world.reception)
    seen: list[str] = []
    after = ""
    pages = 0
    while True:
        url = "/api/v1/dossiers?limit=3" + (f"&after={after}" if after else "")
        with CaptureQueriesContext(connection) as ctx:
            r = client.get(url, **headers)
        assert r.status_code == 200
        # The token, the caller's roles, and three for the page whatever its depth: its keys
        # from each agency column (each on its own index), then its rows.
        assert len(ctx.captured_queries) == 5, [q["sql"][:90] for q in ctx.captured_queries]
        assert "OFFSET" not in ctx.captured_queries[-1]["sql"].upper()
        body = r.json()
        seen += [i["code"] for i in body["items"]]
        pages += 1
        if not body["next"]:
            break
        after = body["next"]
    assert seen == expected and sorted(seen) == sorted(codes) and pages == 3


def test_queue_filters_and_search(client, world):
    a = receive(world, BIRTH)
    b = receive(
        world, MARITAL, applicant={**APPLICANT, "personal_id": "", "full_name": "Trần Thị Lan"}
    )
    b2 = drive(world, Status.IN_PROCESSING)
    headers = bearer(world.specialist)

    def codes(query):
        r = client.get(f"/api/v1/dossiers?{query}", **headers)
        assert r.status_code == 200, r.content
        return [i["code"] for i in r.json()["items"]]

    assert codes("q=tran thi") == [b.code]
    assert codes("q=LAN") == [b.code]
    assert codes(f"q={PID}") == sorted(
        [a.code, b2.code], key=lambda c: Dossier.objects.get(code=c).due_at
    )
    assert codes(f"q={a.code}") == [a.code]
    assert codes("status=in_processing") == [b2.code]
    assert codes(f"procedure={BIRTH}") == [a.code]
    assert codes("overdue=true") == [a.code, b.code, b2.code]  # all due in September 2026
    assert codes("overdue=false") == []
    assert codes("channel=post") == []
    r = client.get("/api/v1/dossiers?status=bogus", **headers)
    assert (r.status_code, r.json()["code"]) == (400, "invalid_input")
    r = client.get("/api/v1/dossiers?after=!!!", **headers)
    assert (r.status_code, r.json()["fields"]) == (400, {"after": ["Sai định dạng."]})
    item = client.get(f"/api/v1/dossiers?q={b.code}", **headers).json()["items"][0]
    assert set(item) == {
        "code",
        "status",
        "status_label",
        "procedure",
        "procedure_name",
        "channel",
        "applicant_name",
        "due_at",
        "overdue",
        "step",
        "assignee",
    }
    assert item["applicant_name"] == "Trần Thị Lan"
    for outsider in (world.all_b, world.reception_c, world.admin, world.supervisor):
        r = client.get("/api/v1/dossiers", **bearer(outsider))
        assert r.json() == {"items": [], "next": None}


# --- public lookup --------------------------------------------------------------------------


def test_public_lookup_shows_no_personal_data(client, world):
    d = drive(world, Status.AWAITING_SUPPLEMENT)
    r = client.get(f"/api/v1/public/dossiers/{d.code}")
    assert r.status_code == 200
    assert r.json() == {
        "code": d.code,
        "procedure": "Thủ tục cấp Giấy xác nhận tình trạng hôn nhân",
        "status": "Yêu cầu bổ sung giấy tờ",
        "received_at": "2026-09-10T10:00:00+07:00",
        "due_at": "2026-09-15T17:00:00+07:00",
        "missing": ["Bản sao giấy tờ tùy thân"],
    }
    text = r.content.decode()
    for secret in ("Bình", PID, "0912345678", "binh@example.vn", "Thôn Đông"):
        assert secret not in text
    r = client.get("/api/v1/public/dossiers/H98.01-260910-9999")
    assert (r.status_code, r.json()["code"]) == (404, "not_found")


def test_public_lookup_is_rate_limited_per_address(client, world):
    d = drive(world, Status.RECEIVED)
    url = f"/api/v1/public/dossiers/{d.code}"
    statuses = [client.get(url, REMOTE_ADDR="203.0.113.5").status_code for _ in range(31)]
    assert statuses == [200] * 30 + [429]
    r = client.get(url, REMOTE_ADDR="203.0.113.5")
    assert r.json() == {
        "code": "throttled",
        "message": "Tra cứu quá nhiều lần; vui lòng thử lại sau một phút.",
        "fields": {},
    }
    assert client.get(url, REMOTE_ADDR="203.0.113.6").status_code == 200


@pytest.mark.parametrize("status", [Status.RECEIVED, Status.RETURNED])
def test_public_lookup_labels(client, world, status):
    d = drive(world, status)
    body = client.get(f"/api/v1/public/dossiers/{d.code}").json()
    assert (body["status"], body["missing"]) == (Status(status).label, [])
