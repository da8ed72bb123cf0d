"""Nhắc hạn: the automatic sweep before the deadline and the reminder by hand."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xaso.core.audit import audit_record
from xaso.org.models import Staff

from .. import conf, permissions
from ..errors import (
    NothingToRemind,
    RequestNotOpen,
)
from ..models import (
    Direction,
    ReportRequest,
    ReportTarget,
    RequestStatus,
    TargetState,
)
from .packages import ACTION_REMIND, _org, _request_extra, _send


def reminders_send(*, now: datetime | None = None) -> int:
    """Nhắc hạn: for every sent request whose deadline falls within ``XASO_REPORT_REMIND_HOURS``,
    each target that has not submitted and was not reminded yet is reminded once (recorded on
    its row here, and a ``remind`` package tells the target). Safe to run any number of times
    and concurrently: a target row is claimed by a conditional update. Returns how many."""
    now = now or timezone.now()
    window_end = now + timedelta(hours=conf.remind_hours())
    ids = list(
        ReportRequest.objects.filter(
            direction=Direction.OUTGOING,
            status=RequestStatus.SENT,
            deadline__gt=now,
            deadline__lte=window_end,
            targets__state=TargetState.PENDING,
            targets__reminded_at__isnull=True,
        )
        .values_list("pk", flat=True)
        .distinct()
    )
    total = 0
    for pk in ids:
        with transaction.atomic():
            request = ReportRequest.objects.select_for_update().select_related("agency").get(pk=pk)
            if request.status != RequestStatus.SENT:
                continue
            claimed = []
            for target in ReportTarget.objects.filter(
                request=request, state=TargetState.PENDING, reminded_at__isnull=True
            ):
                won = ReportTarget.objects.filter(
                    pk=target.pk, state=TargetState.PENDING, reminded_at__isnull=True
                ).update(reminded_at=now)
                if won:
                    claimed.append(target)
            if not claimed:
                continue
            _send(
                kind="report_request",
                sender=request.agency,
                recipients=[_org(t.agency_code, t.agency_name) for t in claimed],
                subject=_("Nhắc hạn nộp báo cáo: %(title)s") % {"title": request.title},
                extra=_request_extra(request, ACTION_REMIND),
                due=timezone.localtime(request.deadline).date(),
            )
            audit_record(
                actor=None,
                action="reports.remind",
                obj=request,
                changes={"targets": [t.agency_code for t in claimed]},
            )
            total += len(claimed)
    return total


#: A reminder by hand reaches an agency at most once in this interval (a double click, two
#: officers pressing the button) — the agencies get one message, not a stream of them.
REMIND_AGAIN_AFTER = timedelta(hours=1)


def report_request_remind(*, actor: Staff, request: ReportRequest) -> list[str]:
    """Nhắc nộp báo cáo by hand: every agency asked that has not submitted (before or after
    the deadline: an overdue report is still asked for) gets a ``remind`` package now, unless
    it was reminded within ``REMIND_AGAIN_AFTER``. Returns the codes reminded."""
    permissions.require(permissions.can_manage(actor, request))
    with transaction.atomic():
        locked = ReportRequest.objects.select_for_update().select_related("agency")
        request = locked.get(pk=request.pk)
        if request.status != RequestStatus.SENT:
            raise RequestNotOpen(
                _("Chỉ nhắc được yêu cầu đã gửi và chưa đóng.")
                if request.status == RequestStatus.DRAFT
                else _("Yêu cầu báo cáo đã đóng; không nhắc nữa.")
            )
        now = timezone.now()
        pending = ReportTarget.objects.select_for_update().filter(
            request=request, state=TargetState.PENDING
        )
        due = list(
            pending.filter(
                Q(reminded_at__isnull=True) | Q(reminded_at__lte=now - REMIND_AGAIN_AFTER)
            )
        )
        if not due:
            raise NothingToRemind(
                _("Các cơ quan chưa nộp vừa được nhắc trong vòng một giờ; chưa nhắc lại.")
                if pending.exists()
                else _("Mọi cơ quan được yêu cầu đã nộp báo cáo.")
            )
        ReportTarget.objects.filter(pk__in=[t.pk for t in due]).update(reminded_at=now)
        _send(
            kind="report_request",
            sender=request.agency,
            recipients=[_org(t.agency_code, t.agency_name) for t in due],
            subject=_("Nhắc hạn nộp báo cáo: %(title)s") % {"title": request.title},
            extra=_request_extra(request, ACTION_REMIND),
            signer_name=actor.full_name,
            due=timezone.localtime(request.deadline).date(),
        )
        codes = [t.agency_code for t in due]
        audit_record(actor=actor, action="reports.remind", obj=request, changes={"targets": codes})
    return codes
