"""Who may do what with reports: pure functions of the actor's agency and roles.

Decree 09/2019/NĐ-CP Art. 6-8: the head of the agency that sets the reporting regime requests
reports (here its leaders and administrators); the reporting agency's staff prepare and send
them (leader, specialist, clerk — văn thư sends under Decree 30/2020/NĐ-CP); supervisors of the
requesting agency read what came in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from xaso.core.errors import PermissionDenied

from .models import Direction

if TYPE_CHECKING:
    from xaso.org.models import Staff

    from .models import ReportRequest

REQUEST_ROLES = frozenset({"leader", "admin"})
READ_ROLES = frozenset({"leader", "admin", "supervisor"})
SUBMIT_ROLES = frozenset({"leader", "specialist", "clerk"})
INBOX_ROLES = SUBMIT_ROLES | {"admin", "supervisor"}


def _active(actor: Staff) -> bool:
    return bool(actor.is_authenticated and actor.is_active)


def can_request(actor: Staff) -> bool:
    """Create, send and close requests of the actor's own agency (it must also have agencies
    below it: the services check that)."""
    return _active(actor) and actor.has_role(*REQUEST_ROLES)


def can_manage(actor: Staff, request: ReportRequest) -> bool:
    return (
        can_request(actor)
        and request.direction == Direction.OUTGOING
        and request.agency_id == actor.agency_id
    )


def can_read_outgoing(actor: Staff, request: ReportRequest) -> bool:
    return (
        _active(actor)
        and actor.has_role(*READ_ROLES)
        and request.direction == Direction.OUTGOING
        and request.agency_id == actor.agency_id
    )


def can_see_inbox(actor: Staff) -> bool:
    return _active(actor) and actor.has_role(*INBOX_ROLES)


def can_read_incoming(actor: Staff, request: ReportRequest) -> bool:
    return (
        can_see_inbox(actor)
        and request.direction == Direction.INCOMING
        and request.agency_id == actor.agency_id
    )


def can_submit(actor: Staff, request: ReportRequest) -> bool:
    return (
        _active(actor)
        and actor.has_role(*SUBMIT_ROLES)
        and request.direction == Direction.INCOMING
        and request.agency_id == actor.agency_id
    )


def can_see_reports(actor: Staff) -> bool:
    """The reports page opens for whoever requests, reads or answers reports."""
    return _active(actor) and actor.has_role(*(READ_ROLES | INBOX_ROLES))


def require(allowed: bool, message: str | None = None) -> None:
    if not allowed:
        raise PermissionDenied(message or _("Bạn không có quyền thực hiện thao tác này."))
