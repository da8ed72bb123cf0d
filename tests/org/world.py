"""A small copy of the demo's agency tree, built with the factories (no unit data loaded).

H25 UBND tỉnh Phú Thọ (province 25)            supervisor, admin
├── H25.38 UBND huyện Thanh Sơn (district 238)  supervisor, admin
│   └── H25.38.21 UBND xã Thạch Khoán (08587)  reception, specialist, leader, clerk, admin
└── H25.37 UBND huyện Lâm Thao (district 237)   supervisor, admin
    └── H25.37.01 UBND TT Lâm Thao (08494)     reception, specialist, leader, clerk, admin
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from tests import factories
from xaso.org.models import AdministrativeUnit, Agency, Staff

ALL_ROLES = ("reception", "specialist", "leader", "clerk", "admin", "supervisor")
MERGED = date(2025, 7, 1)

# (agency code, name, parent agency code, unit key, roles of its staff, one account per role)
TREE = [
    ("H25", "UBND tỉnh Phú Thọ", None, "25", ("supervisor", "admin")),
    ("H25.38", "UBND huyện Thanh Sơn", "H25", "238", ("supervisor", "admin")),
    (
        "H25.38.21",
        "UBND xã Thạch Khoán",
        "H25.38",
        "08587",
        ("reception", "specialist", "leader", "clerk", "admin"),
    ),
    ("H25.37", "UBND huyện Lâm Thao", "H25", "237", ("supervisor", "admin")),
    (
        "H25.37.01",
        "UBND thị trấn Lâm Thao",
        "H25.37",
        "08494",
        ("reception", "specialist", "leader", "clerk", "admin"),
    ),
]


@dataclass
class World:
    units: dict[str, AdministrativeUnit] = field(default_factory=dict)
    agencies: dict[str, Agency] = field(default_factory=dict)
    staff: dict[tuple[str, str], Staff] = field(default_factory=dict)

    def who(self, agency_code: str, role: str) -> Staff:
        return self.staff[(agency_code, role)]


def username_for(agency_code: str, role: str) -> str:
    return f"{agency_code.lower().replace('.', '-')}.{role}"


def build_world() -> World:
    w = World()
    province = factories.unit(name="Tỉnh Phú Thọ", code="25", level_code="province")
    w.units["25"] = province
    w.units["238"] = factories.unit(
        name="Huyện Thanh Sơn",
        code="238",
        level_code="district",
        parent=province,
        dissolved_on=MERGED,
    )
    w.units["237"] = factories.unit(
        name="Huyện Lâm Thao",
        code="237",
        level_code="district",
        parent=province,
        dissolved_on=MERGED,
    )
    w.units["08587"] = factories.unit(
        name="Xã Thạch Khoán", code="08587", parent=w.units["238"], dissolved_on=MERGED
    )
    w.units["08494"] = factories.unit(
        name="Thị trấn Lâm Thao", code="08494", parent=w.units["237"], dissolved_on=MERGED
    )
    for code, name, parent, unit_key, roles in TREE:
        w.agencies[code] = factories.agency(
            code=code,
            name=name,
            parent=w.agencies[parent] if parent else None,
            unit_obj=w.units[unit_key],
        )
        for role in roles:
            w.staff[(code, role)] = factories.staff(
                agency_obj=w.agencies[code],
                roles=(role,),
                username=username_for(code, role),
                full_name=f"Cán bộ {role} {code}",
            )
    return w


def db_state() -> dict[str, object]:
    """Everything an org write may touch, to assert that a refused call changed nothing."""
    from xaso.accounts.models import ApiToken
    from xaso.core.models import AuditEntry
    from xaso.org.models import StaffRole

    return {
        "staff": list(
            Staff.objects.order_by("pk").values_list(
                "pk",
                "username",
                "full_name",
                "title",
                "phone",
                "email",
                "is_active",
                "password",
                "agency_id",
            )
        ),
        "roles": list(StaffRole.objects.order_by("pk").values_list("staff_id", "role", "field")),
        "agencies": list(
            Agency.objects.order_by("pk").values_list(
                "pk",
                "code",
                "name",
                "morning_start",
                "morning_end",
                "afternoon_start",
                "afternoon_end",
                "same_day_cutoff",
            )
        ),
        "units": list(
            AdministrativeUnit.objects.order_by("pk").values_list(
                "pk", "code", "dissolved_on", "legal_basis", "established_on"
            )
        ),
        "successors": list(
            AdministrativeUnit.successors.through.objects.order_by("pk").values_list(
                "from_administrativeunit_id", "to_administrativeunit_id"
            )
        ),
        "tokens": list(ApiToken.objects.order_by("pk").values_list("pk", "staff_id")),
        "audit": AuditEntry.objects.count(),
    }


def new_audit_entries(since: int) -> list:
    """Entries appended after the trail held ``since`` entries, oldest first."""
    from xaso.core.models import AuditEntry

    return list(AuditEntry.objects.filter(seq__gt=since).order_by("seq"))
