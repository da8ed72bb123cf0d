"""Reads of citizens' personal data, scoped to the actor's agency, each one audited.

Decree 13/2023/NĐ-CP asks the controller to be able to say who processed whose data and when,
so a selector that hands a person's details to a caller writes ``person.read`` in the audit
trail, naming the person (public id) and the actor. A lookup that finds nothing, or finds a
record the actor may not see, discloses no personal data and is answered exactly like a missing
one (404): it is not a read, and is not logged as one. (Listing through ``person_list_for`` is
for building other queries; whatever shows a person's details to someone goes through the
audited ``person_get_for`` / ``person_find_by_personal_id``.)
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from xaso.core.audit import audit_record
from xaso.core.errors import NotFound
from xaso.core.text import validate_personal_id
from xaso.org.models import Staff

from . import permissions
from .models import Person

_NOT_FOUND = "Không tìm thấy công dân."


def person_list_for(*, actor: Staff) -> QuerySet[Person]:
    """The persons the actor may see: their own agency's, for the roles in ``READ_ROLES``."""
    if not permissions.can_read(actor):
        return Person.objects.none()
    return Person.objects.filter(agency_id=actor.agency_id)


def _read(actor: Staff, person: Person, via: str) -> Person:
    audit_record(actor=actor, action="person.read", obj=person, changes={"via": via})
    return person


def person_get_for(*, actor: Staff, public_id: str) -> Person:
    """One person by public id; audited as ``person.read``."""
    try:
        person = person_list_for(actor=actor).get(public_id=public_id)
    except (Person.DoesNotExist, ValueError, ValidationError):
        raise NotFound(_NOT_FOUND) from None
    return _read(actor, person, "public_id")


def person_find_by_personal_id(*, actor: Staff, personal_id: str) -> Person:
    """One person by số định danh cá nhân, for prefilling the counter form; audited as
    ``person.read``. A number that cannot be one is refused first (``InvalidPersonalId``, 400):
    the reception officer sees the typo at once."""
    number = validate_personal_id(personal_id).number
    person = person_list_for(actor=actor).filter(personal_id=number).first()
    if person is None:
        raise NotFound(_NOT_FOUND)
    return _read(actor, person, "personal_id")
