"""Who may see and act on a dossier: pure functions of the actor, the dossier's agencies and the
roles the transition table allows (no queries beyond the actor's prefetched roles).

A dossier belongs to two agencies: the one that received it (its counter hands the result back)
and the competent one that decides it (vn-rules.md §1.3, "phi địa giới"). Staff of either see it;
the decisions are the competent agency's. Supervisors of superior agencies see statistics only,
and the administrator manages accounts, not dossiers (Decree 13/2023/NĐ-CP: minimisation).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from xaso.org.models import Staff

    from .models import Dossier

#: Roles that work on dossiers and may see them.
READ_ROLES = frozenset({"reception", "specialist", "leader", "clerk"})
#: Roles that receive dossiers at the counter (tiếp nhận).
INTAKE_ROLES = frozenset({"reception"})

#: "competent": only the competent agency's staff; "either": the receiving agency's too.
Side = Literal["competent", "either"]


def _active(actor: Staff) -> bool:
    return bool(actor.is_authenticated and actor.is_active)


def agency_ids_of(dossier: Dossier) -> set[int]:
    return {dossier.receiving_agency_id, dossier.competent_agency_id}


def can_see(actor: Staff, dossier: Dossier) -> bool:
    """Staff of the receiving or the competent agency with a role that works on dossiers."""
    return (
        _active(actor) and actor.agency_id in agency_ids_of(dossier) and actor.has_role(*READ_ROLES)
    )


def can_list(actor: Staff) -> bool:
    return _active(actor) and actor.has_role(*READ_ROLES)


def can_receive(actor: Staff) -> bool:
    return _active(actor) and actor.has_role(*INTAKE_ROLES)


def can_act(actor: Staff, dossier: Dossier, *, roles: frozenset[str], side: Side) -> bool:
    """True when ``actor`` holds one of ``roles`` in an agency allowed to take the action."""
    if not _active(actor) or not actor.has_role(*roles):
        return False
    if side == "competent":
        return actor.agency_id == dossier.competent_agency_id
    return actor.agency_id in agency_ids_of(dossier)
