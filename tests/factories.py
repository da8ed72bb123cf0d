"""Test data builders. Every test builds what it needs; nothing depends on the demo."""

from __future__ import annotations

import itertools
from datetime import date

from xaso.org.models import AdministrativeUnit, Agency, AgencyKind, Staff, StaffRole, UnitLevel

PASSWORD = "Mat-khau-thu-2026"
_seq = itertools.count(1)


def level(code: str = "commune") -> UnitLevel:
    names = {
        "central": ("Trung ương", 0),
        "province": ("Tỉnh", 1),
        "district": ("Huyện", 2),
        "commune": ("Xã", 3),
    }
    name, rank = names[code]
    obj, _ = UnitLevel.objects.get_or_create(code=code, defaults={"name": name, "rank": rank})
    return obj


def unit(
    *,
    name: str | None = None,
    code: str | None = None,
    level_code: str = "commune",
    parent: AdministrativeUnit | None = None,
    dissolved_on: date | None = None,
) -> AdministrativeUnit:
    n = next(_seq)
    return AdministrativeUnit.objects.create(
        code=code or f"9{n:04d}",
        name=name or f"Xã Thử Nghiệm {n}",
        division_type="xã",
        level=level(level_code),
        parent=parent,
        dissolved_on=dissolved_on,
    )


def agency(
    *,
    code: str | None = None,
    name: str | None = None,
    parent: Agency | None = None,
    unit_obj: AdministrativeUnit | None = None,
) -> Agency:
    n = next(_seq)
    from xaso.org.selectors import agency_tree_changed

    made = Agency.objects.create(
        code=code or f"H99.{n:02d}",
        name=name or f"UBND xã Thử Nghiệm {n}",
        kind=AgencyKind.PEOPLES_COMMITTEE,
        unit=unit_obj or unit(),
        parent=parent,
    )
    agency_tree_changed()
    return made


def staff(
    *,
    agency_obj: Agency | None = None,
    roles: tuple[str, ...] = ("reception",),
    username: str | None = None,
    full_name: str = "Nguyễn Thị Hằng",
    password: str = PASSWORD,
) -> Staff:
    n = next(_seq)
    s = Staff(username=username or f"canbo{n}", full_name=full_name, agency=agency_obj or agency())
    s.set_password(password)
    s.save()
    StaffRole.objects.bulk_create([StaffRole(staff=s, role=r) for r in roles])
    return Staff.objects.select_related("agency").prefetch_related("roles").get(pk=s.pk)
