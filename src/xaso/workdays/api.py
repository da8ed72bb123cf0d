"""Calendar API, public (no login): deadlines and the days off of a year."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from xaso.core.schemas import ErrorOut

from . import selectors
from .errors import InvalidDateTime, InvalidLimit

router = Router(tags=["calendar"])


class DueOut(Schema):
    received_at: datetime
    counted_from: datetime
    due_at: datetime


class DayOffOut(Schema):
    date: date
    name: str
    source: Literal["statute", "official"]


class WorkingDayOut(Schema):
    date: date
    name: str


class YearOut(Schema):
    year: int
    days_off: list[DayOffOut]
    working_days: list[WorkingDayOut]


def _parse_moment(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidDateTime(
            _("Thời điểm tiếp nhận phải theo ISO 8601, ví dụ 2026-02-13T16:00:00+07:00."),
            fields={"received_at": [_("Không đúng định dạng ISO 8601.")]},
        ) from None


def _parse_limit(value: str | None, field: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise InvalidLimit(
            _("Thời hạn phải là số nguyên không âm."), fields={field: [_("Không phải số nguyên.")]}
        ) from None


@router.get(
    "/due",
    auth=None,
    response={200: DueOut, 400: ErrorOut, 404: ErrorOut},
    summary="Tính ngày hẹn trả kết quả",
)
def due(
    request: HttpRequest,
    received_at: str,
    working_days: str | None = None,
    working_hours: str | None = None,
    agency: str | None = None,
) -> DueOut:
    """Hạn xử lý: `working_days=N` (ngày làm việc) hoặc `working_hours=N` (giờ làm việc), đúng
    một trong hai. `received_at` theo ISO 8601; không có múi giờ thì hiểu là giờ Việt Nam.
    `agency` (mã cơ quan) để dùng giờ hành chính của cơ quan đó."""
    moment = _parse_moment(received_at)
    days = _parse_limit(working_days, "working_days")
    hours = _parse_limit(working_hours, "working_hours")
    agency_obj = selectors.agency_by_code(agency) if agency else None
    result = selectors.due_for(
        received_at=moment, working_days=days, working_hours=hours, agency=agency_obj
    )
    return DueOut(
        received_at=result.received_at, counted_from=result.counted_from, due_at=result.due_at
    )


@router.get(
    "/year/{year}",
    auth=None,
    response={200: YearOut, 400: ErrorOut},
    summary="Ngày nghỉ và ngày làm bù trong năm",
)
def year(request: HttpRequest, year: int) -> YearOut:
    """Các ngày thường (thứ Hai-thứ Sáu) được nghỉ, tên tiếng Việt và nguồn (`statute`: theo
    luật, `official`: điều chỉnh chính thức), và các ngày cuối tuần phải làm bù. Thứ Bảy, Chủ
    nhật không liệt kê."""
    cal = selectors.calendar_year(year)
    return YearOut(
        year=year,
        days_off=[
            DayOffOut(
                date=d.date, name=d.name, source="official" if d.source == "official" else "statute"
            )
            for d in cal.days_off
        ],
        working_days=[WorkingDayOut(date=d.date, name=d.name) for d in cal.working_days],
    )
