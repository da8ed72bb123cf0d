"""The working-day clock: when is a one-stop dossier (hồ sơ thủ tục hành chính) due?

Pure logic, no database access: the caller hands in a :class:`WorkCalendar` (which dates are
working days) and the :class:`OfficeHours` of the receiving agency. ``xaso.workdays.selectors``
builds both from the database; everything that needs a deadline goes through this module.

Legal basis (vn-rules.md §1.9 and §6):

- Working week Monday-Friday for state agencies (Decision 188/1999/QĐ-TTg); public holidays of
  Labour Code 45/2019/QH14 art. 112, with the compensatory day of art. 111.3, as computed by the
  ``holidays`` package; plus the yearly schedule for civil servants announced by the Ministry of
  Home Affairs (extra days off and make-up Saturdays), which is data (``CalendarDay`` rows).
- Civil Code 2015 (91/2015/QH13) art. 147: a period counted in days starts on the day after the
  triggering event; art. 148: a period whose last day is a non-working day ends at the close of
  the next working day. Counting only working days satisfies art. 148 by construction.
- Sector rule for same-day procedures (chứng thực, hộ tịch, Decree 63/2024/NĐ-CP): received
  before 15:00 → returned the same day; at or after 15:00 → the next working day.
- Internal steps are budgeted in working hours, 8 a day.

Choices made here where the texts are silent ([UNCONFIRMED] in vn-rules.md §1.9):

- A dossier received outside office hours (before opening, after closing, on a non-working day)
  counts as received at the opening of the next working day.
- A dossier received during the lunch break counts as received *on that working day*, at the
  afternoon opening (13:00 by default): the one-stop desk may take it in; for hour limits the
  count starts at the afternoon opening.
- For limits in working days, the same-day cut-off (15:00 by default) also sets the reception day:
  received at or after it counts as received at the opening of the next working day
  (vn-rules.md §6, "deadline computation", step 1). So a same-day limit received before 15:00 is
  due at today's close, and at or after 15:00 at the close of the next working day; a limit of
  N ≥ 1 days received Friday 16:00 counts from Monday's opening and its first counted day is
  Tuesday. Limits in working hours run from the moment itself (the cut-off does not apply).
- ``Due.counted_from`` is that effective reception moment. For a limit of N ≥ 1 working days the
  first day counted is the working day after ``counted_from``'s date (art. 147).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, Literal
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

DAY_OFF: Literal["day_off"] = "day_off"
WORKING_DAY: Literal["working_day"] = "working_day"
Kind = Literal["day_off", "working_day"]
Source = Literal["statute", "official", "weekend", "weekday"]

# A calendar with no working day for this long is broken data, not a long holiday.
_MAX_GAP_DAYS = 400


class CalendarBroken(Exception):
    """No working day within ``_MAX_GAP_DAYS``: the calendar data is wrong."""


@dataclass(frozen=True)
class Override:
    """An official change for one date (a ``CalendarDay`` row): an extra day off, a make-up
    working day, or a working day that cancels a statutory holiday."""

    kind: Kind
    name: str
    note: str = ""


@dataclass(frozen=True)
class DayInfo:
    """What one date is. ``source``: ``statute`` (the holidays package), ``official`` (a
    ``CalendarDay`` row), ``weekend`` or ``weekday`` (the ordinary week)."""

    date: date
    working: bool
    name: str
    source: Source
    cancelled_holiday: str = ""


@lru_cache(maxsize=256)
def statutory_holidays(year: int) -> Mapping[date, str]:
    """Public holidays and announced swap days of ``year`` from the ``holidays`` package, with
    their Vietnamese names (Labour Code 45/2019/QH14 arts. 111-112)."""
    import holidays

    cal = holidays.country_holidays("VN", years=year, language="vi")
    return {d: str(name) for d, name in sorted(cal.items()) if d.year == year}


@lru_cache(maxsize=256)
def statutory_weekend_workdays(year: int) -> frozenset[date]:
    """Saturdays/Sundays the package declares working days (make-up days for a swap)."""
    import holidays

    cal = holidays.country_holidays("VN", years=year, language="vi")
    days: Any = getattr(cal, "weekend_workdays", ())
    return frozenset(d for d in days if d.year == year)


def _make_up_name(d: date) -> str:
    for off, name in statutory_holidays(d.year).items():
        if d.strftime("%d/%m/%Y") in name:
            return f"Làm bù cho ngày {off:%d/%m/%Y}"
    return "Ngày làm việc bù"


OverrideLoader = Callable[[int, int], Mapping[date, Override]]


class WorkCalendar:
    """Which dates are working days: Monday-Friday, minus statutory holidays, with the official
    ``overrides`` applied on top (an override always wins over the package).

    Overrides come either as a complete mapping, or from ``loader(first_year, last_year)``, called
    once per pair of years the first time a date in them is asked about. One calendar can serve
    many computations (a list page of dossiers): build it once and pass it around.
    """

    def __init__(
        self,
        overrides: Mapping[date, Override] | None = None,
        *,
        loader: OverrideLoader | None = None,
    ) -> None:
        self._overrides: dict[date, Override] = dict(overrides or {})
        self._loader = loader
        self._loaded: set[int] = set()

    def _ensure(self, year: int) -> None:
        if self._loader is None or year in self._loaded:
            return
        # Most limits end in the year they start or the next: one query covers both.
        last = year if year + 1 in self._loaded else year + 1
        self._overrides.update(self._loader(year, last))
        self._loaded.update(range(year, last + 1))

    def override(self, d: date) -> Override | None:
        self._ensure(d.year)
        return self._overrides.get(d)

    def overrides_in(self, year: int) -> dict[date, Override]:
        self._ensure(year)
        return {d: o for d, o in sorted(self._overrides.items()) if d.year == year}

    def day(self, d: date) -> DayInfo:
        holiday = statutory_holidays(d.year).get(d, "")
        ov = self.override(d)
        if ov is not None:
            cancelled = holiday if ov.kind == WORKING_DAY and d.weekday() < 5 else ""
            return DayInfo(d, ov.kind == WORKING_DAY, ov.name, "official", cancelled)
        if d.weekday() >= 5:
            if d in statutory_weekend_workdays(d.year):
                return DayInfo(d, True, _make_up_name(d), "statute")
            return DayInfo(d, False, "", "weekend")
        if holiday:
            return DayInfo(d, False, holiday, "statute")
        return DayInfo(d, True, "", "weekday")

    def is_working_day(self, d: date) -> bool:
        ov = self.override(d)
        if ov is not None:
            return ov.kind == WORKING_DAY
        if d.weekday() >= 5:
            return d in statutory_weekend_workdays(d.year)
        return d not in statutory_holidays(d.year)

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        for _ in range(_MAX_GAP_DAYS):
            d += timedelta(days=1)
            if self.is_working_day(d):
                return d
        raise CalendarBroken(f"no working day within {_MAX_GAP_DAYS} days after {d}")

    def working_day_on_or_after(self, d: date) -> date:
        return d if self.is_working_day(d) else self.next_working_day(d)

    def days_of_year(self, year: int) -> Iterator[DayInfo]:
        d = date(year, 1, 1)
        while d.year == year:
            yield self.day(d)
            d += timedelta(days=1)


@dataclass(frozen=True)
class OfficeHours:
    """Giờ hành chính of an agency, local time (Asia/Ho_Chi_Minh). Defaults: 07:30-11:30 and
    13:00-17:00 (8 working hours), same-day cut-off 15:00."""

    morning_start: time = time(7, 30)
    morning_end: time = time(11, 30)
    afternoon_start: time = time(13, 0)
    afternoon_end: time = time(17, 0)
    same_day_cutoff: time = time(15, 0)

    @classmethod
    def of(cls, agency: Any | None) -> OfficeHours:
        """The hours of an ``org.Agency`` (or anything with the same fields); default if None."""
        if agency is None:
            return cls()
        return cls(
            morning_start=agency.morning_start,
            morning_end=agency.morning_end,
            afternoon_start=agency.afternoon_start,
            afternoon_end=agency.afternoon_end,
            same_day_cutoff=agency.same_day_cutoff,
        )

    def at(self, d: date, t: time) -> datetime:
        return datetime.combine(d, t, tzinfo=VN_TZ)

    def opening(self, d: date) -> datetime:
        return self.at(d, self.morning_start)

    def closing(self, d: date) -> datetime:
        return self.at(d, self.afternoon_end)

    def segments(self, d: date) -> tuple[tuple[datetime, datetime], tuple[datetime, datetime]]:
        return (
            (self.at(d, self.morning_start), self.at(d, self.morning_end)),
            (self.at(d, self.afternoon_start), self.at(d, self.afternoon_end)),
        )


@dataclass(frozen=True)
class Due:
    """``received_at``: the moment given (Vietnam time); ``counted_from``: the effective reception
    moment the limit runs from; ``due_at``: the appointment (ngày hẹn trả kết quả)."""

    received_at: datetime
    counted_from: datetime
    due_at: datetime


def to_vietnam_time(moment: datetime) -> datetime:
    """Aware datetimes in any zone are converted; naive ones are taken as Vietnam time."""
    if moment.tzinfo is None or moment.tzinfo.utcoffset(moment) is None:
        return moment.replace(tzinfo=VN_TZ)
    return moment.astimezone(VN_TZ)


def effective_reception(
    received_at: datetime, *, calendar: WorkCalendar, hours: OfficeHours
) -> datetime:
    """When a dossier counts as received: the moment itself inside office hours; the afternoon
    opening when received during the lunch break (the same working day); otherwise the opening
    of the next working day ([UNCONFIRMED] practice for online submissions, vn-rules.md §1.9)."""
    t = to_vietnam_time(received_at)
    d = t.date()
    if calendar.is_working_day(d):
        (ms, me), (as_, ae) = hours.segments(d)
        if t < ms:
            return ms
        if t < me:
            return t
        if t < as_:
            return as_
        if t < ae:
            return t
    return hours.opening(calendar.next_working_day(d))


def due_in_working_days(
    received_at: datetime, days: int, *, calendar: WorkCalendar, hours: OfficeHours
) -> Due:
    """A limit of ``days`` working days.

    N = 0 (same day, the sector rule for chứng thực and hộ tịch, vn-rules.md §1.9): received
    before the cut-off (default 15:00) → due at today's close; at or after it → counted from the
    next working day's opening and due at its close. N ≥ 1: counting starts on the working day
    after the (effective) reception day (Civil Code 2015 art. 147) and the dossier is due at the
    close of office hours on the N-th working day counted; non-working days are never counted, so
    a period never ends on one (art. 148). The cut-off does not apply to N ≥ 1.
    """
    if days < 0:
        raise ValueError("days must be >= 0")
    start = effective_reception(received_at, calendar=calendar, hours=hours)
    if days == 0 and start >= hours.at(start.date(), hours.same_day_cutoff):
        start = hours.opening(calendar.next_working_day(start.date()))
    d = start.date()
    for _ in range(days):
        d = calendar.next_working_day(d)
    return Due(to_vietnam_time(received_at), start, hours.closing(d))


def due_in_working_hours(
    received_at: datetime,
    working_hours: int | timedelta,
    *,
    calendar: WorkCalendar,
    hours: OfficeHours,
) -> Due:
    """A limit in working hours: that much office time after the (effective) reception, skipping
    the lunch break, nights and non-working days. A limit that runs out exactly at a closing time
    is due at that closing time, not at the next opening."""
    remaining = (
        working_hours if isinstance(working_hours, timedelta) else timedelta(hours=working_hours)
    )
    if remaining < timedelta(0):
        raise ValueError("working_hours must be >= 0")
    start = effective_reception(received_at, calendar=calendar, hours=hours)
    due = start
    d = start.date()
    t = start
    while remaining > timedelta(0):
        for seg_start, seg_end in hours.segments(d):
            if seg_end <= t:
                continue
            s = max(seg_start, t)
            available = seg_end - s
            if remaining <= available:
                due = s + remaining
                remaining = timedelta(0)
                break
            remaining -= available
        else:
            d = calendar.next_working_day(d)
            t = hours.opening(d)
    return Due(to_vietnam_time(received_at), start, due)
