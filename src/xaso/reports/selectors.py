"""Reads scoped to the actor: what is outside their reach looks exactly like missing (404)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext as _

from xaso.org.models import Agency, Staff

from . import figures, permissions
from .errors import RequestNotFound
from .models import (
    Direction,
    ReportRequest,
    ReportSubmission,
    ReportTarget,
    RequestStatus,
    TargetState,
)


@dataclass(frozen=True)
class Candidate:
    """An agency below the requester that can be asked for a report."""

    code: str
    name: str
    agency: Agency | None  # None: on another node (exchange directory)


def target_candidates(*, agency: Agency) -> list[Candidate]:
    """Every agency below ``agency``: on this node (org.Agency.parent) and on other nodes (the
    exchange directory's parent codes), in code order."""
    from xaso.exchange.directory import agencies_below

    return [
        Candidate(code=code, name=name, agency=local)
        for code, name, local in agencies_below(agency=agency)
    ]


def request_list_for(*, actor: Staff) -> QuerySet[ReportRequest]:
    """Requests the actor's agency sent (or drafted), with their target counts."""
    if not permissions.can_see_reports(actor) or not actor.has_role(*permissions.READ_ROLES):
        return ReportRequest.objects.none()
    return (
        ReportRequest.objects.filter(direction=Direction.OUTGOING, agency_id=actor.agency_id)
        .annotate(
            n_targets=Count("targets"),
            n_submitted=Count("targets", filter=~Q(targets__state=TargetState.PENDING)),
            n_late=Count("targets", filter=Q(targets__state=TargetState.LATE)),
        )
        .order_by("-created_at", "-pk")
    )


def request_get_for(*, actor: Staff, public_id: UUID | str) -> ReportRequest:
    obj = (
        ReportRequest.objects.filter(public_id=public_id, direction=Direction.OUTGOING)
        .select_related("agency")
        .first()
    )
    if obj is None or not permissions.can_read_outgoing(actor, obj):
        raise RequestNotFound(_("Không tìm thấy yêu cầu báo cáo."))
    return obj


def inbox_list_for(*, actor: Staff) -> QuerySet[ReportRequest]:
    """Requests from superiors to the actor's agency, the nearest deadline first; drafts never
    reach here (copies are made when the request arrives)."""
    if not permissions.can_see_inbox(actor):
        return ReportRequest.objects.none()
    return (
        ReportRequest.objects.filter(direction=Direction.INCOMING, agency_id=actor.agency_id)
        .prefetch_related("targets")
        .order_by("status", "deadline", "pk")
    )


def inbox_get_for(*, actor: Staff, public_id: UUID | str) -> ReportRequest:
    obj = (
        ReportRequest.objects.filter(public_id=public_id, direction=Direction.INCOMING)
        .select_related("agency")
        .first()
    )
    if obj is None or not permissions.can_read_incoming(actor, obj):
        raise RequestNotFound(_("Không tìm thấy yêu cầu báo cáo."))
    return obj


def own_target(request: ReportRequest) -> ReportTarget:
    """An incoming copy's one target row: the agency itself."""
    return request.targets.get()


def returned_submission(target: ReportTarget) -> ReportSubmission | None:
    """The target's latest submission when it was returned for correction and nothing was
    submitted since (what the agency must redo), else ``None``."""
    if target.state != TargetState.PENDING or target.current_version == 0:
        return None
    return target.submissions.filter(
        version=target.current_version, returned_at__isnull=False
    ).first()


def submission_get_for(*, actor: Staff, public_id: UUID | str) -> ReportSubmission:
    """A submission (for its file) on either side: the requester's readers or the target's."""
    sub = (
        ReportSubmission.objects.filter(public_id=public_id)
        .select_related("target__request")
        .first()
    )
    if sub is not None:
        req = sub.target.request
        if permissions.can_read_outgoing(actor, req) or permissions.can_read_incoming(actor, req):
            return sub
    raise RequestNotFound(_("Không tìm thấy báo cáo."))


@dataclass
class Summary:
    """The superior's view of one request (tình hình nộp báo cáo và số liệu tổng hợp)."""

    targets: list[ReportTarget]
    submitted: list[ReportTarget]
    missing: list[ReportTarget]
    late: list[ReportTarget]
    overdue: bool
    aggregates: list[dict[str, Any]]
    submission_count: int
    current: dict[int, ReportSubmission]
    #: Targets whose latest submission was returned for correction and not submitted again.
    returned: dict[int, ReportSubmission]


def request_summary(*, request: ReportRequest, now: Any = None) -> Summary:
    """Who submitted, who is missing, who was late, and the figures added up over the current
    submissions (a replaced submission is not counted twice, a returned one not at all)."""
    from django.utils import timezone

    now = now or timezone.now()
    targets = list(request.targets.all().order_by("agency_code"))
    current = {
        s.target_id: s
        for s in ReportSubmission.objects.filter(target__request=request, is_current=True)
    }
    returned = {
        s.target_id: s
        for s in ReportSubmission.objects.filter(
            target__request=request,
            target__state=TargetState.PENDING,
            version=F("target__current_version"),
            returned_at__isnull=False,
        )
    }
    submitted = [t for t in targets if t.state != TargetState.PENDING]
    missing = [t for t in targets if t.state == TargetState.PENDING]
    late = [t for t in targets if t.state == TargetState.LATE]
    return Summary(
        targets=targets,
        submitted=submitted,
        missing=missing,
        late=late,
        overdue=request.status != RequestStatus.DRAFT and now > request.deadline,
        aggregates=figures.aggregate(request.indicators, [s.values for s in current.values()]),
        submission_count=len(current),
        current=current,
        returned=returned,
    )


def deadline_day_off(*, request: ReportRequest) -> str:
    """A warning when the deadline falls on a day the agencies do not work (weekend, holiday or
    an official day off of the working-day calendar): nothing forbids it, but a commune may not
    be at work to submit that day. Empty when it is a working day."""
    from django.utils import timezone

    from xaso.workdays.selectors import work_calendar

    day = timezone.localtime(request.deadline).date()
    info = work_calendar().day(day)
    if info.working:
        return ""
    name = info.name or (_("Thứ Bảy") if day.weekday() == 5 else _("Chủ nhật"))
    return _(
        "Hạn nộp rơi vào ngày nghỉ (%(name)s, %(day)s): các cơ quan có thể không làm việc hôm đó."
    ) % {"name": name, "day": day.strftime("%d/%m/%Y")}
