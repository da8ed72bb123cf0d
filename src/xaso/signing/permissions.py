"""Who may manage an agency's signing keys: its administrators, inside their own agency."""

from __future__ import annotations

from typing import TYPE_CHECKING

from xaso.core.errors import PermissionDenied

if TYPE_CHECKING:
    from xaso.org.models import Agency, Staff

MANAGE_ROLES = frozenset({"admin"})


def can_manage_certificates(actor: Staff, agency: Agency) -> bool:
    return (
        actor.is_authenticated
        and actor.is_active
        and agency.pk == actor.agency_id
        and actor.has_role(*MANAGE_ROLES)
    )


def require_manage_certificates(actor: Staff, agency: Agency) -> None:
    if not can_manage_certificates(actor, agency):
        raise PermissionDenied("Bạn không có quyền quản lý chứng thư số của cơ quan này.")
