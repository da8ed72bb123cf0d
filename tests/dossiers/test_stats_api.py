"""GET /api/v1/stats/dossiers: figures for the caller's agency (and, for superiors, the agencies
below), the shared error shape, and no personal data."""

from __future__ import annotations

from typing import Any

import pytest

from tests import factories
from tests.dossiers.stats_world import build_october
from tests.dossiers.world import APPLICANT, World, bearer
from xaso.org.models import Agency
from xaso.org.selectors import agency_tree_changed

URL = "/api/v1/stats/dossiers"
OCT = {"from": "2026-10-01", "to": "2026-10-31"}

A_TOTALS = {
    "received_carried_over": 1,
    "received_new": 10,
    "received_online": 2,
    "received_total": 11,
    "resolved": 8,
    "resolved_early": 3,
    "resolved_on_time": 3,
    "resolved_late": 2,
    "refused": 1,
    "withdrawn": 1,
    "pending": 3,
    "pending_in_time": 2,
    "pending_overdue": 1,
    "pending_supplement": 1,
    "returned": 3,
    "on_time_rate": 75.0,
    "online_rate": 20.0,
}
ZERO = {k: 0 for k in A_TOTALS} | {"on_time_rate": None, "online_rate": None}


def get(client: Any, staff: Any, **params: str) -> Any:
    return client.get(URL, params, **bearer(staff))


def test_the_agencys_figures_by_procedure(client, world: World) -> None:
    made = build_october(world)
    r = get(client, world.reception, **OCT)
    assert r.status_code == 200
    body = r.json()
    assert body == {
        "agency": {"code": "H98.01", "name": world.a.name},
        "agency_count": 1,
        "from": "2026-10-01",
        "to": "2026-10-31",
        "as_of": "2026-11-01T00:00:00+07:00",
        "group_by": "procedure",
        "totals": A_TOTALS,
        "rows": [
            {
                "key": "1.004873",
                "label": "Thủ tục cấp Giấy xác nhận tình trạng hôn nhân",
                **A_TOTALS,
            }
        ],
    }
    text = r.content.decode()
    for secret in (APPLICANT["full_name"], APPLICANT["personal_id"], APPLICANT["phone"]):
        assert secret not in text
    assert not any(d.code in text for d in made.values())


def test_superiors_group_by_agency(client, world: World) -> None:
    build_october(world)
    top = factories.agency(code="H98", unit_obj=world.a.unit.parent)
    Agency.objects.filter(pk__in=[world.a.pk, world.b.pk]).update(parent=top)
    agency_tree_changed()
    leader = factories.staff(agency_obj=top, roles=("leader",), username="lanhdao_tinh")
    r = get(client, leader, group_by="agency", **OCT)
    assert r.status_code == 200
    body = r.json()
    assert body["agency_count"] == 3
    assert [
        (row["key"], row["received_total"], row["pending_overdue"]) for row in body["rows"]
    ] == [
        ("H98", 0, 0),
        ("H98.01", 11, 1),
        ("H98.02", 2, 2),
    ]
    assert body["totals"]["received_total"] == 13
    assert body["totals"]["online_rate"] == 16.7
    r = get(client, leader, agency="H98.02", group_by="channel", **OCT)
    assert r.status_code == 200
    assert [(row["key"], row["received_new"]) for row in r.json()["rows"]] == [
        ("counter", 2),
        ("post", 0),
        ("online", 0),
    ]


@pytest.mark.parametrize("role", ["reception", "specialist", "leader", "clerk", "admin"])
def test_an_agency_outside_reach_is_not_found(client, world: World, role: str) -> None:
    staff = world.staff_of_a()[role]
    r = get(client, staff, agency="H98.02", **OCT)
    assert r.status_code == 404
    assert r.json() == {
        "code": "not_found",
        "message": "Không tìm thấy cơ quan có mã H98.02.",
        "fields": {},
    }


def test_every_role_of_the_agency_sees_its_figures(client, world: World) -> None:
    for staff in world.staff_of_a().values():
        r = get(client, staff, **OCT)
        assert r.status_code == 200
        assert r.json()["totals"] == ZERO
        assert r.json()["rows"] == []


def test_bad_dates_are_a_validation_error(client, world: World) -> None:
    r = get(client, world.reception, **{"from": "2026-13-01", "to": "2026-10-31"})
    assert r.status_code == 422
    assert r.json() == {
        "code": "validation_error",
        "message": "Dữ liệu gửi lên không hợp lệ.",
        "fields": {"from": ["Không phải ngày hợp lệ (YYYY-MM-DD)."]},
    }
    r = get(client, world.reception, group_by="applicant", **OCT)
    assert r.status_code == 422
    assert r.json()["fields"] == {"group_by": ["Giá trị không nằm trong danh sách cho phép."]}


def test_a_reversed_period_is_refused(client, world: World) -> None:
    r = get(client, world.reception, **{"from": "2026-10-31", "to": "2026-10-01"})
    assert r.status_code == 400
    assert r.json() == {
        "code": "period_invalid",
        "message": "Ngày bắt đầu phải trước hoặc bằng ngày kết thúc.",
        "fields": {"from": ["Phải trước hoặc bằng ngày kết thúc."]},
    }


def test_login_is_required(client, world: World) -> None:
    r = client.get(URL, OCT)
    assert r.status_code == 401
    assert r.json()["code"] == "unauthorized"
