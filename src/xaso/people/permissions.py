"""Who may read and write citizens' personal data: pure functions of the actor and the agency.

Personal data is seen only inside the agency that holds it, by the staff who work on its
dossiers. Supervisors of superior agencies see statistics, never citizens: no role grants them
this, so to them a person looks like a missing one (404). Decree 13/2023/NĐ-CP Art 3 (purpose
limitation, minimisation) is why the administrator, who manages accounts, may read but not write.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from xaso.core.errors import PermissionDenied

if TYPE_CHECKING:
    from xaso.org.models import Agency, Staff

#: Roles that may see a person's details (reception prefills the counter form with them; the
#: specialist and the leader read the dossier; the clerk registers documents; the administrator
#: answers the citizen's requests about their data).
READ_ROLES = frozenset({"reception", "specialist", "leader", "clerk", "admin"})
#: Roles that record what a citizen declares: at the counter, while processing, at the clerk's desk.
WRITE_ROLES = frozenset({"reception", "specialist", "clerk"})


def _in_agency(actor: Staff, agency: Agency | None) -> bool:
    if not actor.is_authenticated or not actor.is_active:
        return False
    return agency is None or agency.pk == actor.agency_id


def can_read(actor: Staff, agency: Agency | None = None) -> bool:
    """True when ``actor`` may read the persons held by ``agency`` (default: their own)."""
    return _in_agency(actor, agency) and actor.has_role(*READ_ROLES)


def can_write(actor: Staff, agency: Agency | None = None) -> bool:
    """True when ``actor`` may create or update persons held by ``agency`` (default: their own)."""
    return _in_agency(actor, agency) and actor.has_role(*WRITE_ROLES)


def require_write(actor: Staff, agency: Agency | None = None) -> None:
    if not can_write(actor, agency):
        raise PermissionDenied("Bạn không có quyền ghi thông tin công dân của cơ quan này.")
