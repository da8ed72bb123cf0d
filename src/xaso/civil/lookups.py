"""What the agency's own registers say about a person: their marriages, death, birth entry,
guardianship. Decree 07/2025/NĐ-CP asks the registering authority to look these up instead of
asking the citizen for paper (vn-rules.md §3.1), so the services call these before writing.

These are reads inside one agency for the registering service, not reads for a user: the
service has already checked that its actor works on that agency's registers.

A person is recognised by personal ID number when both sides have one; otherwise by folded name
and full date of birth, and then only against entries that carry no ID number (two different ID
numbers are two people). Without either, a person cannot be recognised and nothing is found.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from django.db.models import Exists, OuterRef, Q, QuerySet

from xaso.org.models import Agency

from .inputs import CleanParty
from .models import AmendmentKind, CivilAmendment, CivilParty, CivilRecord, Event, PartyRole

MarriageStatus = Literal["married", "divorced", "widowed"]
_SPOUSE = {PartyRole.HUSBAND: PartyRole.WIFE, PartyRole.WIFE: PartyRole.HUSBAND}
_ENDS_MARRIAGE = (AmendmentKind.DIVORCE, AmendmentKind.ANNULMENT)


def same_person_q(*, id_number: str, name_folded: str, date_of_birth: date | None) -> Q | None:
    """The condition on ``CivilParty`` rows that are this person; None when they cannot be
    recognised."""
    by_name = (
        Q(name_folded=name_folded, date_of_birth=date_of_birth)
        if name_folded and date_of_birth
        else None
    )
    if id_number:
        by_id = Q(id_number=id_number)
        return by_id | (by_name & Q(id_number="")) if by_name is not None else by_id
    return by_name


def _person_q(party: CleanParty | CivilParty) -> Q | None:
    return same_person_q(
        id_number=party.id_number,
        name_folded=party.name_folded,
        date_of_birth=party.date_of_birth,
    )


def _parties(agency: Agency, party: CleanParty | CivilParty) -> QuerySet[CivilParty] | None:
    cond = _person_q(party)
    if cond is None:
        return None
    return CivilParty.objects.filter(cond, agency=agency).select_related("record__book")


@dataclass(frozen=True)
class MarriageFact:
    """One marriage of a person in the register, and how it stands now."""

    record: CivilRecord
    role: str
    spouse: CivilParty | None
    status: MarriageStatus


def death_of(agency: Agency, party: CleanParty | CivilParty) -> CivilRecord | None:
    """The death entry of this person (registered here, or recorded from abroad)."""
    found = _parties(agency, party)
    if found is None:
        return None
    hit = (
        found.filter(role=PartyRole.DECEASED)
        .filter(
            Q(record__event=Event.DEATH)
            | Q(record__event=Event.FOREIGN_RECORD, record__variant="death")
        )
        .order_by("record__registered_on", "record_id")
        .first()
    )
    return hit.record if hit else None


def marriages_of(agency: Agency, party: CleanParty | CivilParty) -> list[MarriageFact]:
    """Every marriage of this person in the register (registered, re-registered or recorded
    from abroad), oldest first: ``divorced`` when a divorce or annulment is noted against it,
    ``widowed`` when the spouse's death is registered, else ``married``."""
    found = _parties(agency, party)
    if found is None:
        return []
    mine = list(
        found.filter(role__in=list(_SPOUSE))
        .filter(
            Q(record__event=Event.MARRIAGE)
            | Q(record__event=Event.FOREIGN_RECORD, record__variant="marriage")
        )
        .annotate(
            ended=Exists(
                CivilAmendment.objects.filter(record=OuterRef("record"), kind__in=_ENDS_MARRIAGE)
            )
        )
        .order_by("record__registered_on", "record_id")
    )
    facts = []
    for p in mine:
        spouse = CivilParty.objects.filter(record=p.record, role=_SPOUSE[PartyRole(p.role)]).first()
        status: MarriageStatus = "married"
        if getattr(p, "ended", False):
            status = "divorced"
        elif spouse is not None and death_of(agency, spouse) is not None:
            status = "widowed"
        facts.append(MarriageFact(record=p.record, role=p.role, spouse=spouse, status=status))
    return facts


def current_marriage(agency: Agency, party: CleanParty | CivilParty) -> MarriageFact | None:
    return next((f for f in marriages_of(agency, party) if f.status == "married"), None)


def marriage_between(agency: Agency, a: CleanParty, b: CleanParty) -> MarriageFact | None:
    """A marriage of ``a`` whose spouse is ``b`` (by ID number when both have one, else by
    folded name), whatever it became later."""
    for fact in marriages_of(agency, a):
        spouse = fact.spouse
        if spouse is None:
            continue
        if b.id_number and spouse.id_number:
            if b.id_number == spouse.id_number:
                return fact
        elif b.name_folded == spouse.name_folded:
            return fact
    return None


def _loosely(party: CleanParty) -> Q:
    """This person among the spouses of a marriage entry: by ID number when both sides have
    one, else by folded name and (when both sides know it) year of birth."""
    by_name = Q(name_folded=party.name_folded)
    if party.birth_year:
        by_name &= Q(birth_year=party.birth_year) | Q(birth_year__isnull=True)
    if party.id_number:
        return Q(id_number=party.id_number) | (by_name & Q(id_number=""))
    return by_name


def couple_marriage(agency: Agency, *, man: CleanParty, woman: CleanParty) -> CivilRecord | None:
    """The marriage of this man and this woman in the register, if any (the parents of a child
    declared at birth, often by name and year of birth only)."""
    husbands = CivilParty.objects.filter(
        _loosely(man), record=OuterRef("pk"), role=PartyRole.HUSBAND
    )
    wives = CivilParty.objects.filter(_loosely(woman), record=OuterRef("pk"), role=PartyRole.WIFE)
    return (
        CivilRecord.objects.filter(agency=agency)
        .filter(Q(event=Event.MARRIAGE) | Q(event=Event.FOREIGN_RECORD, variant="marriage"))
        .filter(Exists(husbands), Exists(wives))
        .select_related("book")
        .order_by("registered_on", "pk")
        .first()
    )


def birth_entry_of(agency: Agency, party: CleanParty | CivilParty) -> CivilRecord | None:
    """The birth entry of this person in the register (registered here or recorded)."""
    found = _parties(agency, party)
    if found is None:
        return None
    hit = (
        found.filter(role=PartyRole.CHILD)
        .filter(
            Q(record__event=Event.BIRTH)
            | Q(record__event=Event.FOREIGN_RECORD, record__variant="birth")
        )
        .order_by("record__registered_on", "record_id")
        .first()
    )
    return hit.record if hit else None


def births_like(
    agency: Agency, *, name_folded: str, date_of_birth: date, mother_folded: str
) -> list[CivilRecord]:
    """Birth entries of a child with this folded name and date of birth whose mother bears this
    folded name: likely the same birth registered twice."""
    mothers = CivilParty.objects.filter(
        record=OuterRef("record"), role=PartyRole.MOTHER, name_folded=mother_folded
    )
    hits = (
        CivilParty.objects.filter(
            agency=agency,
            role=PartyRole.CHILD,
            record__event=Event.BIRTH,
            name_folded=name_folded,
            date_of_birth=date_of_birth,
        )
        .filter(Exists(mothers))
        .select_related("record__book")
        .order_by("record_id")
    )
    return [h.record for h in hits]


def deaths_like(agency: Agency, *, name_folded: str, date_of_birth: date) -> list[CivilRecord]:
    hits = (
        CivilParty.objects.filter(
            agency=agency,
            role=PartyRole.DECEASED,
            record__event=Event.DEATH,
            name_folded=name_folded,
            date_of_birth=date_of_birth,
        )
        .select_related("record__book")
        .order_by("record_id")
    )
    return [h.record for h in hits]


def guardianship_of(agency: Agency, ward: CleanParty | CivilParty) -> CivilRecord | None:
    """The appointment of a guardian for this person that no termination has ended yet."""
    found = _parties(agency, ward)
    if found is None:
        return None
    ended = CivilRecord.objects.filter(target=OuterRef("record"), variant="termination")
    hit = (
        found.filter(
            role=PartyRole.WARD,
            record__event=Event.GUARDIANSHIP,
            record__variant="appointment",
        )
        .filter(~Exists(ended))
        .order_by("record_id")
        .first()
    )
    return hit.record if hit else None


def confirmations_valid(agency: Agency, party: CleanParty, *, on: date) -> list[CivilRecord]:
    """Marital status confirmations of this person still valid on ``on``."""
    found = _parties(agency, party)
    if found is None:
        return []
    hits = found.filter(
        role=PartyRole.PERSON,
        record__event=Event.MARITAL_STATUS,
        record__valid_until__gte=on,
    ).order_by("record_id")
    return [h.record for h in hits]
