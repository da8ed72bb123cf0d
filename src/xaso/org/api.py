"""Administrative units (public), subordinate agencies (supervisors) and staff (agency admins)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from xaso.core.errors import NotFound
from xaso.core.schemas import ErrorOut

from . import selectors, services
from .models import Staff

router = Router(tags=["org"])


class UnitOut(Schema):
    id: UUID = Field(alias="public_id")
    code: str
    name: str
    level: str
    division_type: str
    parent_code: str | None
    established_on: date | None
    dissolved_on: date | None
    successors: list[str]


class UnitFilter(Schema):
    q: str = ""
    level: str = ""
    status: str = Field("", pattern="^(|current|dissolved)$")
    limit: int = Field(50, ge=1, le=500)


@router.get("/units", auth=None, response={200: list[UnitOut], 422: ErrorOut})
def unit_list(request: HttpRequest, filters: Query[UnitFilter]) -> list[dict[str, object]]:
    """Administrative units with their GSO codes, in force or dissolved (public data)."""
    qs = selectors.unit_search(query=filters.q, level=filters.level, status=filters.status)
    qs = qs.prefetch_related("successors")[: filters.limit]
    return [
        {
            "public_id": u.public_id,
            "code": u.code,
            "name": u.name,
            "level": u.level.code,
            "division_type": u.division_type,
            "parent_code": u.parent.code if u.parent else None,
            "established_on": u.established_on,
            "dissolved_on": u.dissolved_on,
            "successors": [s.code for s in u.successors.all()],
        }
        for u in qs
    ]


class AgencyOut(Schema):
    code: str
    name: str
    unit_code: str
    unit_name: str
    parent_code: str | None
    staff_count: int


@router.get("/agencies/subordinates", response={200: list[AgencyOut], 401: ErrorOut})
def agency_subordinates(request: HttpRequest) -> list[dict[str, object]]:
    """Agencies below the caller's (supervisors, leaders, admins); statistics only."""
    from django.db.models import Count

    actor: Staff = request.auth  # type: ignore[attr-defined]
    qs = (
        selectors.agency_list_supervised_by(actor=actor)
        .select_related("parent")
        .annotate(n=Count("staff"))
    )
    return [
        {
            "code": a.code,
            "name": a.name,
            "unit_code": a.unit.code,
            "unit_name": a.unit.name,
            "parent_code": a.parent.code if a.parent else None,
            "staff_count": a.n,
        }
        for a in qs.order_by("code")
    ]


class StaffOut(Schema):
    username: str
    full_name: str
    title: str
    agency_code: str
    is_active: bool
    roles: list[str]


class StaffIn(Schema):
    username: str = Field(pattern=r"^[a-zA-Z0-9._-]{2,150}$")
    full_name: str = Field(min_length=2, max_length=128)
    password: str
    roles: list[str] = Field(min_length=1)
    field: str = ""
    title: str = ""
    phone: str = ""
    email: str = ""


def _staff_out(s: Staff) -> dict[str, object]:
    return {
        "username": s.username,
        "full_name": s.full_name,
        "title": s.title,
        "agency_code": s.agency.code,
        "is_active": s.is_active,
        "roles": s.role_codes,
    }


@router.get("/staff", response={200: list[StaffOut], 401: ErrorOut, 403: ErrorOut})
def staff_list(request: HttpRequest) -> list[dict[str, object]]:
    """The caller's agency's staff (agency administrators only; others get an empty list)."""
    actor: Staff = request.auth  # type: ignore[attr-defined]
    return [_staff_out(s) for s in selectors.staff_list_for(actor=actor)]


@router.get("/staff/{username}", response={200: StaffOut, 401: ErrorOut, 404: ErrorOut})
def staff_get(request: HttpRequest, username: str) -> dict[str, object]:
    actor: Staff = request.auth  # type: ignore[attr-defined]
    return _staff_out(selectors.staff_get_for(actor=actor, username=username))


@router.post(
    "/staff",
    response={
        201: StaffOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
    },
)
def staff_create(request: HttpRequest, payload: StaffIn) -> Status[dict[str, object]]:
    """An agency administrator opens an account in their own agency."""
    actor: Staff = request.auth  # type: ignore[attr-defined]
    if not actor.has_role("admin"):
        raise NotFound("Không tìm thấy.")
    roles = [(r, payload.field if r == "specialist" else "") for r in payload.roles]
    staff = services.staff_create(
        actor=actor,
        agency=actor.agency,
        username=payload.username,
        full_name=payload.full_name,
        password=payload.password,
        roles=roles,
        title=payload.title,
        phone=payload.phone,
        email=payload.email,
    )
    return Status(201, _staff_out(staff))
