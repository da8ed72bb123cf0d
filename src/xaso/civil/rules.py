"""The rules of the law as data and pure functions (no database): declaration periods, ages, who
may declare, which catalogue procedure each registration is, and date arithmetic.

Every figure cites its basis. Where vn-rules.md marks the basis [UNCONFIRMED], the value is kept
here as data and the docstring says so.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

from .models import Event, Relationship

#: Law on Civil Status 2014 Art 15.1: parents register a birth within 60 days of it.
BIRTH_DECLARATION_DAYS = 60
#: Law on Civil Status 2014 Art 33.1: relatives register a death within 15 days of it.
DEATH_DECLARATION_DAYS = 15
#: Marriage and Family Law 2014 Art 8.1.a: a man fully 20 years old, a woman fully 18.
MARRIAGE_AGE = {"male": 20, "female": 18}
#: Civil Code 2015 Art 20: an adult is a person fully 18 years old.
ADULT_AGE = 18
#: Civil Code 2015 Arts 27.3 and 28.3: changing the family or given name of a person fully 9 years
#: old or more needs their consent.
NAME_CHANGE_CONSENT_AGE = 9
#: Decree 123/2015 Art 24: re-registration is for events registered before 1 January 2016.
RE_REGISTRATION_BEFORE = date(2016, 1, 1)
#: Decree 123/2015 Art 23: a marital status confirmation is valid for 6 months from issue.
MARITAL_CONFIRMATION_VALID_MONTHS = 6

#: Who may declare a birth (Law Art 15.1: the father or mother; if they cannot, a grandparent,
#: another relative, or the person or organisation caring for the child) or a death (Law Art
#: 33.1: the spouse, a child, a parent or another relative; without relatives, a representative
#: of the agency or organisation concerned); either by authorisation (Decree 123/2015 Art 2).
DECLARANTS: dict[str, frozenset[str]] = {
    Event.BIRTH: frozenset(
        {
            Relationship.MOTHER,
            Relationship.FATHER,
            Relationship.GRANDPARENT,
            Relationship.SIBLING,
            Relationship.RELATIVE,
            Relationship.CARER,
            Relationship.AUTHORISED,
        }
    ),
    Event.DEATH: frozenset(
        {
            Relationship.SPOUSE,
            Relationship.CHILD,
            Relationship.PARENT,
            Relationship.SIBLING,
            Relationship.RELATIVE,
            Relationship.AGENCY_REPRESENTATIVE,
            Relationship.AUTHORISED,
        }
    ),
}
#: Who may ask for a copy of an extract or a confirmation of civil status information: the
#: person concerned, their family, a guardian, or someone authorised (Decree 123/2015 Art 64;
#: Decree 87/2020).
REQUESTERS = frozenset(
    {
        Relationship.SELF,
        Relationship.SPOUSE,
        Relationship.CHILD,
        Relationship.PARENT,
        Relationship.MOTHER,
        Relationship.FATHER,
        Relationship.GRANDPARENT,
        Relationship.SIBLING,
        Relationship.RELATIVE,
        Relationship.GUARDIAN,
        Relationship.AUTHORISED,
    }
)

#: The catalogue procedure (national TTHC code, procedures-commune.json) of each registration:
#: (event, variant, special case) → code. ``None``: the commune catalogue holds no procedure for
#: it, so no fee or time limit is known and none is invented.
PROCEDURES: dict[tuple[str, str, str], str | None] = {
    (Event.BIRTH, "", ""): "1.001193",
    (Event.BIRTH, "", "recognition"): "1.000689",  # khai sinh kết hợp nhận cha, mẹ, con
    (Event.BIRTH, "re_registration", ""): "1.004884",
    (Event.DEATH, "", ""): "1.000656",
    (Event.DEATH, "re_registration", ""): "1.005461",
    (Event.MARRIAGE, "", ""): "1.000894",
    (Event.MARRIAGE, "re_registration", ""): "1.004746",
    (Event.MARITAL_STATUS, "", ""): "1.004873",
    (Event.PARENTAGE, "", ""): "1.001022",
    (Event.GUARDIANSHIP, "appointment", ""): "1.004837",
    (Event.GUARDIANSHIP, "termination", ""): "1.004845",
    (Event.CHANGE, "change", ""): "1.004859",
    (Event.CHANGE, "correction", ""): "1.004859",
    (Event.CHANGE, "supplement", ""): "1.004859",
    (Event.CHANGE, "ethnicity", ""): "1.004859",
    (Event.FOREIGN_RECORD, "marriage", ""): "2.002189",
    (Event.FOREIGN_RECORD, "divorce", ""): "2.000554",
    (Event.FOREIGN_RECORD, "birth", ""): None,
    (Event.FOREIGN_RECORD, "death", ""): None,
    (Event.EXTRACT_COPY, "", ""): "2.000635",
    (Event.INFO_CONFIRMATION, "", ""): "2.002516",
}

#: Personal fee exemptions of Law on Civil Status Art 11.1 (and of the catalogue's notes).
FEE_EXEMPTIONS = {
    "merit_family": "người thuộc gia đình có công với cách mạng",
    "poor_household": "người thuộc hộ nghèo",
    "disability": "người khuyết tật",
}

# Letters of any script, combining marks, spaces, and the apostrophe and hyphen of some ethnic
# minority names ("H'Hen Niê"); no digits or other symbols (Circular 04/2020 Art 6.1).
_NAME_OK = re.compile(r"^[^\W\d_]+(?:[ '\u2019\-][^\W\d_]+)*$")


def name_is_valid(value: str) -> bool:
    """A name part made of letters, single spaces, apostrophes and hyphens only."""
    return bool(_NAME_OK.match(value))


def completed_age(born: date, on: date) -> int:
    """Full years of age on ``on`` (tuổi tròn): one more on each birthday."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later; the month's last day where that day does not exist."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    raise ValueError(f"no such month: {year}-{month}")


def period_end(
    start: date, days: int, *, is_working_day: Callable[[date], bool] | None = None
) -> date:
    """The last day of a period of ``days`` days counted from the day after ``start`` (Civil
    Code 2015 Art 147); when that day is not a working day, the next working day (Art 148.5 —
    article text [UNCONFIRMED] in vn-rules.md §1.9, applied with the official calendar)."""
    end = start + timedelta(days=days)
    if is_working_day is not None:
        for _ in range(31):
            if is_working_day(end):
                break
            end += timedelta(days=1)
    return end


def marital_confirmation_valid_until(issued_on: date) -> date:
    """The last day a confirmation issued on ``issued_on`` is valid: 6 months counted from the
    day after issue end on the same day of the sixth month (Civil Code Arts 147-148)."""
    return add_months(issued_on, MARITAL_CONFIRMATION_VALID_MONTHS)
