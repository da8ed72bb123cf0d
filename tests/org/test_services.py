"""Org services: who may write, what a refused call leaves (nothing), what a write audits."""

from __future__ import annotations

from datetime import date, time

import pytest

from tests import factories
from tests.org.world import World, db_state, new_audit_entries
from xaso.accounts.models import ApiToken
from xaso.accounts.services import _hash
from xaso.core.audit import audit_verify
from xaso.core.errors import InvalidInput, PermissionDenied
from xaso.core.models import AuditEntry
from xaso.org import services
from xaso.org.models import AdministrativeUnit, Agency, Staff, StaffRole

DENIED = "Bạn không có quyền thực hiện thao tác này."
TK = "H25.38.21"  # UBND xã Thạch Khoán
LT = "H25.37.01"  # UBND thị trấn Lâm Thao

# Everyone but Thạch Khoán's own administrator: its other roles, the administrators of a sister
# commune, of its district and of its province, and the supervisors above it.
REFUSED_FOR_TK = [
    (TK, "reception"),
    (TK, "specialist"),
    (TK, "leader"),
    (TK, "clerk"),
    (LT, "admin"),
    ("H25.38", "admin"),
    ("H25", "admin"),
    ("H25.38", "supervisor"),
    ("H25", "supervisor"),
]


def _roles_of(staff: Staff) -> list[tuple[str, str]]:
    return list(StaffRole.objects.filter(staff=staff).order_by("role").values_list("role", "field"))


def _assert_denied(exc_info: pytest.ExceptionInfo[PermissionDenied]) -> None:
    err = exc_info.value
    assert (err.code, err.status, err.message, err.fields) == ("permission_denied", 403, DENIED, {})


def _assert_entry(
    entry: AuditEntry, *, actor: Staff | None, action: str, obj: object, changes: dict[str, object]
) -> None:
    assert entry.action == action
    assert entry.actor_id == (actor.pk if actor else None)
    assert entry.actor_username == (actor.username if actor else "")
    assert entry.agency_code == (actor.agency.code if actor else "")
    assert entry.object_type == obj._meta.label_lower  # type: ignore[attr-defined]
    assert entry.object_id == str(getattr(obj, "public_id", None) or obj.pk)  # type: ignore[attr-defined]
    assert entry.object_repr == str(obj)
    assert entry.channel == "cli"
    assert entry.changes == changes


# --- staff_create ---------------------------------------------------------------------------


def _create(world: World, actor: Staff | None, **overrides: object) -> Staff:
    kwargs: dict[str, object] = {
        "actor": actor,
        "agency": world.agencies[TK],
        "username": "  ThachKhoan.HoTich2 ",
        "full_name": "Đặng Văn Đức",  # decomposed: must be stored NFC
        "password": "Rung-co-thu-2026",
        "roles": [("specialist", " tư pháp - hộ tịch "), ("reception", "")],
        "title": " Công chức Tư pháp - Hộ tịch ",
        "phone": " 0210 3873 123 ",
        "email": " duc@thachkhoan.example.vn ",
    }
    kwargs.update(overrides)
    return services.staff_create(**kwargs)  # type: ignore[arg-type]


def test_staff_create_by_own_admin(world: World) -> None:
    admin = world.who(TK, "admin")
    before = AuditEntry.objects.count()
    staff = _create(world, admin)
    staff.refresh_from_db()
    assert staff.username == "thachkhoan.hotich2"
    assert staff.full_name == "Đặng Văn Đức"
    assert staff.full_name.encode() == "Đặng Văn Đức".encode()  # NFC bytes
    assert staff.title == "Công chức Tư pháp - Hộ tịch"
    assert staff.phone == "0210 3873 123"
    assert staff.email == "duc@thachkhoan.example.vn"
    assert staff.agency_id == world.agencies[TK].pk
    assert staff.is_active is True
    assert staff.check_password("Rung-co-thu-2026") is True
    assert _roles_of(staff) == [("reception", ""), ("specialist", "tư pháp - hộ tịch")]
    [entry] = new_audit_entries(before)
    _assert_entry(
        entry,
        actor=admin,
        action="staff.create",
        obj=staff,
        changes={
            "email": [None, "duc@thachkhoan.example.vn"],
            "full_name": [None, "Đặng Văn Đức"],
            "is_active": [None, True],
            "phone": [None, "0210 3873 123"],
            "roles": [None, ["reception", "specialist:tư pháp - hộ tịch"]],
            "title": [None, "Công chức Tư pháp - Hộ tịch"],
        },
    )
    assert "Rung-co-thu-2026" not in str(entry.changes)
    assert audit_verify().ok is True


def test_staff_create_from_the_command_line(world: World) -> None:
    before = AuditEntry.objects.count()
    staff = _create(world, None, password="1", check_strength=False, roles=[("admin", "")])
    assert staff.check_password("1") is True
    [entry] = new_audit_entries(before)
    assert (entry.action, entry.actor_id, entry.actor_username, entry.agency_code) == (
        "staff.create",
        None,
        "",
        "",
    )


@pytest.mark.parametrize(("agency_code", "role"), REFUSED_FOR_TK)
def test_staff_create_refused(world: World, agency_code: str, role: str) -> None:
    before = db_state()
    with pytest.raises(PermissionDenied) as exc_info:
        _create(world, world.who(agency_code, role))
    _assert_denied(exc_info)
    assert db_state() == before


def test_staff_create_refused_for_an_inactive_admin(world: World) -> None:
    admin = world.who(TK, "admin")
    Staff.objects.filter(pk=admin.pk).update(is_active=False)
    admin.refresh_from_db()
    before = db_state()
    with pytest.raises(PermissionDenied) as exc_info:
        _create(world, admin)
    _assert_denied(exc_info)
    assert db_state() == before


def test_staff_create_refused_in_another_agency_even_with_own_admin_role(world: World) -> None:
    before = db_state()
    with pytest.raises(PermissionDenied) as exc_info:
        _create(world, world.who(TK, "admin"), agency=world.agencies[LT])
    _assert_denied(exc_info)
    assert db_state() == before


@pytest.mark.parametrize("taken", ["h25-38-21.reception", "  H25-38-21.Reception "])
def test_staff_create_username_taken(world: World, taken: str) -> None:
    before = db_state()
    with pytest.raises(services.UsernameTaken) as exc_info:
        _create(world, world.who(TK, "admin"), username=taken)
    err = exc_info.value
    assert (err.code, err.status, err.message) == (
        "username_taken",
        409,
        "Tên đăng nhập đã được dùng.",
    )
    assert err.fields == {"username": ["Tên đăng nhập đã được dùng."]}
    assert db_state() == before


def test_staff_create_username_taken_across_agencies(world: World) -> None:
    """Usernames are global: Lâm Thao's admin cannot reuse a Thạch Khoán login."""
    before = db_state()
    with pytest.raises(services.UsernameTaken):
        _create(
            world, world.who(LT, "admin"), agency=world.agencies[LT], username="h25-38-21.admin"
        )
    assert db_state() == before


@pytest.mark.parametrize(
    ("roles", "message"),
    [
        ([("boss", "")], "Vai trò không hợp lệ: boss."),
        ([("reception", ""), ("root", ""), ("boss", "")], "Vai trò không hợp lệ: boss, root."),
        ([("Admin", "")], "Vai trò không hợp lệ: Admin."),
        ([], "Cán bộ cần ít nhất một vai trò."),
    ],
)
def test_staff_create_bad_roles(world: World, roles: list[tuple[str, str]], message: str) -> None:
    before = db_state()
    with pytest.raises(services.InvalidRoles) as exc_info:
        _create(world, world.who(TK, "admin"), roles=roles)
    err = exc_info.value
    assert (err.code, err.status, err.message, err.fields) == (
        "invalid_roles",
        400,
        message,
        {"roles": [message]},
    )
    assert db_state() == before


@pytest.mark.parametrize(
    ("password", "messages"),
    [
        ("abc", ["Mật khẩu quá ngắn: cần ít nhất 8 ký tự.", "Mật khẩu này quá phổ biến."]),
        ("12345678", ["Mật khẩu này quá phổ biến.", "Mật khẩu này hoàn toàn là số."]),
        ("password", ["Mật khẩu này quá phổ biến."]),
        ("20262027", ["Mật khẩu này hoàn toàn là số."]),
        ("Ab-1234", ["Mật khẩu quá ngắn: cần ít nhất 8 ký tự."]),
    ],
)
def test_staff_create_weak_password(world: World, password: str, messages: list[str]) -> None:
    before = db_state()
    with pytest.raises(InvalidInput) as exc_info:
        _create(world, world.who(TK, "admin"), password=password)
    err = exc_info.value
    assert (err.code, err.status) == ("invalid_input", 400)
    assert err.message == " ".join(messages)
    assert err.fields == {"password": messages}
    assert db_state() == before


def test_staff_create_same_role_twice_is_one_role(world: World) -> None:
    staff = _create(world, world.who(TK, "admin"), roles=[("clerk", ""), ("clerk", " ")])
    assert _roles_of(staff) == [("clerk", "")]


# --- staff_update ---------------------------------------------------------------------------


def _update(actor: Staff, target: Staff, **overrides: object) -> Staff:
    kwargs: dict[str, object] = {
        "actor": actor,
        "staff": target,
        "full_name": target.full_name,
        "title": target.title,
        "phone": target.phone,
        "email": target.email,
        "is_active": target.is_active,
        "roles": [(r.role, r.field) for r in target.roles.all()],
    }
    kwargs.update(overrides)
    return services.staff_update(**kwargs)  # type: ignore[arg-type]


def test_staff_update_by_own_admin(world: World) -> None:
    admin = world.who(TK, "admin")
    target = world.who(TK, "reception")
    before = AuditEntry.objects.count()
    updated = _update(
        admin,
        target,
        full_name=" Nguyễn Thị  Hằng ",
        title="Công chức Văn phòng - Thống kê",
        phone="0912345678",
        roles=[("reception", ""), ("specialist", "chứng thực")],
    )
    assert updated.pk == target.pk
    assert updated.full_name == "Nguyễn Thị  Hằng"
    assert updated.role_codes == ["reception", "specialist"]
    assert _roles_of(target) == [("reception", ""), ("specialist", "chứng thực")]
    [entry] = new_audit_entries(before)
    _assert_entry(
        entry,
        actor=admin,
        action="staff.update",
        obj=updated,
        changes={
            "full_name": ["Cán bộ reception H25.38.21", "Nguyễn Thị  Hằng"],
            "phone": ["", "0912345678"],
            "roles": [["reception"], ["reception", "specialist:chứng thực"]],
            "title": ["", "Công chức Văn phòng - Thống kê"],
        },
    )


def test_staff_update_drops_a_role_and_changes_a_field(world: World) -> None:
    admin = world.who(TK, "admin")
    target = world.who(TK, "specialist")
    _update(admin, target, roles=[("specialist", "hộ tịch"), ("clerk", "")])
    target = Staff.objects.get(pk=target.pk)
    before = AuditEntry.objects.count()
    updated = _update(admin, target, roles=[("specialist", "đất đai")])
    assert _roles_of(updated) == [("specialist", "đất đai")]
    [entry] = new_audit_entries(before)
    assert entry.changes == {"roles": [["clerk", "specialist:hộ tịch"], ["specialist:đất đai"]]}


def test_staff_update_lock_revokes_api_tokens(world: World) -> None:
    admin = world.who(TK, "admin")
    target = world.who(TK, "clerk")
    other = world.who(TK, "leader")
    from django.utils import timezone

    ApiToken.objects.create(key_hash=_hash("a"), staff=target, expires_at=timezone.now())
    ApiToken.objects.create(key_hash=_hash("b"), staff=other, expires_at=timezone.now())
    before = AuditEntry.objects.count()
    updated = _update(admin, target, is_active=False)
    assert Staff.objects.get(pk=target.pk).is_active is False
    assert updated.is_active is False
    assert list(ApiToken.objects.values_list("staff_id", flat=True)) == [other.pk]
    [entry] = new_audit_entries(before)
    assert (entry.action, entry.changes) == ("staff.update", {"is_active": [True, False]})


def test_staff_update_without_change_is_still_one_entry(world: World) -> None:
    before = AuditEntry.objects.count()
    _update(world.who(TK, "admin"), world.who(TK, "leader"))
    [entry] = new_audit_entries(before)
    assert (entry.action, entry.changes) == ("staff.update", {})


@pytest.mark.parametrize(("agency_code", "role"), REFUSED_FOR_TK)
def test_staff_update_refused(world: World, agency_code: str, role: str) -> None:
    before = db_state()
    with pytest.raises(PermissionDenied) as exc_info:
        _update(
            world.who(agency_code, role),
            world.who(TK, "reception"),
            full_name="Kẻ Lạ",
            is_active=False,
            roles=[("admin", "")],
        )
    _assert_denied(exc_info)
    assert db_state() == before


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"is_active": False}, ["is_active"]),
        ({"roles": [("leader", "")]}, ["roles"]),
        ({"roles": [("admin", "x")]}, []),
        ({"is_active": False, "roles": [("reception", "")]}, ["is_active", "roles"]),
    ],
    ids=["lock", "drop-admin", "admin-only-with-field", "both"],
)
def test_staff_update_admin_cannot_lock_themselves_out(
    world: World, overrides: dict[str, object], fields: list[str]
) -> None:
    admin = world.who(TK, "admin")
    before = db_state()
    if overrides.get("roles") == [("admin", "x")]:
        # Keeping the admin role under another field still keeps a way in: allowed.
        updated = _update(admin, admin, **overrides)
        assert _roles_of(updated) == [("admin", "x")]
        return
    with pytest.raises(InvalidInput) as exc_info:
        _update(admin, admin, **overrides)
    err = exc_info.value
    message = "Không thể tự khóa tài khoản hoặc bỏ vai trò quản trị của chính mình."
    assert (err.code, err.message, err.fields) == (
        "invalid_input",
        message,
        {f: [message] for f in fields},
    )
    assert db_state() == before


def test_staff_update_admin_may_lock_another_admin(world: World) -> None:
    second = factories.staff(agency_obj=world.agencies[TK], roles=("admin",), username="qt2")
    updated = _update(world.who(TK, "admin"), second, is_active=False)
    assert updated.is_active is False


def test_staff_update_bad_roles_change_nothing(world: World) -> None:
    before = db_state()
    with pytest.raises(services.InvalidRoles):
        _update(world.who(TK, "admin"), world.who(TK, "clerk"), roles=[("chief", "")])
    assert db_state() == before


# --- staff_reset_password -------------------------------------------------------------------


def test_staff_reset_password_by_own_admin(world: World) -> None:
    from django.utils import timezone

    admin = world.who(TK, "admin")
    target = world.who(TK, "leader")
    ApiToken.objects.create(key_hash=_hash("t"), staff=target, expires_at=timezone.now())
    before = AuditEntry.objects.count()
    services.staff_reset_password(actor=admin, staff=target, password="Moi-thang-7-2025")
    target.refresh_from_db()
    assert target.check_password("Moi-thang-7-2025") is True
    assert target.check_password(factories.PASSWORD) is False
    assert ApiToken.objects.filter(staff=target).count() == 0
    [entry] = new_audit_entries(before)
    _assert_entry(entry, actor=admin, action="staff.password_reset", obj=target, changes={})


@pytest.mark.parametrize(("agency_code", "role"), REFUSED_FOR_TK)
def test_staff_reset_password_refused(world: World, agency_code: str, role: str) -> None:
    before = db_state()
    with pytest.raises(PermissionDenied) as exc_info:
        services.staff_reset_password(
            actor=world.who(agency_code, role),
            staff=world.who(TK, "leader"),
            password="Moi-thang-7-2025",
        )
    _assert_denied(exc_info)
    assert db_state() == before


def test_staff_reset_password_weak(world: World) -> None:
    before = db_state()
    with pytest.raises(InvalidInput) as exc_info:
        services.staff_reset_password(
            actor=world.who(TK, "admin"), staff=world.who(TK, "leader"), password="1234567"
        )
    assert exc_info.value.fields == {
        "password": [
            "Mật khẩu quá ngắn: cần ít nhất 8 ký tự.",
            "Mật khẩu này quá phổ biến.",
            "Mật khẩu này hoàn toàn là số.",
        ]
    }
    assert db_state() == before


# --- agency_update_office_hours -------------------------------------------------------------

HOURS = {
    "morning_start": time(7, 0),
    "morning_end": time(11, 0),
    "afternoon_start": time(13, 30),
    "afternoon_end": time(17, 0),
    "same_day_cutoff": time(15, 30),
}


def test_office_hours_by_own_admin(world: World) -> None:
    admin = world.who(TK, "admin")
    agency = world.agencies[TK]
    before = AuditEntry.objects.count()
    services.agency_update_office_hours(actor=admin, agency=agency, **HOURS)
    agency = Agency.objects.get(pk=agency.pk)
    assert (
        agency.morning_start,
        agency.morning_end,
        agency.afternoon_start,
        agency.afternoon_end,
        agency.same_day_cutoff,
    ) == tuple(HOURS.values())
    [entry] = new_audit_entries(before)
    _assert_entry(
        entry,
        actor=admin,
        action="agency.update",
        obj=agency,
        changes={
            "afternoon_start": ["13:00:00", "13:30:00"],
            "morning_end": ["11:30:00", "11:00:00"],
            "morning_start": ["07:30:00", "07:00:00"],
            "same_day_cutoff": ["15:00:00", "15:30:00"],
        },
    )
    assert entry.object_id == str(agency.pk)
    other = Agency.objects.get(code=LT)
    assert (other.morning_start, other.afternoon_end) == (time(7, 30), time(17, 0))


@pytest.mark.parametrize(("agency_code", "role"), REFUSED_FOR_TK)
def test_office_hours_refused(world: World, agency_code: str, role: str) -> None:
    before = db_state()
    with pytest.raises(PermissionDenied) as exc_info:
        services.agency_update_office_hours(
            actor=world.who(agency_code, role), agency=world.agencies[TK], **HOURS
        )
    _assert_denied(exc_info)
    assert db_state() == before


ORDER = (
    "Giờ làm việc phải theo thứ tự: sáng bắt đầu < sáng kết thúc ≤ chiều bắt đầu < chiều kết thúc."
)
CUTOFF = "Giờ chốt nhận hồ sơ trong ngày phải nằm trong giờ làm việc."


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"morning_end": time(7, 0)}, ORDER),
        ({"morning_end": time(13, 31)}, ORDER),
        ({"afternoon_end": time(13, 30)}, ORDER),
        ({"morning_start": time(12, 0)}, ORDER),
        ({"same_day_cutoff": time(6, 59)}, CUTOFF),
        ({"same_day_cutoff": time(17, 1)}, CUTOFF),
    ],
)
def test_office_hours_invalid(world: World, changes: dict[str, time], message: str) -> None:
    before = db_state()
    with pytest.raises(services.OfficeHoursInvalid) as exc_info:
        services.agency_update_office_hours(
            actor=world.who(TK, "admin"), agency=world.agencies[TK], **{**HOURS, **changes}
        )
    assert (exc_info.value.code, exc_info.value.status, exc_info.value.message) == (
        "office_hours_invalid",
        400,
        message,
    )
    assert db_state() == before


def test_office_hours_edges_allowed(world: World) -> None:
    """A lunch break of zero minutes and a cut-off at the very close are legal."""
    agency = services.agency_update_office_hours(
        actor=world.who(TK, "admin"),
        agency=world.agencies[TK],
        morning_start=time(7, 0),
        morning_end=time(12, 0),
        afternoon_start=time(12, 0),
        afternoon_end=time(16, 0),
        same_day_cutoff=time(16, 0),
    )
    assert (agency.morning_end, agency.afternoon_start, agency.same_day_cutoff) == (
        time(12, 0),
        time(12, 0),
        time(16, 0),
    )


# --- unit_merge -----------------------------------------------------------------------------


@pytest.fixture
def merger(world: World) -> dict[str, AdministrativeUnit]:
    """Two communes in force under province 25 (as before 1 July 2025) and the new unit."""
    province = world.units["25"]
    return {
        "a": factories.unit(name="Xã Sơn Hùng", code="98563", parent=province),
        "b": factories.unit(name="Xã Giáp Lai", code="98575", parent=province),
        "new": factories.unit(name="Xã Thanh Sơn Mới", code="98542", parent=province),
    }


BASIS = "Nghị quyết 1676/NQ-UBTVQH15 ngày 16/6/2025"


def test_unit_merge_by_province_admin(world: World, merger: dict[str, AdministrativeUnit]) -> None:
    admin = world.who("H25", "admin")
    before = AuditEntry.objects.count()
    services.unit_merge(
        actor=admin,
        old_units=[merger["a"], merger["b"], merger["new"]],
        successor=merger["new"],
        effective_on=date(2025, 7, 1),
        legal_basis=BASIS,
    )
    for key in ("a", "b"):
        unit = AdministrativeUnit.objects.get(pk=merger[key].pk)
        assert (unit.dissolved_on, unit.legal_basis) == (date(2025, 7, 1), BASIS)
        assert [s.code for s in unit.successors.all()] == ["98542"]
    new = AdministrativeUnit.objects.get(pk=merger["new"].pk)
    assert (new.dissolved_on, new.legal_basis) == (None, "")
    assert sorted(p.code for p in new.predecessors.all()) == ["98563", "98575"]
    entries = new_audit_entries(before)
    assert len(entries) == 2
    for entry, key in zip(entries, ("a", "b"), strict=True):
        _assert_entry(
            entry,
            actor=admin,
            action="unit.dissolve",
            obj=merger[key],
            changes={
                "dissolved_on": [None, "2025-07-01"],
                "legal_basis": ["", BASIS],
                "successor": "98542",
            },
        )


def test_unit_merge_by_district_admin_inside_the_district(world: World) -> None:
    district = world.units["238"]
    district.dissolved_on = None
    district.save()
    a = factories.unit(code="98001", parent=district)
    b = factories.unit(code="98002", parent=district)
    services.unit_merge(
        actor=world.who("H25.38", "admin"),
        old_units=[a],
        successor=b,
        effective_on=date(2025, 7, 1),
        legal_basis="",
    )
    a.refresh_from_db()
    assert (a.dissolved_on, a.legal_basis) == (date(2025, 7, 1), "")


@pytest.mark.parametrize(
    ("agency_code", "role"),
    [
        ("H25", "supervisor"),
        (TK, "leader"),
        (TK, "reception"),
        (TK, "clerk"),
        (TK, "specialist"),
        ("H25.38", "supervisor"),
        # administrators of agencies whose territory does not hold the units
        (TK, "admin"),
        (LT, "admin"),
        ("H25.38", "admin"),
        ("H25.37", "admin"),
    ],
)
def test_unit_merge_refused(
    world: World, merger: dict[str, AdministrativeUnit], agency_code: str, role: str
) -> None:
    before = db_state()
    with pytest.raises(PermissionDenied) as exc_info:
        services.unit_merge(
            actor=world.who(agency_code, role),
            old_units=[merger["a"]],
            successor=merger["new"],
            effective_on=date(2025, 7, 1),
            legal_basis=BASIS,
        )
    _assert_denied(exc_info)
    assert db_state() == before


def test_unit_merge_refused_when_the_successor_is_outside(
    world: World, merger: dict[str, AdministrativeUnit]
) -> None:
    elsewhere = factories.unit(
        name="Xã Ở Tỉnh Khác", code="97000", parent=factories.unit(code="26", level_code="province")
    )
    before = db_state()
    with pytest.raises(PermissionDenied):
        services.unit_merge(
            actor=world.who("H25", "admin"),
            old_units=[merger["a"]],
            successor=elsewhere,
            effective_on=date(2025, 7, 1),
            legal_basis="",
        )
    assert db_state() == before


@pytest.mark.parametrize(
    ("case", "field", "message"),
    [
        ("nothing", "old_units", "Cần ít nhất một đơn vị bị sáp nhập khác đơn vị kế thừa."),
        (
            "dissolved_successor",
            "successor",
            "Đơn vị kế thừa Xã Thanh Sơn Mới (98542) đã chấm dứt hoạt động.",
        ),
        (
            "dissolved_old",
            "old_units",
            "Đơn vị đã chấm dứt hoạt động trước đó: Xã Giáp Lai (98575).",
        ),
        (
            "before_established",
            "effective_on",
            "Ngày sáp nhập phải sau ngày thành lập của: Xã Sơn Hùng (98563).",
        ),
    ],
)
def test_unit_merge_invalid(
    world: World, merger: dict[str, AdministrativeUnit], case: str, field: str, message: str
) -> None:
    olds = [merger["a"], merger["b"]]
    if case == "nothing":
        olds = [merger["new"]]
    elif case == "dissolved_successor":
        AdministrativeUnit.objects.filter(pk=merger["new"].pk).update(dissolved_on=date(2020, 1, 1))
        merger["new"].refresh_from_db()
    elif case == "dissolved_old":
        AdministrativeUnit.objects.filter(pk=merger["b"].pk).update(dissolved_on=date(2020, 1, 1))
        merger["b"].refresh_from_db()
    else:
        AdministrativeUnit.objects.filter(pk=merger["a"].pk).update(established_on=date(2025, 7, 1))
        merger["a"].refresh_from_db()
    before = db_state()
    with pytest.raises(services.UnitMergeInvalid) as exc_info:
        services.unit_merge(
            actor=world.who("H25", "admin"),
            old_units=olds,
            successor=merger["new"],
            effective_on=date(2025, 7, 1),
            legal_basis=BASIS,
        )
    err = exc_info.value
    assert (err.code, err.status, err.message, err.fields) == (
        "unit_merge_invalid",
        400,
        message,
        {field: [message]},
    )
    assert db_state() == before


def test_unit_merge_from_the_command_line(merger: dict[str, AdministrativeUnit]) -> None:
    before = AuditEntry.objects.count()
    services.unit_merge(
        actor=None,
        old_units=[merger["a"]],
        successor=merger["new"],
        effective_on=date(2025, 7, 1),
        legal_basis=BASIS,
    )
    [entry] = new_audit_entries(before)
    assert (entry.action, entry.actor_id, entry.object_repr) == (
        "unit.dissolve",
        None,
        "Xã Sơn Hùng",
    )
