"""Synthetic volume: ``xaso seed --dossiers N`` fills the demo with N made-up dossiers.

What it is for: load tests and benchmarks (the work queue at a million dossiers), and a demo that
looks lived-in. Everything it writes is SYNTHETIC — invented citizens with invented personal IDs,
names drawn from a list, invented dates — and must never be mixed with real records: run it only
on a demo or benchmark database.

How it stays realistic:

- dossiers are spread over the last ``days`` days across the demo's receiving agencies (those with
  reception staff), with most on working days in office hours (counter, post) and a few online at
  any hour and on days off;
- codes follow the official pattern and are unique and gapless per agency and day: the seeder
  continues any sequence already in ``DossierCodeCounter`` and leaves each counter at the last
  number it gave, so a real intake afterwards takes the next one;
- due dates come from the working-day clock (``xaso.workdays.clock``) exactly as at intake, one
  ``WorkCalendar`` for the whole run; only procedures whose limit is confirmed (working days,
  working hours or same day with cut-off) are used;
- each dossier follows the workflow's transitions (receive → assign → forward → approve →
  mark_ready → return_result, sometimes with a supplement request, an apology, a refusal or a
  withdrawal) and its events stop at "now": recent dossiers are still pending, a few old ones are
  overdue; the dossier's fields are those the services would have left after those events;
- applicants are ``people.Person`` rows of the receiving agency with 12-digit personal IDs that
  agree with their date of birth and sex (vn-rules.md §4); some come back for another dossier.

How it stays fast (a million dossiers in minutes): the rows are built in memory and written with
``bulk_create`` in batches, one transaction per batch (so a batch is all or nothing and the
counters always match the committed dossiers). Nothing goes through the services: no permission
checks, and no audit entry per row — ONE audit entry ``dossier.seed`` records the whole run.

Deterministic: the same ``seed`` on a fresh database on the same day gives the same codes, names,
personal IDs, times and statuses. Run it while nobody receives dossiers (the counters are not
locked for the whole run).
"""

from __future__ import annotations

import itertools
import json
import operator
import random
import time as _time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from xaso.core.audit import audit_record
from xaso.core.errors import Conflict, InvalidInput
from xaso.core.text import fold
from xaso.org.models import Agency, Staff
from xaso.people.models import Person
from xaso.procedures.models import Procedure, TimeLimitKind
from xaso.workdays.clock import (
    OfficeHours,
    WorkCalendar,
    due_in_working_days,
    due_in_working_hours,
)
from xaso.workdays.selectors import work_calendar

from .models import (
    Channel,
    Dossier,
    DossierChecklistItem,
    DossierCodeCounter,
    DossierEvent,
    Status,
)
from .services.codes import dossier_code_format

VN = ZoneInfo("Asia/Ho_Chi_Minh")
S = Status

#: The demo's agencies that must exist (xaso.org.demo); dossiers go to those with reception staff.
DEMO_AGENCIES = ("H25.38.21", "H25.37.01", "H25.54", "H25.54.01")
DEFAULT_BATCH = 5000


class SeedRefused(Conflict):
    code = "seed_refused"


# --- Names (synthetic; common Vietnamese family, middle and given names) -----------------------

FAMILY = (
    ["Nguyễn"] * 38
    + ["Trần"] * 11
    + ["Lê"] * 9
    + ["Phạm"] * 7
    + ["Hoàng"] * 5
    + ["Đinh"] * 4
    + ["Hà"] * 4
    + ["Vũ", "Vũ", "Bùi", "Bùi", "Đặng", "Đỗ", "Ngô", "Dương", "Phan", "Lý", "Xa", "Lò", "Cao"]
)
MIDDLE = {
    "male": ["Văn"] * 6 + ["Đức", "Minh", "Quốc", "Hữu", "Công", "Thanh", "Xuân", "Ngọc", "Đình"],
    "female": ["Thị"] * 8 + ["Ngọc", "Thu", "Thanh", "Minh", "Kim", "Hồng", "Phương", "Mai"],
}


def _words(text: str) -> list[str]:
    return text.split()


GIVEN = {
    "male": _words(
        "An Bình Cường Dũng Đức Giang Hải Hiếu Hùng Huy Khánh Khoa Lâm Long Lực Mạnh Minh Nam "
        "Nghĩa Phong Phúc Quang Quân Sơn Tài Thắng Thành Toàn Trung Tuấn Tùng Việt Vinh"
    ),
    "female": _words(
        "Anh Chi Dung Giang Hà Hạnh Hằng Hiền Hoa Hồng Hương Huyền Lan Liên Linh Loan Mai "
        "My Nga Ngọc Nhung Oanh Phương Quỳnh Thảo Thu Thủy Trang Trinh Vân Yến"
    ),
}
VILLAGES = _words("Đồng Phú Xuân Tân Hạ Thượng Trung Mới Cả Dẹ Mơ Bến Gò Đá")
PHONE_PREFIXES = ("091", "094", "096", "097", "098", "086", "088", "032", "033", "035", "039")
#: Where applicants were born (personal ID d1-d3): mostly Phú Thọ, some neighbours and Hà Nội.
BIRTH_PROVINCES = ["025"] * 16 + ["001", "019", "015", "026", "008", "017", "022"]

REFUSAL_REASONS = (
    "Hồ sơ không thuộc thẩm quyền giải quyết của Ủy ban nhân dân cấp xã.",
    "Người yêu cầu không đủ điều kiện theo quy định.",
    "Giấy tờ nộp kèm không hợp lệ.",
)
WITHDRAWAL_REASONS = (
    "Người nộp hồ sơ có đơn xin rút hồ sơ.",
    "Công dân đề nghị dừng giải quyết để bổ sung thông tin khác.",
)
SUPPLEMENT_ITEMS = (
    "Bản sao giấy tờ tùy thân còn hiệu lực",
    "Giấy tờ chứng minh nơi cư trú",
    "Tờ khai ghi đầy đủ thông tin, có chữ ký của người yêu cầu",
    "Văn bản ủy quyền có chứng thực",
)
APOLOGY_REASON = "Hồ sơ cần xác minh thêm nên chưa giải quyết kịp thời hạn đã hẹn."


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


# --- The clock, in memory ------------------------------------------------------------------------


class _Clock:
    """The working-day clock over one calendar, with the per-day facts cached."""

    def __init__(self, calendar: WorkCalendar) -> None:
        self.calendar = calendar
        self._working: dict[date, bool] = {}
        self._segments: dict[tuple[OfficeHours, date], Any] = {}
        self._step_due: dict[tuple[int, datetime, OfficeHours], datetime] = {}

    def working(self, d: date) -> bool:
        w = self._working.get(d)
        if w is None:
            w = self._working[d] = self.calendar.is_working_day(d)
        return w

    def appointment(
        self, proc: _Proc, at: datetime, hours: OfficeHours
    ) -> tuple[datetime, datetime]:
        """(counted_from, due_at) as ``timing.appointment`` gives them."""
        if proc.kind == TimeLimitKind.WORKING_HOURS:
            due = due_in_working_hours(at, proc.value, calendar=self.calendar, hours=hours)
        else:
            days = 0 if proc.kind == TimeLimitKind.SAME_DAY_CUTOFF else proc.value
            due = due_in_working_days(at, days, calendar=self.calendar, hours=hours)
        return due.counted_from, due.due_at

    def step_due(self, step: _Step | None, start: datetime, hours: OfficeHours) -> datetime | None:
        """As ``timing.step_deadline``."""
        if step is None or step.hours is None or not step.counted:
            return None
        # Officers' moments lie on a 5-minute grid (``snap``), so the same deadlines recur.
        key = (step.hours, start, hours)
        due = self._step_due.get(key)
        if due is None:
            due = self._step_due[key] = due_in_working_hours(
                start, step.hours, calendar=self.calendar, hours=hours
            ).due_at
        return due

    def plus_working(self, moment: datetime, by: timedelta, hours: OfficeHours) -> datetime:
        if by <= timedelta(0):
            return moment
        return due_in_working_hours(moment, by, calendar=self.calendar, hours=hours).due_at

    def working_between(self, a: datetime, b: datetime, hours: OfficeHours) -> timedelta:
        """As ``timing.working_time_between``."""
        total = timedelta(0)
        d = a.date()
        while d <= b.date():
            if self.working(d):
                for s, e in hours.segments(d):
                    overlap = min(e, b) - max(s, a)
                    if overlap > timedelta(0):
                        total += overlap
            d += timedelta(days=1)
        return total

    def snap(self, t: datetime, hours: OfficeHours) -> datetime:
        """``t`` rounded up to 5 minutes if it is office time, else the next opening (officers
        act in office hours)."""
        extra = (-t.minute % 5) * 60 - t.second
        t = t.replace(microsecond=0) + timedelta(seconds=extra if extra > 0 else 0)
        if t.second:
            t += timedelta(seconds=60 - t.second)
        d = t.date()
        for _i in range(40):
            if self.working(d):
                segments = self._segments.get((hours, d))
                if segments is None:
                    segments = self._segments[hours, d] = hours.segments(d)
                for s, e in segments:
                    if t < e:
                        return max(t, s)
            d += timedelta(days=1)
            t = hours.opening(d)
        return t


# --- One dossier's story ------------------------------------------------------------------------


@dataclass
class _Story:
    """The dossier as the services would leave it after the events that happened by ``now``."""

    status: str
    step: _Step | None
    assignee: int | None
    step_due_at: datetime | None
    statutory_due_at: datetime
    due_at: datetime
    events: list[dict[str, Any]] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)


def _between(rng: random.Random, a: datetime, b: datetime, lo: float, hi: float) -> datetime:
    if b <= a:
        return a + timedelta(minutes=1)
    return a + (b - a) * rng.uniform(lo, hi)


class _Writer:
    def __init__(self, clock: _Clock, now: datetime) -> None:
        self.clock = clock
        self.now = now

    def story(
        self,
        rng: random.Random,
        desk: _Desk,
        proc: _Proc,
        channel: str,
        received_at: datetime,
        counted_from: datetime,
        due_at: datetime,
    ) -> _Story:
        clock, ch = self.clock, desk.competent_hours
        steps = proc.steps
        counted = [s for s in steps if s.counted]
        after = [s for s in steps if not s.counted]
        receptionist = rng.choice(desk.reception)
        specialist = rng.choice(desk.specialists)
        leader = rng.choice(desk.leaders)
        st = _Story(
            status="",  # no dossier yet: the receive event makes it "received"
            step=steps[0],
            assignee=receptionist,
            step_due_at=clock.step_due(steps[0], counted_from, desk.hours),
            statutory_due_at=due_at,
            due_at=due_at,
        )
        now = self.now

        def event(action: str, to: str, at: datetime, actor: int, **extra: Any) -> bool:
            """Append the event if it happened by now; False stops the story there."""
            if at > now:
                return False
            agency = desk.receiving if actor in desk.reception else desk.competent
            st.events.append(
                {
                    "action": action,
                    "from_status": str(st.status),
                    "to_status": str(to),
                    "at": at,
                    "actor_id": actor,
                    "agency_id": agency.pk,
                    "extra": extra,
                }
            )
            st.status = to
            return True

        def stamp(data: dict[str, Any] | None = None, note: str = "") -> None:
            e = st.events[-1]
            e.update(
                step_id=st.step.id if st.step else None,
                assignee_id=st.assignee,
                step_due_at=st.step_due_at,
                data=data or {},
                note=note,
            )

        data = {
            "procedure": proc.code,
            "channel": channel,
            "due_at": due_at.isoformat(),
            "checklist": [[o, n_o, n_c] for (_i, o, _n, n_o, n_c) in proc.documents],
            "synthetic": True,
        }
        event("receive", S.RECEIVED, received_at, receptionist)
        stamp(data)

        roll = rng.random()
        t1 = clock.snap(received_at + timedelta(minutes=rng.randint(5, 120)), ch)
        if roll < 0.006:  # refused at once (by the counter when it decides, else the leader)
            t = clock.snap(received_at + timedelta(minutes=rng.randint(2, 30)), desk.hours)
            who = receptionist if desk.competent.pk == desk.receiving.pk else leader
            if event("refuse", S.REFUSED, t, who):
                self._finish(st, t, refusal_reason=rng.choice(REFUSAL_REASONS))
                stamp({"reason": st.fields["refusal_reason"]})
            return st
        if roll < 0.012:  # withdrawn before anyone took it up
            t = clock.snap(received_at + timedelta(minutes=rng.randint(10, 90)), desk.hours)
            if event("withdraw", S.WITHDRAWN, t, receptionist):
                self._finish(st, t, withdrawal_reason=rng.choice(WITHDRAWAL_REASONS))
                stamp({"reason": st.fields["withdrawal_reason"]})
            return st

        step2 = next((s for s in counted if s.order > steps[0].order), counted[-1])
        if not event("assign", S.IN_PROCESSING, t1, leader):
            return st
        st.step, st.assignee = step2, specialist
        st.step_due_at = clock.step_due(step2, t1, ch)
        stamp({"step_name": step2.name})

        if roll < 0.022:  # refused after examination, by the leader
            t = clock.snap(_between(rng, t1, st.due_at, 0.2, 0.8), ch)
            if event("refuse", S.REFUSED, t, leader):
                self._finish(st, t, refusal_reason=rng.choice(REFUSAL_REASONS))
                stamp({"reason": st.fields["refusal_reason"]})
            return st
        if roll < 0.028:  # withdrawn while in processing
            t = clock.snap(_between(rng, t1, st.due_at, 0.1, 0.7), desk.hours)
            if event("withdraw", S.WITHDRAWN, t, receptionist):
                self._finish(st, t, withdrawal_reason=rng.choice(WITHDRAWAL_REASONS))
                stamp({"reason": st.fields["withdrawal_reason"]})
            return st

        last = t1
        if roll < 0.088:  # one supplement request (Form 02)
            ts = clock.snap(_between(rng, t1, st.due_at, 0.1, 0.5), ch)
            missing = [rng.choice(SUPPLEMENT_ITEMS)]
            if not event("request_supplement", S.AWAITING_SUPPLEMENT, ts, specialist):
                return st
            st.fields.update(
                supplement_count=1, supplement_requested_at=ts, supplement_missing=missing
            )
            stamp({"missing": missing, "request": 1, "late": False})
            # Most applicants bring the papers within two weeks; some never come back.
            back_days = rng.choice((1, 2, 3, 5, 7, 10, 14, 400))
            tr = clock.snap(ts + timedelta(days=back_days, minutes=rng.randint(0, 300)), ch)
            if not event("receive_supplement", S.IN_PROCESSING, tr, specialist):
                return st
            paused = clock.working_between(ts, tr, ch)
            st.statutory_due_at = clock.plus_working(st.statutory_due_at, paused, ch)
            st.due_at = clock.plus_working(st.due_at, paused, ch)
            if st.step_due_at is not None:
                st.step_due_at = clock.plus_working(st.step_due_at, paused, ch)
            st.fields.update(
                supplement_received_at=tr,
                supplement_paused_seconds=int(paused.total_seconds()),
                supplement_missing=[],
            )
            stamp({"paused_seconds": int(paused.total_seconds()), "due_at": st.due_at.isoformat()})
            last = tr

        late = roll > 0.95
        if late:  # finished after the appointment; most apologise beforehand (Form 04)
            finish = clock.snap(st.due_at + timedelta(hours=rng.choice((2, 20, 30, 70, 120))), ch)
            if rng.random() < 0.6:
                ta = clock.snap(max(last, st.due_at - timedelta(hours=rng.randint(1, 20))), ch)
                new_due = due_in_working_days(
                    st.due_at, rng.choice((2, 3, 5)), calendar=clock.calendar, hours=ch
                ).due_at
                if ta > now:
                    return st
                if ta < st.due_at < new_due and event("apologize", st.status, ta, leader):
                    before = st.due_at
                    st.due_at = new_due
                    st.fields.update(apologized_at=ta, apology_reason=APOLOGY_REASON)
                    stamp(
                        {
                            "reason": APOLOGY_REASON,
                            "due_at": [before.isoformat(), new_due.isoformat()],
                        }
                    )
                    last = ta
        else:
            finish = clock.snap(_between(rng, last, st.statutory_due_at, 0.35, 0.97), ch)
            if finish > st.statutory_due_at:
                finish = max(
                    last + timedelta(minutes=2), st.statutory_due_at - timedelta(minutes=5)
                )

        t2 = max(last + timedelta(minutes=1), clock.snap(_between(rng, last, finish, 0.4, 0.8), ch))
        if t2 >= finish:
            t2 = last + (finish - last) / 3
        t3 = t2 + (finish - t2) / 2
        step3 = next((s for s in counted if s.order > step2.order), None)
        if step3 is not None:
            if not event("forward", S.IN_PROCESSING, t2, specialist):
                return st
            st.step, st.assignee = step3, leader
            st.step_due_at = clock.step_due(step3, t2, ch)
            stamp({"step_name": step3.name})
        if not event("approve", S.APPROVED, t3, leader):
            return st
        st.step = after[0] if after else st.step
        st.assignee, st.step_due_at = None, None
        stamp()
        clerk = rng.choice(desk.clerks)
        if not event("mark_ready", S.RESULT_READY, finish, clerk):
            return st
        self._finish(st, finish, result_ready_at=finish)
        stamp()
        if channel == Channel.ONLINE:
            back = finish + timedelta(minutes=rng.randint(1, 20))
        else:
            back = clock.snap(finish + timedelta(hours=rng.choice((0, 1, 3, 18, 24, 48, 70))), ch)
        if event("return_result", S.RETURNED, back, rng.choice(desk.reception)):
            st.fields["returned_at"] = back
            stamp()
        return st

    @staticmethod
    def _finish(st: _Story, at: datetime, **values: Any) -> None:
        st.fields.setdefault("finished_at", at)
        st.fields.update(values)
        st.assignee, st.step_due_at = None, None


# --- People ------------------------------------------------------------------------------------


def _person(rng: random.Random, desk: _Desk, on: date, names: dict[str, str]) -> dict[str, Any]:
    """The row of a new ``people.Person`` of the receiving agency: a valid personal ID that
    agrees with the date of birth and sex, unique in the agency."""
    sex = "male" if rng.random() < 0.5 else "female"
    family = rng.choice(FAMILY)
    middle = rng.choice(MIDDLE[sex])
    given = rng.choice(GIVEN[sex])
    age = rng.choice((18, 20, 22, 24, 25, 26, 28, 30, 32, 35, 38, 40, 45, 50, 55, 60, 65, 70, 78))
    year = on.year - age - rng.randint(0, 4)
    month = rng.randint(1, 12)
    dob = date(year, month, rng.randint(1, 28))
    century = (year // 100 - 19) * 2 + (0 if sex == "male" else 1)
    head = f"{rng.choice(BIRTH_PROVINCES)}{century}{year % 100:02d}"
    while True:
        pid = f"{head}{rng.randrange(1_000_000):06d}"
        if pid not in desk.used_ids:
            desk.used_ids.add(pid)
            break
    full = f"{family} {middle} {given}"
    folded = names.get(full)
    if folded is None:
        folded = names[full] = fold(full)
    phone = f"{rng.choice(PHONE_PREFIXES)}{rng.randrange(10_000_000):07d}"
    village = rng.choice(VILLAGES)
    return {
        "public_id": uuid.uuid4(),
        "agency_id": desk.receiving.pk,
        "family_name": family,
        "middle_name": middle,
        "given_name": given,
        "name_folded": folded,
        "personal_id": pid,
        "date_of_birth": dob,
        "sex": sex,
        "phone": phone,
        "email": "",
        "address": f"Khu {village}, {desk.address}",
        "ethnicity": "Kinh" if rng.random() < 0.8 else "Mường",
        "nationality": "Việt Nam",
    }


# --- Where the dossiers fall ------------------------------------------------------------------


def _slots(
    clock: _Clock, desks: list[_Desk], first: date, today: date, now: datetime, count: int
) -> list[tuple[date, int, int]]:
    """(day, desk index, how many) for every day and desk, adding up to exactly ``count``:
    working days weigh 1, days off 0.05 (online only), today by the share of it gone by."""
    weights: list[tuple[date, int, float]] = []
    d = first
    while d <= today:
        w = 1.0 if clock.working(d) else 0.05
        if d == today:
            w *= max(
                0.0,
                min(1.0, (now - datetime.combine(d, datetime.min.time(), VN)) / timedelta(days=1)),
            )
        for i in range(len(desks)):
            weights.append((d, i, w))
        d += timedelta(days=1)
    total = sum(w for _d, _i, w in weights) or 1.0
    exact = [count * w / total for _d, _i, w in weights]
    counts = [int(x) for x in exact]
    short = count - sum(counts)
    by_remainder = sorted(range(len(exact)), key=lambda k: (counts[k] - exact[k], k))
    for k in by_remainder[:short]:
        counts[k] += 1
    return [(d, i, n) for (d, i, _w), n in zip(weights, counts, strict=True) if n]


def _times(
    rng: random.Random, clock: _Clock, desk: _Desk, day: date, n: int, now: datetime
) -> list[tuple[datetime, str]]:
    """``n`` reception moments of ``day`` with their channels, in order."""
    out: list[tuple[datetime, str]] = []
    working = clock.working(day)
    midnight = datetime.combine(day, datetime.min.time(), VN)
    segments = desk.hours.segments(day)
    span_end = min(now, midnight + timedelta(days=1)) - timedelta(seconds=1)
    for _k in range(n):
        roll = rng.random()
        channel = (
            Channel.ONLINE
            if (not working or roll < 0.25)
            else (Channel.POST if roll < 0.30 else Channel.COUNTER)
        )
        at: datetime | None = None
        if channel != Channel.ONLINE:
            s, e = segments[0] if rng.random() < 0.55 else segments[1]
            e = min(e, span_end)
            if e > s:
                at = s + timedelta(seconds=rng.randrange(int((e - s).total_seconds())))
        if at is None:
            channel = Channel.ONLINE
            at = midnight + timedelta(
                seconds=rng.randrange(max(1, int((span_end - midnight).total_seconds())))
            )
        out.append((at.replace(microsecond=0), str(channel)))
    out.sort(key=lambda x: x[0])
    return out


def _sqlite_datetime(v: datetime | None) -> str | None:
    """As Django's SQLite backend stores an aware datetime: UTC, ISO format with a space."""
    return None if v is None else v.astimezone(UTC).replace(tzinfo=None).isoformat(" ")


class _Table:
    """Plain multi-row INSERTs of one model with the ids given by the caller: Django's
    ``bulk_create`` spends most of its time preparing values field by field, which a million rows
    cannot afford. Values are adapted here the way Django's backends store them (datetimes as
    UTC text and UUIDs as hex on SQLite, JSON as text)."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.pg = connection.vendor == "postgresql"
        qn = connection.ops.quote_name
        self.fields = list(model._meta.concrete_fields)
        marks = []
        self.adapt: list[Callable[[Any], Any] | None] = []
        for f in self.fields:
            kind = f.get_internal_type()
            marks.append("%s::jsonb" if self.pg and kind == "JSONField" else "%s")
            self.adapt.append(self._adapter(kind))
        self.sql = (
            f"INSERT INTO {qn(model._meta.db_table)} "  # noqa: S608 - names from the model
            f"({', '.join(qn(f.column) for f in self.fields)}) VALUES ({', '.join(marks)})"
        )
        # What a row leaves out: the field's default, else NULL or "" as the column allows;
        # stored already adapted.
        self.defaults: dict[str, Any] = {}
        for f, adapt in zip(self.fields, self.adapt, strict=True):
            if f.has_default():
                value = f.get_default()
                self.defaults[f.attname] = adapt(value) if adapt and value is not None else value
            else:
                self.defaults[f.attname] = None if f.null or not f.empty_strings_allowed else ""
        self.adapted = [
            (f.attname, a) for f, a in zip(self.fields, self.adapt, strict=True) if a is not None
        ]
        self.getter = operator.itemgetter(*[f.attname for f in self.fields])

    def _adapter(self, kind: str) -> Callable[[Any], Any] | None:
        if kind == "JSONField":
            return json.dumps
        if self.pg:
            return None
        if kind == "DateTimeField":
            return _sqlite_datetime
        if kind == "DateField":
            return lambda v: None if v is None else v.isoformat()
        if kind == "UUIDField":
            return lambda v: v.hex
        return None

    def next_id(self) -> int:
        return (self.model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1

    def insert(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        defaults, adapted, getter = self.defaults, self.adapted, self.getter
        values = []
        for row in rows:
            merged = {**defaults, **row}
            for name, adapt in adapted:
                if name in row:
                    merged[name] = adapt(row[name])
            values.append(getter(merged))
        with connection.cursor() as cursor:
            cursor.executemany(self.sql, values)

    def reset_sequence(self) -> None:
        statements = connection.ops.sequence_reset_sql(no_style(), [self.model])
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)


@dataclass
class _Row:
    desk: _Desk
    proc: _Proc
    channel: str
    at: datetime
    who: int | dict[str, Any]  # a returning applicant's pk, or the row of a new Person
    code: str
    counted_from: datetime
    due_at: datetime
    story: _Story


# --- The run ---------------------------------------------------------------------------------


def dossiers_seed(
    *,
    count: int,
    agency_code: str | None = None,
    days: int = 365,
    seed: int = 0,
    now: datetime | None = None,
    batch_size: int = DEFAULT_BATCH,
    progress: Callable[[int, int, float], None] | None = None,
) -> SeedResult:
    """Create ``count`` synthetic dossiers over the ``days`` days up to ``now`` (see the module
    docstring). Refused (``SeedRefused``) without the demo. One audit entry for the run."""
    if count < 1:
        raise InvalidInput(_("Số hồ sơ cần tạo phải lớn hơn 0."), fields={"dossiers": []})
    if days < 1:
        raise InvalidInput(_("Số ngày phải lớn hơn 0."), fields={"days": []})
    started = _time.monotonic()
    now = timezone.localtime(now or timezone.now(), VN)
    today = now.date()
    first = today - timedelta(days=days - 1)
    desks = _desks(agency_code)
    procs = _procedures()
    proc_cum = list(itertools.accumulate(p.weight for p in procs))
    clock = _Clock(work_calendar())
    writer = _Writer(clock, now)
    rng = random.Random(seed)
    names: dict[str, str] = {}

    counters = {
        (c.agency_id, c.day): c.last
        for c in DossierCodeCounter.objects.filter(
            agency__in=[d.receiving for d in desks], day__gte=first, day__lte=today
        )
    }
    slots = _slots(clock, desks, first, today, now, count)

    made = people = events = 0
    batch: list[_Row] = []
    touched: dict[tuple[int, date], int] = {}

    tables = {m: _Table(m) for m in (Person, Dossier, DossierEvent, DossierChecklistItem)}
    if connection.vendor == "sqlite":
        # The unique and search indexes take rows in random order: with SQLite's default 2 MB
        # page cache every insert reads pages back from disk. 1 GB keeps them in memory.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size=-1000000")

    def flush() -> None:
        nonlocal people, events
        stamp = timezone.now()
        with transaction.atomic():
            # Ids are given here, inside the batch's transaction (on SQLite it holds the write
            # lock from BEGIN IMMEDIATE); the sequences are moved past them before the commit.
            ids = {m: t.next_id() for m, t in tables.items()}
            person_rows = []
            for r in batch:
                if isinstance(r.who, dict):
                    r.who["id"] = ids[Person]
                    ids[Person] += 1
                    r.who["created_at"] = r.who["updated_at"] = stamp
                    person_rows.append(r.who)
            tables[Person].insert(person_rows)
            people += len(person_rows)
            dossier_rows, event_rows, item_rows = [], [], []
            for r in batch:
                desk, proc, st = r.desk, r.proc, r.story
                applicant = r.who["id"] if isinstance(r.who, dict) else r.who
                desk.pool.append(applicant)
                dossier_id = ids[Dossier]
                ids[Dossier] += 1
                dossier_rows.append(
                    {
                        "id": dossier_id,
                        "code": r.code,
                        "receiving_agency_id": desk.receiving.pk,
                        "competent_agency_id": desk.competent.pk,
                        "procedure_id": proc.id,
                        "procedure_version_id": proc.version_id,
                        "applicant_id": applicant,
                        "channel": str(r.channel),
                        "status": str(st.status),
                        "current_step_id": st.step.id if st.step else None,
                        "assignee_id": st.assignee,
                        "step_due_at": st.step_due_at,
                        "received_at": r.at,
                        "counted_from": r.counted_from,
                        "initial_due_at": r.due_at,
                        "statutory_due_at": st.statutory_due_at,
                        "due_at": st.due_at,
                        "created_at": stamp,
                        "updated_at": stamp,
                        **st.fields,
                    }
                )
                for e in st.events:
                    e["id"] = ids[DossierEvent]
                    ids[DossierEvent] += 1
                    e["dossier_id"] = dossier_id
                    event_rows.append(e)
                for doc_id, order, name, originals, copies in proc.documents:
                    item_rows.append(
                        {
                            "id": ids[DossierChecklistItem],
                            "dossier_id": dossier_id,
                            "document_id": doc_id,
                            "order": order,
                            "name": name,
                            "originals": originals,
                            "copies": copies,
                        }
                    )
                    ids[DossierChecklistItem] += 1
            tables[Dossier].insert(dossier_rows)
            tables[DossierEvent].insert(event_rows)
            tables[DossierChecklistItem].insert(item_rows)
            events += len(event_rows)
            for t in tables.values():
                t.reset_sequence()
            DossierCodeCounter.objects.bulk_create(
                [DossierCodeCounter(agency_id=a, day=d, last=n) for (a, d), n in touched.items()],
                update_conflicts=True,
                unique_fields=["agency", "day"],
                update_fields=["last"],
            )
        batch.clear()
        touched.clear()
        if progress is not None:
            progress(made, count, _time.monotonic() - started)

    for day, index, n in slots:
        desk = desks[index]
        key = (desk.receiving.pk, day)
        sequence = counters.get(key, 0)
        for at, channel in _times(rng, clock, desk, day, n, now):
            proc = rng.choices(procs, cum_weights=proc_cum)[0]
            sequence += 1
            code = dossier_code_format(
                agency_code=desk.receiving.code, received_on=day, sequence=sequence
            )
            who: int | dict[str, Any]
            if desk.pool and rng.random() < 0.3:
                who = desk.pool[rng.randrange(len(desk.pool))]
            else:
                who = _person(rng, desk, day, names)
            counted_from, due = clock.appointment(proc, at, desk.hours)
            story = writer.story(rng, desk, proc, channel, at, counted_from, due)
            batch.append(_Row(desk, proc, channel, at, who, code, counted_from, due, story))
            counters[key] = touched[key] = sequence
            made += 1
            if len(batch) >= batch_size:
                flush()
    if batch:
        flush()

    with transaction.atomic():
        audit_record(
            actor=None,
            action="dossier.seed",
            object_type="dossiers.dossier",
            changes={
                "count": made,
                "people": people,
                "events": events,
                "agencies": [d.receiving.code for d in desks],
                "days": days,
                "from": first.isoformat(),
                "to": today.isoformat(),
                "seed": seed,
                "synthetic": True,
            },
        )
    return SeedResult(
        count=made,
        people=people,
        events=events,
        agencies=[d.receiving.code for d in desks],
        first_day=first,
        last_day=today,
        seconds=_time.monotonic() - started,
    )
