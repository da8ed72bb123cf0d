"""What the civil status pages share: the acting official, the role checks (403 for a signed-in
official whose roles do not open the page; 404 for what is outside their agency), the leaders
who may sign, and ``place_errors``, which puts a service's refusal next to the fields it names."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from xaso.core.errors import DomainError, NotFound
from xaso.org.models import Staff

from .. import permissions, selectors
from ..models import CivilRecord

__all__ = [
    "actor_of",
    "leaders_of",
    "login_required",
    "place_errors",
    "querystring",
    "record_or_404",
    "require",
    "require_reader",
    "require_registrar",
]


def actor_of(request: HttpRequest) -> Staff:
    return request.user  # type: ignore[return-value]


def require(allowed: bool) -> None:
    if not allowed:
        raise DjangoPermissionDenied


def require_reader(request: HttpRequest) -> Staff:
    """The official, who must work on the civil status registers (officer or leader)."""
    actor = actor_of(request)
    require(permissions.can_read(actor))
    return actor


def require_registrar(request: HttpRequest) -> Staff:
    actor = actor_of(request)
    require(permissions.can_register(actor))
    return actor


def record_or_404(actor: Staff, public_id: Any) -> CivilRecord:
    try:
        return selectors.record_get_for(actor=actor, public_id=public_id)
    except NotFound:
        raise Http404 from None


def leaders_of(actor: Staff) -> list[Staff]:
    """The active leaders of the actor's agency: who may sign an entry or a certificate."""
    return list(
        Staff.objects.filter(agency_id=actor.agency_id, is_active=True, roles__role="leader")
        .distinct()
        .order_by("full_name", "username")
    )


def querystring(params: Mapping[str, Any]) -> str:
    """``params`` without the empty ones; list values repeat the key."""
    pairs: list[tuple[str, Any]] = []
    for key, value in params.items():
        values = value if isinstance(value, list | tuple) else [value]
        pairs.extend((key, v) for v in values if v not in (None, ""))
    return urlencode(pairs)


Place = tuple[forms.Form, str | None]


def place_errors(
    err: DomainError,
    main: forms.Form,
    groups: Mapping[str, forms.Form] | None = None,
    *,
    rows: Callable[[str], Place | None] | None = None,
    elsewhere: Collection[str] = (),
    skip: Collection[str] = (),
) -> list[str]:
    """Show a service's refusal on the forms of a page: its message on top of ``main``, each
    field's messages next to the field. Service names are ``<group>.<field>`` (a person of the
    form) or ``<field>``; ``rows`` places the names of repeated rows (``changes.0``); a name the
    page has no field for falls back to the top. The messages of the names in ``elsewhere`` (a
    part of the page that is not a form) are returned instead."""
    groups = groups or {}
    several = sum(1 for key in err.fields if key not in skip and key not in elsewhere) > 1
    # Several fields at once: each says its own problem; the top only says where to look.
    main.add_error(
        None,
        _("Tờ khai còn %(n)d chỗ cần sửa, ghi ở từng ô dưới đây.") % {"n": len(err.fields)}
        if several
        else err.message,
    )
    kept: list[str] = []
    for key, messages in err.fields.items():
        if key in skip:
            continue
        if key in elsewhere:
            kept.extend(messages)
            continue
        place = (rows(key) if rows else None) or _place(key, main, groups)
        for message in messages:
            if place is not None:
                place[0].add_error(place[1], message)
            elif several or message != err.message:
                main.add_error(None, message)
    return kept


def _visible(form: forms.Form, name: str) -> bool:
    return name in form.fields and not form.fields[name].widget.is_hidden


def _place(key: str, main: forms.Form, groups: Mapping[str, forms.Form]) -> Place | None:
    head, _dot, tail = key.partition(".")
    if tail:
        group = groups.get(head)
        if group is not None and _visible(group, tail):
            return group, tail
        last = tail.rsplit(".", 1)[-1]
        if _visible(main, last):  # child.place_of_birth, details.date_of_death
            return main, last
        if group is not None:
            return group, None
        return None
    if _visible(main, key):
        return main, key
    if key in groups:
        return groups[key], None
    return None
