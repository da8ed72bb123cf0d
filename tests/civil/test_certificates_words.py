"""Vietnamese numbers and dates in words, as the forms write dates "ghi bằng chữ"."""

from __future__ import annotations

from datetime import date

import pytest

from xaso.civil.certificates.words import (
    capitalised,
    date_words,
    day_words,
    month_words,
    number_words,
)


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "không"),
        (1, "một"),
        (4, "bốn"),
        (5, "năm"),
        (10, "mười"),
        (11, "mười một"),
        (14, "mười bốn"),
        (15, "mười lăm"),
        (19, "mười chín"),
        (20, "hai mươi"),
        (21, "hai mươi mốt"),
        (24, "hai mươi tư"),
        (25, "hai mươi lăm"),
        (27, "hai mươi bảy"),
        (30, "ba mươi"),
        (31, "ba mươi mốt"),
        (55, "năm mươi lăm"),
        (100, "một trăm"),
        (101, "một trăm linh một"),
        (104, "một trăm linh bốn"),
        (105, "một trăm linh năm"),
        (110, "một trăm mười"),
        (115, "một trăm mười lăm"),
        (999, "chín trăm chín mươi chín"),
        (1000, "một nghìn"),
        (1011, "một nghìn không trăm mười một"),
        (1900, "một nghìn chín trăm"),
        (1904, "một nghìn chín trăm linh bốn"),
        (1945, "một nghìn chín trăm bốn mươi lăm"),
        (1994, "một nghìn chín trăm chín mươi tư"),
        (2000, "hai nghìn"),
        (2001, "hai nghìn không trăm linh một"),
        (2005, "hai nghìn không trăm linh năm"),
        (2010, "hai nghìn không trăm mười"),
        (2015, "hai nghìn không trăm mười lăm"),
        (2021, "hai nghìn không trăm hai mươi mốt"),
        (2024, "hai nghìn không trăm hai mươi tư"),
        (2026, "hai nghìn không trăm hai mươi sáu"),
        (2100, "hai nghìn một trăm"),
        (10_000, "mười nghìn"),
        (21_000, "hai mươi mốt nghìn"),
        (1_000_005, "một triệu không trăm linh năm"),
        (1_050_000, "một triệu không trăm năm mươi nghìn"),
        (8_000_000, "tám triệu"),
        (1_000_000_000, "một tỷ"),
        (1_000_000_000_000, "một nghìn tỷ"),
        (-15, "âm mười lăm"),
    ],
)
def test_number_words(n, words):
    assert number_words(n) == words


@pytest.mark.parametrize("bad", [1.5, "12", True, None])
def test_number_words_wants_a_whole_number(bad):
    with pytest.raises(TypeError):
        number_words(bad)


@pytest.mark.parametrize(
    ("day", "words"),
    [
        (1, "một"),
        (4, "bốn"),
        (10, "mười"),
        (14, "mười bốn"),
        (21, "hai mươi mốt"),
        (31, "ba mươi mốt"),
    ],
)
def test_day_words(day, words):
    assert day_words(day) == words


@pytest.mark.parametrize(
    ("month", "words"),
    [
        (1, "một"),
        (2, "hai"),
        (4, "tư"),
        (5, "năm"),
        (10, "mười"),
        (11, "mười một"),
        (12, "mười hai"),
    ],
)
def test_month_words(month, words):
    assert month_words(month) == words


@pytest.mark.parametrize(
    ("bad", "reader"), [(0, day_words), (32, day_words), (0, month_words), (13, month_words)]
)
def test_out_of_range(bad, reader):
    with pytest.raises(ValueError):
        reader(bad)


@pytest.mark.parametrize(
    ("day", "words"),
    [
        (date(2026, 3, 1), "ngày một tháng ba năm hai nghìn không trăm hai mươi sáu"),
        (date(2000, 2, 29), "ngày hai mươi chín tháng hai năm hai nghìn"),
        (date(1945, 7, 1), "ngày một tháng bảy năm một nghìn chín trăm bốn mươi lăm"),
        (date(2024, 4, 24), "ngày hai mươi tư tháng tư năm hai nghìn không trăm hai mươi tư"),
        (date(2005, 12, 15), "ngày mười lăm tháng mười hai năm hai nghìn không trăm linh năm"),
        (
            date(1994, 11, 21),
            "ngày hai mươi mốt tháng mười một năm một nghìn chín trăm chín mươi tư",
        ),
    ],
)
def test_date_words(day, words):
    assert date_words(day) == words


def test_capitalised_keeps_the_rest():
    assert capitalised("ngày một tháng ba") == "Ngày một tháng ba"
    assert capitalised("đặng") == "Đặng"
    assert capitalised("") == ""
