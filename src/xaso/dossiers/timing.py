"""Deadlines of a dossier from the working-day clock (``xaso.workdays``; vn-rules.md §1.9).

The appointment (ngày hẹn trả) follows the procedure's statutory limit:

- ``same_day_cutoff``: a limit of 0 working days with the receiving agency's cut-off (15:00 by
  default): received before it, due at today's close; at or after it, the next working day's;
- ``working_days`` N and ``working_hours`` N: as the clock counts them;
- ``days`` (the source says "N ngày" without "làm việc") and ``unconfirmed``: no appointment
  can be computed without guessing whether weekends count, so the intake is refused with
  ``TimeLimitUnconfirmed`` until the catalogue confirms the limit. Nothing is invented.

The receiving agency's office hours apply to the appointment (its counter gives the slip); the
competent agency's apply to its internal steps and to the supplement pause.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from xaso.org.models import Agency
from xaso.procedures.models import Procedure, ProcedureStep, TimeLimitKind
from xaso.workdays.clock import Due, OfficeHours, due_in_working_hours, to_vietnam_time
from xaso.workdays.selectors import due_for, work_calendar

from .errors import TimeLimitUnconfirmed

if TYPE_CHECKING:
    from .models import Dossier


def appointment(*, procedure: Procedure, received_at: datetime, agency: Agency) -> Due:
    """When a dossier of ``procedure`` received at ``received_at`` by ``agency`` is due."""
    kind, value = procedure.time_limit_kind, procedure.time_limit_value
    if kind == TimeLimitKind.SAME_DAY_CUTOFF:
        return due_for(received_at=received_at, working_days=0, agency=agency)
    if kind == TimeLimitKind.WORKING_DAYS and value is not None:
        return due_for(received_at=received_at, working_days=value, agency=agency)
    if kind == TimeLimitKind.WORKING_HOURS and value is not None:
        return due_for(received_at=received_at, working_hours=value, agency=agency)
    raise TimeLimitUnconfirmed(
        _(
            "Thủ tục %(code)s chưa có thời hạn giải quyết được xác nhận theo ngày làm việc hoặc "
            "giờ làm việc (danh mục ghi: %(kind)s). Cần xác nhận thời hạn trong danh mục thủ tục "
            "trước khi tiếp nhận hồ sơ, để giấy hẹn không ghi sai ngày trả kết quả."
        )
        % {"code": procedure.code, "kind": TimeLimitKind(kind).label}
    )


def step_deadline(
    *, step: ProcedureStep | None, start: datetime, agency: Agency
) -> datetime | None:
    """The deadline of an internal step from its hour budget; None when the step has no budget
    or is not counted in the processing time (returning the result)."""
    if step is None or step.hours is None or not step.counted:
        return None
    return due_for(received_at=start, working_hours=step.hours, agency=agency).due_at


def working_time_between(start: datetime, end: datetime, *, agency: Agency) -> timedelta:
    """Office time of ``agency`` between two moments (lunch breaks, nights and days off skipped):
    how long a supplement request kept the clock paused."""
    a, b = to_vietnam_time(start), to_vietnam_time(end)
    if b <= a:
        return timedelta(0)
    calendar, hours = work_calendar(), OfficeHours.of(agency)
    total = timedelta(0)
    d = a.date()
    while d <= b.date():
        if calendar.is_working_day(d):
            for seg_start, seg_end in hours.segments(d):
                overlap = min(seg_end, b) - max(seg_start, a)
                if overlap > timedelta(0):
                    total += overlap
        d += timedelta(days=1)
    return total


def shift(moment: datetime, by: timedelta, *, agency: Agency) -> datetime:
    """``moment`` moved later by ``by`` of ``agency``'s office time (unchanged for zero)."""
    if by <= timedelta(0):
        return moment
    calendar, hours = work_calendar(), OfficeHours.of(agency)
    return due_in_working_hours(moment, by, calendar=calendar, hours=hours).due_at


def next_due(dossiers: Iterable[Dossier], now: datetime) -> datetime | None:
    """The first moment one of ``dossiers`` turns overdue (their colour changes then; the day
    changing is the other moment, which core.pagecache keys on anyway)."""
    from .models import CLOCK_RUNNING

    times = [d.due_at for d in dossiers if d.status in CLOCK_RUNNING and d.due_at > now]
    return min(times, default=None)
