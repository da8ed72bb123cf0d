from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from xaso.core.schemas import ErrorOut
from xaso.org.models import Staff

from . import services

router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str


class AgencyRef(Schema):
    code: str
    name: str


class MeOut(Schema):
    username: str
    full_name: str
    agency: AgencyRef
    roles: list[str]


@router.post("/auth/token", auth=None, response={200: TokenOut, 401: ErrorOut, 429: ErrorOut})
def auth_token(request: HttpRequest, payload: TokenIn) -> dict[str, str]:
    """Exchange a username and password for a bearer token (throttled like the login page)."""
    token = services.api_token_issue(
        request=request, username=payload.username, password=payload.password
    )
    return {"token": token}


@router.get("/me", response={200: MeOut, 401: ErrorOut})
def me(request: HttpRequest) -> dict[str, object]:
    staff: Staff = request.auth  # type: ignore[attr-defined]
    return {
        "username": staff.username,
        "full_name": staff.full_name,
        "agency": {"code": staff.agency.code, "name": staff.agency.name},
        "roles": staff.role_codes,
    }
