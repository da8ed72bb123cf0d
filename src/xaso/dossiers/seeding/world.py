"""What the seeder reads once: the demo's receiving agencies with their officers, and the
procedures whose time limit is confirmed. Without the demo, seeding is refused."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from xaso.core.errors import Conflict
from xaso.org.models import Agency, Staff
from xaso.people.models import Person
from xaso.procedures.models import Procedure, TimeLimitKind
from xaso.workdays.clock import (
    OfficeHours,
)

DEMO_AGENCIES = ("H25.38.21", "H25.37.01", "H25.54", "H25.54.01")
DEFAULT_BATCH = 5000


class SeedRefused(Conflict):
    code = "seed_refused"


# --- What the seeder reads once -------------------------------------------------------------


@dataclass(frozen=True)
class _Step:
    id: int
    order: int
    name: str
    role: str
    hours: int | None
    counted: bool


@dataclass(frozen=True)
class _Proc:
    id: int
    code: str
    kind: str
    value: int
    version_id: int
    steps: tuple[_Step, ...]
    documents: tuple[tuple[int, int, str, int, int], ...]  # id, order, name, originals, copies
    weight: float


@dataclass
class _Desk:
    """A receiving agency, the agency that decides its dossiers, and who works on them."""

    receiving: Agency
    competent: Agency
    hours: OfficeHours
    competent_hours: OfficeHours
    reception: list[int]
    specialists: list[int]
    leaders: list[int]
    clerks: list[int]
    address: str = ""
    used_ids: set[str] = field(default_factory=set)
    pool: list[int] = field(default_factory=list)  # Person pks, for returning applicants


@dataclass(frozen=True)
class SeedResult:
    count: int
    people: int
    events: int
    agencies: list[str]
    first_day: date
    last_day: date
    seconds: float


def _staff_ids(agency: Agency, role: str) -> list[int]:
    return list(
        Staff.objects.filter(agency=agency, is_active=True, roles__role=role)
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )


def _desks(agency_code: str | None) -> list[_Desk]:
    agencies = {a.code: a for a in Agency.objects.filter(code__in=DEMO_AGENCIES)}
    staffed = Staff.objects.filter(agency__code__in=DEMO_AGENCIES).exists()
    if len(agencies) != len(DEMO_AGENCIES) or not staffed:
        raise SeedRefused(
            _(
                "Chưa có dữ liệu minh họa (cơ quan, cán bộ, danh mục thủ tục). Hãy chạy "
                "“xaso demo --password <mật khẩu>” trước khi tạo hồ sơ mẫu."
            )
        )
    desks: list[_Desk] = []
    for code in DEMO_AGENCIES:
        receiving = agencies[code]
        reception = _staff_ids(receiving, "reception")
        if not reception or (agency_code and code != agency_code):
            continue
        # A service centre (Trung tâm phục vụ hành chính công) receives for its commune's
        # People's Committee, whose officers decide: the parent agency when it has specialists.
        competent = receiving
        if not _staff_ids(receiving, "specialist") and receiving.parent_id:
            competent = Agency.objects.get(pk=receiving.parent_id)
        desk = _Desk(
            receiving=receiving,
            competent=competent,
            hours=OfficeHours.of(receiving),
            competent_hours=OfficeHours.of(competent),
            reception=reception,
            specialists=_staff_ids(competent, "specialist"),
            leaders=_staff_ids(competent, "leader"),
            clerks=_staff_ids(competent, "clerk") or _staff_ids(competent, "leader"),
        )
        if not (desk.specialists and desk.leaders):
            continue
        unit = receiving.unit
        desk.address = unit.name if unit is not None else receiving.name
        desk.used_ids = set(
            Person.objects.filter(agency=receiving)
            .exclude(personal_id="")
            .values_list("personal_id", flat=True)
        )
        desks.append(desk)
    if agency_code and not desks:
        raise SeedRefused(
            _(
                "Cơ quan %(code)s không phải cơ quan tiếp nhận hồ sơ của dữ liệu minh họa "
                "(cần có cán bộ tiếp nhận, chuyên viên và lãnh đạo)."
            )
            % {"code": agency_code}
        )
    if not desks:
        raise SeedRefused(_("Dữ liệu minh họa không có cơ quan nào có cán bộ tiếp nhận hồ sơ."))
    return desks


CONFIRMED = (TimeLimitKind.WORKING_DAYS, TimeLimitKind.SAME_DAY_CUTOFF, TimeLimitKind.WORKING_HOURS)


def _procedures() -> list[_Proc]:
    out: list[_Proc] = []
    rows = (
        Procedure.objects.filter(time_limit_kind__in=CONFIRMED)
        .prefetch_related("versions__steps", "documents")
        .order_by("code")
    )
    for p in rows:
        if p.time_limit_kind != TimeLimitKind.SAME_DAY_CUTOFF and p.time_limit_value is None:
            continue
        versions = [v for v in p.versions.all() if v.is_current]
        if not versions:
            continue
        steps = tuple(
            _Step(s.id, s.order, s.name, s.role, s.hours, s.counted)
            for s in sorted(versions[0].steps.all(), key=lambda s: s.order)
        )
        if len(steps) < 2:
            continue
        # The counter ticks what the catalogue asks for (at least one copy of each paper).
        docs = tuple(
            (d.id, d.order, d.name, d.count_original, d.count_copy or int(not d.count_original))
            for d in sorted(p.documents.all(), key=lambda d: d.order)
        )
        # Civil status and certification make most of a commune's dossiers.
        busy = p.field in ("Hộ tịch", "Chứng thực")
        quick = p.time_limit_kind == TimeLimitKind.SAME_DAY_CUTOFF
        out.append(
            _Proc(
                id=p.id,
                code=p.code,
                kind=p.time_limit_kind,
                value=p.time_limit_value or 0,
                version_id=versions[0].id,
                steps=steps,
                documents=docs,
                weight=(4.0 if busy else 1.0) * (3.0 if quick else 1.0),
            )
        )
    if not out:
        raise SeedRefused(
            _(
                "Danh mục thủ tục chưa có thủ tục nào có thời hạn giải quyết đã xác nhận. Hãy "
                "chạy “xaso demo --password <mật khẩu>” trước khi tạo hồ sơ mẫu."
            )
        )
    return out
