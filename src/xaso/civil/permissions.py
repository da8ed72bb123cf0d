"""Who may read and write the civil status registers: pure functions of the actor (their roles are
prefetched at login) and the agency.

The justice and civil status officer (công chức tư pháp - hộ tịch, role ``specialist`` in the
field "tư pháp - hộ tịch", or a specialist with no field, who covers every field in a small
commune) records the books; the commune leader (Chairman or Vice-Chairman) signs, and may also
register when approving a dossier. Only the head of the authority closes a book (Law on Civil
Status Art 58). Nobody else sees the registers: reception staff see dossiers, supervisors of
superior agencies see statistics, the administrator manages accounts (Decree 13/2023/NĐ-CP:
minimisation). To them a record looks like a missing one (404); a write is refused (403).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from xaso.core.errors import PermissionDenied
from xaso.core.text import fold

if TYPE_CHECKING:
    from xaso.org.models import Agency, Staff

#: The folded words that name the civil status field in ``StaffRole.field``.
CIVIL_FIELD = "ho tich"


def _active(actor: Staff) -> bool:
    return bool(actor.is_authenticated and actor.is_active)


def is_civil_officer(actor: Staff) -> bool:
    """A specialist of the civil status field, or of no particular field."""
    return any(
        r.role == "specialist" and (not r.field or CIVIL_FIELD in fold(r.field))
        for r in actor.roles.all()
    )


def _in_agency(actor: Staff, agency: Agency | None) -> bool:
    return _active(actor) and (agency is None or agency.pk == actor.agency_id)


def can_read(actor: Staff, agency: Agency | None = None) -> bool:
    """May see the registers of ``agency`` (default: their own)."""
    return _in_agency(actor, agency) and (is_civil_officer(actor) or actor.has_role("leader"))


def can_register(actor: Staff, agency: Agency | None = None) -> bool:
    """May write an entry in the registers of ``agency`` (default: their own)."""
    return can_read(actor, agency)


def can_close_book(actor: Staff, agency: Agency | None = None) -> bool:
    """The head of the authority closes and signs a book (Law Art 58)."""
    return _in_agency(actor, agency) and actor.has_role("leader")


def require_register(actor: Staff, agency: Agency | None = None) -> None:
    if not can_register(actor, agency):
        raise PermissionDenied(
            _(
                "Chỉ công chức tư pháp - hộ tịch và lãnh đạo của cơ quan được đăng ký vào sổ hộ "
                "tịch."
            )
        )


def require_close_book(actor: Staff, agency: Agency | None = None) -> None:
    if not can_close_book(actor, agency):
        raise PermissionDenied(_("Chỉ lãnh đạo cơ quan được khóa sổ hộ tịch."))
