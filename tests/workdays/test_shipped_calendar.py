"""The calendar as shipped (holidays package + data migration) against the table of actual days
off for civil servants in vn-rules.md §6. If a package upgrade changes a date, this fails."""

from __future__ import annotations

from datetime import date

import pytest

from xaso.workdays.models import CalendarDay
from xaso.workdays.selectors import calendar_year

pytestmark = pytest.mark.django_db


def d(s: str) -> date:
    day, month, year = (int(p) for p in s.split("/"))
    return date(year, month, day)


# Weekdays off, from the table (weekends are implicit).
TABLE_DAYS_OFF = {
    2024: [
        "01/01/2024",  # Tết Dương lịch
        "08/02/2024",
        "09/02/2024",
        "12/02/2024",
        "13/02/2024",
        "14/02/2024",  # Tết Giáp Thìn
        "18/04/2024",  # Giỗ Tổ
        "29/04/2024",
        "30/04/2024",
        "01/05/2024",  # 30/4 + 1/5, Mon 29/04 swapped
        "02/09/2024",
        "03/09/2024",  # Quốc khánh
    ],
    2025: [
        "01/01/2025",
        "27/01/2025",
        "28/01/2025",
        "29/01/2025",
        "30/01/2025",
        "31/01/2025",  # Tết Ất Tỵ
        "07/04/2025",
        "30/04/2025",
        "01/05/2025",
        "02/05/2025",  # Fri 02/05 swapped
        "01/09/2025",
        "02/09/2025",
    ],
    2026: [
        "01/01/2026",
        "02/01/2026",  # Fri 02/01 swapped (12729/VPCP-KGVX)
        "16/02/2026",
        "17/02/2026",
        "18/02/2026",
        "19/02/2026",
        "20/02/2026",  # Tết Bính Ngọ
        "27/04/2026",  # Giỗ Tổ compensatory Monday
        "30/04/2026",
        "01/05/2026",
        "31/08/2026",
        "01/09/2026",
        "02/09/2026",  # Mon 31/08 swapped
        "24/11/2026",  # Ngày Văn hóa Việt Nam: in the package, legal force [UNCONFIRMED]
    ],
}
TABLE_MAKE_UP = {2024: ["04/05/2024"], 2025: ["26/04/2025"], 2026: ["10/01/2026", "22/08/2026"]}


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_shipped_calendar_matches_the_table(year, django_assert_num_queries):
    with django_assert_num_queries(1):
        cal = calendar_year(year)
    assert [x.date for x in cal.days_off] == [d(s) for s in TABLE_DAYS_OFF[year]]
    assert [x.date for x in cal.working_days] == [d(s) for s in TABLE_MAKE_UP[year]]
    assert cal.cancelled == []


def test_only_the_2026_new_year_swap_is_shipped_as_data():
    rows = list(CalendarDay.objects.values_list("date", "kind", "name", "created_by"))
    assert rows == [
        (
            date(2026, 1, 2),
            "day_off",
            "Nghỉ Tết Dương lịch (hoán đổi, làm bù thứ Bảy 10/01/2026)",
            None,
        ),
        (date(2026, 1, 10), "working_day", "Làm bù cho ngày 02/01/2026", None),
    ]


def test_names_and_sources_2026():
    cal = calendar_year(2026)
    named = {x.date: (x.name, x.source) for x in cal.days_off}
    assert named[date(2026, 1, 2)] == (
        "Nghỉ Tết Dương lịch (hoán đổi, làm bù thứ Bảy 10/01/2026)",
        "official",
    )
    assert named[date(2026, 8, 31)] == ("Ngày nghỉ (thay cho ngày 22/08/2026)", "statute")
    assert named[date(2026, 11, 24)] == ("Ngày Văn hóa Việt Nam", "statute")
    assert [(x.date, x.name, x.source) for x in cal.working_days] == [
        (date(2026, 1, 10), "Làm bù cho ngày 02/01/2026", "official"),
        (date(2026, 8, 22), "Làm bù cho ngày 31/08/2026", "statute"),
    ]
