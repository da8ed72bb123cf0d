"""Org pages for every role: what each sees, what a page outside one's agency does (404, and a
POST to it changes nothing), and the query count of the list pages."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.test import Client

from tests import factories
from tests.org.world import TREE, World, db_state, new_audit_entries, username_for
from xaso.core.models import AuditEntry
from xaso.org.models import AdministrativeUnit, Agency, Staff, StaffRole

TK = "H25.38.21"
LT = "H25.37.01"
EVERYONE = [(code, role) for code, _n, _p, _u, roles in TREE for role in roles]
ADMINS = [(code, role) for code, role in EVERYONE if role == "admin"]
NOT_ADMINS = [(code, role) for code, role in EVERYONE if role != "admin"]

# Agencies whose statistics each supervisor sees on the home page: those below theirs.
SUBORDINATES = {
    "H25": ["H25.37", "H25.37.01", "H25.38", "H25.38.21"],
    "H25.38": ["H25.38.21"],
    "H25.37": ["H25.37.01"],
    TK: [],
    LT: [],
}


def _login(client: Client, staff: Staff) -> Client:
    client.force_login(staff)
    client.get("/")  # the first page stamps the idle clock in the session; later ones do not
    return client


def _text(resp: object) -> str:
    return resp.content.decode()  # type: ignore[attr-defined]


# --- every role: the pages they reach -------------------------------------------------------


@pytest.mark.parametrize(("agency_code", "role"), EVERYONE)
def test_home_for_every_role(world: World, client: Client, agency_code: str, role: str) -> None:
    me = world.who(agency_code, role)
    client.force_login(me)
    resp = client.get("/")
    assert resp.status_code == 200
    html = _text(resp)
    assert f'<span class="who-name">{me.full_name}</span>' in html
    assert f'<span class="who-agency">{world.agencies[agency_code].name}</span>' in html
    assert 'action="/logout/"' in html
    assert f'<li data-role="{role}">' in html
    assert html.count("<li data-role=") == 1
    assert resp.context["agency"].code == agency_code
    if role in ("supervisor", "leader", "admin"):
        assert [a.code for a in resp.context["subordinates"]] == SUBORDINATES[agency_code]
    else:
        assert "subordinates" not in resp.context
        assert "Cơ quan cấp dưới" not in html
    if role == "admin":
        assert resp.context["staff_count"] == len(TREE_ROLES[agency_code])
        assert 'href="/staff/"' in html
    else:
        assert "staff_count" not in resp.context
        assert 'href="/staff/"' not in html


TREE_ROLES = {code: roles for code, _n, _p, _u, roles in TREE}


def test_supervisor_home_shows_statistics_not_people(world: World, client: Client) -> None:
    resp = _login(client, world.who("H25.38", "supervisor")).get("/")
    html = _text(resp)
    [row] = resp.context["subordinates"]
    assert (row.code, row.name, row.staff_count) == (TK, "UBND xã Thạch Khoán", 5)
    assert "<td>H25.38.21</td><td>UBND xã Thạch Khoán</td>" in html
    assert "Lâm Thao" not in html
    for role in TREE_ROLES[TK]:
        assert username_for(TK, role) not in html
        assert f"Cán bộ {role} {TK}" not in html


def test_province_supervisor_sees_the_whole_province(world: World, client: Client) -> None:
    resp = _login(client, world.who("H25", "supervisor")).get("/")
    assert [(a.code, a.staff_count) for a in resp.context["subordinates"]] == [
        ("H25.37", 2),
        ("H25.37.01", 5),
        ("H25.38", 2),
        ("H25.38.21", 5),
    ]


@pytest.mark.parametrize(("agency_code", "role"), EVERYONE)
def test_agency_page_for_every_role(
    world: World, client: Client, agency_code: str, role: str
) -> None:
    client.force_login(world.who(agency_code, role))
    resp = client.get("/agency/")
    assert resp.status_code == 200
    assert resp.context["agency"].code == agency_code
    assert resp.context["can_edit"] is (role == "admin")
    html = _text(resp)
    if role == "admin":
        assert 'name="morning_start"' in html
        assert 'value="07:30"' in html
    else:
        assert 'name="morning_start"' not in html
        assert "Sáng 07:30–11:30" in html


@pytest.mark.parametrize(("agency_code", "role"), EVERYONE)
def test_units_pages_for_every_role(
    world: World, client: Client, agency_code: str, role: str
) -> None:
    client.force_login(world.who(agency_code, role))
    resp = client.get("/units/", {"q": "thach khoan"})
    assert resp.status_code == 200
    assert [u.code for u in resp.context["units"]] == ["08587"]
    detail = client.get(f"/units/{world.units['08587'].public_id}/")
    assert detail.status_code == 200
    assert 'Xã Thạch Khoán <span class="muted">(08587)</span>' in _text(detail)


@pytest.mark.parametrize(("agency_code", "role"), NOT_ADMINS)
def test_no_staff_pages_for_non_admins(
    world: World, client: Client, agency_code: str, role: str
) -> None:
    client.force_login(world.who(agency_code, role))
    own = username_for(agency_code, role)
    for url in ("/staff/", "/staff/new/", f"/staff/{own}/"):
        assert client.get(url).status_code == 404, url
    before = db_state()
    responses = [
        client.post(
            "/staff/new/",
            {
                "username": "moi",
                "full_name": "Người Mới",
                "password": "Rat-kho-doan-2026",
                "roles": ["admin"],
            },
        ),
        client.post(
            f"/staff/{own}/", {"full_name": "Tự Phong", "roles": ["admin"], "is_active": "on"}
        ),
        client.post(f"/staff/{own}/password/", {"password": "Rat-kho-doan-2026"}),
        client.post(
            "/agency/",
            {
                "morning_start": "06:00",
                "morning_end": "11:00",
                "afternoon_start": "13:00",
                "afternoon_end": "17:00",
                "same_day_cutoff": "15:00",
            },
        ),
    ]
    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    assert db_state() == before


# --- agency administrators: their own agency only ------------------------------------------


@pytest.mark.parametrize(("agency_code", "role"), ADMINS)
def test_admin_staff_list_is_their_agency(
    world: World, client: Client, agency_code: str, role: str
) -> None:
    resp = _login(client, world.who(agency_code, role)).get("/staff/")
    assert resp.status_code == 200
    assert [s.username for s in resp.context["staff"]] == sorted(
        username_for(agency_code, r) for r in TREE_ROLES[agency_code]
    )
    html = _text(resp)
    for code, r in EVERYONE:
        assert (f'href="/staff/{username_for(code, r)}/"' in html) is (code == agency_code)


OTHER_AGENCY_TARGETS = [
    (TK, (LT, "reception")),
    (TK, ("H25.38", "supervisor")),  # the district above: still another agency
    ("H25.38", (TK, "reception")),  # a district admin does not manage a commune's staff
    ("H25", ("H25.38", "admin")),
]


@pytest.mark.parametrize(("admin_agency", "target"), OTHER_AGENCY_TARGETS)
def test_admin_cannot_reach_another_agencys_staff(
    world: World, client: Client, admin_agency: str, target: tuple[str, str]
) -> None:
    client.force_login(world.who(admin_agency, "admin"))
    username = username_for(*target)
    assert client.get(f"/staff/{username}/").status_code == 404
    assert client.get("/staff/nobody-here/").status_code == 404
    before = db_state()
    edit = client.post(f"/staff/{username}/", {"full_name": "Bị Sửa", "roles": ["reception"]})
    reset = client.post(f"/staff/{username}/password/", {"password": "Rat-kho-doan-2026"})
    assert (edit.status_code, reset.status_code) == (404, 404)
    assert db_state() == before
    # The forbidden page looks exactly like a missing one.
    missing = client.get("/staff/nobody-here/")
    assert _text(client.get(f"/staff/{username}/")) == _text(missing)


def test_admin_creates_staff_in_own_agency(world: World, client: Client) -> None:
    admin = world.who(TK, "admin")
    client.force_login(admin)
    before = AuditEntry.objects.count()
    resp = client.post(
        "/staff/new/",
        {
            "username": "ThachKhoan.DiaChinh",
            "full_name": "Xa Văn Lực",
            "title": "Địa chính",
            "password": "Rung-co-thu-2026",
            "roles": ["specialist", "reception"],
            "field": "đất đai",
        },
    )
    assert (resp.status_code, resp["Location"]) == (302, "/staff/")
    staff = Staff.objects.get(username="thachkhoan.diachinh")
    assert (staff.agency.code, staff.full_name, staff.title) == (TK, "Xa Văn Lực", "Địa chính")
    assert list(staff.roles.values_list("role", "field")) == [
        ("reception", ""),
        ("specialist", "đất đai"),
    ]
    [entry] = new_audit_entries(before)
    assert (entry.action, entry.actor_username, entry.client_address, entry.channel) == (
        "staff.create",
        admin.username,
        "127.0.0.1",
        "web",
    )
    page = client.get("/staff/")
    assert "Đã tạo tài khoản thachkhoan.diachinh." in _text(page)


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"username": "h25-37-01.admin"}, ["Tên đăng nhập đã được dùng."]),
        ({"password": "12345678"}, ["Mật khẩu này quá phổ biến. Mật khẩu này hoàn toàn là số."]),
        ({"username": "có dấu"}, ["Chỉ dùng chữ không dấu, chữ số và các dấu . _ -"]),
        ({"roles": []}, ["Chọn ít nhất một vai trò."]),
    ],
)
def test_admin_create_staff_errors(
    world: World, client: Client, data: dict[str, object], errors: list[str]
) -> None:
    client.force_login(world.who(TK, "admin"))
    before = db_state()
    form = {
        "username": "moi.canbo",
        "full_name": "Người Mới",
        "password": "Rung-co-thu-2026",
        "roles": ["reception"],
        **data,
    }
    resp = client.post("/staff/new/", form)
    assert resp.status_code == 400
    found = [e for errs in resp.context["form"].errors.values() for e in errs]
    assert found == errors
    assert errors[0] in _text(resp)
    assert db_state() == before


def test_admin_edits_and_locks_a_colleague(world: World, client: Client) -> None:
    client.force_login(world.who(TK, "admin"))
    target = world.who(TK, "clerk")
    form = client.get(f"/staff/{target.username}/")
    assert form.status_code == 200
    assert form.context["form"].initial["roles"] == ["clerk"]
    resp = client.post(
        f"/staff/{target.username}/",
        {
            "full_name": "Hà Thị Mai",
            "title": "Văn thư",
            "roles": ["clerk"],
        },
    )  # is_active unticked: locked
    assert (resp.status_code, resp["Location"]) == (302, "/staff/")
    target.refresh_from_db()
    assert (target.full_name, target.title, target.is_active) == ("Hà Thị Mai", "Văn thư", False)
    assert (
        Client()
        .post("/login/", {"username": target.username, "password": factories.PASSWORD})
        .status_code
        == 400
    )


def test_admin_cannot_lock_themselves_out_on_the_page(world: World, client: Client) -> None:
    admin = world.who(TK, "admin")
    client.force_login(admin)
    before = db_state()
    resp = client.post(
        f"/staff/{admin.username}/", {"full_name": "X", "roles": ["reception"], "is_active": "on"}
    )
    assert resp.status_code == 400
    assert resp.context["form"].errors == {
        "roles": ["Không thể tự khóa tài khoản hoặc bỏ vai trò quản trị của chính mình."]
    }
    assert db_state() == before


def test_admin_resets_a_colleagues_password(world: World, client: Client) -> None:
    client.force_login(world.who(TK, "admin"))
    target = world.who(TK, "leader")
    resp = client.post(f"/staff/{target.username}/password/", {"password": "Moi-thang-7-2025"})
    assert (resp.status_code, resp["Location"]) == (302, "/staff/")
    target.refresh_from_db()
    assert target.check_password("Moi-thang-7-2025") is True
    before = db_state()
    weak = client.post(f"/staff/{target.username}/password/", {"password": "abc"})
    assert weak.status_code == 400
    assert weak.context["reset_form"].errors == {
        "password": ["Mật khẩu quá ngắn: cần ít nhất 8 ký tự. Mật khẩu này quá phổ biến."]
    }
    assert db_state() == before


def test_admin_edits_office_hours(world: World, client: Client) -> None:
    admin = world.who(TK, "admin")
    client.force_login(admin)
    hours = {
        "morning_start": "07:00",
        "morning_end": "11:00",
        "afternoon_start": "13:30",
        "afternoon_end": "17:00",
        "same_day_cutoff": "15:30",
    }
    resp = client.post("/agency/", hours)
    assert (resp.status_code, resp["Location"]) == (302, "/agency/")
    agency = Agency.objects.get(code=TK)
    assert (
        agency.morning_start,
        agency.morning_end,
        agency.afternoon_start,
        agency.afternoon_end,
        agency.same_day_cutoff,
    ) == (time(7, 0), time(11, 0), time(13, 30), time(17, 0), time(15, 30))
    before = db_state()
    bad = client.post("/agency/", {**hours, "same_day_cutoff": "18:00"})
    assert bad.status_code == 400
    assert bad.context["form"].non_field_errors() == [
        "Giờ chốt nhận hồ sơ trong ngày phải nằm trong giờ làm việc."
    ]
    assert db_state() == before
    assert Agency.objects.get(code=LT).morning_start == time(7, 30)


# --- list pages: query counts and keyset pagination -----------------------------------------


def test_staff_list_query_count_does_not_grow(
    world: World, client: Client, django_assert_num_queries
) -> None:
    _login(client, world.who(TK, "admin"))
    # user (with agency, unit, level and roles), staff, their roles; the session is in the cache
    with django_assert_num_queries(3):
        assert client.get("/staff/").status_code == 200
    for n in range(20):
        factories.staff(
            agency_obj=world.agencies[TK], roles=("reception", "clerk"), username=f"them{n:02d}"
        )
    with django_assert_num_queries(3):
        resp = client.get("/staff/")
    assert len(resp.context["staff"]) == 25


def test_home_query_count_does_not_grow(
    world: World, client: Client, django_assert_num_queries
) -> None:
    _login(client, world.who("H25", "supervisor"))
    client.get("/")  # fills the caches: the calendar's official changes, the agency subtree
    # user (with agency, unit, level, roles), the subordinate agencies with their staff counts
    with django_assert_num_queries(2):
        client.get("/")
    for n in range(10):
        factories.agency(code=f"H25.38.{50 + n}", parent=world.agencies["H25.38"])
    client.get("/")  # the tree changed: the subtree is computed again once
    with django_assert_num_queries(2):
        resp = client.get("/")
    assert len(resp.context["subordinates"]) == 14


@pytest.fixture
def communes(db) -> dict[str, object]:
    """49 communes 00001-00049, then two units both coded 08542 (the old dissolved town
    first), then the logged-in officer's own commune (9xxxx): the first page of 50 ends between
    the two 08542."""
    province = factories.unit(name="Tỉnh Phú Thọ", code="25", level_code="province")
    for n in range(1, 50):
        factories.unit(name=f"Xã Số {n}", code=f"{n:05d}", parent=province)
    old = factories.unit(name="Thị trấn Thanh Sơn", code="08542", dissolved_on=date(2025, 7, 1))
    new = factories.unit(name="Xã Thanh Sơn", code="08542", parent=province)
    old.successors.add(new)
    me = factories.staff(roles=("reception",))
    return {"old": old, "new": new, "me": me, "province": province}


def test_units_keyset_pagination(communes: dict[str, object], client: Client) -> None:
    _login(client, communes["me"])  # type: ignore[arg-type]
    first = client.get("/units/", {"level": "commune"})
    units = first.context["units"]
    assert len(units) == 50
    assert [u.code for u in units[:2]] == ["00001", "00002"]
    assert (units[-1].pk, units[-1].dissolved_on) == (communes["old"].pk, date(2025, 7, 1))
    cursor = first.context["next_cursor"]
    assert cursor == f"3:08542:{communes['old'].pk}"
    assert f'href="?level=commune&amp;after=3%3A08542%3A{communes["old"].pk}"' in _text(first)
    assert "Chấm dứt từ 01/07/2025</span> → Xã Thanh Sơn (08542)" in _text(first)
    second = client.get("/units/", {"level": "commune", "after": cursor})
    assert [u.pk for u in second.context["units"]] == [
        communes["new"].pk,
        communes["me"].agency.unit.pk,
    ]  # type: ignore[attr-defined]
    assert second.context["next_cursor"] == ""
    assert "Trang sau" not in _text(second)


@pytest.mark.parametrize("cursor", ["abc", "1:x", "a:b:c", "3:08542"])
def test_units_bad_cursor_is_the_first_page(
    communes: dict[str, object], client: Client, cursor: str
) -> None:
    _login(client, communes["me"])  # type: ignore[arg-type]
    resp = client.get("/units/", {"level": "commune", "after": cursor})
    assert resp.status_code == 200
    assert resp.context["units"][0].code == "00001"


@pytest.mark.parametrize(
    ("params", "codes"),
    [
        ({"q": "THANH SƠN"}, ["08542", "08542"]),
        ({"q": "thanh son", "status": "current"}, ["08542"]),
        ({"q": "thanh son", "status": "dissolved"}, ["08542"]),
        ({"q": "08542"}, ["08542", "08542"]),
        ({"level": "province"}, ["25"]),
        ({"q": "không có"}, []),
    ],
)
def test_units_filters(
    communes: dict[str, object], client: Client, params: dict[str, str], codes: list[str]
) -> None:
    _login(client, communes["me"])  # type: ignore[arg-type]
    resp = client.get("/units/", params)
    assert [u.code for u in resp.context["units"]] == codes
    if not codes:
        assert "Không tìm thấy đơn vị nào." in _text(resp)


def test_units_list_query_count_does_not_grow(
    communes: dict[str, object], client: Client, django_assert_num_queries
) -> None:
    _login(client, communes["me"])  # type: ignore[arg-type]
    with django_assert_num_queries(3):
        few = client.get("/units/", {"q": "thanh son"})
    with django_assert_num_queries(3):
        many = client.get("/units/")
    assert (len(few.context["units"]), len(many.context["units"])) == (2, 50)


def test_unit_detail_history(
    communes: dict[str, object], client: Client, django_assert_num_queries
) -> None:
    _login(client, communes["me"])  # type: ignore[arg-type]
    old, new = communes["old"], communes["new"]
    resp = client.get(f"/units/{old.public_id}/")  # type: ignore[attr-defined]
    html = _text(resp)
    assert f'<li><a href="/units/{new.public_id}/">Xã Thanh Sơn</a> (08542)</li>' in html  # type: ignore[attr-defined]
    assert "<td>01/07/2025</td>" in html
    resp = client.get(f"/units/{new.public_id}/")  # type: ignore[attr-defined]
    assert (
        f'<a href="/units/{old.public_id}/">Thị trấn Thanh Sơn</a> (08542) — chấm dứt 01/07/2025'
        in _text(resp)
    )  # type: ignore[attr-defined]
    province = communes["province"]
    with django_assert_num_queries(6):
        resp = client.get(f"/units/{province.public_id}/")  # type: ignore[attr-defined]
    assert len(resp.context["children"]) == 50


def test_unit_detail_missing_is_404(communes: dict[str, object], client: Client) -> None:
    _login(client, communes["me"])  # type: ignore[arg-type]
    assert client.get("/units/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get("/units/not-a-uuid/").status_code == 404


def test_pages_need_a_login(world: World, client: Client) -> None:
    for url in (
        "/",
        "/staff/",
        "/agency/",
        "/units/",
        f"/units/{world.units['25'].public_id}/",
        "/staff/h25-38-21.admin/",
    ):
        resp = client.get(url)
        assert (resp.status_code, resp["Location"]) == (302, f"/login/?next={url}"), url


def test_roles_table_unchanged_by_pages(world: World, client: Client) -> None:
    """Browsing every page as every role writes nothing but sessions."""
    before = db_state()
    for code, role in EVERYONE:
        c = Client()
        c.force_login(world.who(code, role))
        for url in ("/", "/staff/", "/agency/", "/units/"):
            c.get(url)
    assert db_state() == before
    assert StaffRole.objects.count() == 16
    assert AdministrativeUnit.objects.count() == 5
