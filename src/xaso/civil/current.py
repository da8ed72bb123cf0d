"""The current values of an entry: the entry as written, with the amendments recorded against it
applied in order (Law on Civil Status 2014 Arts 26-29: a change or correction never overwrites
the entry; it is recorded against it and shown on later extracts).

Pure functions over rows already fetched, so a page of search results applies the amendments of
all its entries from one prefetch.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from xaso.core.text import fold

from .models import CivilAmendment, CivilParty, CivilRecord

#: The columns of a party an amendment may name, and how their text form is read back.
PARTY_FIELDS = (
    "family_name",
    "middle_name",
    "given_name",
    "full_name",
    "sex",
    "date_of_birth",
    "birth_year",
    "id_number",
    "ethnicity",
    "nationality",
    "residence",
)
NAME_PARTS = ("family_name", "middle_name", "given_name")


def value_text(value: Any) -> str:
    """The text form an amendment stores: ISO dates, digits for years, '' for nothing."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def value_of(field_name: str, text: str) -> Any:
    """Back from the text form to the column's type."""
    if field_name == "date_of_birth":
        return date.fromisoformat(text) if text else None
    if field_name == "birth_year":
        return int(text) if text else None
    return text


@dataclass
class PartyView:
    """A party as it reads now. ``amended`` names the fields an amendment changed;
    ``added_by`` is the entry that added the party after the fact (a recognition)."""

    role: str
    family_name: str
    middle_name: str
    given_name: str
    full_name: str
    sex: str
    date_of_birth: date | None
    birth_year: int | None
    id_number: str
    ethnicity: str
    nationality: str
    residence: str
    relationship: str
    added_by: UUID | None
    row: CivilParty
    amended: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, row: CivilParty) -> PartyView:
        return cls(
            role=row.role,
            family_name=row.family_name,
            middle_name=row.middle_name,
            given_name=row.given_name,
            full_name=row.full_name,
            sex=row.sex,
            date_of_birth=row.date_of_birth,
            birth_year=row.birth_year,
            id_number=row.id_number,
            ethnicity=row.ethnicity,
            nationality=row.nationality,
            residence=row.residence,
            relationship=row.relationship,
            added_by=row.added_by.public_id if row.added_by_id and row.added_by else None,
            row=row,
        )

    def set(self, field_name: str, text: str) -> None:
        setattr(self, field_name, value_of(field_name, text))
        self.amended.add(field_name)
        if field_name in NAME_PARTS and self.family_name and self.given_name:
            self.full_name = " ".join(
                p for p in (self.family_name, self.middle_name, self.given_name) if p
            )
            self.amended.add("full_name")
        if field_name == "date_of_birth" and self.date_of_birth is not None:
            self.birth_year = self.date_of_birth.year

    def get(self, field_name: str) -> Any:
        return getattr(self, field_name)

    @property
    def name_folded(self) -> str:
        return fold(self.full_name)


@dataclass
class CurrentRecord:
    record: CivilRecord
    parties: dict[str, PartyView]
    content: dict[str, Any]
    amendments: list[CivilAmendment]

    @property
    def amended(self) -> bool:
        return bool(self.amendments)

    def party(self, role: str) -> PartyView | None:
        return self.parties.get(role)


def current_of(
    record: CivilRecord, parties: Iterable[CivilParty], amendments: Iterable[CivilAmendment]
) -> CurrentRecord:
    """Apply ``amendments`` (in id order) to the entry's ``parties`` and ``content``."""
    views = {row.role: PartyView.of(row) for row in sorted(parties, key=lambda r: r.pk)}
    content = dict(record.content)
    ordered = sorted(amendments, key=lambda a: a.pk)
    for a in ordered:
        if a.role:
            view = views.get(a.role)
            if view is not None:
                view.set(a.field, a.new_value)
        else:
            content[a.field] = a.new_value
            if a.field == "ended_on":
                content["ended_by"] = a.kind
    return CurrentRecord(record=record, parties=views, content=content, amendments=ordered)


def record_current(record: CivilRecord) -> CurrentRecord:
    """The current values of one entry (from prefetched ``parties``/``amendments`` when the
    caller prefetched them, see ``selectors.RECORD_PREFETCH``)."""
    return current_of(record, record.parties.all(), record.amendments.all())
