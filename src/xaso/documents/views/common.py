"""What the documents pages share: the acting official, the 403 for roles without documents,
and a service's refusal shown on a form."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest

from xaso.core.errors import DomainError
from xaso.org.models import Staff

from .. import permissions


def actor_of(request: HttpRequest) -> Staff:
    return request.user  # type: ignore[return-value]


def require_reader(actor: Staff) -> None:
    if not permissions.can_list(actor):
        raise DjangoPermissionDenied


def apply_errors(form: forms.Form, err: DomainError) -> None:
    form.add_error(None, err.message)
    for name, messages in err.fields.items():
        for message in messages:
            if name in form.fields:
                form.add_error(name, message)
            elif message != err.message:
                form.add_error(None, message)


def status_of(err: DomainError) -> int:
    """The page's status for a refusal: the error's own (400, 403, 409), never a 500."""
    return err.status if 400 <= err.status < 500 else 400
