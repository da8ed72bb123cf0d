"""Two communes (A, B) with a civil status officer, a leader and staff of other roles each, the
shipped catalogue, and payload builders for every registration (valid by default; a test
changes what it checks)."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date
from typing import Any

from tests import factories
from xaso.civil.models import CivilAmendment, CivilBook, CivilParty, CivilRecord
from xaso.core.models import AuditEntry
from xaso.org.models import Agency, Staff, StaffRole
from xaso.people.models import Person
from xaso.procedures.exchange import catalogue_load_seed

HOTICH = "tư pháp - hộ tịch"

# Personal ID numbers (vn-rules.md §4) that agree with the people below.
PID_CHILD = "025326000101"  # Phú Thọ, female born 2026
PID_MOTHER = "025196000202"  # Phú Thọ, female born 1996
PID_FATHER = "025094000303"  # Phú Thọ, male born 1994
PID_HUSBAND = "025098000404"  # male born 1998
PID_WIFE = "025300000505"  # female born 2000
PID_OLD = "025045000606"  # male born 1945


@dataclass
class CivilWorld:
    a: Agency
    b: Agency
    officer: Staff  # công chức tư pháp - hộ tịch of A
    leader: Staff
    generalist: Staff  # a specialist with no field (small commune)
    land: Staff  # a specialist of another field
    reception: Staff
    clerk: Staff
    admin: Staff
    supervisor: Staff
    officer_b: Staff
    leader_b: Staff


def _staff(agency: Agency, role: str, username: str, field: str = "", **kw: Any) -> Staff:
    s = factories.staff(agency_obj=agency, roles=(), username=username, **kw)
    StaffRole.objects.create(staff=s, role=role, field=field)
    return Staff.objects.select_related("agency").prefetch_related("roles").get(pk=s.pk)


def build_world() -> CivilWorld:
    province = factories.unit(name="Tỉnh Thử Nghiệm", code="98", level_code="province")
    a = factories.agency(
        code="H98.01", name="UBND xã Đông", unit_obj=factories.unit(parent=province)
    )
    b = factories.agency(
        code="H98.02", name="UBND xã Tây", unit_obj=factories.unit(parent=province)
    )
    catalogue_load_seed()
    return CivilWorld(
        a=a,
        b=b,
        officer=_staff(a, "specialist", "hotich", HOTICH, full_name="Đặng Văn Đức"),
        leader=_staff(a, "leader", "chutich", full_name="Đinh Công Sơn"),
        generalist=_staff(a, "specialist", "chuyenvien"),
        land=_staff(a, "specialist", "diachinh", "đất đai"),
        reception=_staff(a, "reception", "tiepnhan"),
        clerk=_staff(a, "clerk", "vanthu"),
        admin=_staff(a, "admin", "quantri"),
        supervisor=_staff(a, "supervisor", "giamsat"),
        officer_b=_staff(b, "specialist", "hotich_b", HOTICH),
        leader_b=_staff(b, "leader", "chutich_b"),
    )


def leader_titled(w: CivilWorld) -> Staff:
    w.leader.title = "Chủ tịch UBND xã"
    w.leader.save(update_fields=["title"])
    return w.leader


# --- Payloads ---------------------------------------------------------------------------------

CHILD = {
    "family_name": "Trần",
    "middle_name": "Thị",
    "given_name": "Hằng",
    "sex": "female",
    "date_of_birth": date(2026, 3, 1),
    "ethnicity": "Kinh",
    "nationality": "Việt Nam",
}
MOTHER = {
    "full_name": "Trần Thị Mỹ",
    "birth_year": 1996,
    "ethnicity": "Kinh",
    "nationality": "Việt Nam",
    "residence": "Thôn Đông, xã Đông",
    "id_number": PID_MOTHER,
}
FATHER = {
    "full_name": "Nguyễn Văn Đạt",
    "birth_year": 1994,
    "ethnicity": "Kinh",
    "nationality": "Việt Nam",
    "residence": "Thôn Đông, xã Đông",
    "id_number": PID_FATHER,
}
DECLARANT_MOTHER = {**MOTHER, "relationship": "mother"}


def birth(**over: Any) -> dict[str, Any]:
    """The keyword arguments of civil_register_birth (registered 10/03/2026, on time)."""
    kw: dict[str, Any] = {
        "child": copy.deepcopy(CHILD),
        "mother": copy.deepcopy(MOTHER),
        "father": None,
        "declarant": copy.deepcopy(DECLARANT_MOTHER),
        "place_of_birth": "Trạm Y tế xã Đông",
        "home_town": "xã Đông, tỉnh Thử Nghiệm",
        "registered_on": date(2026, 3, 10),
    }
    kw.update(over)
    return kw


HUSBAND = {
    "family_name": "Lê",
    "middle_name": "Văn",
    "given_name": "Toàn",
    "date_of_birth": date(1998, 5, 17),
    "ethnicity": "Kinh",
    "nationality": "Việt Nam",
    "residence": "Thôn Tây, xã Đông",
    "id_number": PID_HUSBAND,
}
WIFE = {
    "family_name": "Hà",
    "middle_name": "Thị",
    "given_name": "Ngọc",
    "date_of_birth": date(2000, 2, 29),
    "ethnicity": "Mường",
    "nationality": "Việt Nam",
    "residence": "Bản Mới, xã Đông",
    "id_number": PID_WIFE,
}


def marriage(**over: Any) -> dict[str, Any]:
    kw: dict[str, Any] = {
        "husband": copy.deepcopy(HUSBAND),
        "wife": copy.deepcopy(WIFE),
        "registered_on": date(2026, 4, 2),
    }
    kw.update(over)
    return kw


DECEASED = {
    "family_name": "Lò",
    "given_name": "Páo",
    "sex": "male",
    "date_of_birth": date(1945, 7, 1),
    "ethnicity": "Thái",
    "nationality": "Việt Nam",
    "residence": "Bản Lầm, xã Đông",
    "id_number": PID_OLD,
}


def death(**over: Any) -> dict[str, Any]:
    kw: dict[str, Any] = {
        "deceased": copy.deepcopy(DECEASED),
        "declarant": {"full_name": "Lò Văn Ún", "relationship": "child"},
        "date_of_death": date(2026, 5, 3),
        "place_of_death": "Tại nhà, bản Lầm",
        "time_of_death": "22:15",
        "cause": "Già yếu",
        "registered_on": date(2026, 5, 8),
    }
    kw.update(over)
    return kw


def state() -> tuple[Any, ...]:
    """Everything a refused call must leave as it was."""
    return (
        sorted(CivilBook.objects.values_list("pk", "last_number", "closed_on")),
        CivilRecord.objects.count(),
        CivilParty.objects.count(),
        CivilAmendment.objects.count(),
        Person.objects.count(),
        AuditEntry.objects.count(),
    )
