"""Business-rule errors. Services raise them; views show them as form errors and the API as
``{"code", "message", "fields"}`` with the HTTP status given here."""

from __future__ import annotations

from typing import ClassVar


class DomainError(Exception):
    """A broken rule. ``code`` is stable (API clients match on it), ``message`` is for people."""

    code: ClassVar[str] = "domain_error"
    status: ClassVar[int] = 400

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = str(message)
        self.fields = fields or {}


class NotFound(DomainError):
    """Missing, or outside what the caller may see: the two must look the same."""

    code = "not_found"
    status = 404


class PermissionDenied(DomainError):
    """The caller is known and the object is visible, but the action is not theirs to take."""

    code = "permission_denied"
    status = 403


class InvalidInput(DomainError):
    code = "invalid_input"
    status = 400


class Conflict(DomainError):
    code = "conflict"
    status = 409
