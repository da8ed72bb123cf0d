"""Loading administrative units from data, never typed in by hand.

The current structure (34 provinces, 3,321 communes since 1 July 2025; GSO Official Letters
915/CTK-CSCL and 1027/CTK-CSCL) comes from the maintained ``vietnam-provinces`` package. The
pre-2025 units the demo needs (Phú Thọ's Thanh Sơn and Lâm Thao districts) come from
``data/phu-tho-pre2025.json``, a snapshot of the package's 0.6 series with the successors set by
Resolution 1676/NQ-UBTVQH15 (vn-rules.md §8).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import transaction

from xaso.core.audit import audit_record

from .models import AdministrativeUnit, UnitLevel

if TYPE_CHECKING:
    from vietnam_provinces import Province

LEVELS = [
    ("central", "Trung ương", 0),
    ("province", "Tỉnh, thành phố trực thuộc trung ương", 1),
    ("district", "Huyện, quận, thị xã, thành phố thuộc tỉnh", 2),
    ("commune", "Xã, phường, thị trấn, đặc khu", 3),
]
CURRENT_BASIS = "Công văn 915/CTK-CSCL và 1027/CTK-CSCL của Cục Thống kê (2025)"
PRE2025_FILE = Path(__file__).parent / "data" / "phu-tho-pre2025.json"


@dataclass(frozen=True)
class LoadReport:
    created: int
    updated: int


def levels_ensure() -> dict[str, UnitLevel]:
    out = {}
    for code, name, rank in LEVELS:
        obj, _ = UnitLevel.objects.update_or_create(
            code=code, defaults={"name": name, "rank": rank}
        )
        out[code] = obj
    return out


def _province_name(p: Province) -> str:
    name = str(p.name)
    dtype = str(p.division_type.value)
    return name if name.startswith(("Thành phố", "Tỉnh")) else f"{dtype.capitalize()} {name}"


@transaction.atomic
def units_load_current() -> LoadReport:
    """Load or refresh the 34 provinces and 3,321 communes in force. Idempotent: units are matched
    on (level, code) among units in force; names are updated, nothing is deleted."""
    from vietnam_provinces import Province, Ward

    levels = levels_ensure()
    root, _ = AdministrativeUnit.objects.get_or_create(
        level=levels["central"],
        code="VN",
        dissolved_on=None,
        defaults={"name": "Nước Cộng hòa xã hội chủ nghĩa Việt Nam", "division_type": "quốc gia"},
    )
    existing = {
        (u.level_id, u.code): u
        for u in AdministrativeUnit.objects.filter(dissolved_on__isnull=True).select_related(
            "level"
        )
    }
    created = updated = 0
    provinces: dict[str, AdministrativeUnit] = {}
    for p in Province.iter_all():
        code = f"{int(p.code):02d}"
        name = _province_name(p)
        unit = existing.get((levels["province"].pk, code))
        if unit is None:
            unit = AdministrativeUnit(level=levels["province"], code=code)
            created += 1
        elif unit.name == name and unit.parent_id == root.pk:
            provinces[code] = unit
            continue
        else:
            updated += 1
        unit.name, unit.division_type, unit.parent = name, p.division_type.value, root
        unit.legal_basis = unit.legal_basis or CURRENT_BASIS
        unit.save()
        provinces[code] = unit
    to_create = []
    for w in Ward.iter_all():
        code = f"{int(w.code):05d}"
        parent = provinces[f"{int(w.province_code):02d}"]
        unit = existing.get((levels["commune"].pk, code))
        if unit is None:
            u = AdministrativeUnit(
                level=levels["commune"],
                code=code,
                name=w.name,
                division_type=w.division_type.value,
                parent=parent,
                legal_basis=CURRENT_BASIS,
            )
            u.name_folded = ""
            to_create.append(u)
        elif unit.name != w.name or unit.parent_id != parent.pk:
            unit.name, unit.parent = w.name, parent
            unit.save(update_fields=["name", "name_folded", "parent"])
            updated += 1
    from xaso.core.text import fold

    for u in to_create:
        u.name_folded = fold(u.name)
    AdministrativeUnit.objects.bulk_create(to_create, batch_size=500)
    if to_create:
        from xaso.core.pagecache import pages_changed

        pages_changed("org")  # bulk_create sends no signal (org.apps)
    created += len(to_create)
    if created or updated:
        audit_record(
            actor=None,
            action="unit.load_current",
            object_type="administrative_unit",
            changes={"created": created, "updated": updated},
        )
    return LoadReport(created, updated)


@transaction.atomic
def units_load_pre2025(path: Path = PRE2025_FILE) -> LoadReport:
    """Load pre-2025 districts and communes, dissolved on 1 July 2025 with their successors.
    Requires the current structure (the successors) to be loaded first."""
    data = json.loads(path.read_text(encoding="utf-8"))
    levels = levels_ensure()
    dissolved_on = date.fromisoformat(data["dissolved_on"])
    basis = data["legal_basis"]
    province = AdministrativeUnit.objects.get(
        level=levels["province"], code=data["province"]["code"], dissolved_on__isnull=True
    )
    current_communes = {
        u.code: u
        for u in AdministrativeUnit.objects.filter(
            level=levels["commune"], dissolved_on__isnull=True
        )
    }
    created = 0
    for d in data["districts"]:
        district, made = AdministrativeUnit.objects.get_or_create(
            level=levels["district"],
            code=d["code"],
            dissolved_on=dissolved_on,
            defaults={
                "name": d["name"],
                "division_type": d["division_type"],
                "parent": province,
                "legal_basis": "Luật Tổ chức chính quyền địa phương 72/2025/QH15",
            },
        )
        created += made
        for c in d["communes"]:
            unit, made = AdministrativeUnit.objects.get_or_create(
                level=levels["commune"],
                code=c["code"],
                dissolved_on=dissolved_on,
                defaults={
                    "name": c["name"],
                    "division_type": c["division_type"],
                    "parent": district,
                    "legal_basis": basis,
                },
            )
            created += made
            successors = [current_communes[s] for s in c["successors"]]
            unit.successors.add(*successors)
            for s in successors:
                if s.established_on is None:
                    s.established_on = dissolved_on
                    s.legal_basis = basis
                    s.save(update_fields=["established_on", "legal_basis"])
    if created:
        audit_record(
            actor=None,
            action="unit.load_history",
            object_type="administrative_unit",
            changes={"created": created, "source": path.name},
        )
    return LoadReport(created, 0)
