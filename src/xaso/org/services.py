"""Writes on agencies and staff. Each checks permission, runs in one transaction and is audited."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from xaso.core.audit import audit_record, diff
from xaso.core.errors import Conflict, InvalidInput, PermissionDenied
from xaso.core.pagecache import pages_changed
from xaso.core.text import nfc

from . import permissions
from .models import AdministrativeUnit, Agency, Role, Staff, StaffRole
from .selectors import agency_tree_changed


class UsernameTaken(Conflict):
    code = "username_taken"


class InvalidRoles(InvalidInput):
    code = "invalid_roles"


class OfficeHoursInvalid(InvalidInput):
    code = "office_hours_invalid"


def _roles_clean(roles: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    known = {r.value for r in Role}
    cleaned = sorted({(r, nfc(f.strip())) for r, f in roles})
    bad = [r for r, _ in cleaned if r not in known]
    # ``fields`` carries messages for people, like every error the API returns; the stable
    # part is the error's ``code``.
    if bad:
        message = f"Vai trò không hợp lệ: {', '.join(bad)}."
        raise InvalidRoles(message, fields={"roles": [message]})
    if not cleaned:
        message = "Cán bộ cần ít nhất một vai trò."
        raise InvalidRoles(message, fields={"roles": [message]})
    return cleaned


def _validate_password(password: str, staff: Staff | None = None) -> None:
    try:
        validate_password(password, staff)
    except ValidationError as e:
        raise InvalidInput(" ".join(e.messages), fields={"password": list(e.messages)}) from e


def _staff_snapshot(staff: Staff) -> dict[str, object]:
    return {
        "full_name": staff.full_name,
        "title": staff.title,
        "phone": staff.phone,
        "email": staff.email,
        "is_active": staff.is_active,
        "roles": [f"{r.role}:{r.field}" if r.field else r.role for r in staff.roles.all()],
    }


@transaction.atomic
def staff_create(
    *,
    actor: Staff | None,
    agency: Agency,
    username: str,
    full_name: str,
    password: str,
    roles: Iterable[tuple[str, str]],
    title: str = "",
    phone: str = "",
    email: str = "",
    check_strength: bool = True,
) -> Staff:
    """An agency administrator opens an account for one person of their own agency.
    ``actor=None`` is the command line (``xaso demo``, the installer)."""
    if actor is not None:
        permissions.require(actor, "staff.manage", agency)
    return _staff_create(
        actor=actor,
        agency=agency,
        username=username,
        full_name=full_name,
        password=password,
        roles=roles,
        title=title,
        phone=phone,
        email=email,
        check_strength=check_strength,
    )


def _staff_create(
    *,
    actor: Staff | None,
    agency: Agency,
    username: str,
    full_name: str,
    password: str,
    roles: Iterable[tuple[str, str]],
    title: str,
    phone: str,
    email: str,
    check_strength: bool,
) -> Staff:
    username = username.strip().lower()
    cleaned_roles = _roles_clean(roles)
    taken = UsernameTaken(
        "Tên đăng nhập đã được dùng.", fields={"username": ["Tên đăng nhập đã được dùng."]}
    )
    if Staff.objects.filter(username=username).exists():
        raise taken
    staff = Staff(
        username=username,
        full_name=nfc(full_name.strip()),
        agency=agency,
        title=nfc(title.strip()),
        phone=phone.strip(),
        email=email.strip(),
    )
    if check_strength:
        _validate_password(password, staff)
    staff.set_password(password)
    try:
        with transaction.atomic():
            staff.save()
    except IntegrityError as e:  # another request took the name since the check above
        raise taken from e
    StaffRole.objects.bulk_create(
        [StaffRole(staff=staff, role=r, field=f) for r, f in cleaned_roles]
    )
    pages_changed("org")  # bulk_create sends no signal (org.apps)
    audit_record(
        actor=actor, action="staff.create", obj=staff, changes=diff({}, _staff_snapshot(staff))
    )
    return staff


@transaction.atomic
def staff_update(
    *,
    actor: Staff,
    staff: Staff,
    full_name: str,
    title: str,
    phone: str,
    email: str,
    is_active: bool,
    roles: Iterable[tuple[str, str]],
) -> Staff:
    """Change a colleague's details, roles or lock the account. Admins may not lock themselves
    out or drop their own admin role (an agency must keep a way in)."""
    permissions.require(actor, "staff.manage", staff.agency)
    cleaned_roles = _roles_clean(roles)
    if staff.pk == actor.pk:
        message = "Không thể tự khóa tài khoản hoặc bỏ vai trò quản trị của chính mình."
        fields = {}
        if not is_active:
            fields["is_active"] = [message]
        if "admin" not in {r for r, _ in cleaned_roles}:
            fields["roles"] = [message]
        if fields:
            raise InvalidInput(message, fields=fields)
    before = _staff_snapshot(staff)
    staff.full_name = nfc(full_name.strip())
    staff.title = nfc(title.strip())
    staff.phone = phone.strip()
    staff.email = email.strip()
    staff.is_active = is_active
    staff.save(update_fields=["full_name", "title", "phone", "email", "is_active"])
    current = {(r.role, r.field) for r in staff.roles.all()}
    wanted = set(cleaned_roles)
    for role, field in current - wanted:
        StaffRole.objects.filter(staff=staff, role=role, field=field).delete()
    StaffRole.objects.bulk_create(
        [StaffRole(staff=staff, role=r, field=f) for r, f in sorted(wanted - current)]
    )
    pages_changed("org")  # bulk_create sends no signal (org.apps)
    staff = Staff.objects.prefetch_related("roles").select_related("agency").get(pk=staff.pk)
    if not staff.is_active:
        from xaso.accounts.models import ApiToken

        ApiToken.objects.filter(staff=staff).delete()
    audit_record(
        actor=actor, action="staff.update", obj=staff, changes=diff(before, _staff_snapshot(staff))
    )
    return staff


@transaction.atomic
def staff_reset_password(*, actor: Staff, staff: Staff, password: str) -> None:
    """An agency administrator sets a new password for a colleague who forgot theirs (or whose
    password leaked): the colleague's API tokens stop working too."""
    permissions.require(actor, "staff.manage", staff.agency)
    _validate_password(password, staff)
    staff.set_password(password)
    staff.save(update_fields=["password"])
    from xaso.accounts.models import ApiToken

    ApiToken.objects.filter(staff=staff).delete()
    audit_record(actor=actor, action="staff.password_reset", obj=staff)


@transaction.atomic
def agency_update_office_hours(
    *,
    actor: Staff,
    agency: Agency,
    morning_start: time,
    morning_end: time,
    afternoon_start: time,
    afternoon_end: time,
    same_day_cutoff: time,
) -> Agency:
    """Office hours of the agency (default 07:30-11:30, 13:00-17:00; same-day cut-off 15:00)."""
    permissions.require(actor, "agency.edit", agency)
    if not (morning_start < morning_end <= afternoon_start < afternoon_end):
        raise OfficeHoursInvalid(
            "Giờ làm việc phải theo thứ tự: sáng bắt đầu < sáng kết thúc ≤ chiều bắt đầu < "
            "chiều kết thúc."
        )
    if not (morning_start <= same_day_cutoff <= afternoon_end):
        raise OfficeHoursInvalid("Giờ chốt nhận hồ sơ trong ngày phải nằm trong giờ làm việc.")
    fields = ["morning_start", "morning_end", "afternoon_start", "afternoon_end", "same_day_cutoff"]
    before = {f: getattr(agency, f) for f in fields}
    agency.morning_start, agency.morning_end = morning_start, morning_end
    agency.afternoon_start, agency.afternoon_end = afternoon_start, afternoon_end
    agency.same_day_cutoff = same_day_cutoff
    agency.save(update_fields=fields)
    audit_record(
        actor=actor,
        action="agency.update",
        obj=agency,
        changes=diff(before, {f: getattr(agency, f) for f in fields}),
    )
    return agency


class UnitMergeInvalid(InvalidInput):
    code = "unit_merge_invalid"


def _unit_within(unit: AdministrativeUnit, territory: AdministrativeUnit) -> bool:
    """True when ``unit`` is ``territory`` or lies below it (walks up the parents)."""
    seen: set[int] = set()
    current: AdministrativeUnit | None = unit
    while current is not None and current.pk not in seen:
        if current.pk == territory.pk:
            return True
        seen.add(current.pk)
        current = current.parent
    return False


@transaction.atomic
def unit_merge(
    *,
    actor: Staff | None,
    old_units: Iterable[AdministrativeUnit],
    successor: AdministrativeUnit,
    effective_on: date,
    legal_basis: str,
) -> None:
    """Record a merger (sáp nhập), e.g. Resolution 1676/NQ-UBTVQH15: each old unit is dissolved
    on ``effective_on`` with ``successor``; nothing is deleted, so records under the old unit
    stay findable. Only an administrator of an agency whose territory holds every unit concerned
    may record it (``actor=None`` is the command line); one audit entry per dissolved unit."""
    olds = [u for u in old_units if u.pk != successor.pk]
    if actor is not None:
        permissions.require(actor, "unit.merge")
        territory = actor.agency.unit
        if not all(_unit_within(u, territory) for u in [*olds, successor]):
            raise PermissionDenied("Bạn không có quyền thực hiện thao tác này.")

    def invalid(field: str, message: str) -> UnitMergeInvalid:
        return UnitMergeInvalid(message, fields={field: [message]})

    if not olds:
        raise invalid("old_units", "Cần ít nhất một đơn vị bị sáp nhập khác đơn vị kế thừa.")
    if successor.dissolved_on is not None:
        raise invalid(
            "successor",
            f"Đơn vị kế thừa {successor.name} ({successor.code}) đã chấm dứt hoạt động.",
        )
    dissolved = ", ".join(f"{u.name} ({u.code})" for u in olds if u.dissolved_on is not None)
    if dissolved:
        raise invalid("old_units", f"Đơn vị đã chấm dứt hoạt động trước đó: {dissolved}.")
    early = ", ".join(
        f"{u.name} ({u.code})"
        for u in olds
        if u.established_on is not None and effective_on <= u.established_on
    )
    if early:
        raise invalid("effective_on", f"Ngày sáp nhập phải sau ngày thành lập của: {early}.")
    for unit in olds:
        before = {"dissolved_on": unit.dissolved_on, "legal_basis": unit.legal_basis}
        unit.dissolved_on = effective_on
        unit.legal_basis = legal_basis or unit.legal_basis
        unit.save(update_fields=["dissolved_on", "legal_basis"])
        unit.successors.add(successor)
        audit_record(
            actor=actor,
            action="unit.dissolve",
            obj=unit,
            changes={
                **diff(before, {"dissolved_on": effective_on, "legal_basis": unit.legal_basis}),
                "successor": successor.code,
            },
        )


class AgencyCodeTaken(Conflict):
    code = "agency_code_taken"


class AgencyInvalid(InvalidInput):
    code = "agency_invalid"


@transaction.atomic
def agency_create(
    *,
    actor: Staff,
    code: str,
    name: str,
    kind: str,
    unit: AdministrativeUnit,
    admin_username: str,
    admin_full_name: str,
    admin_password: str,
) -> Agency:
    """An administrator opens an agency directly below their own (a commune's one-stop centre, a
    commune under a district) on a unit in force within their territory, with its first
    administrator, who then manages its staff."""
    from .models import AgencyKind, validate_agency_code

    permissions.require(actor, "agency.create")
    code = code.strip().upper()
    try:
        validate_agency_code(code)
    except ValidationError as e:
        raise AgencyInvalid(" ".join(e.messages), fields={"code": list(e.messages)}) from e
    if kind not in AgencyKind.values:
        raise AgencyInvalid(
            "Loại cơ quan không hợp lệ.", fields={"kind": ["Loại cơ quan không hợp lệ."]}
        )
    if unit.dissolved_on is not None:
        msg = f"{unit.name} ({unit.code}) đã chấm dứt hoạt động từ {unit.dissolved_on:%d/%m/%Y}."
        raise AgencyInvalid(msg, fields={"unit": [msg]})
    if not _unit_within(unit, actor.agency.unit):
        msg = "Đơn vị hành chính không thuộc địa bàn của cơ quan bạn."
        raise AgencyInvalid(msg, fields={"unit": [msg]})
    if Agency.objects.filter(code=code).exists():
        msg = "Mã định danh này đã được dùng cho một cơ quan khác."
        raise AgencyCodeTaken(msg, fields={"code": [msg]})
    agency = Agency.objects.create(
        code=code, name=nfc(name.strip()), kind=kind, unit=unit, parent=actor.agency
    )
    agency_tree_changed()
    transaction.on_commit(agency_tree_changed)
    audit_record(
        actor=actor,
        action="agency.create",
        obj=agency,
        changes=diff(
            {},
            {
                "code": code,
                "name": agency.name,
                "kind": kind,
                "unit": unit.code,
                "parent": actor.agency.code,
            },
        ),
    )
    # The parent's administrator opens the first account; the permission is agency.create.
    _staff_create(
        actor=actor,
        agency=agency,
        username=admin_username,
        full_name=admin_full_name,
        password=admin_password,
        roles=[("admin", "")],
        title="",
        phone="",
        email="",
        check_strength=True,
    )
    return agency
