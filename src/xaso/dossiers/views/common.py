"""What the one-stop pages share: the acting official, DomainError → form errors, and the
colour of a due time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest
from django.utils import timezone

from xaso.core.errors import DomainError
from xaso.org.models import Staff

from ..models import CLOCK_RUNNING, Dossier
from ..timing import next_due

__all__ = [
    "actor_of",
    "apply_errors",
    "due_class",
    "login_required",
    "next_due",
    "querystring",
    "require",
]


def actor_of(request: HttpRequest) -> Staff:
    return request.user  # type: ignore[return-value]


def require(allowed: bool) -> None:
    """403 for a signed-in official whose roles do not open this page."""
    if not allowed:
        raise DjangoPermissionDenied


def apply_errors(form: forms.Form, err: DomainError, aliases: dict[str, str] | None = None) -> None:
    """Show a service's refusal on the form: its message on top, each field's own messages next
    to the field (``applicant.phone`` and ``phone`` are the same field here)."""
    form.add_error(None, err.message)
    for name, messages in err.fields.items():
        field = (aliases or {}).get(name, name.removeprefix("applicant."))
        if field in form.fields:
            for message in messages:
                form.add_error(field, message)
        else:
            for message in messages:
                if message != err.message:
                    form.add_error(None, message)


def due_class(dossier: Dossier, now: datetime | None = None) -> str:
    """``overdue``, ``due-today`` or ``on-time`` while the clock runs; ``paused`` or ``closed``
    otherwise (a dossier waiting for a supplement is not late, one that is finished is done)."""
    if dossier.status not in CLOCK_RUNNING:
        return "paused" if dossier.status == "awaiting_supplement" else "closed"
    now = now or timezone.now()
    if dossier.due_at < now:
        return "overdue"
    if timezone.localtime(dossier.due_at).date() == timezone.localtime(now).date():
        return "due-today"
    return "on-time"


def querystring(params: dict[str, Any]) -> str:
    from urllib.parse import urlencode

    return urlencode({k: v for k, v in params.items() if v not in (None, "")})
