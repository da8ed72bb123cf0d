"""Writes on citizens' personal data. Each checks permission, runs in one transaction and is
audited with what changed."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from xaso.core.audit import audit_record, diff
from xaso.core.errors import DomainError, InvalidInput
from xaso.core.text import (
    InvalidName,
    InvalidPersonalId,
    PersonName,
    split_full_name,
    squash_spaces,
    validate_personal_id,
)
from xaso.org.models import Agency, Staff

from . import permissions
from .models import Person, Sex

#: The columns a citizen declares; the audit diff and the API speak of exactly these.
FIELDS = (
    "personal_id",
    "family_name",
    "middle_name",
    "given_name",
    "date_of_birth",
    "sex",
    "phone",
    "email",
    "address",
    "ethnicity",
    "nationality",
)
_NAME_FIELD = {"family": "family_name", "middle": "middle_name", "given": "given_name"}
_TEXT_FIELDS = ("address", "ethnicity", "nationality")
# Mobile numbers have 10 digits, landlines 11 (0 + area code 2xx + number), since 2017-2018.
_PHONE = re.compile(r"^0[0-9]{9,10}$")
_PHONE_NOISE = re.compile(r"[\s.\-()]")


class PersonInvalid(InvalidInput):
    """Several fields are wrong at once; ``fields`` names each. (One wrong field raises that
    field's own error, e.g. ``InvalidPersonalId`` with its ``pid_*`` code.)"""

    code = "person_invalid"


class PersonFieldInvalid(InvalidInput):
    """One field is wrong; ``code`` names the rule (invalid_phone, dob_future, ...)."""

    def __init__(self, code: str, field: str, message: str) -> None:
        super().__init__(message, fields={field: [message]})
        self.code = code  # type: ignore[misc]  # one class, one code per broken rule


class _Errors:
    """Collects the problems of one submission, so the form shows them all at once."""

    def __init__(self) -> None:
        self.problems: list[DomainError] = []

    def add(self, exc: DomainError) -> None:
        self.problems.append(exc)

    def field(self, name: str, message: str, code: str = "invalid_input") -> None:
        self.problems.append(PersonFieldInvalid(code, name, message))

    def raise_if_any(self) -> None:
        if not self.problems:
            return
        if len(self.problems) == 1:
            raise self.problems[0]
        fields: dict[str, list[str]] = {}
        for exc in self.problems:
            for name, messages in exc.fields.items():
                fields.setdefault(name, []).extend(messages)
        raise PersonInvalid("Thông tin công dân chưa hợp lệ.", fields=fields)


def _clean_name(
    errors: _Errors,
    *,
    family_name: str | None,
    middle_name: str | None,
    given_name: str | None,
    full_name: str | None,
) -> dict[str, str]:
    """The three name parts that were given, cleaned. The parts win over ``full_name``, which is
    split only when neither family nor given name is given (vn-rules.md §9.4: a best effort)."""
    if family_name is None and given_name is None and full_name is not None:
        try:
            name = split_full_name(full_name)
        except InvalidName as exc:
            errors.field("full_name", exc.message, exc.code)
            return {}
        return {"family_name": name.family, "middle_name": name.middle, "given_name": name.given}
    if family_name is None and middle_name is None and given_name is None:
        return {}
    try:
        name = PersonName(
            family=family_name or "", middle=middle_name or "", given=given_name or ""
        )
    except InvalidName as exc:
        for part, messages in exc.fields.items():
            for message in messages:
                errors.field(_NAME_FIELD[part], message, exc.code)
        return {}
    return {"family_name": name.family, "middle_name": name.middle, "given_name": name.given}


def _too_long(errors: _Errors, name: str, value: str) -> bool:
    limit: int = getattr(Person._meta.get_field(name), "max_length", 0) or 0
    if limit and len(value) > limit:
        errors.field(name, f"Quá dài: tối đa {limit} ký tự.", "too_long")
        return True
    return False


def _clean_contacts(
    errors: _Errors,
    *,
    phone: str | None,
    email: str | None,
    texts: dict[str, str | None],
) -> dict[str, str]:
    cleaned: dict[str, str] = {}
    if phone is not None:
        value = _PHONE_NOISE.sub("", squash_spaces(phone))
        if value.startswith("+84"):
            value = "0" + value[3:]
        if value and not _PHONE.match(value):
            errors.field(
                "phone",
                "Số điện thoại phải có 10 hoặc 11 chữ số, bắt đầu bằng 0 hoặc +84.",
                "invalid_phone",
            )
        else:
            cleaned["phone"] = value
    if email is not None:
        value = squash_spaces(email)
        try:
            if value:
                validate_email(value)
        except ValidationError:
            errors.field("email", "Địa chỉ thư điện tử không hợp lệ.", "invalid_email")
        else:
            if not _too_long(errors, "email", value):
                cleaned["email"] = value
    for name, raw in texts.items():
        if raw is not None:
            value = squash_spaces(raw)
            if not _too_long(errors, name, value):
                cleaned[name] = value
    return cleaned


def _snapshot(person: Person) -> dict[str, Any]:
    return {f: getattr(person, f) for f in FIELDS}


@transaction.atomic
def person_upsert(
    *,
    actor: Staff | None,
    agency: Agency,
    personal_id: str | None = None,
    family_name: str | None = None,
    middle_name: str | None = None,
    given_name: str | None = None,
    full_name: str | None = None,
    date_of_birth: date | None = None,
    sex: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    address: str | None = None,
    ethnicity: str | None = None,
    nationality: str | None = None,
    today: date | None = None,
) -> Person:
    """Record what a citizen declares: find their record in ``agency`` by personal ID and update
    what changed, or create one.

    An argument left ``None`` is "not declared this time" and keeps what is on record; an empty
    string clears it (names excepted: a person always has họ and tên). Without a personal ID there
    is nothing safe to match on (names and birthdays repeat), so a new record is made. The
    personal ID is checked against the date of birth and sex — the ones given, or else the ones on
    record (vn-rules.md §4). Text is stored NFC with single spaces; the phone as digits from 0.

    Audited: ``person.create`` with every declared field, ``person.update`` with the changed ones
    (``{field: [old, new]}``); nothing is written, and nothing audited, when nothing changed.
    ``actor=None`` is the command line (imports, the seed command).
    """
    if actor is not None:
        permissions.require_write(actor, agency)
    today = today or timezone.localdate()
    errors = _Errors()

    values: dict[str, Any] = _clean_name(
        errors,
        family_name=family_name,
        middle_name=middle_name,
        given_name=given_name,
        full_name=full_name,
    )
    values |= _clean_contacts(
        errors,
        phone=phone,
        email=email,
        texts={"address": address, "ethnicity": ethnicity, "nationality": nationality},
    )
    if sex is not None:
        if sex not in ("", *Sex.values):
            errors.field("sex", "Giới tính phải là nam hoặc nữ.", "invalid_sex")
        else:
            values["sex"] = sex
    if date_of_birth is not None:
        if date_of_birth > today:
            errors.field("date_of_birth", "Ngày sinh không thể sau ngày hôm nay.", "dob_future")
        else:
            values["date_of_birth"] = date_of_birth

    number = (personal_id or "").strip()
    existing: Person | None = None
    if number:
        try:
            validate_personal_id(number, today=today)
        except InvalidPersonalId as exc:
            errors.add(exc)
            number = ""
        else:
            existing = _locked(agency, number)
    if number:
        # Cross-check with what the person will look like after this call.
        dob = values.get("date_of_birth", existing.date_of_birth if existing else None)
        declared_sex = values.get("sex", existing.sex if existing else "") or None
        try:
            validate_personal_id(number, date_of_birth=dob, sex=declared_sex, today=today)
        except InvalidPersonalId as exc:
            errors.add(exc)
        values["personal_id"] = number
    name_reported = any(
        {"family_name", "given_name", "full_name"} & set(e.fields) for e in errors.problems
    )
    if existing is None and "family_name" not in values and not name_reported:
        errors.field("full_name", "Cần nhập họ và tên của công dân.", "name_required")
    errors.raise_if_any()

    if existing is not None:
        return _update(actor, existing, values)
    try:
        with transaction.atomic():  # savepoint: the create may lose a race on the same ID
            person = Person.objects.create(agency=agency, **values)
    except IntegrityError:
        # Another transaction recorded the same personal ID first; it has committed (PostgreSQL
        # made our INSERT wait for it), so update its row instead.
        raced = _locked(agency, values.get("personal_id", ""))
        if raced is None:
            raise
        return _update(actor, raced, values)
    declared = {k: v for k, v in _snapshot(person).items() if v not in ("", None)}
    audit_record(actor=actor, action="person.create", obj=person, changes=diff({}, declared))
    return person


def _locked(agency: Agency, number: str) -> Person | None:
    if not number:
        return None
    # The exclude lets SQLite use the partial unique index (personal_id <> ''): it cannot tell
    # that a bound parameter is not empty, and would otherwise scan the agency's people.
    return (
        Person.objects.select_for_update()
        .filter(agency=agency, personal_id=number)
        .exclude(personal_id="")
        .first()
    )


def _update(actor: Staff | None, person: Person, values: dict[str, Any]) -> Person:
    before = _snapshot(person)
    for name, value in values.items():
        setattr(person, name, value)
    changes = diff(before, _snapshot(person))
    if not changes:
        return person
    person.save(update_fields=[*changes, "updated_at"])
    audit_record(actor=actor, action="person.update", obj=person, changes=changes)
    return person
