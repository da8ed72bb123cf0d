"""Org API: units (public), subordinate agencies (statistics), staff (agency admins only)."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from tests import factories
from tests.org.world import TREE, World, db_state, new_audit_entries, username_for
from xaso.accounts.models import ApiToken
from xaso.accounts.services import _hash
from xaso.org.models import Staff

TK = "H25.38.21"
LT = "H25.37.01"
EVERYONE = [(code, role) for code, _n, _p, _u, roles in TREE for role in roles]
TREE_ROLES = {code: roles for code, _n, _p, _u, roles in TREE}
UNAUTHORIZED = {
    "code": "unauthorized",
    "message": "Cần đăng nhập (gửi Authorization: Bearer <token>).",
    "fields": {},
}
NOT_FOUND = {"code": "not_found", "message": "Không tìm thấy.", "fields": {}}


def bearer(staff: Staff) -> dict[str, str]:
    token = secrets.token_urlsafe(16)
    ttl = timedelta(hours=settings.XASO_API_TOKEN_TTL_HOURS)
    ApiToken.objects.create(key_hash=_hash(token), staff=staff, expires_at=timezone.now() + ttl)
    return {"Authorization": f"Bearer {token}"}


# --- /units ---------------------------------------------------------------------------------


def test_units_are_public(world: World, client: Client) -> None:
    resp = client.get("/api/v1/units", {"q": "thach khoan"})
    assert resp.status_code == 200
    unit = world.units["08587"]
    assert resp.json() == [
        {
            "id": str(unit.public_id),
            "code": "08587",
            "name": "Xã Thạch Khoán",
            "level": "commune",
            "division_type": "xã",
            "parent_code": "238",
            "established_on": None,
            "dissolved_on": "2025-07-01",
            "successors": [],
        }
    ]


def test_units_filters_and_limit(world: World, client: Client, django_assert_num_queries) -> None:
    new = factories.unit(name="Xã Thanh Sơn", code="08542", parent=world.units["25"])
    world.units["08587"].successors.add(new)
    with django_assert_num_queries(2):
        resp = client.get("/api/v1/units", {"status": "dissolved", "level": "commune"})
    assert [(u["code"], u["successors"]) for u in resp.json()] == [
        ("08494", []),
        ("08587", ["08542"]),
    ]
    assert [u["code"] for u in client.get("/api/v1/units", {"status": "current"}).json()] == [
        "25",
        "08542",
    ]
    assert [u["code"] for u in client.get("/api/v1/units", {"limit": 2}).json()] == ["25", "237"]


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"status": "gone"}, {"status": ["Sai định dạng."]}),
        ({"limit": 0}, {"limit": ["Phải lớn hơn hoặc bằng 1."]}),
        ({"limit": 501}, {"limit": ["Phải nhỏ hơn hoặc bằng 500."]}),
        ({"limit": "many"}, {"limit": ["Phải là số nguyên."]}),
    ],
)
def test_units_422_shape(
    db, client: Client, params: dict[str, object], fields: dict[str, list[str]]
) -> None:
    resp = client.get("/api/v1/units", params)
    assert resp.status_code == 422
    assert resp.json() == {
        "code": "validation_error",
        "message": "Dữ liệu gửi lên không hợp lệ.",
        "fields": fields,
    }


# --- /agencies/subordinates -----------------------------------------------------------------

SUBORDINATES = {
    "H25": ["H25.37", "H25.37.01", "H25.38", "H25.38.21"],
    "H25.38": ["H25.38.21"],
    "H25.37": ["H25.37.01"],
}


@pytest.mark.parametrize(("agency_code", "role"), EVERYONE)
def test_subordinates_for_every_role(
    world: World, client: Client, agency_code: str, role: str
) -> None:
    resp = client.get("/api/v1/agencies/subordinates", headers=bearer(world.who(agency_code, role)))
    assert resp.status_code == 200
    expected = (
        SUBORDINATES.get(agency_code, []) if role in ("supervisor", "leader", "admin") else []
    )
    assert [a["code"] for a in resp.json()] == expected


def test_district_supervisor_sees_thach_khoan_not_lam_thao(world: World, client: Client) -> None:
    resp = client.get(
        "/api/v1/agencies/subordinates", headers=bearer(world.who("H25.38", "supervisor"))
    )
    assert resp.json() == [
        {
            "code": "H25.38.21",
            "name": "UBND xã Thạch Khoán",
            "unit_code": "08587",
            "unit_name": "Xã Thạch Khoán",
            "parent_code": "H25.38",
            "staff_count": 5,
        }
    ]


def test_subordinates_need_a_token(db, client: Client) -> None:
    resp = client.get("/api/v1/agencies/subordinates")
    assert (resp.status_code, resp.json()) == (401, UNAUTHORIZED)


# --- /staff ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("agency_code", "role"), EVERYONE)
def test_staff_list_for_every_role(
    world: World, client: Client, agency_code: str, role: str
) -> None:
    resp = client.get("/api/v1/staff", headers=bearer(world.who(agency_code, role)))
    assert resp.status_code == 200
    if role != "admin":
        assert resp.json() == []
        return
    assert [s["username"] for s in resp.json()] == sorted(
        username_for(agency_code, r) for r in TREE_ROLES[agency_code]
    )
    assert {s["agency_code"] for s in resp.json()} == {agency_code}


def test_staff_list_shape(world: World, client: Client, django_assert_num_queries) -> None:
    headers = bearer(world.who(TK, "admin"))
    with django_assert_num_queries(4):
        resp = client.get("/api/v1/staff", headers=headers)
    assert resp.json()[0] == {
        "username": "h25-38-21.admin",
        "full_name": "Cán bộ admin H25.38.21",
        "title": "",
        "agency_code": TK,
        "is_active": True,
        "roles": ["admin"],
    }
    for n in range(10):
        factories.staff(agency_obj=world.agencies[TK], username=f"them{n}")
    with django_assert_num_queries(4):
        assert len(client.get("/api/v1/staff", headers=headers).json()) == 15


@pytest.mark.parametrize(
    ("admin_agency", "target"),
    [
        (TK, (LT, "reception")),
        (TK, ("H25.38", "admin")),
        ("H25.38", (TK, "admin")),
        (TK, ("nowhere", "nobody")),
    ],
)
def test_staff_get_outside_is_404(
    world: World, client: Client, admin_agency: str, target: tuple[str, str]
) -> None:
    resp = client.get(
        f"/api/v1/staff/{username_for(*target)}", headers=bearer(world.who(admin_agency, "admin"))
    )
    assert (resp.status_code, resp.json()) == (
        404,
        {"code": "not_found", "message": "Không tìm thấy cán bộ.", "fields": {}},
    )


def test_staff_get_own(world: World, client: Client) -> None:
    resp = client.get("/api/v1/staff/h25-38-21.clerk", headers=bearer(world.who(TK, "admin")))
    assert resp.json() == {
        "username": "h25-38-21.clerk",
        "full_name": "Cán bộ clerk H25.38.21",
        "title": "",
        "agency_code": TK,
        "is_active": True,
        "roles": ["clerk"],
    }


NEW = {
    "username": "ThachKhoan.DiaChinh",
    "full_name": "Xa Văn Lực",
    "password": "Rung-co-thu-2026",
    "roles": ["specialist", "reception"],
    "field": "đất đai",
}


def test_staff_create_by_admin(world: World, client: Client) -> None:
    admin = world.who(TK, "admin")
    headers = bearer(admin)
    before = db_state()["audit"]
    resp = client.post("/api/v1/staff", NEW, content_type="application/json", headers=headers)
    assert resp.status_code == 201
    assert resp.json() == {
        "username": "thachkhoan.diachinh",
        "full_name": "Xa Văn Lực",
        "title": "",
        "agency_code": TK,
        "is_active": True,
        "roles": ["reception", "specialist"],
    }
    staff = Staff.objects.get(username="thachkhoan.diachinh")
    assert list(staff.roles.values_list("role", "field")) == [
        ("reception", ""),
        ("specialist", "đất đai"),
    ]
    [entry] = new_audit_entries(before)
    assert (
        entry.action,
        entry.actor_username,
        entry.agency_code,
        entry.channel,
        entry.client_address,
    ) == ("staff.create", admin.username, TK, "api", "127.0.0.1")


@pytest.mark.parametrize(("agency_code", "role"), [(c, r) for c, r in EVERYONE if r != "admin"])
def test_staff_create_404_for_non_admins(
    world: World, client: Client, agency_code: str, role: str
) -> None:
    headers = bearer(world.who(agency_code, role))
    before = db_state()
    resp = client.post("/api/v1/staff", NEW, content_type="application/json", headers=headers)
    assert (resp.status_code, resp.json()) == (404, NOT_FOUND)
    assert db_state() == before


@pytest.mark.parametrize(
    ("changes", "status", "body"),
    [
        (
            {"username": "h25-37-01.admin"},
            409,
            {
                "code": "username_taken",
                "message": "Tên đăng nhập đã được dùng.",
                "fields": {"username": ["Tên đăng nhập đã được dùng."]},
            },
        ),
        (
            {"roles": ["boss"]},
            400,
            {
                "code": "invalid_roles",
                "message": "Vai trò không hợp lệ: boss.",
                "fields": {"roles": ["Vai trò không hợp lệ: boss."]},
            },
        ),
        (
            {"password": "abc"},
            400,
            {
                "code": "invalid_input",
                "message": "Mật khẩu quá ngắn: cần ít nhất 8 ký tự. Mật khẩu này quá phổ biến.",
                "fields": {
                    "password": [
                        "Mật khẩu quá ngắn: cần ít nhất 8 ký tự.",
                        "Mật khẩu này quá phổ biến.",
                    ]
                },
            },
        ),
        (
            {"roles": []},
            422,
            {
                "code": "validation_error",
                "message": "Dữ liệu gửi lên không hợp lệ.",
                "fields": {"roles": ["Cần ít nhất 1 phần tử."]},
            },
        ),
        (
            {"username": "có dấu", "full_name": "X"},
            422,
            {
                "code": "validation_error",
                "message": "Dữ liệu gửi lên không hợp lệ.",
                "fields": {"username": ["Sai định dạng."], "full_name": ["Quá ngắn."]},
            },
        ),
    ],
)
def test_staff_create_errors(
    world: World, client: Client, changes: dict[str, object], status: int, body: dict[str, object]
) -> None:
    headers = bearer(world.who(TK, "admin"))
    before = db_state()
    resp = client.post(
        "/api/v1/staff", {**NEW, **changes}, content_type="application/json", headers=headers
    )
    assert (resp.status_code, resp.json()) == (status, body)
    assert db_state() == before


def test_staff_create_needs_a_token(world: World, client: Client) -> None:
    before = db_state()
    resp = client.post("/api/v1/staff", NEW, content_type="application/json")
    assert (resp.status_code, resp.json()) == (401, UNAUTHORIZED)
    assert db_state() == before


def test_units_dissolved_on_is_a_date(world: World, client: Client) -> None:
    [unit] = client.get("/api/v1/units", {"q": "08494"}).json()
    assert date.fromisoformat(unit["dissolved_on"]) == date(2025, 7, 1)
