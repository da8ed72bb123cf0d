"""The reports API, each endpoint by role; a denied call changes nothing."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.dossiers.world import bearer
from xaso.reports.models import ReportRequest, ReportSubmission, ReportTarget

from .conftest import INDICATORS

pytestmark = pytest.mark.django_db

BASE = "/api/v1/reports"


def body(**overrides):
    data = {
        "title": "Báo cáo kết quả chuyển đổi số quý IV năm 2026",
        "period_from": "2026-10-01",
        "period_to": "2026-12-31",
        "deadline": (timezone.now() + timedelta(days=3)).isoformat(),
        "kind": "figures",
        "indicators": INDICATORS,
    }
    data.update(overrides)
    return data


def post(client, url, actor, data, cap):
    with cap(execute=True):
        return client.post(url, json.dumps(data), content_type="application/json", **bearer(actor))


def test_create_send_submit_and_read(client, world, django_capture_on_commit_callbacks):
    cap = django_capture_on_commit_callbacks
    r = post(client, f"{BASE}/requests", world.leader, body(), cap)
    assert r.status_code == 201, r.content
    rid = r.json()["id"]
    assert r.json()["status"] == "draft"
    assert r.json()["requester"] == {"code": "H25.37", "name": "UBND huyện Thanh Sơn"}

    r = post(client, f"{BASE}/requests/{rid}/send", world.leader, {"scope": "all"}, cap)
    assert r.status_code == 200, r.content
    d = r.json()
    # The answer is written before delivery (after commit): nothing has arrived yet.
    assert [(t["code"], t["state"], t["delivery"]) for t in d["targets"]] == [
        ("H25.37.01", "pending", ""),
        ("H25.37.02", "pending", ""),
    ]
    assert d["missing"] == ["H25.37.01", "H25.37.02"]
    d = client.get(f"{BASE}/requests/{rid}", **bearer(world.leader)).json()
    assert [t["delivery"] for t in d["targets"]] == ["arrived", "arrived"]

    r = client.get(f"{BASE}/inbox", **bearer(world.clerk1))
    assert r.status_code == 200
    [item] = r.json()
    assert item["title"] == "Báo cáo kết quả chuyển đổi số quý IV năm 2026"
    assert item["state"] == "pending"
    assert 3 * 86400 - 120 < item["seconds_left"] <= 3 * 86400
    copy_id = item["id"]
    assert copy_id != rid

    with cap(execute=True):
        r = client.post(
            f"{BASE}/inbox/{copy_id}/submit",
            {"values": json.dumps({"ho_so_truc_tuyen": 120, "ty_le": "87.5"})},
            **bearer(world.clerk1),
        )
    assert r.status_code == 201, r.content
    assert r.json()["version"] == 1 and r.json()["values"] == {
        "ho_so_truc_tuyen": 120,
        "ty_le": "87.5",
    }

    r = client.get(f"{BASE}/requests/{rid}", **bearer(world.supervisor))
    assert r.status_code == 200
    d = r.json()
    assert d["missing"] == ["H25.37.02"] and d["submitted_count"] == 1
    assert d["aggregates"] == [
        {**INDICATORS[0], "total": 120, "count": 1},
        {**INDICATORS[1], "total": "87.5", "count": 1},
    ]
    assert d["targets"][0]["submission"]["submitted_by"] == "Nguyễn Thị Hằng"

    r = client.get(f"{BASE}/requests", **bearer(world.admin))
    assert [(x["id"], x["targets"], x["submitted"], x["late"]) for x in r.json()] == [
        (rid, 2, 1, 0)
    ]

    r = client.get(f"{BASE}/requests/{rid}/export.xlsx", **bearer(world.leader))
    assert r.status_code == 200
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(r.content)).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[2] == ["Cơ quan yêu cầu: UBND huyện Thanh Sơn", *[None] * 10]
    assert rows[5][:6] == [
        "STT",
        "Mã cơ quan",
        "Cơ quan",
        "Tình trạng",
        "Thời điểm nộp",
        "Người nộp",
    ]
    assert rows[6][1:4] == ["H25.37.01", "UBND xã Thạch Khoán", "Đã nộp"]
    assert rows[6][6:8] == [120, 87.5]
    assert rows[7][1:4] == ["H25.37.02", "UBND xã Địch Quả", "Chưa nộp"]
    assert rows[8][2] == "Tổng cộng (1 báo cáo)" and rows[8][6:8] == [120, 87.5]


def test_submit_with_file_over_multipart(
    client, world, django_capture_on_commit_callbacks, signed_report_pdf
):
    cap = django_capture_on_commit_callbacks
    rid = post(
        client, f"{BASE}/requests", world.leader, body(kind="both", signature_required=True), cap
    ).json()["id"]
    post(
        client,
        f"{BASE}/requests/{rid}/send",
        world.leader,
        {"scope": "chosen", "codes": ["H25.37.01"]},
        cap,
    )
    copy_id = client.get(f"{BASE}/inbox", **bearer(world.clerk1)).json()[0]["id"]
    values = json.dumps({"ho_so_truc_tuyen": 1, "ty_le": "2"})
    with cap(execute=True):
        r = client.post(
            f"{BASE}/inbox/{copy_id}/submit", {"values": values}, **bearer(world.clerk1)
        )
    assert r.status_code == 400
    assert r.json()["code"] == "report_file_required"
    upload = io.BytesIO(signed_report_pdf)
    upload.name = "bao-cao.pdf"
    with cap(execute=True):
        r = client.post(
            f"{BASE}/inbox/{copy_id}/submit",
            {"values": values, "file": upload},
            **bearer(world.clerk1),
        )
    assert r.status_code == 201, r.content
    f = r.json()["file"]
    assert (f["name"], f["size"], f["signer"]) == (
        "bao-cao.pdf",
        len(signed_report_pdf),
        "UBND xã Thạch Khoán",
    )
    # The district downloads the file that came in.
    sub = ReportSubmission.objects.get(target__request__public_id=rid)
    r = client.get(f"{BASE}/submissions/{sub.public_id}/file", **bearer(world.leader))
    assert r.status_code == 200
    assert b"".join(r.streaming_content) == signed_report_pdf
    # Another commune may not.
    r = client.get(f"{BASE}/submissions/{sub.public_id}/file", **bearer(world.leader2))
    assert r.status_code == 404


def test_refusals_keep_the_error_shape_and_change_nothing(
    client, world, django_capture_on_commit_callbacks
):
    cap = django_capture_on_commit_callbacks
    r = post(client, f"{BASE}/requests", world.specialist_huyen, body(), cap)
    assert (r.status_code, r.json()["code"]) == (403, "permission_denied")
    r = post(client, f"{BASE}/requests", world.leader, body(indicators=[]), cap)
    assert r.status_code == 400
    assert r.json() == {
        "code": "report_indicators_invalid",
        "message": "Báo cáo số liệu cần ít nhất một chỉ tiêu.",
        "fields": {"indicators": ["Chưa có chỉ tiêu nào."]},
    }
    r = post(client, f"{BASE}/requests", world.leader, body(kind="essay"), cap)
    assert r.status_code == 422
    assert ReportRequest.objects.count() == 0

    rid = post(client, f"{BASE}/requests", world.leader, body(), cap).json()["id"]
    r = post(
        client,
        f"{BASE}/requests/{rid}/send",
        world.leader,
        {"scope": "chosen", "codes": ["H25.38"]},
        cap,
    )
    assert (r.status_code, r.json()["code"], r.json()["fields"]) == (
        400,
        "report_target_invalid",
        {"codes": ["H25.38"]},
    )
    r = post(client, f"{BASE}/requests/{rid}/send", world.supervisor, {}, cap)
    assert (r.status_code, r.json()["code"]) == (403, "permission_denied")
    r = post(client, f"{BASE}/requests/{rid}/send", world.leader2, {}, cap)
    assert r.status_code == 404  # another agency's request looks missing
    r = client.get(f"{BASE}/requests/{rid}", **bearer(world.specialist_huyen))
    assert r.status_code == 404
    assert ReportTarget.objects.count() == 0

    post(client, f"{BASE}/requests/{rid}/send", world.leader, {}, cap)
    copy_id = client.get(f"{BASE}/inbox", **bearer(world.clerk1)).json()[0]["id"]
    for actor, status in ((world.reception1, 404), (world.leader2, 404)):
        with cap(execute=True):
            r = client.post(f"{BASE}/inbox/{copy_id}/submit", {"values": "{}"}, **bearer(actor))
        assert r.status_code == status
    with cap(execute=True):
        r = client.post(
            f"{BASE}/inbox/{copy_id}/submit", {"values": "{nope"}, **bearer(world.clerk1)
        )
    assert (r.status_code, r.json()["code"]) == (400, "report_values_invalid")
    with cap(execute=True):
        r = client.post(
            f"{BASE}/inbox/{copy_id}/submit",
            {"values": json.dumps({"ho_so_truc_tuyen": "x", "ty_le": 1})},
            **bearer(world.clerk1),
        )
    assert r.json()["fields"] == {"values.ho_so_truc_tuyen": ["Phải là số nguyên."]}
    assert ReportSubmission.objects.count() == 0
    assert client.get(f"{BASE}/inbox").status_code == 401


def test_close_over_api(client, world, django_capture_on_commit_callbacks):
    cap = django_capture_on_commit_callbacks
    rid = post(client, f"{BASE}/requests", world.leader, body(), cap).json()["id"]
    post(client, f"{BASE}/requests/{rid}/send", world.leader, {}, cap)
    r = post(client, f"{BASE}/requests/{rid}/close", world.leader, {}, cap)
    assert (r.status_code, r.json()["status"]) == (200, "closed")
    copy_id = client.get(f"{BASE}/inbox", **bearer(world.clerk1)).json()[0]["id"]
    with cap(execute=True):
        r = client.post(
            f"{BASE}/inbox/{copy_id}/submit",
            {"values": json.dumps({"ho_so_truc_tuyen": 1, "ty_le": 1})},
            **bearer(world.clerk1),
        )
    assert (r.status_code, r.json()["code"]) == (409, "report_request_closed")
