"""Reads: the calendar from the database, deadlines for dossiers, one year's days off."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from django.core.cache import cache
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from xaso.core.errors import NotFound
from xaso.org.models import Agency

from .clock import (
    DayInfo,
    Due,
    OfficeHours,
    Override,
    WorkCalendar,
    due_in_working_days,
    due_in_working_hours,
    to_vietnam_time,
)
from .errors import DateOutOfRange, InvalidLimit
from .models import MAX_DATE, MIN_DATE, CalendarDay

# Far beyond any statutory limit; bounds the work one request can ask for.
MAX_WORKING_DAYS = 1000
MAX_WORKING_HOURS = 8 * MAX_WORKING_DAYS


def _overrides_cache_key(first_year: int, last_year: int) -> str:
    return f"workdays:overrides:{first_year}:{last_year}"


def _load_overrides(first_year: int, last_year: int) -> Mapping[date, Override]:
    """The official changes for the years, from the shared cache (every page and deadline reads
    them; they change a few times a year). ``calendar_forget`` drops them after an edit."""
    key = _overrides_cache_key(first_year, last_year)
    cached = cache.get(key)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    rows = CalendarDay.objects.filter(
        date__gte=date(first_year, 1, 1), date__lte=date(last_year, 12, 31)
    ).values_list("date", "kind", "name", "note")
    loaded = {d: Override(kind, name, note) for d, kind, name, note in rows}  # type: ignore[arg-type]
    cache.set(key, loaded, timeout=24 * 3600)
    return loaded


def calendar_forget(year: int) -> None:
    """Drop the cached changes that cover ``year`` (a calendar loads one or two years at a time).
    Services call it at once and again after commit, so no reader re-caches the old rows."""
    keys = [_overrides_cache_key(year - 1, year), _overrides_cache_key(year, year + 1)]
    cache.delete_many([*keys, _overrides_cache_key(year, year)])
    from xaso.core.pagecache import pages_changed

    pages_changed("calendar")


def work_calendar() -> WorkCalendar:
    """A calendar that reads the official changes lazily, one query per pair of years it touches.
    Build one per request (or per batch of dossiers) and reuse it: edits made after it first read
    a year are not seen by it."""
    return WorkCalendar(loader=_load_overrides)


def agency_by_code(code: str) -> Agency:
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        raise NotFound(_("Không tìm thấy cơ quan có mã %(code)s.") % {"code": code})
    return agency


def check_in_range(d: date) -> None:
    if not MIN_DATE <= d <= MAX_DATE:
        raise DateOutOfRange(
            _("Lịch làm việc chỉ tính cho các năm %(first)d-%(last)d.")
            % {"first": MIN_DATE.year, "last": MAX_DATE.year}
        )


def due_for(
    *,
    received_at: datetime,
    working_days: int | None = None,
    working_hours: int | None = None,
    agency: Agency | None = None,
    calendar: WorkCalendar | None = None,
) -> Due:
    """The deadline of a dossier received at ``received_at`` (naive = Vietnam time) with a limit of
    exactly one of ``working_days`` / ``working_hours``, in ``agency``'s office hours (default
    07:30-11:30, 13:00-17:00, cut-off 15:00). See ``xaso.workdays.clock`` for the rules."""
    if (working_days is None) == (working_hours is None):
        raise InvalidLimit(
            _("Cần đúng một trong hai thời hạn: số ngày làm việc hoặc số giờ làm việc.")
        )
    limit, bound = (
        (working_days, MAX_WORKING_DAYS)
        if working_days is not None
        else (working_hours, MAX_WORKING_HOURS)
    )
    assert limit is not None
    if not 0 <= limit <= bound:
        raise InvalidLimit(_("Thời hạn phải là số nguyên từ 0 đến %(bound)d.") % {"bound": bound})
    check_in_range(to_vietnam_time(received_at).date())
    calendar = calendar or work_calendar()
    hours = OfficeHours.of(agency)
    if working_days is not None:
        return due_in_working_days(received_at, working_days, calendar=calendar, hours=hours)
    return due_in_working_hours(received_at, limit, calendar=calendar, hours=hours)


@dataclass(frozen=True)
class CalendarYear:
    """``days_off``: non-working weekdays (weekends are implicit); ``working_days``: make-up
    working days on weekends; ``cancelled``: weekdays where an official change cancels a holiday
    the package lists (e.g. 24/11 while its legal force is unconfirmed)."""

    year: int
    days_off: list[DayInfo]
    working_days: list[DayInfo]
    cancelled: list[DayInfo]


def calendar_year(year: int, *, calendar: WorkCalendar | None = None) -> CalendarYear:
    check_in_range(date(year, 1, 1))
    calendar = calendar or work_calendar()
    days_off: list[DayInfo] = []
    working: list[DayInfo] = []
    cancelled: list[DayInfo] = []
    for info in calendar.days_of_year(year):
        weekend = info.date.weekday() >= 5
        if not weekend and not info.working:
            days_off.append(info)
        elif weekend and info.working:
            working.append(info)
        elif info.cancelled_holiday:
            cancelled.append(info)
    return CalendarYear(year, days_off, working, cancelled)


def calendar_day_list(year: int) -> QuerySet[CalendarDay]:
    """The official changes recorded for ``year``, with who made them."""
    return CalendarDay.objects.filter(date__year=year).select_related("created_by")


@dataclass(frozen=True)
class TodayStatus:
    today: DayInfo
    next_working_day: date
    hours: OfficeHours


def today_status(
    *, agency: Agency, now: datetime, calendar: WorkCalendar | None = None
) -> TodayStatus:
    """Is today a working day for ``agency``, and which is the next one (for the home page)."""
    calendar = calendar or work_calendar()
    today = to_vietnam_time(now).date()
    return TodayStatus(
        calendar.day(today), calendar.next_working_day(today), OfficeHours.of(agency)
    )
