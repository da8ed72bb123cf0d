"""One dossier's story: the events the workflow would have recorded up to "now", and the
fields the services would have left, with deadlines from the working-day clock (in memory)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from xaso.procedures.models import TimeLimitKind
from xaso.workdays.clock import (
    OfficeHours,
    WorkCalendar,
    due_in_working_days,
    due_in_working_hours,
)

from ..models import (
    Channel,
    Status,
)
from .world import _Desk, _Proc, _Step

S = Status


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
