"""`xaso demo`: the real places, every role in several agencies, idempotent."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from xaso.org.demo import AGENCIES, STAFF
from xaso.org.models import AdministrativeUnit, Agency, Staff, StaffRole

pytestmark = pytest.mark.django_db

PASSWORD = "Demo-Phu-Tho-2026"
ALL_ROLES = {"reception", "specialist", "leader", "clerk", "admin", "supervisor"}


def _demo(password: str = PASSWORD, *, as_json: bool = True) -> str:
    out = StringIO()
    call_command("demo", password=password, json=as_json, stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {
        "units": AdministrativeUnit.objects.count(),
        "agencies": Agency.objects.count(),
        "staff": Staff.objects.count(),
        "roles": StaffRole.objects.count(),
    }


def test_demo_json_is_only_the_account_list() -> None:
    out = _demo()
    rows = json.loads(out)  # the whole output parses: nothing else is printed
    assert out == json.dumps(rows, ensure_ascii=False) + "\n"
    assert all(set(row) == {"username", "agency_code", "roles"} for row in rows)
    assert [row["username"] for row in rows] == [s[0] for s in STAFF]
    assert len(rows) == 24
    assert {r for row in rows for r in row["roles"]} == ALL_ROLES
    by_agency: dict[str, set[str]] = {}
    for row in rows:
        by_agency.setdefault(row["agency_code"], set()).update(row["roles"])
    assert by_agency == {
        "H25": {"supervisor", "admin"},
        "H25.38": {"supervisor", "admin"},
        "H25.38.21": {"reception", "specialist", "leader", "clerk", "admin"},
        "H25.37": {"supervisor"},
        "H25.37.01": {"reception", "specialist", "leader", "clerk", "admin"},
        "H25.54": {"leader", "specialist", "clerk", "admin"},
        "H25.54.01": {"reception", "leader", "admin"},
    }
    # Every printed account exists with exactly those roles in that agency.
    for row in rows:
        staff = Staff.objects.select_related("agency").get(username=row["username"])
        assert (staff.agency.code, staff.role_codes) == (row["agency_code"], row["roles"])
    assert {
        "username": "thachkhoan.hotich",
        "agency_code": "H25.38.21",
        "roles": ["specialist"],
    } in rows
    assert {
        "username": "ttpvhcc.giamdoc",
        "agency_code": "H25.54.01",
        "roles": ["leader", "reception"],
    } in rows


def test_demo_places() -> None:
    _demo()
    agencies = {a.code: a for a in Agency.objects.select_related("unit", "parent")}
    assert sorted(agencies) == sorted(a[0] for a in AGENCIES)
    tk = agencies["H25.38.21"]
    assert (tk.name, tk.unit.code, tk.unit.name, str(tk.unit.dissolved_on), tk.parent.code) == (
        "UBND xã Thạch Khoán",
        "08587",
        "Xã Thạch Khoán",
        "2025-07-01",
        "H25.38",
    )
    assert [s.code for s in tk.unit.successors.all()] == ["08542"]
    ts = agencies["H25.54"]
    assert (ts.unit.code, ts.unit.name, ts.unit.dissolved_on, ts.parent.code) == (
        "08542",
        "Xã Thanh Sơn",
        None,
        "H25",
    )
    assert (agencies["H25.38"].unit.code, agencies["H25.38"].unit.level.code) == ("238", "district")
    assert (agencies["H25.37"].unit.name, agencies["H25"].unit.name) == (
        "Huyện Lâm Thao",
        "Tỉnh Phú Thọ",
    )
    assert agencies["H25.54.01"].kind == "service_centre"
    assert (
        AdministrativeUnit.objects.filter(level__code="commune", dissolved_on__isnull=True).count()
        == 3321
    )
    specialist = Staff.objects.get(username="thachkhoan.hotich")
    assert list(specialist.roles.values_list("role", "field")) == [
        ("specialist", "tư pháp - hộ tịch")
    ]


def test_demo_twice_changes_no_counts_and_keeps_the_json() -> None:
    first = _demo()
    counts = _counts()
    assert counts == {"units": 3356 + 37, "agencies": 7, "staff": 24, "roles": 25}
    second = _demo()
    assert second == first
    assert _counts() == counts


def test_demo_again_with_another_password_changes_only_passwords() -> None:
    _demo()
    counts = _counts()
    _demo("Mat-khau-moi-2027")
    assert _counts() == counts
    staff = Staff.objects.get(username="thachkhoan.tiepnhan")
    assert (staff.check_password("Mat-khau-moi-2027"), staff.check_password(PASSWORD)) == (
        True,
        False,
    )


def test_every_printed_account_logs_in() -> None:
    rows = json.loads(_demo())
    for row in rows:
        client = Client()
        resp = client.post("/login/", {"username": row["username"], "password": PASSWORD})
        assert (resp.status_code, resp["Location"]) == (302, "/"), row["username"]
        home = client.get("/")
        assert home.status_code == 200
        assert home.context["user"].username == row["username"]
        wrong = Client().post("/login/", {"username": row["username"], "password": "sai-mat-khau"})
        assert wrong.status_code == 400


def test_demo_table_without_json() -> None:
    out = _demo(as_json=False)
    lines = out.splitlines()
    assert lines[0] == "Tài khoản minh họa (mật khẩu chung như đã nhập):"
    assert lines[1].split() == [
        "Tên",
        "đăng",
        "nhập",
        "Mã",
        "cơ",
        "quan",
        "Vai",
        "trò",
        "/",
        "Cơ",
        "quan",
        "/",
        "Họ",
        "tên",
    ]
    assert len(lines) == 2 + 24
    assert lines[2].split() == [
        "phutho.giamsat",
        "H25",
        "supervisor",
        "/",
        "UBND",
        "tỉnh",
        "Phú",
        "Thọ",
        "/",
        "Hoàng",
        "Văn",
        "Thắng",
    ]
    assert PASSWORD not in out
