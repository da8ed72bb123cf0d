"""Citizens' personal data for the agency's own staff: the counter's prefill by personal ID."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema

from xaso.core.schemas import ErrorOut
from xaso.org.models import Staff

from . import selectors
from .models import Person

router = Router(tags=["people"])


class PersonOut(Schema):
    id: UUID = Field(alias="public_id")
    personal_id: str
    family_name: str
    middle_name: str
    given_name: str
    full_name: str
    date_of_birth: date | None
    sex: str = Field(description='"male", "female" hoặc "" (chưa rõ)')
    phone: str
    email: str
    address: str
    ethnicity: str
    nationality: str
    updated_at: datetime = Field(description="Lần cập nhật cuối, giờ Việt Nam")

    @staticmethod
    def resolve_updated_at(obj: Person) -> datetime:
        return timezone.localtime(obj.updated_at)


@router.get(
    "/people/by-id/{personal_id}",
    response={200: PersonOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut},
)
def person_by_personal_id(request: HttpRequest, personal_id: str) -> Person:
    """The last known details of a citizen of the caller's agency, by số định danh cá nhân (to
    prefill the counter form). Staff of the agency only; every answer is audited
    (``person.read``). Another agency's citizen, or a caller without a role that reads personal
    data, gets 404 like a missing one; a number that cannot be a personal ID gets 400 with the
    broken rule as ``code`` (``pid_length``, ``pid_province``, ...)."""
    actor: Staff = request.auth  # type: ignore[attr-defined]
    return selectors.person_find_by_personal_id(actor=actor, personal_id=personal_id)
