"""The working-day clock, case by case. Every expected value was worked out by hand from the
2026 calendar: days off on weekdays 01/01, 02/01 (official swap), 16-20/02 (Tết), 27/04, 30/04,
01/05, 31/08, 01-02/09, 24/11; make-up Saturdays 10/01 and 22/08. Office hours 07:30-11:30,
13:00-17:00, same-day cut-off 15:00 unless said otherwise."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from xaso.workdays.clock import (
    VN_TZ,
    CalendarBroken,
    Due,
    OfficeHours,
    Override,
    WorkCalendar,
    due_in_working_days,
    due_in_working_hours,
    effective_reception,
    to_vietnam_time,
)
from xaso.workdays.selectors import due_for, work_calendar


def vn(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=VN_TZ)


def days(received: datetime, n: int, **kw) -> Due:
    return due_for(received_at=received, working_days=n, **kw)


def hours(received: datetime, n: int, **kw) -> Due:
    return due_for(received_at=received, working_hours=n, **kw)


pytestmark = pytest.mark.django_db


# --- limits in working days -----------------------------------------------------------------


def test_friday_afternoon_before_tet_is_received_that_day_and_counts_after_tet():
    # 16:00 is within office hours: received Fri 13/02 16:00. The 15:00 cut-off is for same-day
    # limits only. Counting starts on the next working day, Mon 23/02 (14-22/02 are Tết and
    # weekends); the 3rd working day counted is Wed 25/02.
    due = days(vn(2026, 2, 13, 16), 3)
    assert due == Due(vn(2026, 2, 13, 16), vn(2026, 2, 13, 16), vn(2026, 2, 25, 17))


def test_friday_after_closing_before_tet_counts_from_monday_after_tet():
    # 17:30 is after closing: received Mon 23/02 07:30; counting starts Tue 24/02; due Thu 26/02.
    due = days(vn(2026, 2, 13, 17, 30), 3)
    assert due == Due(vn(2026, 2, 13, 17, 30), vn(2026, 2, 23, 7, 30), vn(2026, 2, 26, 17))


def test_friday_morning_before_tet_counts_from_the_monday_after_tet():
    due = days(vn(2026, 2, 13, 10), 3)
    assert due == Due(vn(2026, 2, 13, 10), vn(2026, 2, 13, 10), vn(2026, 2, 25, 17))


def test_same_day_before_cutoff_is_due_today():
    due = days(vn(2026, 3, 10, 14, 59), 0)
    assert due == Due(vn(2026, 3, 10, 14, 59), vn(2026, 3, 10, 14, 59), vn(2026, 3, 10, 17))


def test_same_day_at_cutoff_is_due_next_working_day():
    due = days(vn(2026, 3, 10, 15), 0)
    assert due == Due(vn(2026, 3, 10, 15), vn(2026, 3, 11, 7, 30), vn(2026, 3, 11, 17))


def test_same_day_after_cutoff_on_friday_before_tet():
    due = days(vn(2026, 2, 13, 15, 30), 0)
    assert due.counted_from == vn(2026, 2, 23, 7, 30)
    assert due.due_at == vn(2026, 2, 23, 17)


def test_same_day_received_on_saturday_is_due_monday():
    due = days(vn(2026, 3, 14, 9), 0)
    assert due == Due(vn(2026, 3, 14, 9), vn(2026, 3, 16, 7, 30), vn(2026, 3, 16, 17))


def test_before_opening_counts_from_opening():
    due = days(vn(2026, 3, 16, 6), 1)
    assert due == Due(vn(2026, 3, 16, 6), vn(2026, 3, 16, 7, 30), vn(2026, 3, 17, 17))


def test_lunch_break_counts_as_the_same_working_day_from_afternoon_opening():
    assert days(vn(2026, 3, 16, 12), 0) == Due(
        vn(2026, 3, 16, 12), vn(2026, 3, 16, 13), vn(2026, 3, 16, 17)
    )
    assert days(vn(2026, 3, 16, 11, 30), 1).due_at == vn(2026, 3, 17, 17)


def test_at_closing_time_counts_as_next_working_day():
    due = days(vn(2026, 3, 16, 17), 1)
    assert due == Due(vn(2026, 3, 16, 17), vn(2026, 3, 17, 7, 30), vn(2026, 3, 18, 17))


def test_period_never_ends_on_a_weekend_art_148():
    assert days(vn(2026, 3, 19, 10), 1).due_at == vn(2026, 3, 20, 17)
    assert days(vn(2026, 3, 19, 10), 2).due_at == vn(2026, 3, 23, 17)


def test_make_up_saturday_22_08_2026_counts_as_working():
    assert days(vn(2026, 8, 21, 10), 1).due_at == vn(2026, 8, 22, 17)
    assert days(vn(2026, 8, 21, 10), 2).due_at == vn(2026, 8, 24, 17)
    on_saturday = days(vn(2026, 8, 22, 10), 0)
    assert on_saturday == Due(vn(2026, 8, 22, 10), vn(2026, 8, 22, 10), vn(2026, 8, 22, 17))


def test_national_day_2026_skips_monday_31_08_to_wednesday_02_09():
    assert days(vn(2026, 8, 28, 10), 1).due_at == vn(2026, 9, 3, 17)


def test_new_year_2026_official_swap_and_year_boundary():
    # Thu 01/01 holiday, Fri 02/01 official day off, weekend: first working day Mon 05/01.
    assert days(vn(2025, 12, 31, 10), 1).due_at == vn(2026, 1, 5, 17)
    # Sat 10/01 is the make-up working day for 02/01.
    assert days(vn(2026, 1, 9, 10), 1).due_at == vn(2026, 1, 10, 17)


def test_ten_working_days_across_30_04_and_01_05_2026():
    # 27/04 is the Giỗ Tổ compensatory day: received then counts as received Tue 28/04 07:30,
    # so the days counted are 29/04, 04, 05, 06, 07, 08, 11, 12, 13 and 14/05.
    assert days(vn(2026, 4, 27, 9), 10).due_at == vn(2026, 5, 14, 17)
    assert days(vn(2026, 4, 27, 9), 10).counted_from == vn(2026, 4, 28, 7, 30)


def test_24_11_2026_is_a_package_holiday():
    assert days(vn(2026, 11, 23, 10), 1).due_at == vn(2026, 11, 25, 17)


def test_aware_input_in_another_zone_is_converted():
    utc = datetime(2026, 3, 16, 1, 0, tzinfo=UTC)  # 08:00 in Vietnam
    due = days(utc, 0)
    assert due == Due(vn(2026, 3, 16, 8), vn(2026, 3, 16, 8), vn(2026, 3, 16, 17))
    assert due.received_at.utcoffset() == timedelta(hours=7)
    late = days(datetime(2026, 3, 16, 8, 30, tzinfo=UTC), 0)  # 15:30 in Vietnam
    assert late.counted_from == vn(2026, 3, 17, 7, 30)


def test_naive_input_is_vietnam_time():
    due = days(datetime(2026, 3, 16, 8), 0)
    assert due.received_at == vn(2026, 3, 16, 8)
    assert due.received_at.tzinfo == VN_TZ


# --- limits in working hours ----------------------------------------------------------------


def test_hours_skip_lunch():
    assert hours(vn(2026, 3, 16, 10), 4).due_at == vn(2026, 3, 16, 15, 30)


def test_hours_skip_the_night():
    assert hours(vn(2026, 3, 16, 16), 3).due_at == vn(2026, 3, 17, 9, 30)


def test_hours_skip_tet_and_ignore_the_cutoff():
    due = hours(vn(2026, 2, 13, 16), 2)
    assert due == Due(vn(2026, 2, 13, 16), vn(2026, 2, 13, 16), vn(2026, 2, 23, 8, 30))


def test_hours_ending_at_a_closing_time_stay_there():
    assert hours(vn(2026, 3, 16, 7, 30), 4).due_at == vn(2026, 3, 16, 11, 30)
    assert hours(vn(2026, 3, 16, 7, 30), 8).due_at == vn(2026, 3, 16, 17)
    assert hours(vn(2026, 3, 16, 7, 30), 9).due_at == vn(2026, 3, 17, 8, 30)


def test_hours_received_at_lunch_start_at_afternoon_opening():
    assert hours(vn(2026, 3, 16, 12, 15), 1) == Due(
        vn(2026, 3, 16, 12, 15), vn(2026, 3, 16, 13), vn(2026, 3, 16, 14)
    )


def test_hours_received_on_saturday():
    assert hours(vn(2026, 3, 14, 9), 8) == Due(
        vn(2026, 3, 14, 9), vn(2026, 3, 16, 7, 30), vn(2026, 3, 16, 17)
    )
    assert hours(vn(2026, 3, 14, 9), 0) == Due(
        vn(2026, 3, 14, 9), vn(2026, 3, 16, 7, 30), vn(2026, 3, 16, 7, 30)
    )


def test_hours_across_30_04_and_01_05_2026():
    # Tue 28/04 13-17 (4 h), Wed 29/04 (8 h), Thu 30/04 and Fri 01/05 off, Mon 04/05 07:30 + 4 h.
    assert hours(vn(2026, 4, 28, 13), 16).due_at == vn(2026, 5, 4, 11, 30)


def test_hours_on_make_up_saturday():
    assert hours(vn(2026, 8, 21, 16), 2).due_at == vn(2026, 8, 22, 8, 30)


# --- agency office hours --------------------------------------------------------------------


class _Hours:
    morning_start = time(8)
    morning_end = time(12)
    afternoon_start = time(13, 30)
    afternoon_end = time(17, 30)
    same_day_cutoff = time(16)


def test_agency_office_hours_and_cutoff():
    from tests.factories import agency

    a = agency()
    a.morning_start, a.morning_end = time(8), time(12)
    a.afternoon_start, a.afternoon_end, a.same_day_cutoff = time(13, 30), time(17, 30), time(16)
    a.save()
    assert days(vn(2026, 3, 16, 15, 45), 0, agency=a).due_at == vn(2026, 3, 16, 17, 30)
    assert days(vn(2026, 3, 16, 15, 45), 0).due_at == vn(2026, 3, 17, 17)
    assert hours(vn(2026, 3, 16, 11, 30), 1, agency=a).due_at == vn(2026, 3, 16, 14)
    assert days(vn(2026, 3, 16, 7, 45), 0, agency=a).counted_from == vn(2026, 3, 16, 8)
    assert OfficeHours.of(a) == OfficeHours.of(_Hours())


# --- the calendar itself (pure, no database) ------------------------------------------------


def test_pure_calendar_without_overrides_follows_the_package():
    cal = WorkCalendar()
    assert cal.is_working_day(date(2026, 1, 2)) is True  # the swap is official data, not statute
    assert cal.is_working_day(date(2026, 1, 10)) is False
    assert cal.is_working_day(date(2026, 8, 22)) is True  # the package knows this make-up day
    assert cal.is_working_day(date(2026, 8, 31)) is False
    assert cal.is_working_day(date(2026, 11, 24)) is False
    assert cal.next_working_day(date(2026, 2, 13)) == date(2026, 2, 23)


def test_override_wins_over_the_package():
    cal = WorkCalendar(
        {
            date(2026, 11, 24): Override("working_day", "Làm việc bình thường"),
            date(2026, 3, 16): Override("day_off", "Nghỉ đột xuất"),
        }
    )
    hrs = OfficeHours()
    assert due_in_working_days(vn(2026, 11, 23, 10), 1, calendar=cal, hours=hrs).due_at == vn(
        2026, 11, 24, 17
    )
    assert due_in_working_days(vn(2026, 3, 13, 10), 1, calendar=cal, hours=hrs).due_at == vn(
        2026, 3, 17, 17
    )
    info = cal.day(date(2026, 11, 24))
    assert (info.working, info.name, info.source, info.cancelled_holiday) == (
        True,
        "Làm việc bình thường",
        "official",
        "Ngày Văn hóa Việt Nam",
    )


def test_day_info_names():
    cal = WorkCalendar()
    assert cal.day(date(2026, 8, 22)).name == "Làm bù cho ngày 31/08/2026"
    assert cal.day(date(2026, 2, 17)).name == "Tết Nguyên Đán"
    assert cal.day(date(2026, 3, 14)).source == "weekend"
    assert cal.day(date(2026, 3, 16)).source == "weekday"


def test_broken_calendar_is_reported_not_looped_forever():
    d = date(2030, 1, 1)
    all_off = {d + timedelta(days=i): Override("day_off", "x") for i in range(500)}
    with pytest.raises(CalendarBroken):
        WorkCalendar(all_off).next_working_day(d)


def test_negative_limits_are_refused_by_the_pure_functions():
    with pytest.raises(ValueError):
        due_in_working_days(vn(2026, 3, 16, 9), -1, calendar=WorkCalendar(), hours=OfficeHours())
    with pytest.raises(ValueError):
        due_in_working_hours(vn(2026, 3, 16, 9), -1, calendar=WorkCalendar(), hours=OfficeHours())


def test_effective_reception_and_timezone_helpers():
    cal, hrs = WorkCalendar(), OfficeHours()
    assert effective_reception(vn(2026, 3, 16, 11, 29), calendar=cal, hours=hrs) == vn(
        2026, 3, 16, 11, 29
    )
    assert effective_reception(vn(2026, 3, 16, 11, 30), calendar=cal, hours=hrs) == vn(
        2026, 3, 16, 13
    )
    assert effective_reception(vn(2026, 3, 16, 16, 59), calendar=cal, hours=hrs) == vn(
        2026, 3, 16, 16, 59
    )
    assert effective_reception(vn(2026, 3, 20, 17), calendar=cal, hours=hrs) == vn(
        2026, 3, 23, 7, 30
    )
    assert to_vietnam_time(datetime(2026, 3, 16, 0, 0, tzinfo=UTC)).hour == 7


# --- efficiency -----------------------------------------------------------------------------


def test_one_query_per_computation_even_across_the_year_end(django_assert_num_queries):
    with django_assert_num_queries(1):
        assert days(vn(2025, 12, 31, 10), 1).due_at == vn(2026, 1, 5, 17)
    cal = work_calendar()
    with django_assert_num_queries(1):
        for n in range(0, 60):
            days(vn(2026, 3, 16, 9), n, calendar=cal)
            hours(vn(2026, 3, 16, 9), n, calendar=cal)
    with django_assert_num_queries(0):
        assert days(vn(2026, 3, 16, 9), 3, calendar=cal).due_at == vn(2026, 3, 19, 17)
