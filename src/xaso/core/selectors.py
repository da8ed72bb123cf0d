"""Reads of the audit trail, scoped to the actor.

An agency administrator sees the entries written by staff of their own agency (``agency_code``);
anyone else sees nothing, and an entry they may not see is "not found", like a missing one.
``core`` imports no app, so the actor is duck-typed (``xaso.org.models.Staff``); the roles
mirror ``"audit.browse"`` in ``xaso.org.permissions.RULES``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol

from django.db.models import QuerySet
from django.utils import timezone

from .errors import NotFound
from .models import AuditEntry

BROWSE_ROLES = ("admin",)
PAGE_SIZE = 50


class Browser(Protocol):
    is_authenticated: bool
    is_active: bool

    @property
    def agency_code(self) -> str: ...

    def has_role(self, *codes: str) -> bool: ...


def audit_may_browse(actor: Any) -> bool:
    """Pure: may ``actor`` open the audit browser at all?"""
    return bool(
        getattr(actor, "is_authenticated", False)
        and actor.is_active
        and actor.has_role(*BROWSE_ROLES)
        and actor.agency_code
    )


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


def audit_list_for(
    actor: Browser,
    *,
    actor_username: str = "",
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    client_address: str = "",
) -> QuerySet[AuditEntry]:
    """The entries ``actor`` may see, newest first, narrowed by the filters. ``action`` and
    ``client_address`` match a prefix ("staff." for every staff action, "10.1." for a subnet);
    the dates are whole days in Vietnam time, both included."""
    if not audit_may_browse(actor):
        return AuditEntry.objects.none()
    qs = AuditEntry.objects.filter(agency_code=actor.agency_code)
    if actor_username:
        qs = qs.filter(actor_username=actor_username.strip())
    if action:
        qs = qs.filter(action__startswith=action.strip())
    if object_type:
        qs = qs.filter(object_type=object_type.strip())
    if object_id:
        qs = qs.filter(object_id=object_id.strip())
    if client_address:
        qs = qs.filter(client_address__startswith=client_address.strip())
    if date_from:
        qs = qs.filter(at__gte=_local_midnight(date_from))
    if date_to:
        qs = qs.filter(at__lt=_local_midnight(date_to + timedelta(days=1)))
    return qs.order_by("-seq")


@dataclass(frozen=True)
class AuditPage:
    """One page of entries, newest first. ``newer_than``/``older_than`` are the ``after``/
    ``before`` values of the links to the neighbouring pages (None: no such page)."""

    entries: list[AuditEntry]
    newer_than: int | None
    older_than: int | None


def audit_page_for(
    actor: Browser,
    *,
    before: int | None = None,
    after: int | None = None,
    page_size: int = PAGE_SIZE,
    **filters: Any,
) -> AuditPage:
    """Keyset pagination on ``seq`` (one query, no OFFSET, whatever the page number):
    ``before`` gives the page of entries older than that seq, ``after`` the page newer than it."""
    qs = audit_list_for(actor, **filters)
    if after is not None:
        rows = list(qs.filter(seq__gt=after).order_by("seq")[: page_size + 1])
        more_newer = len(rows) > page_size
        entries = list(reversed(rows[:page_size]))
        if not entries:
            return audit_page_for(actor, page_size=page_size, **filters)
        return AuditPage(entries, entries[0].seq if more_newer else None, entries[-1].seq)
    if before is not None:
        qs = qs.filter(seq__lt=before)
    rows = list(qs[: page_size + 1])
    entries = rows[:page_size]
    older = entries[-1].seq if len(rows) > page_size else None
    newer = entries[0].seq if before is not None and entries else None
    return AuditPage(entries, newer, older)


def audit_get_for(actor: Browser, *, seq: int) -> AuditEntry:
    """One entry the actor may see; anything else is ``NotFound``."""
    entry = audit_list_for(actor).filter(seq=seq).first()
    if entry is None:
        raise NotFound("Không tìm thấy mục nhật ký.")
    return entry
