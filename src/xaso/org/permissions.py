"""Who may do what, as pure functions of the actor and the object (no queries beyond the actor's
own roles, which are prefetched at login)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from xaso.core.errors import PermissionDenied

if TYPE_CHECKING:
    from .models import Agency, Staff

# Actions and the roles that may take them inside the actor's own agency.
RULES: dict[str, frozenset[str]] = {
    "staff.manage": frozenset({"admin"}),
    "agency.edit": frozenset({"admin"}),
    # Opening an agency directly below one's own, on a unit within one's territory.
    "agency.create": frozenset({"admin"}),
    "audit.browse": frozenset({"admin"}),
    "calendar.edit": frozenset({"admin"}),
    # Recording a merger of administrative units: an administrator of an agency whose unit
    # contains every unit concerned (services.unit_merge checks the territory).
    "unit.merge": frozenset({"admin"}),
    "stats.view_subordinates": frozenset({"supervisor", "leader", "admin"}),
}


def can(actor: Staff, action: str, agency: Agency | None = None) -> bool:
    """True when ``actor`` holds a role that grants ``action`` in ``agency`` (default: their own).
    Roles never reach across agencies: an admin of one commune manages only its own staff."""
    if not actor.is_authenticated or not actor.is_active:
        return False
    if agency is not None and agency.pk != actor.agency_id:
        return False
    allowed = RULES.get(action)
    if allowed is None:
        raise KeyError(f"unknown action {action!r}")
    return actor.has_role(*allowed)


def require(actor: Staff, action: str, agency: Agency | None = None) -> None:
    if not can(actor, action, agency):
        raise PermissionDenied("Bạn không có quyền thực hiện thao tác này.")
