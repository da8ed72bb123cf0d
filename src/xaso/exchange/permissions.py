"""Who may see and act on the exchange pages: an agency's administrators (Quản trị cơ quan) see
the node directory and their own agency's outbox and inbox, and may ask for a resend."""

from __future__ import annotations

from typing import TYPE_CHECKING

from xaso.core.errors import PermissionDenied

if TYPE_CHECKING:
    from xaso.org.models import Staff

    from .models import OutboxMessage


def can_view(actor: Staff) -> bool:
    return bool(actor.is_authenticated and actor.is_active and actor.has_role("admin"))


def can_retry(actor: Staff, outbox: OutboxMessage) -> bool:
    return can_view(actor) and outbox.sender_code == actor.agency.code


def require_retry(actor: Staff, outbox: OutboxMessage) -> None:
    if not can_retry(actor, outbox):
        raise PermissionDenied("Bạn không có quyền gửi lại gói tin này.")
