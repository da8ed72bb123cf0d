"""Who may see and act on official documents: pure functions of the actor's agency, roles and
the document's confidentiality (no queries beyond the actor's prefetched roles and, for
confidential documents, the clearance ids the caller hands in).

Decree 30/2020/NĐ-CP: the specialist drafts, the unit head (here the leader: the organisation has
no unit heads) reviews, the leader approves and signs, the clerk (văn thư) numbers, issues and
registers incoming documents; the leader assigns incoming documents. Confidential documents (độ
mật, Law 29/2018/QH14) are seen only by their author and the staff on their clearance list.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from xaso.core.errors import PermissionDenied

if TYPE_CHECKING:
    from xaso.org.models import Staff

    from .models import IncomingDocument, OutgoingDocument

SPECIALIST, LEADER, CLERK = "specialist", "leader", "clerk"
#: Roles that work on official documents.
READ_ROLES = frozenset({SPECIALIST, LEADER, CLERK})
DRAFT_ROLES = frozenset({SPECIALIST, LEADER})
REGISTER_ROLES = frozenset({CLERK})
ASSIGN_ROLES = frozenset({LEADER})


def _active(actor: Staff) -> bool:
    return bool(actor.is_authenticated and actor.is_active)


def can_list(actor: Staff) -> bool:
    return _active(actor) and actor.has_role(*READ_ROLES)


def can_see_outgoing(
    actor: Staff, document: OutgoingDocument, *, cleared_ids: Collection[int] = ()
) -> bool:
    """Staff of the issuing agency who work on documents; a confidential one only its author
    and those cleared (``cleared_ids``: the ids on its clearance list)."""
    if not can_list(actor) or actor.agency_id != document.agency_id:
        return False
    if not document.is_restricted:
        return True
    return actor.pk == document.created_by_id or actor.pk in cleared_ids


def can_see_incoming(
    actor: Staff, document: IncomingDocument, *, cleared_ids: Collection[int] = ()
) -> bool:
    if not can_list(actor) or actor.agency_id != document.agency_id:
        return False
    if not document.is_restricted:
        return True
    return actor.pk in cleared_ids or actor.pk == document.lead_handler_id


def can_draft(actor: Staff) -> bool:
    return _active(actor) and actor.has_role(*DRAFT_ROLES)


def can_act(actor: Staff, *, roles: Collection[str]) -> bool:
    return _active(actor) and actor.has_role(*roles)


def can_register_incoming(actor: Staff) -> bool:
    return _active(actor) and actor.has_role(*REGISTER_ROLES)


def can_send(actor: Staff, document: OutgoingDocument) -> bool:
    """The clerk sends what the agency issued (Decree 30/2020 Art 16: phát hành văn bản)."""
    return _active(actor) and actor.has_role(CLERK) and actor.agency_id == document.agency_id


def require(allowed: bool, message: str | None = None) -> None:
    if not allowed:
        raise PermissionDenied(message or _("Bạn không có quyền thực hiện thao tác này."))
