"""Broken calendar rules, each with a stable code (API clients match on it)."""

from __future__ import annotations

from xaso.core.errors import InvalidInput, NotFound


class InvalidLimit(InvalidInput):
    """Exactly one of working_days / working_hours, a whole number within bounds."""

    code = "invalid_limit"


class InvalidDateTime(InvalidInput):
    code = "invalid_datetime"


class DateOutOfRange(InvalidInput):
    """The calendar covers 2000-2100 (the range of the holidays package we rely on)."""

    code = "date_out_of_range"


class InvalidKind(InvalidInput):
    code = "invalid_kind"


class NameRequired(InvalidInput):
    code = "name_required"


class WeekendAlreadyOff(InvalidInput):
    """Saturdays and Sundays are already days off (Decision 188/1999/QĐ-TTg)."""

    code = "weekend_day_off"


class AlreadyDayOff(InvalidInput):
    """The holidays package already lists this weekday as a statutory holiday."""

    code = "already_day_off"


class AlreadyWorkingDay(InvalidInput):
    """The date is already a working day without any change."""

    code = "already_working_day"


class CalendarDayNotFound(NotFound):
    """No official change recorded for this date."""
