"""Writes: the official changes to the calendar (vn-rules.md §6), each audited.

Rules are checked against the statutory calendar (the ``holidays`` package), not against the
current rows: a change either adds a day off on an ordinary weekday, adds a make-up working day on
a weekend, cancels a statutory holiday (a working day on a weekday the package lists), or cancels a
make-up weekend day the package lists (a day off on that weekend day). Anything else would be a
change that changes nothing, which usually means a wrong date.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from xaso.core.audit import audit_record, diff
from xaso.core.errors import InvalidInput
from xaso.core.text import nfc
from xaso.org.models import Staff

from .clock import statutory_holidays, statutory_weekend_workdays
from .errors import (
    AlreadyDayOff,
    AlreadyWorkingDay,
    CalendarDayNotFound,
    InvalidKind,
    NameRequired,
    WeekendAlreadyOff,
)
from .models import CalendarDay, CalendarDayKind
from .permissions import require_edit_calendar
from .selectors import calendar_forget, check_in_range

_FIELDS = ("kind", "name", "note")


def _snapshot(row: CalendarDay | None) -> dict[str, str]:
    return {f: getattr(row, f) for f in _FIELDS} if row is not None else {}


def _check_change(day: date, kind: str) -> None:
    shown = f"{day:%d/%m/%Y}"
    weekend = day.weekday() >= 5
    holiday = statutory_holidays(day.year).get(day)
    make_up = day in statutory_weekend_workdays(day.year)
    if kind == CalendarDayKind.DAY_OFF:
        if weekend and not make_up:
            raise WeekendAlreadyOff(
                _("Ngày %(date)s là thứ Bảy hoặc Chủ nhật, vốn đã là ngày nghỉ.") % {"date": shown}
            )
        if holiday:
            raise AlreadyDayOff(
                _(
                    "Ngày %(date)s đã là ngày nghỉ theo luật (%(name)s). Nếu đã có điều chỉnh "
                    "cho ngày này, hãy xóa điều chỉnh đó."
                )
                % {"date": shown, "name": holiday}
            )
    elif (weekend and make_up) or (not weekend and not holiday):
        raise AlreadyWorkingDay(
            _(
                "Ngày %(date)s vốn đã là ngày làm việc. Nếu đã có ngày nghỉ được thêm cho ngày "
                "này, hãy xóa điều chỉnh đó."
            )
            % {"date": shown}
        )


def _forget(year: int) -> None:
    calendar_forget(year)
    transaction.on_commit(lambda: calendar_forget(year))


@transaction.atomic
def calendar_day_set(
    *, actor: Staff, date: date, kind: str, name: str, note: str = ""
) -> CalendarDay:
    """Record an official change for ``date`` (an extra day off, a make-up working day, or the
    cancellation of a holiday), replacing any change already recorded for it. The yearly schedule
    for civil servants is announced by the Ministry of Home Affairs (Decree 128/2025/NĐ-CP art.
    7.2); only province or central administrators apply it."""
    require_edit_calendar(actor)
    check_in_range(date)
    if kind not in CalendarDayKind.values:
        raise InvalidKind(
            _("Loại ngày phải là “ngày nghỉ” hoặc “ngày làm việc”."),
            fields={"kind": [_("Không hợp lệ.")]},
        )
    name = nfc(name).strip()
    note = nfc(note).strip()
    if not name:
        message = _("Cần ghi tên ngày (ví dụ: Nghỉ bù Tết Dương lịch).")
        raise NameRequired(message, fields={"name": [message]})
    if len(name) > 255 or len(note) > 500:
        message = _("Tên ngày tối đa 255 ký tự, ghi chú tối đa 500 ký tự.")
        raise InvalidInput(message, fields={"name" if len(name) > 255 else "note": [message]})
    _check_change(date, kind)

    row = CalendarDay.objects.select_for_update().filter(date=date).first()
    before = _snapshot(row)
    if row is None:
        row = CalendarDay(date=date, created_by=actor)
    row.kind, row.name, row.note = kind, name, note
    changes = diff(before, _snapshot(row))
    if not changes:
        return row
    row.save()
    _forget(date.year)
    audit_record(
        actor=actor,
        action="calendar.set",
        object_type="calendar_day",
        object_id=date.isoformat(),
        object_repr=str(row),
        changes=changes,
    )
    return row


@transaction.atomic
def calendar_day_remove(*, actor: Staff, date: date) -> None:
    """Delete the official change for ``date``: the day goes back to what the statute (the
    holidays package) says."""
    require_edit_calendar(actor)
    check_in_range(date)
    row = CalendarDay.objects.select_for_update().filter(date=date).first()
    if row is None:
        raise CalendarDayNotFound(
            _("Không có điều chỉnh nào cho ngày %(date)s.") % {"date": f"{date:%d/%m/%Y}"}
        )
    before = _snapshot(row)
    shown = str(row)
    row.delete()
    _forget(date.year)
    audit_record(
        actor=actor,
        action="calendar.remove",
        object_type="calendar_day",
        object_id=date.isoformat(),
        object_repr=shown,
        changes=diff(before, {}),
    )
