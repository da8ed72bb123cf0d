"""Thống kê, báo cáo kết quả giải quyết hồ sơ TTHC (one-stop statistics; vn-rules.md §1.10, §1.12).

Figures per agency, procedure or channel over a period [from, to] (whole days, Vietnam time), in
the shape of the periodic one-stop report (Circular 02/2017/TT-VPCP and its successors: received
= carried over + new; resolved early / on time / late; pending within time / overdue) and with the
on-time rule of the service-quality index of Decision 766/QĐ-TTg (23/6/2022, indicator 2.1).

A dossier counts for its **competent agency** (cơ quan giải quyết): the one Decision 766 assesses,
and after a transfer (liên thông) the one now deciding it. A reader sees their own agency; a
supervisor, leader or administrator (``org`` rule ``stats.view_subordinates``) sees their agency
together with every agency below it and may pick one of those. Only counts leave this module:
never a code, a name or anything about an applicant.

Everything is computed by the database in one grouped query with conditional aggregation
(``Count(filter=Q(...))``): the cost does not grow with Python work per dossier. The state of a
dossier at the end of a past period is rebuilt from its timestamps (received, supplement asked and
received, finished, returned); see ``_expressions`` for why this is exact when a supplement was
asked at most once, which is what Decree 118/2025 Art 11 allows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from django.db.models import Case, Count, DateTimeField, F, Q, QuerySet, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from xaso.core.errors import InvalidInput, NotFound, PermissionDenied
from xaso.org import permissions as org_permissions
from xaso.org.models import Agency, Staff
from xaso.org.selectors import agency_list_supervised_by, agency_subordinate_ids

from .models import Channel, Dossier, Status

VN = ZoneInfo("Asia/Ho_Chi_Minh")
GroupBy = Literal["procedure", "channel", "agency"]
GROUP_BY: tuple[GroupBy, ...] = ("procedure", "channel", "agency")
#: The longest period one report may cover (ten years): bounds the work of one request.
MAX_PERIOD_DAYS = 3660


class PeriodInvalid(InvalidInput):
    code = "period_invalid"


class GroupByInvalid(InvalidInput):
    code = "group_by_invalid"


@dataclass
class Counts:
    """The figures of one row (or of the totals). Definitions, for a period [S, E):

    - ``received_new``: received in the period (Số mới tiếp nhận); ``received_online`` of them
      by the online channel; ``received_carried_over``: received before S and not finished by S
      (Số kỳ trước chuyển qua); ``received_total`` = carried over + new (Tổng số nhận giải quyết).
    - ``resolved``: processing ended in the period (Số đã giải quyết) — ended with a result ready,
      refused or withdrawn, the first of which is the end of processing in Decision 766 — split
      into ``resolved_early`` (trước hạn), ``resolved_on_time`` (đúng hạn), ``resolved_late``
      (quá hạn) by the on-time rule below; ``refused`` and ``withdrawn`` are the parts that ended
      by refusal (Form 03) and by stop at the applicant's request (Dừng xử lý).
    - ``pending``: received before E and not finished by E (Số đang giải quyết), split into
      ``pending_in_time`` (trong hạn) and ``pending_overdue`` (quá hạn); ``pending_supplement``
      of them were waiting for the applicant's supplement at E.
    - ``returned``: results handed to the applicant in the period (Đã trả kết quả).

    The on-time rule (Decision 766, indicator 2.1; vn-rules.md §1.9): the end of processing is
    the first of result ready / refused / stopped; it is compared with the statutory due time,
    which moves later only by the time the applicant took to supplement (``statutory_due_at``;
    an apology's new appointment does not help); a dossier whose supplement is still awaited is
    measured at the date of the request; more than one supplement request is late whatever the
    times. Early: ended on a calendar day before the due day; on time: not early and not after
    the due time. ``received_carried_over + received_new == resolved + pending`` always.
    """

    received_carried_over: int = 0
    received_new: int = 0
    received_online: int = 0
    received_total: int = 0
    resolved: int = 0
    resolved_early: int = 0
    resolved_on_time: int = 0
    resolved_late: int = 0
    refused: int = 0
    withdrawn: int = 0
    pending: int = 0
    pending_in_time: int = 0
    pending_overdue: int = 0
    pending_supplement: int = 0
    returned: int = 0

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    def add(self, other: Counts) -> None:
        for name in self.names():
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def on_time_rate(self) -> float | None:
        """Tỷ lệ giải quyết trước hạn và đúng hạn (Decision 766, 2.1): early + on time over all
        resolved, in per cent to one decimal; None when nothing was resolved."""
        return _rate(self.resolved_early + self.resolved_on_time, self.resolved)

    @property
    def online_rate(self) -> float | None:
        """Tỷ lệ hồ sơ trực tuyến (Decision 766, 3.3): new online dossiers over all new ones."""
        return _rate(self.received_online, self.received_new)


def _rate(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(100 * part / whole, 1)


@dataclass
class Row:
    key: str
    label: str
    counts: Counts = field(default_factory=Counts)


@dataclass
class Report:
    agency: Agency
    agency_count: int
    date_from: date
    date_to: date
    as_of: datetime
    group_by: GroupBy
    rows: list[Row]
    totals: Counts


def period_bounds(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    """[start of ``date_from``, start of the day after ``date_to``) in Vietnam time."""
    if date_from > date_to:
        raise PeriodInvalid(
            _("Ngày bắt đầu phải trước hoặc bằng ngày kết thúc."),
            fields={"from": [_("Phải trước hoặc bằng ngày kết thúc.")]},
        )
    if (date_to - date_from).days >= MAX_PERIOD_DAYS:
        raise PeriodInvalid(
            _("Kỳ báo cáo dài nhất %(days)d ngày.") % {"days": MAX_PERIOD_DAYS},
            fields={"to": [_("Kỳ báo cáo quá dài.")]},
        )
    start = datetime.combine(date_from, time.min, tzinfo=VN)
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=VN)
    return start, end


def default_period(now: datetime | None = None) -> tuple[date, date]:
    """From the first day of the current month to today (Vietnam time)."""
    today = timezone.localtime(now or timezone.now(), VN).date()
    return today.replace(day=1), today


def _expressions(start: datetime, end: datetime) -> dict[str, Any]:
    """The per-dossier values the counts compare, as SQL expressions.

    ``end_766``: the end of processing measured by Decision 766 — the request date for a
    dossier that was waiting for its supplement when processing stopped (withdrawn meanwhile),
    else ``finished_at``. Nothing moves ``statutory_due_at`` after that, so it is the due time
    to compare with.

    For a dossier still pending at E (the period end, or now), the due time *as it stood at E*
    is needed, because a supplement received after E has since moved ``statutory_due_at``:
    with at most one request, that due time is ``statutory_due_at`` when the request and the
    receipt both came before E, else ``initial_due_at`` (no pause had yet been added). It is
    measured at E, or at the request date when it was waiting for the applicant at E.
    """
    dt = DateTimeField()
    awaiting_at_finish = Q(
        supplement_requested_at__isnull=False, supplement_received_at__isnull=True
    )
    awaiting_at_end = Q(supplement_requested_at__lt=end) & (
        Q(supplement_received_at__isnull=True) | Q(supplement_received_at__gte=end)
    )
    end_766 = Case(
        When(awaiting_at_finish, then=F("supplement_requested_at")),
        default=F("finished_at"),
        output_field=dt,
    )
    return {
        "s_end_766": end_766,
        "s_end_766_day": TruncDate(end_766, tzinfo=VN),
        "s_due_day": TruncDate("statutory_due_at", tzinfo=VN),
        "s_due_at_end": Case(
            When(
                Q(supplement_requested_at__lt=end, supplement_received_at__lt=end),
                then=F("statutory_due_at"),
            ),
            default=F("initial_due_at"),
            output_field=dt,
        ),
        "s_measured_at_end": Case(
            When(awaiting_at_end, then=F("supplement_requested_at")),
            default=Value(end, output_field=dt),
            output_field=dt,
        ),
        "s_awaiting_at_end": awaiting_at_end,
    }


def _aggregates(start: datetime, end: datetime, awaiting_at_end: Q) -> dict[str, Count]:
    """Conditional counts; the complements (on time, in time, total) are derived in Python."""
    workload = Q(received_at__lt=end) & (Q(finished_at__isnull=True) | Q(finished_at__gte=start))
    resolved = Q(finished_at__gte=start, finished_at__lt=end)
    pending = Q(received_at__lt=end) & (Q(finished_at__isnull=True) | Q(finished_at__gte=end))
    late = Q(supplement_late=True) | Q(s_end_766__gt=F("statutory_due_at"))
    overdue = Q(supplement_late=True, supplement_requested_at__lt=end) | Q(
        s_measured_at_end__gt=F("s_due_at_end")
    )
    new = Q(received_at__gte=start, received_at__lt=end)
    return {
        "received_carried_over": Count("pk", filter=workload & Q(received_at__lt=start)),
        "received_new": Count("pk", filter=new),
        "received_online": Count("pk", filter=new & Q(channel=Channel.ONLINE)),
        "resolved": Count("pk", filter=resolved),
        "resolved_early": Count(
            "pk",
            filter=resolved & Q(supplement_late=False, s_end_766_day__lt=F("s_due_day")),
        ),
        "resolved_late": Count("pk", filter=resolved & late),
        "refused": Count("pk", filter=resolved & Q(status=Status.REFUSED)),
        "withdrawn": Count("pk", filter=resolved & Q(status=Status.WITHDRAWN)),
        "pending": Count("pk", filter=pending),
        "pending_overdue": Count("pk", filter=pending & overdue),
        "pending_supplement": Count("pk", filter=pending & awaiting_at_end),
        "returned": Count("pk", filter=Q(returned_at__gte=start, returned_at__lt=end)),
    }


_GROUP_FIELDS: dict[str, tuple[str, str | None]] = {
    "procedure": ("procedure__code", "procedure__name"),
    "channel": ("channel", None),
    "agency": ("competent_agency__code", "competent_agency__name"),
}


def dossier_counts(
    *,
    agency_ids: Iterable[int],
    start: datetime,
    end: datetime,
    group_by: GroupBy,
) -> list[Row]:
    """One row per group value with activity in [start, end), from one grouped query. The
    caller has checked that the agencies may be seen; ``end`` is the moment the pending
    dossiers are judged at (the period end, or now for a period not yet over)."""
    if group_by not in _GROUP_FIELDS:
        raise GroupByInvalid(
            _("Chỉ nhóm theo thủ tục, kênh nộp hoặc cơ quan."),
            fields={"group_by": [_("Giá trị không nằm trong danh sách cho phép.")]},
        )
    key_field, label_field = _GROUP_FIELDS[group_by]
    exprs = _expressions(start, end)
    awaiting_at_end = exprs.pop("s_awaiting_at_end")
    in_period = (
        Q(finished_at__isnull=True)
        | Q(finished_at__gte=start)
        | Q(returned_at__gte=start, returned_at__lt=end)
    )
    qs: QuerySet[Dossier] = (
        Dossier.objects.filter(Q(competent_agency_id__in=list(agency_ids), received_at__lt=end))
        .filter(in_period)
        .annotate(**exprs)
        # Meta.ordering (due_at, id) would otherwise join the GROUP BY.
        .order_by()
    )
    group = [key_field] + ([label_field] if label_field else [])
    values = qs.values(*group).annotate(**_aggregates(start, end, awaiting_at_end))
    rows: list[Row] = []
    for v in values.order_by(key_field):
        counts = Counts(**{k: v[k] for k in Counts.names() if k in v})
        _complete(counts)
        key = v[key_field]
        label = v[label_field] if label_field else str(Channel(key).label)
        rows.append(Row(key=key, label=label, counts=counts))
    return rows


def _complete(c: Counts) -> None:
    c.received_total = c.received_carried_over + c.received_new
    c.resolved_on_time = c.resolved - c.resolved_early - c.resolved_late
    c.pending_in_time = c.pending - c.pending_overdue


def _fill(rows: list[Row], expected: list[tuple[str, str]]) -> list[Row]:
    """Every expected group value gets a row, zero when nothing happened (channels, agencies)."""
    found = {r.key: r for r in rows}
    return [found.get(key) or Row(key=key, label=label) for key, label in expected]


# -- who may see what -------------------------------------------------------------------------


def can_view_subordinates(actor: Staff) -> bool:
    return org_permissions.can(actor, "stats.view_subordinates")


def stats_agencies_for(*, actor: Staff) -> list[Agency]:
    """The agencies whose figures ``actor`` may open: their own, then (for supervisors, leaders
    and administrators) those below it, by code."""
    if not (actor.is_authenticated and actor.is_active):
        return []
    return [actor.agency, *agency_list_supervised_by(actor=actor)]


def stats_scope_for(*, actor: Staff, agency_code: str = "") -> tuple[Agency, set[int]]:
    """The agency the report is about (default: the actor's) and the ids it covers: that
    agency, plus those below it when the actor may see subordinates. An agency outside the
    actor's reach is answered like a missing one (404)."""
    if not (actor.is_authenticated and actor.is_active):
        raise PermissionDenied(_("Bạn không có quyền xem thống kê."))
    code = agency_code.strip()
    target = actor.agency
    if code and code != target.code:
        found = Agency.objects.filter(code=code).first()
        if (
            found is None
            or not can_view_subordinates(actor)
            or found.pk not in agency_subordinate_ids(agency=actor.agency)
        ):
            raise NotFound(_("Không tìm thấy cơ quan có mã %(code)s.") % {"code": code})
        target = found
    ids = {target.pk}
    if can_view_subordinates(actor):
        ids |= agency_subordinate_ids(agency=target)
    return target, ids


def dossier_stats_for(
    *,
    actor: Staff,
    date_from: date | None = None,
    date_to: date | None = None,
    agency_code: str = "",
    group_by: str = "procedure",
    now: datetime | None = None,
) -> Report:
    """Báo cáo tình hình giải quyết hồ sơ for the period, as the actor may see it. Pending
    dossiers are judged at the end of the period, or now if the period is not over."""
    now = now or timezone.now()
    if date_from is None or date_to is None:
        first, today = default_period(now)
        date_from, date_to = date_from or first, date_to or today
    start, end = period_bounds(date_from, date_to)
    if group_by not in GROUP_BY:
        raise GroupByInvalid(
            _("Chỉ nhóm theo thủ tục, kênh nộp hoặc cơ quan."),
            fields={"group_by": [_("Giá trị không nằm trong danh sách cho phép.")]},
        )
    target, ids = stats_scope_for(actor=actor, agency_code=agency_code)
    as_of = min(end, now)
    rows = dossier_counts(agency_ids=ids, start=start, end=as_of, group_by=group_by)  # type: ignore[arg-type]
    if group_by == "channel":
        rows = _fill(rows, [(c.value, str(c.label)) for c in Channel])
    elif group_by == "agency":
        agencies = Agency.objects.filter(pk__in=ids).order_by("code").values_list("code", "name")
        rows = _fill(rows, list(agencies))
    totals = Counts()
    for row in rows:
        totals.add(row.counts)
    return Report(
        agency=target,
        agency_count=len(ids),
        date_from=date_from,
        date_to=date_to,
        as_of=timezone.localtime(as_of, VN),
        group_by=group_by,  # type: ignore[arg-type]
        rows=rows,
        totals=totals,
    )
