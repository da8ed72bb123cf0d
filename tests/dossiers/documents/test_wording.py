import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from xaso.dossiers.documents.wording import (
    VIETNAM,
    date_words,
    place_date,
    short_date,
    short_time,
    time_words,
)


def test_date_words_pad_days_below_ten_and_january_february():
    assert date_words(dt.date(2026, 2, 5)) == "ngày 05 tháng 02 năm 2026"
    assert date_words(dt.date(2026, 1, 31)) == "ngày 31 tháng 01 năm 2026"
    assert date_words(dt.date(2026, 3, 1)) == "ngày 01 tháng 3 năm 2026"
    assert date_words(dt.date(2026, 11, 28)) == "ngày 28 tháng 11 năm 2026"


def test_place_date_is_the_line_under_the_motto():
    assert place_date("Thanh Sơn", dt.date(2026, 11, 28)) == "Thanh Sơn, ngày 28 tháng 11 năm 2026"


def test_times_are_worded_in_vietnam_time_whatever_zone_they_come_in():
    utc = dt.datetime(2026, 11, 28, 8, 30, tzinfo=dt.UTC)
    assert time_words(utc) == "15 giờ 30 phút, ngày 28/11/2026"
    assert short_time(utc) == "15:30 28/11/2026"
    late_utc = dt.datetime(2026, 11, 27, 20, 5, tzinfo=dt.UTC)  # already the 28th in Hà Nội
    assert time_words(late_utc) == "03 giờ 05 phút, ngày 28/11/2026"
    assert date_words(late_utc) == "ngày 28 tháng 11 năm 2026"
    assert short_date(late_utc) == "28/11/2026"
    tokyo = dt.datetime(2026, 11, 28, 9, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert time_words(tokyo) == "07 giờ 00 phút, ngày 28/11/2026"
    assert (
        time_words(dt.datetime(2026, 1, 2, 8, 0, tzinfo=VIETNAM))
        == "08 giờ 00 phút, ngày 02/01/2026"
    )


def test_a_naive_datetime_is_refused():
    with pytest.raises(ValueError, match="naive datetime 2026-11-28T15:30:00"):
        time_words(dt.datetime(2026, 11, 28, 15, 30))
    with pytest.raises(ValueError, match="naive datetime"):
        date_words(dt.datetime(2026, 11, 28, 15, 30))
