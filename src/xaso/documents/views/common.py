"""What the documents pages share: the acting official, the 403 for roles without documents, a
service's refusal shown on a form, the filtered and paginated lists, and the redirect after a
successful action."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from xaso.core.errors import DomainError
from xaso.org.models import Staff

from .. import permissions

#: Rows per page of the document lists.
PAGE_SIZE = 50

M = TypeVar("M", bound=Model)


def actor_of(request: HttpRequest) -> Staff:
    return request.user  # type: ignore[return-value]


def require_reader(actor: Staff) -> None:
    if not permissions.can_list(actor):
        raise DjangoPermissionDenied


def apply_errors(form: forms.Form, err: DomainError) -> None:
    form.add_error(None, err.message)
    for name, messages_ in err.fields.items():
        for message in messages_:
            if name in form.fields:
                form.add_error(name, message)
            elif message != err.message:
                form.add_error(None, message)


def status_of(err: DomainError) -> int:
    """The page's status for a refusal: the error's own (400, 403, 409), never a 500."""
    return err.status if 400 <= err.status < 500 else 400


def filtered(
    request: HttpRequest, qs: QuerySet[M], fields: Mapping[str, tuple[str, Collection[str]]]
) -> tuple[QuerySet[M], dict[str, str]]:
    """A list's filters: each query parameter → (the field it filters, the values accepted).
    An accepted value filters; any value is given back as typed, for the filter form."""
    values: dict[str, str] = {}
    for name, (field, accepted) in fields.items():
        value = request.GET.get(name, "")
        values[name] = value
        if value in accepted:
            qs = qs.filter(**{field: value})
    return qs, values


@dataclass(frozen=True)
class Listing:
    """One page of a list, and its filters as the query string the pager links start with."""

    page: Page[Any]
    query: str


def paginated(request: HttpRequest, qs: QuerySet[M], filters: Mapping[str, str]) -> Listing:
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode(filters) + "&" if filters else ""
    return Listing(page=page, query=query)


def done(request: HttpRequest, route: str, public_id: Any, message: str) -> HttpResponse:
    """After a successful action: the message, and back to the document's page."""
    messages.success(request, message)
    return HttpResponseRedirect(reverse(route, args=[public_id]))
