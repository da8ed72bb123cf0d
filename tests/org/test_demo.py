"""`xaso demo`: the real places, every role in several agencies, idempotent."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from xaso.civil.models import CivilRecord
from xaso.core.models import AuditEntry
from xaso.org.demo import AGENCIES, STAFF
from xaso.org.models import AdministrativeUnit, Agency, Staff, StaffRole
from xaso.procedures.models import Procedure

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
        "procedures": Procedure.objects.count(),
        "audit": AuditEntry.objects.exclude(action__startswith="civil.")
        .exclude(action__startswith="person.")
        .count(),
        "civil": CivilRecord.objects.count(),
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


def test_demo_loads_the_procedure_catalogue() -> None:
    _demo()
    assert Procedure.objects.count() == 60
    assert Procedure.objects.get(code="1.001193").name == "Thủ tục đăng ký khai sinh"


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
    # audit: the unit loads (2), the catalogue import (1), one entry per account (24) and one
    # per demo signing certificate (7, xaso.signing)
    assert counts == {
        "units": 3356 + 37,
        "agencies": 7,
        "staff": 24,
        "roles": 25,
        "procedures": 60,
        "audit": 49,
        "civil": 3 * 20,  # XASO_DEMO_CIVIL_PER_AGENCY in each of the three demo communes
    }
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


@pytest.mark.parametrize(
    ("username", "subordinates"),
    [
        ("huyenthanhson.giamsat", ["H25.38.21"]),
        ("huyenlamthao.giamsat", ["H25.37.01"]),
        ("phutho.giamsat", ["H25.37", "H25.37.01", "H25.38", "H25.38.21", "H25.54", "H25.54.01"]),
        ("thanhson.quantri", ["H25.54.01"]),
        ("thachkhoan.lanhdao", []),
    ],
)
def test_demo_supervisors_see_the_agencies_below(username: str, subordinates: list[str]) -> None:
    _demo()
    client = Client()
    client.post("/login/", {"username": username, "password": PASSWORD})
    home = client.get("/")
    assert [a.code for a in home.context["subordinates"]] == subordinates
    token = client.post(
        "/api/v1/auth/token",
        {"username": username, "password": PASSWORD},
        content_type="application/json",
    ).json()["token"]
    api = client.get("/api/v1/agencies/subordinates", headers={"Authorization": f"Bearer {token}"})
    assert [a["code"] for a in api.json()] == subordinates
    if username.endswith(".giamsat"):
        assert client.get("/staff/").status_code == 404
        assert client.get("/staff/thachkhoan.tiepnhan/").status_code == 404


def test_xaso_demo_command_line_prints_only_json(tmp_path: Path) -> None:
    """The real console command on a fresh data folder (argon2, SQLite file): stdout is the
    JSON list and nothing else, and a second run prints the same list."""
    xaso = str(Path(sys.executable).parent / "xaso")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "XASO_DATA_DIR": str(tmp_path),
        "XASO_DEMO_CIVIL_PER_AGENCY": "20",
    }

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [xaso, *args], env=env, capture_output=True, text=True, timeout=300, check=False
        )

    assert run("migrate", "-v0").returncode == 0
    first = run("demo", "--password", PASSWORD, "--json")
    assert (first.returncode, first.stderr) == (0, "")
    rows = json.loads(first.stdout)
    assert first.stdout == json.dumps(rows, ensure_ascii=False) + "\n"
    assert [r["username"] for r in rows] == [s[0] for s in STAFF]
    second = run("demo", "--password", PASSWORD, "--json")
    assert (second.returncode, second.stdout) == (0, first.stdout)
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(tmp_path / "xaso.sqlite3")) as db:
        hashes = [h for (h,) in db.execute("SELECT password FROM org_staff")]
    assert len(hashes) == 24
    assert all(h.startswith("argon2$argon2id$") for h in hashes)
