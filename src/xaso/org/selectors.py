"""Reads scoped to the actor. Outside the actor's reach looks exactly like missing (404)."""

from __future__ import annotations

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from xaso.core.errors import NotFound
from xaso.core.text import fold

from .models import AdministrativeUnit, Agency, Staff

_TREE_VERSION = "org:agency_tree_version"


def agency_tree_changed() -> None:
    """Call when an agency is created or moves: cached subtrees are then recomputed."""
    try:
        cache.incr(_TREE_VERSION)
    except ValueError:
        cache.set(_TREE_VERSION, 1, timeout=None)


def agency_subordinate_ids(*, agency: Agency) -> set[int]:
    """Ids of every agency below ``agency`` in the hierarchy (not including itself). Cached: the
    tree changes when an agency opens, a few times a year; every supervisor's page reads it."""
    version = cache.get_or_set(_TREE_VERSION, 1, timeout=None)
    key = f"org:subordinates:{agency.pk}:{version}"
    cached = cache.get(key)
    if cached is not None:
        return set(cached)
    found = _subordinate_ids_from_db(agency)
    cache.set(key, sorted(found), timeout=24 * 3600)
    return found


def _subordinate_ids_from_db(agency: Agency) -> set[int]:
    found: set[int] = set()
    frontier = {agency.pk}
    while frontier:
        children = set(Agency.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        frontier = children - found
        found |= children
    return found


def agency_list_supervised_by(*, actor: Staff) -> QuerySet[Agency]:
    """Agencies whose statistics the actor may see: those below their agency, for supervisors,
    leaders and admins (statistics only, never citizens' personal data)."""
    if not actor.has_role("supervisor", "leader", "admin"):
        return Agency.objects.none()
    # Explicit order: Meta.ordering is dropped as soon as a caller annotates a count (GROUP BY).
    return (
        Agency.objects.filter(pk__in=agency_subordinate_ids(agency=actor.agency))
        .select_related("unit")
        .order_by("code")
    )


def staff_list_for(*, actor: Staff) -> QuerySet[Staff]:
    """Staff the actor may manage: their own agency's, for its administrators."""
    if not actor.has_role("admin"):
        return Staff.objects.none()
    return (
        Staff.objects.filter(agency_id=actor.agency_id)
        .select_related("agency")
        .prefetch_related("roles")
        .order_by("username")
    )


def staff_get_for(*, actor: Staff, username: str) -> Staff:
    try:
        return staff_list_for(actor=actor).get(username=username)
    except Staff.DoesNotExist:
        raise NotFound("Không tìm thấy cán bộ.") from None


def unit_search(
    *, query: str = "", level: str = "", status: str = "", after: tuple[int, str, int] | None = None
) -> QuerySet[AdministrativeUnit]:
    """Administrative units are public information: no scoping. Keyset order: level, code, id."""
    qs = AdministrativeUnit.objects.select_related("level", "parent").order_by(
        "level__rank", "code", "pk"
    )
    if query.strip():
        q = fold(query)
        qs = qs.filter(Q(name_folded__contains=q) | Q(code=query.strip()))
    if level:
        qs = qs.filter(level__code=level)
    if status == "current":
        qs = qs.filter(dissolved_on__isnull=True)
    elif status == "dissolved":
        qs = qs.filter(dissolved_on__isnull=False)
    if after is not None:
        rank, code, pk = after
        qs = qs.filter(
            Q(level__rank__gt=rank)
            | Q(level__rank=rank, code__gt=code)
            | Q(level__rank=rank, code=code, pk__gt=pk)
        )
    return qs


def unit_get(*, public_id: str) -> AdministrativeUnit:
    try:
        return AdministrativeUnit.objects.select_related("level", "parent").get(public_id=public_id)
    except (AdministrativeUnit.DoesNotExist, ValueError, ValidationError):
        raise NotFound("Không tìm thấy đơn vị hành chính.") from None


def unit_in_force(*, level: str, code: str) -> AdministrativeUnit:
    """The unit in force at ``level`` with GSO ``code`` (codes are reused after mergers)."""
    unit = (
        AdministrativeUnit.objects.select_related("level", "parent")
        .filter(level__code=level, code=code.strip(), dissolved_on__isnull=True)
        .first()
    )
    if unit is None:
        raise NotFound(f"Không có đơn vị hành chính đang hiệu lực mang mã {code}.")
    return unit


def agency_list_administered_by(*, actor: Staff) -> QuerySet[Agency]:
    """The admin's own agency and those directly below it."""
    if not actor.has_role("admin"):
        return Agency.objects.none()
    return (
        Agency.objects.filter(Q(pk=actor.agency_id) | Q(parent_id=actor.agency_id))
        .select_related("unit", "parent")
        .order_by("code")
    )
