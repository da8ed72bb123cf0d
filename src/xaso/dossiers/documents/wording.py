"""Vietnamese wording of dates and times on the one-stop slips (vn-rules.md §1.6, §5.1).

Decree 30/2020 (Appendix I) writes the place-and-date line as "Thanh Sơn, ngày 05 tháng 02 năm
2026": a day below 10 and the months January and February take a leading zero, so that no digit can
be added by hand to an issued paper. Times on the slips read "15 giờ 30 phút, ngày 28/11/2026".
Every datetime is shown in Vietnam time whatever zone it arrives in; a naive one is refused, since
guessing its zone would print a wrong appointment.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def local(moment: dt.datetime) -> dt.datetime:
    """The moment in Vietnam time (UTC+7); naive datetimes are a programming error."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()}: pass an aware datetime")
    return moment.astimezone(VIETNAM)


def _day(value: dt.date | dt.datetime) -> dt.date:
    return local(value).date() if isinstance(value, dt.datetime) else value


def date_words(value: dt.date | dt.datetime) -> str:
    """'ngày 05 tháng 02 năm 2026': day < 10 and months 1-2 with a leading zero (Decree 30/2020)."""
    day = _day(value)
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def place_date(place: str, value: dt.date | dt.datetime) -> str:
    """The line under the national motto: 'Thanh Sơn, ngày 28 tháng 11 năm 2026'."""
    return f"{place}, {date_words(value)}"


def short_date(value: dt.date | dt.datetime) -> str:
    """'28/11/2026' (dd/mm/yyyy, the house format)."""
    return _day(value).strftime("%d/%m/%Y")


def time_words(moment: dt.datetime) -> str:
    """'15 giờ 30 phút, ngày 28/11/2026' in Vietnam time."""
    at = local(moment)
    return f"{at.hour:02d} giờ {at.minute:02d} phút, ngày {at:%d/%m/%Y}"


def short_time(moment: dt.datetime) -> str:
    """'15:30 28/11/2026', for narrow table cells."""
    return f"{local(moment):%H:%M %d/%m/%Y}"
