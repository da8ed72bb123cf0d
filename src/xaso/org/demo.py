"""The demo: the real places Xã Số was first described for (vn-rules.md §8).

Phú Thọ province (GSO 25); before 1 July 2025 its Thanh Sơn district (238) with Xã Thạch Khoán
(08587) and its Lâm Thao district (237); after it, Xã Thanh Sơn (08542), which absorbed Thạch
Khoán, with its public administrative service centre. Agency codes are illustrative: the real
Decision 20/2020 codes of Phú Thọ are issued by the province and are not in our sources.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from .models import AdministrativeUnit, Agency, AgencyKind, Staff, StaffRole
from .selectors import agency_tree_changed
from .services import staff_create
from .unit_data import units_load_current, units_load_pre2025

HOTICH = "tư pháp - hộ tịch"

# (code, name, kind, unit level, unit code, unit in force?, parent agency code)
AGENCIES = [
    ("H25", "UBND tỉnh Phú Thọ", AgencyKind.PEOPLES_COMMITTEE, "province", "25", True, None),
    (
        "H25.38",
        "UBND huyện Thanh Sơn",
        AgencyKind.PEOPLES_COMMITTEE,
        "district",
        "238",
        False,
        "H25",
    ),
    (
        "H25.38.21",
        "UBND xã Thạch Khoán",
        AgencyKind.PEOPLES_COMMITTEE,
        "commune",
        "08587",
        False,
        "H25.38",
    ),
    (
        "H25.37",
        "UBND huyện Lâm Thao",
        AgencyKind.PEOPLES_COMMITTEE,
        "district",
        "237",
        False,
        "H25",
    ),
    (
        "H25.37.01",
        "UBND thị trấn Lâm Thao",
        AgencyKind.PEOPLES_COMMITTEE,
        "commune",
        "08494",
        False,
        "H25.37",
    ),
    ("H25.54", "UBND xã Thanh Sơn", AgencyKind.PEOPLES_COMMITTEE, "commune", "08542", True, "H25"),
    (
        "H25.54.01",
        "Trung tâm Phục vụ hành chính công xã Thanh Sơn",
        AgencyKind.SERVICE_CENTRE,
        "commune",
        "08542",
        True,
        "H25.54",
    ),
]

# (username, full name, title, agency code, roles as (role, field))
STAFF = [
    (
        "phutho.giamsat",
        "Hoàng Văn Thắng",
        "Chuyên viên Văn phòng UBND tỉnh",
        "H25",
        [("supervisor", "")],
    ),
    ("phutho.quantri", "Đinh Thị Lan", "Quản trị hệ thống cấp tỉnh", "H25", [("admin", "")]),
    (
        "huyenthanhson.giamsat",
        "Hà Văn Tuấn",
        "Chánh Văn phòng HĐND-UBND huyện",
        "H25.38",
        [("supervisor", "")],
    ),
    (
        "huyenthanhson.quantri",
        "Nguyễn Văn Bình",
        "Quản trị hệ thống cấp huyện",
        "H25.38",
        [("admin", "")],
    ),
    (
        "thachkhoan.tiepnhan",
        "Nguyễn Thị Hằng",
        "Công chức Văn phòng - Thống kê",
        "H25.38.21",
        [("reception", "")],
    ),
    (
        "thachkhoan.hotich",
        "Đặng Văn Đức",
        "Công chức Tư pháp - Hộ tịch",
        "H25.38.21",
        [("specialist", HOTICH)],
    ),
    ("thachkhoan.lanhdao", "Đinh Công Sơn", "Chủ tịch UBND xã", "H25.38.21", [("leader", "")]),
    ("thachkhoan.vanthu", "Hà Thị Mai", "Văn thư", "H25.38.21", [("clerk", "")]),
    ("thachkhoan.quantri", "Lò Văn Páo", "Quản trị hệ thống xã", "H25.38.21", [("admin", "")]),
    (
        "huyenlamthao.giamsat",
        "Trần Minh Quang",
        "Chuyên viên Văn phòng UBND huyện",
        "H25.37",
        [("supervisor", "")],
    ),
    ("lamthao.tiepnhan", "Phạm Thị Thu", "Công chức một cửa", "H25.37.01", [("reception", "")]),
    (
        "lamthao.hotich",
        "Vũ Văn Hùng",
        "Công chức Tư pháp - Hộ tịch",
        "H25.37.01",
        [("specialist", HOTICH)],
    ),
    ("lamthao.lanhdao", "Bùi Thị Nga", "Phó Chủ tịch UBND thị trấn", "H25.37.01", [("leader", "")]),
    ("lamthao.vanthu", "Lê Thị Hoa", "Văn thư", "H25.37.01", [("clerk", "")]),
    ("lamthao.quantri", "Ngô Văn Long", "Quản trị hệ thống", "H25.37.01", [("admin", "")]),
    ("thanhson.lanhdao", "Hoàng Thị Thu Hà", "Chủ tịch UBND xã", "H25.54", [("leader", "")]),
    (
        "thanhson.hotich",
        "Đinh Văn Khoa",
        "Công chức Tư pháp - Hộ tịch",
        "H25.54",
        [("specialist", HOTICH)],
    ),
    (
        "thanhson.diachinh",
        "Xa Văn Lực",
        "Công chức Địa chính - Xây dựng",
        "H25.54",
        [("specialist", "đất đai")],
    ),
    ("thanhson.vanthu", "Hà Thị Hường", "Văn thư", "H25.54", [("clerk", "")]),
    ("thanhson.quantri", "Nguyễn Văn Hiếu", "Quản trị hệ thống xã", "H25.54", [("admin", "")]),
    ("ttpvhcc.tiepnhan1", "Đinh Thị Ngọc", "Công chức tiếp nhận", "H25.54.01", [("reception", "")]),
    ("ttpvhcc.tiepnhan2", "Hà Văn Dũng", "Công chức tiếp nhận", "H25.54.01", [("reception", "")]),
    (
        "ttpvhcc.giamdoc",
        "Phùng Thị Hoa",
        "Phó Chủ tịch UBND xã kiêm Giám đốc Trung tâm",
        "H25.54.01",
        [("leader", ""), ("reception", "")],
    ),
    ("ttpvhcc.quantri", "Lê Văn Tâm", "Quản trị Trung tâm", "H25.54.01", [("admin", "")]),
]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    agency_code: str
    agency_name: str
    roles: list[str]


def demo_load(*, password: str) -> list[DemoAccount]:
    """Load the demo idempotently: running it again changes nothing but the passwords."""
    from .models import UnitLevel

    if not AdministrativeUnit.objects.filter(
        level__code="commune", dissolved_on__isnull=True
    ).exists():
        units_load_current()
    if not AdministrativeUnit.objects.filter(level__code="district", code="238").exists():
        units_load_pre2025()
    from xaso.procedures.exchange import catalogue_load_seed

    catalogue_load_seed()  # the 60 commune procedures; unchanged on a second run
    with transaction.atomic():
        levels = {lv.code: lv for lv in UnitLevel.objects.all()}
        agencies: dict[str, Agency] = {}
        for code, name, kind, level, unit_code, in_force, parent in AGENCIES:
            unit = AdministrativeUnit.objects.get(
                level=levels[level], code=unit_code, dissolved_on__isnull=in_force
            )
            agency, _ = Agency.objects.update_or_create(
                code=code,
                defaults={
                    "name": name,
                    "kind": kind,
                    "unit": unit,
                    "parent": agencies[parent] if parent else None,
                },
            )
            agencies[code] = agency
        agency_tree_changed()
        transaction.on_commit(agency_tree_changed)
        accounts = []
        for username, full_name, title, agency_code, roles in STAFF:
            staff = Staff.objects.filter(username=username).first()
            if staff is None:
                staff = staff_create(
                    actor=None,
                    agency=agencies[agency_code],
                    username=username,
                    full_name=full_name,
                    title=title,
                    password=password,
                    roles=roles,
                    check_strength=False,
                )
            else:
                if not staff.check_password(password):
                    staff.set_password(password)
                    staff.save(update_fields=["password"])
                for role, field in roles:
                    StaffRole.objects.get_or_create(staff=staff, role=role, field=field)
            accounts.append(
                DemoAccount(
                    username,
                    full_name,
                    agency_code,
                    agencies[agency_code].name,
                    sorted({r for r, _ in roles}),
                )
            )
    from xaso.signing.services import signing_demo_keys_ensure

    signing_demo_keys_ensure(agencies=agencies.values(), leaders=True)  # demo CA, keys, seals
    from xaso.civil.demo import civil_demo_load

    # a few hundred civil status entries per demo commune, once
    if settings.XASO_DEMO_CIVIL_PER_AGENCY > 0:
        civil_demo_load(per_agency=settings.XASO_DEMO_CIVIL_PER_AGENCY)
    return accounts
