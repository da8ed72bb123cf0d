"""Thống kê hộ tịch: the civil status report of a period, for the agency and, aggregated, for
the agencies below it (vn-rules.md §3; issue 4 "Statistics").

For a period [from, to] of registration dates, per kind of registration (event and variant):
entries registered; the subject's sex (the child of a birth, the deceased, the person confirmed,
the ward, the child recognised, the person whose entry changed); births and deaths registered on
time and late (60 and 15 days, Law on Civil Status 2014 Arts 15 and 33); changes, corrections,
supplements and re-determinations of ethnicity (the change book's variants); copies of extracts
asked for in the extract-copy book, and the documents issued from the registers (originals,
copies, extracts; ``certificates.IssuedDocument``, counted by the day they were issued).

Who sees what: the agency's civil status officers and leaders see their agency; supervisors,
leaders and administrators (``org`` rule ``stats.view_subordinates``) see their agency with
every agency below it and may pick one of them — the scope rule of the one-stop statistics
(``dossiers.stats.stats_scope_for``). Only counts leave this module, never a name.

A handful of grouped queries whatever the number of entries: per kind, per kind and sex, per
agency and event, the copies asked for, the documents issued.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from xaso.core.errors import PermissionDenied
from xaso.dossiers.stats import (
    VN,
    can_view_subordinates,
    default_period,
    period_bounds,
    stats_agencies_for,
    stats_scope_for,
)
from xaso.org.models import Agency, Staff

from . import permissions
from .models import VARIANTS, CivilParty, CivilRecord, Event, PartyRole, Variant

#: The person whose sex a kind of entry counts (None: an entry of two people, or a request).
SUBJECT_ROLE: dict[tuple[str, str], str] = {
    (Event.BIRTH, ""): PartyRole.CHILD,
    (Event.BIRTH, "re_registration"): PartyRole.CHILD,
    (Event.DEATH, ""): PartyRole.DECEASED,
    (Event.DEATH, "re_registration"): PartyRole.DECEASED,
    (Event.MARITAL_STATUS, ""): PartyRole.PERSON,
    (Event.PARENTAGE, ""): PartyRole.CHILD,
    (Event.GUARDIANSHIP, "appointment"): PartyRole.WARD,
    (Event.GUARDIANSHIP, "termination"): PartyRole.WARD,
    (Event.CHANGE, "change"): PartyRole.PERSON,
    (Event.CHANGE, "correction"): PartyRole.PERSON,
    (Event.CHANGE, "supplement"): PartyRole.PERSON,
    (Event.CHANGE, "ethnicity"): PartyRole.PERSON,
    (Event.FOREIGN_RECORD, "birth"): PartyRole.CHILD,
    (Event.FOREIGN_RECORD, "death"): PartyRole.DECEASED,
}
#: Kinds whose declaration duty makes an entry on time or late (the ordinary registrations).
TIMED = {(Event.BIRTH, ""), (Event.DEATH, "")}
#: The events counted per agency in the aggregated table, in the report's order.
AGENCY_EVENTS = (
    Event.BIRTH,
    Event.DEATH,
    Event.MARRIAGE,
    Event.MARITAL_STATUS,
    Event.PARENTAGE,
    Event.GUARDIANSHIP,
    Event.CHANGE,
    Event.FOREIGN_RECORD,
    Event.EXTRACT_COPY,
    Event.INFO_CONFIRMATION,
)


def kind_label(event: str, variant: str) -> str:
    if not variant:
        return str(Event(event).label)
    return f"{Event(event).label}: {str(Variant(variant).label).lower()}"


@dataclass
class KindRow:
    """One kind of registration: ``on_time``/``late`` are None where no duty applies; ``male``
    + ``female`` + ``sex_unknown`` = ``total`` where a subject's sex is counted, else None."""

    event: str
    variant: str
    label: str
    total: int = 0
    male: int | None = None
    female: int | None = None
    sex_unknown: int | None = None
    on_time: int | None = None
    late: int | None = None


@dataclass
class AgencyRow:
    code: str
    name: str
    by_event: dict[str, int] = field(default_factory=dict)
    late: int = 0
    total: int = 0


@dataclass
class CivilReport:
    agency: Agency
    agency_count: int
    date_from: date
    date_to: date
    as_of: datetime
    rows: list[KindRow]
    agencies: list[AgencyRow]
    #: Births and deaths (ordinary registrations) in total, on time and late.
    on_time: int
    late: int
    #: Copies of extracts asked for in the extract-copy book (sum of the copies of its entries).
    copies_requested: int
    #: Documents issued from the registers in the period, by kind (original, copy, extract).
    documents: dict[str, int]

    @property
    def total(self) -> int:
        return sum(r.total for r in self.rows)

    @property
    def changes(self) -> list[KindRow]:
        return [r for r in self.rows if r.event == Event.CHANGE]

    @property
    def documents_total(self) -> int:
        return sum(self.documents.values())


def can_view(actor: Staff) -> bool:
    """Civil status officers and leaders (their agency), and whoever sees subordinates'
    statistics (supervisors, leaders, administrators)."""
    return permissions.can_read(actor) or (
        actor.is_authenticated and actor.is_active and can_view_subordinates(actor)
    )


def agencies_for(*, actor: Staff) -> list[Agency]:
    return stats_agencies_for(actor=actor) if can_view(actor) else []


def _subject_q() -> Q:
    q = Q()
    for (event, variant), role in SUBJECT_ROLE.items():
        q |= Q(record__event=event, record__variant=variant, role=role)
    return q


def civil_stats_for(
    *,
    actor: Staff,
    date_from: date | None = None,
    date_to: date | None = None,
    agency_code: str = "",
    now: datetime | None = None,
) -> CivilReport:
    """Báo cáo thống kê hộ tịch for the period (default: this month so far), as the actor may
    see it; 403 for staff who may not, 404 for an agency outside their reach."""
    if not can_view(actor):
        raise PermissionDenied(_("Bạn không có quyền xem thống kê hộ tịch."))
    now = now or timezone.now()
    if date_from is None or date_to is None:
        first, today = default_period(now)
        date_from, date_to = date_from or first, date_to or today
    start, end = period_bounds(date_from, date_to)
    target, ids = stats_scope_for(actor=actor, agency_code=agency_code)
    agency_ids = sorted(ids)
    records = CivilRecord.objects.filter(
        agency_id__in=agency_ids, registered_on__gte=date_from, registered_on__lte=date_to
    ).order_by()

    found = {
        (v["event"], v["variant"]): v
        for v in records.values("event", "variant").annotate(
            total=Count("pk"), late=Count("pk", filter=Q(late=True))
        )
    }
    sexes: dict[tuple[str, str], dict[str, int]] = {}
    parties = (
        CivilParty.objects.filter(
            _subject_q(),
            agency_id__in=agency_ids,
            added_by__isnull=True,
            record__registered_on__gte=date_from,
            record__registered_on__lte=date_to,
        )
        .order_by()
        .values("record__event", "record__variant", "sex")
        .annotate(n=Count("pk"))
    )
    for p in parties:
        key = (p["record__event"], p["record__variant"])
        sexes.setdefault(key, {})[p["sex"] or ""] = p["n"]

    rows: list[KindRow] = []
    for event in Event.values:
        for variant in VARIANTS[event]:
            key = (event, variant)
            v = found.get(key, {"total": 0, "late": 0})
            row = KindRow(event, variant, kind_label(event, variant), total=v["total"])
            if key in SUBJECT_ROLE:
                by_sex = sexes.get(key, {})
                row.male, row.female = by_sex.get("male", 0), by_sex.get("female", 0)
                row.sex_unknown = row.total - row.male - row.female
            if key in TIMED:
                row.late = v["late"]
                row.on_time = row.total - row.late
            rows.append(row)

    agency_rows = {
        a.pk: AgencyRow(code=a.code, name=a.name)
        for a in Agency.objects.filter(pk__in=agency_ids).order_by("code")
    }
    per_agency = records.values("agency_id", "event").annotate(
        total=Count("pk"), late=Count("pk", filter=Q(late=True))
    )
    for a in per_agency:
        row_a = agency_rows[a["agency_id"]]
        row_a.by_event[a["event"]] = a["total"]
        row_a.total += a["total"]
        row_a.late += a["late"]

    copies = records.filter(event=Event.EXTRACT_COPY).aggregate(n=Sum("copies_issued"))["n"] or 0
    documents = _documents(agency_ids, start, min(end, now))
    timed = [r for r in rows if (r.event, r.variant) in TIMED]
    return CivilReport(
        agency=target,
        agency_count=len(agency_ids),
        date_from=date_from,
        date_to=date_to,
        as_of=timezone.localtime(min(end, now), VN),
        rows=rows,
        agencies=list(agency_rows.values()),
        on_time=sum(r.on_time or 0 for r in timed),
        late=sum(r.late or 0 for r in timed),
        copies_requested=copies,
        documents=documents,
    )


def _documents(agency_ids: list[int], start: datetime, end: datetime) -> dict[str, int]:
    from .certificates.models import DocumentKind, IssuedDocument

    counts = {kind: 0 for kind in DocumentKind.values}
    for v in (
        IssuedDocument.objects.filter(
            agency_id__in=agency_ids, issued_at__gte=start, issued_at__lt=end
        )
        .order_by()
        .values("kind")
        .annotate(n=Count("pk"))
    ):
        counts[v["kind"]] = v["n"]
    return counts


def document_labels() -> dict[str, Any]:
    from .certificates.models import DocumentKind

    return {k.value: k.label for k in DocumentKind}
