"""What a registration receives about each person, and how it is checked and cleaned.

Services take ``PersonData`` (plain values, as a form or the API gives them) and turn them into
``CleanParty`` with ``clean_party``: text in NFC with single spaces, the name in its parts when
they were given (never guessed from a full name, vn-rules.md §9.4), the folded name for search,
the personal ID number checked against the date or year of birth and the sex (vn-rules.md §4).
Problems are collected in ``Problems`` so that one answer names every wrong field; one problem
keeps its own code, several are reported together as ``record_invalid``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from xaso.core.errors import DomainError
from xaso.core.text import InvalidPersonalId, fold, squash_spaces, validate_personal_id
from xaso.people.models import Sex

from .errors import DeclarantNotEntitled, FieldInvalid, RecordInvalid
from .models import CivilParty, PartyRole, Relationship
from .rules import name_is_valid

#: Sex implied by a role: a father or husband is a man, a mother or wife a woman (Marriage and
#: Family Law 2014 Art 8.2: marriage between persons of the same sex is not recognised).
ROLE_SEX: dict[str, str] = {
    PartyRole.FATHER: "male",
    PartyRole.HUSBAND: "male",
    PartyRole.MOTHER: "female",
    PartyRole.WIFE: "female",
}
EARLIEST_BIRTH_YEAR = 1850


@dataclass(frozen=True)
class PersonData:
    """A person as declared. Either the three name parts or ``full_name``; ``date_of_birth``
    or, where the form asks only for it (parents, declarants), ``birth_year``."""

    family_name: str = ""
    middle_name: str = ""
    given_name: str = ""
    full_name: str = ""
    sex: str = ""
    date_of_birth: date | None = None
    birth_year: int | None = None
    id_number: str = ""
    ethnicity: str = ""
    nationality: str = ""
    residence: str = ""
    relationship: str = ""

    @classmethod
    def of(cls, data: PersonData | Mapping[str, Any] | None) -> PersonData | None:
        """From a mapping (unknown keys ignored, None read as empty)."""
        if data is None or isinstance(data, PersonData):
            return data
        names = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in names and v is not None}
        return cls(**values)


@dataclass(frozen=True)
class CleanParty:
    """A checked person, ready to be written as a ``CivilParty``."""

    role: str
    family_name: str
    middle_name: str
    given_name: str
    full_name: str
    name_folded: str
    sex: str
    date_of_birth: date | None
    birth_year: int | None
    id_number: str
    ethnicity: str
    nationality: str
    residence: str
    relationship: str

    @property
    def has_parts(self) -> bool:
        return bool(self.family_name and self.given_name)

    def model_values(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def with_role(self, role: str) -> CleanParty:
        return replace(self, role=role)


class Problems:
    """Collects the problems of one submission: one problem is raised as it is; several of one
    rule keep that rule's code; several rules together are ``RecordInvalid``."""

    def __init__(self) -> None:
        self.items: list[DomainError] = []

    def add(self, exc: DomainError) -> None:
        self.items.append(exc)

    def field(self, code: str, field: str, message: str) -> None:
        self.items.append(FieldInvalid(code, message, field=field))

    def raise_if_any(self) -> None:
        if not self.items:
            return
        if len(self.items) == 1:
            raise self.items[0]
        merged: dict[str, list[str]] = {}
        for exc in self.items:
            for name, messages in exc.fields.items():
                merged.setdefault(name, []).extend(messages)
        first = self.items[0]
        if all(exc.code == first.code for exc in self.items):
            # The same rule broken twice (both spouses under age): keep its code.
            first.fields = merged
            first.message = " ".join(dict.fromkeys(exc.message for exc in self.items))
            raise first
        raise RecordInvalid(_("Thông tin đăng ký hộ tịch chưa hợp lệ."), fields=merged)

    def __bool__(self) -> bool:
        return bool(self.items)


def _limit(name: str) -> int:
    return int(getattr(CivilParty._meta.get_field(name), "max_length", 0) or 0)


def _text(problems: Problems, prefix: str, name: str, value: str) -> str:
    cleaned = squash_spaces(value or "")
    limit = _limit(name)
    if limit and len(cleaned) > limit:
        problems.field(
            "too_long", f"{prefix}.{name}", _("Quá dài: tối đa %(n)d ký tự.") % {"n": limit}
        )
    return cleaned


#: What a role may be required to declare (``need`` of ``clean_party``).
NEEDS = frozenset(
    {
        "name_parts",
        "sex",
        "date_of_birth",
        "birth",
        "ethnicity",
        "nationality",
        "residence",
        "id_number",
        "relationship",
    }
)


def clean_party(
    problems: Problems,
    role: str,
    data: PersonData | Mapping[str, Any] | None,
    *,
    need: frozenset[str] | set[str] = frozenset(),
    relationships: frozenset[str] | None = None,
    today: date,
    prefix: str | None = None,
) -> CleanParty | None:
    """Check one person; their problems go to ``problems`` under ``<prefix>.<field>`` (prefix:
    the role). Returns None when the data is missing or too broken to use further."""
    unknown = set(need) - NEEDS
    if unknown:
        raise ValueError(f"unknown requirements {sorted(unknown)}")
    prefix = prefix or role
    person = PersonData.of(data)
    if person is None:
        problems.field("required", prefix, _("Cần khai thông tin người này."))
        return None
    before = len(problems.items)

    def need_value(name: str, value: object, message: str) -> None:
        if value in ("", None):
            problems.field("required", f"{prefix}.{name}", message)

    # Name: the parts when given, else the full name as written.
    parts = {
        "family_name": _text(problems, prefix, "family_name", person.family_name),
        "middle_name": _text(problems, prefix, "middle_name", person.middle_name),
        "given_name": _text(problems, prefix, "given_name", person.given_name),
    }
    if any(parts.values()) or "name_parts" in need:
        need_value("family_name", parts["family_name"], _("Cần nhập họ."))
        need_value("given_name", parts["given_name"], _("Cần nhập tên."))
        full = " ".join(p for p in parts.values() if p)
        for name, value in parts.items():
            if value and not name_is_valid(value):
                problems.field(
                    "name_invalid_characters",
                    f"{prefix}.{name}",
                    _("Họ, chữ đệm, tên chỉ gồm chữ cái (không có chữ số hay ký hiệu)."),
                )
    else:
        full = _text(problems, prefix, "full_name", person.full_name)
        need_value("full_name", full, _("Cần nhập họ và tên."))
        if full and not all(name_is_valid(word) for word in full.split(" ")):
            problems.field(
                "name_invalid_characters",
                f"{prefix}.full_name",
                _("Họ và tên chỉ gồm chữ cái (không có chữ số hay ký hiệu)."),
            )

    sex = person.sex or ""
    implied = ROLE_SEX.get(role)
    if sex not in ("", *Sex.values):
        problems.field("invalid_choice", f"{prefix}.sex", _("Giới tính phải là nam hoặc nữ."))
        sex = ""
    if implied:
        if sex and sex != implied:
            problems.field(
                "sex_mismatch",
                f"{prefix}.sex",
                _("Giới tính của %(role)s phải là %(sex)s.")
                % {
                    "role": PartyRole(role).label.lower(),
                    "sex": _("nam") if implied == "male" else _("nữ"),
                },
            )
        sex = implied
    if "sex" in need:
        need_value("sex", sex, _("Cần khai giới tính."))

    dob = person.date_of_birth
    year = person.birth_year
    if dob is not None and dob > today:
        problems.field(
            "date_in_future", f"{prefix}.date_of_birth", _("Ngày sinh không thể sau hôm nay.")
        )
        dob = None
    if year is not None:
        if not EARLIEST_BIRTH_YEAR <= year <= today.year:
            problems.field(
                "birth_year_invalid",
                f"{prefix}.birth_year",
                _("Năm sinh phải trong khoảng %(first)d-%(last)d.")
                % {"first": EARLIEST_BIRTH_YEAR, "last": today.year},
            )
            year = None
        elif dob is not None and dob.year != year:
            problems.field(
                "birth_year_invalid",
                f"{prefix}.birth_year",
                _("Năm sinh không khớp với ngày sinh."),
            )
    if dob is not None:
        year = dob.year
    if "date_of_birth" in need:
        need_value("date_of_birth", person.date_of_birth, _("Cần khai ngày, tháng, năm sinh."))
    if "birth" in need and person.date_of_birth is None and person.birth_year is None:
        problems.field("required", f"{prefix}.birth_year", _("Cần khai năm sinh."))

    texts = {
        name: _text(problems, prefix, name, getattr(person, name))
        for name in ("ethnicity", "nationality", "residence")
    }
    messages = {
        "ethnicity": _("Cần khai dân tộc."),
        "nationality": _("Cần khai quốc tịch."),
        "residence": _("Cần khai nơi cư trú."),
    }
    for name, message in messages.items():
        if name in need:
            need_value(name, texts[name], message)

    relationship = person.relationship or ""
    if relationships is not None or "relationship" in need:
        if not relationship:
            need_value("relationship", relationship, _("Cần khai quan hệ với người được đăng ký."))
        elif relationship not in Relationship.values:
            problems.field(
                "invalid_choice",
                f"{prefix}.relationship",
                _("Quan hệ không nằm trong danh sách cho phép."),
            )
            relationship = ""
        elif relationships is not None and relationship not in relationships:
            problems.add(
                DeclarantNotEntitled(
                    "declarant_not_entitled",
                    _("Người có quan hệ «%(rel)s» không thuộc những người được yêu cầu việc này.")
                    % {"rel": Relationship(relationship).label},
                    field=f"{prefix}.relationship",
                )
            )

    number = (person.id_number or "").strip()
    if "id_number" in need:
        need_value("id_number", number, _("Cần khai số định danh cá nhân."))
    if number:
        check_on = dob or (date(year, 1, 1) if year else None)
        try:
            validate_personal_id(
                number,
                date_of_birth=check_on,
                sex=sex or None,  # type: ignore[arg-type]
                today=today,
            )
        except InvalidPersonalId as exc:
            problems.field(exc.code, f"{prefix}.id_number", exc.message)

    if len(problems.items) > before and not full:
        return None
    return CleanParty(
        role=role,
        family_name=parts["family_name"],
        middle_name=parts["middle_name"],
        given_name=parts["given_name"],
        full_name=full,
        name_folded=fold(full),
        sex=sex,
        date_of_birth=dob,
        birth_year=year,
        id_number=number,
        ethnicity=texts["ethnicity"],
        nationality=texts["nationality"],
        residence=texts["residence"],
        relationship=relationship,
    )


def clean_text(problems: Problems, field: str, value: str, *, required: str = "") -> str:
    """A free text of the form (place of birth, purpose, ...): NFC, single spaces; ``required``
    is the message when it is missing."""
    cleaned = squash_spaces(value or "")
    if required and not cleaned:
        problems.field("required", field, required)
    if len(cleaned) > 1000:
        problems.field("too_long", field, _("Quá dài: tối đa %(n)d ký tự.") % {"n": 1000})
    return cleaned


def clean_choice(
    problems: Problems, field: str, value: str, allowed: Mapping[str, Any] | frozenset[str]
) -> str:
    if value not in allowed:
        problems.field("invalid_choice", field, _("Giá trị không nằm trong danh sách cho phép."))
        return ""
    return value
