"""Who may edit the working-day calendar: a pure function of the actor."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from xaso.core.errors import PermissionDenied
from xaso.org.permissions import can

if TYPE_CHECKING:
    from xaso.org.models import Staff

# The yearly schedule is announced nationally (Ministry of Home Affairs) and applied by the
# province; a commune's administrator must not move the deadlines of every dossier in the country.
CALENDAR_EDIT_LEVELS = frozenset({"province", "central"})


def can_edit_calendar(actor: Staff) -> bool:
    """An administrator ("calendar.edit") of an agency whose unit is at province or central level.
    Reads ``actor.agency.unit.level`` (one join, cached on the actor after the first call)."""
    if not can(actor, "calendar.edit"):
        return False
    agency = actor.agency
    return (
        agency is not None and agency.is_active and agency.unit.level.code in CALENDAR_EDIT_LEVELS
    )


def require_edit_calendar(actor: Staff) -> None:
    if not can_edit_calendar(actor):
        raise PermissionDenied(
            _("Chỉ quản trị viên của cơ quan cấp tỉnh hoặc trung ương được sửa lịch làm việc.")
        )
