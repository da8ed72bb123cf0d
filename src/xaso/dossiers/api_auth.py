"""Authentication of the dossier endpoints that web pages link to (documents, scans): the API's
bearer token or the Django session. A session call that writes needs the CSRF token, as any
form post does (ninja's ``django_auth`` checks it)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, django_auth

from xaso.org.models import Staff


class BearerAuth(HttpBearer):
    """The API token, as ``xaso.api.BearerAuth`` checks it (the outer layer is not imported)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from xaso.accounts.services import api_token_authenticate

        staff = api_token_authenticate(token=token)
        if staff is not None:
            request.user = staff
        return staff


#: Either the bearer token or the Django session; ninja tries them in order.
AUTH = [BearerAuth(), django_auth]


def actor_of(request: HttpRequest) -> Staff:
    return request.auth  # type: ignore[attr-defined,no-any-return]
