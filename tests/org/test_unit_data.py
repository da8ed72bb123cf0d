"""Administrative units loaded from vietnam-provinces (in force) and the pre-2025 snapshot."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from django.db import IntegrityError, transaction

from xaso.core.models import AuditEntry
from xaso.org.models import AdministrativeUnit, UnitLevel
from xaso.org.unit_data import CURRENT_BASIS, LoadReport, units_load_current, units_load_pre2025

pytestmark = pytest.mark.django_db

MERGED = date(2025, 7, 1)
RESOLUTION = "Nghị quyết 1676/NQ-UBTVQH15 ngày 16/6/2025"

# vn-rules.md §8: Thanh Sơn district (238) before 1 July 2025, and where each unit went.
THANH_SON_2024 = {
    "08542": ("Thị trấn Thanh Sơn", "08542"),
    "08563": ("Xã Sơn Hùng", "08542"),
    "08572": ("Xã Địch Quả", "08584"),
    "08575": ("Xã Giáp Lai", "08542"),
    "08581": ("Xã Thục Luyện", "08542"),
    "08584": ("Xã Võ Miếu", "08584"),
    "08587": ("Xã Thạch Khoán", "08542"),
    "08602": ("Xã Cự Thắng", "08584"),
    "08605": ("Xã Tất Thắng", "08614"),
    "08611": ("Xã Văn Miếu", "08611"),
    "08614": ("Xã Cự Đồng", "08614"),
    "08623": ("Xã Thắng Sơn", "08614"),
    "08629": ("Xã Tân Minh", "08611"),
    "08632": ("Xã Hương Cần", "08632"),
    "08635": ("Xã Khả Cửu", "08635"),
    "08638": ("Xã Đông Cửu", "08635"),
    "08641": ("Xã Tân Lập", "08611"),
    "08644": ("Xã Yên Lãng", "08632"),
    "08647": ("Xã Yên Lương", "08632"),
    "08650": ("Xã Thượng Cửu", "08635"),
    "08653": ("Xã Lương Nha", "08656"),
    "08656": ("Xã Yên Sơn", "08656"),
    "08659": ("Xã Tinh Nhuệ", "08656"),
}


def _in_force(level: str) -> AdministrativeUnit:
    return AdministrativeUnit.objects.filter(level__code=level, dissolved_on__isnull=True)


def test_load_current_counts() -> None:
    report = units_load_current()
    assert report == LoadReport(created=3355, updated=0)
    assert _in_force("central").count() == 1
    assert _in_force("province").count() == 34
    assert _in_force("commune").count() == 3321
    assert AdministrativeUnit.objects.filter(dissolved_on__isnull=False).count() == 0
    assert Counter(_in_force("commune").values_list("division_type", flat=True)) == {
        "xã": 2621,
        "phường": 687,
        "đặc khu": 13,
    }
    assert Counter(_in_force("province").values_list("division_type", flat=True)) == {
        "tỉnh": 28,
        "thành phố trung ương": 6,
    }
    assert list(UnitLevel.objects.values_list("code", "rank")) == [
        ("central", 0),
        ("province", 1),
        ("district", 2),
        ("commune", 3),
    ]
    # Every commune hangs under a province in force, every province under the country.
    assert _in_force("commune").exclude(parent__level__code="province").count() == 0
    assert _in_force("province").exclude(parent__code="VN").count() == 0
    assert AdministrativeUnit.objects.filter(name_folded="").count() == 0


def test_load_current_phu_tho() -> None:
    units_load_current()
    phu_tho = _in_force("province").get(code="25")
    assert (phu_tho.name, phu_tho.division_type, phu_tho.legal_basis) == (
        "Tỉnh Phú Thọ",
        "tỉnh",
        CURRENT_BASIS,
    )
    # vn-rules.md §8: 148 commune units, 133 xã and 15 phường.
    assert Counter(phu_tho.children.values_list("division_type", flat=True)) == {
        "xã": 133,
        "phường": 15,
    }
    thanh_son = _in_force("commune").get(code="08542")
    assert (
        thanh_son.name,
        thanh_son.name_folded,
        thanh_son.parent_id,
        thanh_son.division_type,
    ) == ("Xã Thanh Sơn", "xa thanh son", phu_tho.pk, "xã")
    assert _in_force("province").get(code="01").name == "Thành phố Hà Nội"
    assert _in_force("province").get(code="79").name == "Thành phố Hồ Chí Minh"


def test_load_current_is_idempotent_and_audited_once() -> None:
    units_load_current()
    first = list(
        AuditEntry.objects.filter(action="unit.load_current").values_list("changes", flat=True)
    )
    assert first == [{"created": 3355, "updated": 0}]
    total = AdministrativeUnit.objects.count()
    assert units_load_current() == LoadReport(created=0, updated=0)
    assert AdministrativeUnit.objects.count() == total == 3356
    assert AuditEntry.objects.filter(action="unit.load_current").count() == 1


def test_load_current_repairs_a_renamed_unit() -> None:
    units_load_current()
    AdministrativeUnit.objects.filter(level__code="commune", code="08542").update(
        name="Xã Thanh Son (sai)", name_folded="sai"
    )
    assert units_load_current() == LoadReport(created=0, updated=1)
    unit = _in_force("commune").get(code="08542")
    assert (unit.name, unit.name_folded) == ("Xã Thanh Sơn", "xa thanh son")


@pytest.fixture
def history() -> None:
    units_load_current()
    units_load_pre2025()


def test_pre2025_thanh_son_district(history: None) -> None:
    district = AdministrativeUnit.objects.get(level__code="district", code="238")
    assert (
        district.name,
        district.dissolved_on,
        district.parent.code,
        district.parent.dissolved_on,
    ) == ("Huyện Thanh Sơn", MERGED, "25", None)
    units = district.children.all()
    assert units.count() == 23
    assert {u.code: u.name for u in units} == {c: n for c, (n, _s) in THANH_SON_2024.items()}
    assert set(units.values_list("dissolved_on", flat=True)) == {MERGED}
    assert set(units.values_list("legal_basis", flat=True)) == {RESOLUTION}
    for unit in units.prefetch_related("successors"):
        successors = [(s.code, s.dissolved_on, s.level.code) for s in unit.successors.all()]
        assert successors == [(THANH_SON_2024[unit.code][1], None, "commune")], unit.code


def test_thach_khoan_successor_and_its_predecessors(history: None) -> None:
    thach_khoan = AdministrativeUnit.objects.get(code="08587")
    assert (thach_khoan.name, thach_khoan.dissolved_on, thach_khoan.parent.code) == (
        "Xã Thạch Khoán",
        MERGED,
        "238",
    )
    [successor] = thach_khoan.successors.all()
    assert (
        successor.code,
        successor.name,
        successor.dissolved_on,
        successor.established_on,
        successor.legal_basis,
    ) == ("08542", "Xã Thanh Sơn", None, MERGED, RESOLUTION)
    assert sorted((p.code, p.name) for p in successor.predecessors.all()) == [
        ("08542", "Thị trấn Thanh Sơn"),
        ("08563", "Xã Sơn Hùng"),
        ("08575", "Xã Giáp Lai"),
        ("08581", "Xã Thục Luyện"),
        ("08587", "Xã Thạch Khoán"),
    ]


def test_old_and_new_08542_coexist(history: None) -> None:
    both = AdministrativeUnit.objects.filter(level__code="commune", code="08542").order_by("pk")
    assert [(u.name, u.dissolved_on, u.parent.code) for u in both] == [
        ("Xã Thanh Sơn", None, "25"),
        ("Thị trấn Thanh Sơn", MERGED, "238"),
    ]
    old = both[1]
    assert [s.pk for s in old.successors.all()] == [both[0].pk]


def test_lam_thao_reuses_its_code(history: None) -> None:
    district = AdministrativeUnit.objects.get(level__code="district", code="237")
    assert (district.name, district.dissolved_on, district.children.count()) == (
        "Huyện Lâm Thao",
        MERGED,
        12,
    )
    old = AdministrativeUnit.objects.get(code="08494", dissolved_on=MERGED)
    assert old.name == "Thị trấn Lâm Thao"
    assert [(s.code, s.name) for s in old.successors.all()] == [("08494", "Xã Lâm Thao")]


def test_pre2025_counts_and_idempotent(history: None) -> None:
    assert AdministrativeUnit.objects.filter(dissolved_on=MERGED).count() == 37
    assert AdministrativeUnit.objects.filter(level__code="district").count() == 2
    assert AuditEntry.objects.filter(action="unit.load_history").count() == 1
    entry = AuditEntry.objects.get(action="unit.load_history")
    assert entry.changes == {"created": 37, "source": "phu-tho-pre2025.json"}
    links = AdministrativeUnit.successors.through.objects.count()
    assert units_load_pre2025() == LoadReport(created=0, updated=0)
    assert AdministrativeUnit.objects.count() == 3356 + 37
    assert AdministrativeUnit.successors.through.objects.count() == links
    assert AuditEntry.objects.filter(action="unit.load_history").count() == 1
    # The current list again after the history: nothing to create, nothing dissolved touched.
    assert units_load_current() == LoadReport(created=0, updated=0)
    assert _in_force("commune").count() == 3321


def test_pre2025_needs_the_current_structure() -> None:
    with pytest.raises(AdministrativeUnit.DoesNotExist):
        units_load_pre2025()
    assert AdministrativeUnit.objects.count() == 0


def test_a_second_unit_in_force_with_the_same_code_is_refused(history: None) -> None:
    commune = UnitLevel.objects.get(code="commune")
    with pytest.raises(IntegrityError), transaction.atomic():
        AdministrativeUnit.objects.create(
            level=commune, code="08542", name="Xã Trùng Mã", division_type="xã"
        )
    # Same code at another level, or dissolved, is allowed.
    district = UnitLevel.objects.get(code="district")
    AdministrativeUnit.objects.create(
        level=district, code="08542", name="Trùng mã khác cấp", division_type="huyện"
    )
    AdministrativeUnit.objects.create(
        level=commune,
        code="08542",
        name="Xã Cũ Khác",
        division_type="xã",
        dissolved_on=date(2020, 1, 1),
    )
    assert AdministrativeUnit.objects.filter(code="08542").count() == 4


def test_dissolved_before_established_is_refused(history: None) -> None:
    commune = UnitLevel.objects.get(code="commune")
    with pytest.raises(IntegrityError), transaction.atomic():
        AdministrativeUnit.objects.create(
            level=commune,
            code="99999",
            name="Xã Ngược",
            division_type="xã",
            established_on=date(2025, 7, 1),
            dissolved_on=date(2025, 7, 1),
        )
