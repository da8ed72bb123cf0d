"""Numbers and dates written in Vietnamese words, as civil status forms write a date "ghi bằng
chữ" beside the figures (the date of birth on a Giấy khai sinh, the date of death on a Trích lục
khai tử; vn-rules.md §3.3: "DOB written in figures and in words").

The reading rules are those of standard Vietnamese (Hà Nội usage, which official forms follow):

- tens: ``mười`` for 10-19, ``<digit> mươi`` from 20;
- units after the tens: 1 is ``mốt`` after ``mươi`` (21 "hai mươi mốt") but ``một`` after
  ``mười`` (11 "mười một"); 5 is ``lăm`` after either (15 "mười lăm", 25 "hai mươi lăm"); 4 is
  ``tư`` after ``mươi`` (24 "hai mươi tư") and ``bốn`` elsewhere (14 "mười bốn");
- an empty tens place inside a group is read ``linh`` (105 "một trăm linh năm"); a group after a
  larger one is read in full, hundreds included (2026 "hai nghìn không trăm hai mươi sáu");
- 1000 is ``nghìn`` (not the southern "ngàn"), 10^6 ``triệu``, 10^9 ``tỷ``.

Months are named as the calendar names them: tháng một ... tháng mười hai, with April ``tháng
tư``. A date reads "ngày một tháng ba năm hai nghìn không trăm hai mươi sáu" — the forms seen
([UNCONFIRMED] layout, vn-rules.md §3.3) write no "mồng" and no commas, so neither do we.
"""

from __future__ import annotations

from datetime import date

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
#: Powers of a thousand, in order. Past a billion, groups repeat "nghìn tỷ", "triệu tỷ" ...
SCALES = ("", "nghìn", "triệu", "tỷ")
MONTHS = (
    "một",
    "hai",
    "ba",
    "tư",
    "năm",
    "sáu",
    "bảy",
    "tám",
    "chín",
    "mười",
    "mười một",
    "mười hai",
)


def _group(n: int, *, full: bool) -> list[str]:
    """The words of 0 < n < 1000 (or 0 when ``full``); ``full``: a group after a larger one,
    read with its hundreds even when they are zero ("không trăm")."""
    hundreds, tens, units = n // 100, n // 10 % 10, n % 10
    words: list[str] = []
    if hundreds or full:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units:
            if words:
                words.append("linh")
            words.append(DIGITS[units])
    elif tens == 1:
        words.append("mười")
        if units:
            words.append("lăm" if units == 5 else DIGITS[units])
    else:
        words += [DIGITS[tens], "mươi"]
        if units:
            words.append({1: "mốt", 4: "tư", 5: "lăm"}.get(units, DIGITS[units]))
    return words


def number_words(n: int) -> str:
    """``n`` (a whole number ≥ 0) in Vietnamese words: 2026 → "hai nghìn không trăm hai mươi
    sáu"; 1994 → "một nghìn chín trăm chín mươi tư"; 0 → "không"."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"a whole number is needed, not {n!r}")
    if n < 0:
        return "âm " + number_words(-n)
    if n == 0:
        return DIGITS[0]
    return " ".join(_words(n, lead=True))


def _words(n: int, *, lead: bool) -> list[str]:
    """Groups of three digits from the highest: the first one read as it is, every later one in
    full ("không trăm linh năm"); a group of zeros is silent ("một triệu không trăm linh năm").
    Above a billion the count of billions is itself read, then "tỷ" ("một nghìn tỷ")."""
    billions, n = divmod(n, 1000**3)
    words: list[str] = []
    if billions:
        words += _words(billions, lead=lead) + ["tỷ"]
    for power in (2, 1, 0):
        value = n // 1000**power % 1000
        if value == 0:
            continue
        words += _group(value, full=bool(words) or not lead)
        if SCALES[power]:
            words.append(SCALES[power])
    return words


def day_words(day: int) -> str:
    """The day of a month: 1 → "một", 14 → "mười bốn", 21 → "hai mươi mốt"."""
    if not 1 <= day <= 31:
        raise ValueError(f"no day {day} in a month")
    return number_words(day)


def month_words(month: int) -> str:
    """The month's name after "tháng": 4 → "tư", 12 → "mười hai"."""
    if not 1 <= month <= 12:
        raise ValueError(f"no month {month}")
    return MONTHS[month - 1]


def date_words(value: date) -> str:
    """ "ngày một tháng ba năm hai nghìn không trăm hai mươi sáu" for 01/03/2026."""
    return (
        f"ngày {day_words(value.day)} tháng {month_words(value.month)} "
        f"năm {number_words(value.year)}"
    )


def capitalised(text: str) -> str:
    """First letter upper case, the rest untouched ("Ngày một tháng ba ...")."""
    return text[:1].upper() + text[1:]
