"""Checks shared by several registrations, on cleaned parties (no database)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.utils.translation import gettext as _

from xaso.core.text import fold

from ..errors import DatesInconsistent, DeclarantNotEntitled, MarriageAge, NameNotFromParent
from ..inputs import CleanParty, Problems
from ..models import Relationship
from ..rules import MARRIAGE_AGE, completed_age


def event_not_after(problems: Problems, field: str, event_day: date, registered_on: date) -> None:
    """An event is registered on or after the day it happened."""
    if event_day > registered_on:
        problems.add(
            DatesInconsistent(
                "event_after_registration",
                _("Ngày %(event)s sau ngày đăng ký %(day)s.")
                % {"event": f"{event_day:%d/%m/%Y}", "day": f"{registered_on:%d/%m/%Y}"},
                field=field,
            )
        )


def born_after_parent(problems: Problems, child_dob: date, parent: CleanParty | None) -> None:
    """A child is born after its parent: a later year than the parent's (a parent born the
    same year as the child cannot be), and after the parent's date of birth when known."""
    if parent is None or parent.birth_year is None:
        return
    if parent.birth_year >= child_dob.year or (
        parent.date_of_birth is not None and parent.date_of_birth >= child_dob
    ):
        field = "date_of_birth" if parent.date_of_birth else "birth_year"
        problems.add(
            DatesInconsistent(
                "child_before_parent",
                _("Năm sinh của %(role)s (%(year)d) phải trước năm sinh của con (%(child)d).")
                % {
                    "role": _role_word(parent.role),
                    "year": parent.birth_year,
                    "child": child_dob.year,
                },
                field=f"{parent.role}.{field}",
            )
        )


def _role_word(role: str) -> str:
    from ..models import PartyRole

    return str(PartyRole(role).label).lower()


def _leading_words(name_folded: str, count: int) -> str:
    return " ".join(name_folded.split(" ")[:count])


def family_name_from_parents(
    problems: Problems, child: CleanParty, parents: Sequence[CleanParty | None], field: str
) -> None:
    """The child's family name is the father's or the mother's (Civil Code 2015 Art 26.2;
    Circular 04/2020 Art 6.2): it must be the family name, or the first words of the full name,
    of one of them."""
    known = [p for p in parents if p is not None]
    if not known or not child.family_name:
        return
    family = fold(child.family_name)
    words = len(family.split(" "))
    for parent in known:
        theirs = fold(parent.family_name) if parent.family_name else None
        if theirs == family or _leading_words(parent.name_folded, words) == family:
            return
    problems.add(
        NameNotFromParent(
            "family_name_not_from_parent",
            _("Họ của con phải là họ của cha hoặc của mẹ (Bộ luật Dân sự 2015, Điều 26)."),
            field=field,
        )
    )


def ethnicity_from_parents(
    problems: Problems, child: CleanParty, parents: Sequence[CleanParty | None], field: str
) -> None:
    """The child's ethnicity is the father's or the mother's (Civil Code 2015 Art 29.2)."""
    known = {fold(p.ethnicity) for p in parents if p is not None and p.ethnicity}
    if not known or not child.ethnicity or fold(child.ethnicity) in known:
        return
    problems.add(
        NameNotFromParent(
            "ethnicity_not_from_parent",
            _(
                "Dân tộc của con phải là dân tộc của cha hoặc của mẹ "
                "(Bộ luật Dân sự 2015, Điều 29)."
            ),
            field=field,
        )
    )


def declarant_entitled(
    problems: Problems,
    declarant: CleanParty | None,
    *,
    allowed: frozenset[str],
    parents: dict[str, CleanParty | None],
) -> None:
    """A declarant who says they are the mother or father must be the parent declared in the
    entry (who may declare at all, Law Arts 15 and 33, is checked by ``clean_party``)."""
    if declarant is None or declarant.relationship not in allowed:
        return
    parent = parents.get(declarant.relationship)
    if declarant.relationship not in parents:
        return
    same = parent is not None and parent.name_folded == declarant.name_folded
    if same and parent is not None and parent.id_number and declarant.id_number:
        same = parent.id_number == declarant.id_number
    if not same:
        problems.add(
            DeclarantNotEntitled(
                "declarant_mismatch",
                _("Người đi đăng ký khai là %(rel)s nhưng họ tên, số định danh không khớp.")
                % {"rel": Relationship(declarant.relationship).label.lower()},
                field="declarant.full_name",
            )
        )


def marriage_ages(problems: Problems, parties: Sequence[CleanParty], on: date) -> None:
    """The man fully 20, the woman fully 18 on the day of the marriage (Marriage and Family Law
    2014 Art 8.1.a)."""
    for party in parties:
        if party.date_of_birth is None or party.sex not in MARRIAGE_AGE:
            continue
        minimum = MARRIAGE_AGE[party.sex]
        age = completed_age(party.date_of_birth, on)
        if age < minimum:
            problems.add(
                MarriageAge(
                    "marriage_age",
                    _(
                        "%(name)s mới %(age)d tuổi vào ngày %(day)s: %(sex)s phải đủ %(min)d tuổi "
                        "mới được kết hôn (Luật Hôn nhân và gia đình 2014, Điều 8)."
                    )
                    % {
                        "name": party.full_name,
                        "age": age,
                        "day": f"{on:%d/%m/%Y}",
                        "sex": _("nam") if party.sex == "male" else _("nữ"),
                        "min": minimum,
                    },
                    field=f"{party.role}.date_of_birth",
                )
            )


def is_vietnamese(party: CleanParty | None) -> bool:
    return party is not None and fold(party.nationality) in ("viet nam", "vietnam")
