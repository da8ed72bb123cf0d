"""Trả lại báo cáo để hoàn thiện: the requester sends one agency's latest submission back with
the reason, and the agency is asked again (Decree 09/2019/NĐ-CP: the agency that set the
reporting regime receives and checks the reports; one that is incomplete or wrong is corrected
by the agency that sent it). The returned submission is kept as history, never deleted."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xaso.core.audit import audit_record
from xaso.core.text import nfc
from xaso.org.models import Staff

from .. import permissions
from ..errors import (
    AlreadyReturned,
    NothingSubmitted,
    PackageMismatch,
    RequestNotOpen,
    ReturnReasonRequired,
    TargetNotFound,
)
from ..models import ReportRequest, ReportSubmission, ReportTarget, RequestStatus, TargetState
from .packages import ACTION_RETURN, _org, _request_extra, _send
from .requesting import _schedule_reminders

#: The longest reason kept (a few paragraphs: what to complete or correct).
REASON_MAX = 2000


def _mark_returned(
    *, target: ReportTarget, sub: ReportSubmission, at: datetime, by: str, reason: str
) -> None:
    """The submission is returned (kept, no longer current); when it is still the target's
    latest, the target is "not submitted" again and will be reminded again."""
    sub.returned_at = at
    sub.returned_by_name = by[:128]
    sub.return_reason = reason
    sub.is_current = False
    sub.save(update_fields=["returned_at", "returned_by_name", "return_reason", "is_current"])
    if sub.version == target.current_version:
        target.state = TargetState.PENDING
        target.submitted_at = None
        target.reminded_at = None
        target.save(update_fields=["state", "submitted_at", "reminded_at"])


def report_submission_return(
    *, actor: Staff, request: ReportRequest, agency_code: str, reason: str
) -> ReportSubmission:
    """Trả lại báo cáo: the latest submission of the agency ``agency_code`` goes back to it
    with ``reason`` while the request is open (sent, not closed). The submission stays (marked
    returned) but no longer counts in the totals; the agency shows as not submitted, is
    reminded again before the deadline and may submit again (after the deadline too: the
    requester asked for it). The agency is told by a ``report_request`` package with action
    ``return``. Refusals: ``report_request_not_open``, ``report_nothing_submitted``,
    ``report_already_returned``, ``report_return_reason_required``."""
    permissions.require(permissions.can_manage(actor, request))
    reason = nfc(reason or "").strip()
    if not reason:
        problem = _("Nhập lý do trả lại báo cáo (nội dung cần hoàn thiện, bổ sung).")
        raise ReturnReasonRequired(problem, fields={"reason": [problem]})
    if len(reason) > REASON_MAX:
        problem = _("Lý do trả lại dài quá %(n)d ký tự.") % {"n": REASON_MAX}
        raise ReturnReasonRequired(problem, fields={"reason": [problem]})
    with transaction.atomic():
        request = (
            ReportRequest.objects.select_for_update().select_related("agency").get(pk=request.pk)
        )
        if request.status != RequestStatus.SENT:
            raise RequestNotOpen(
                _("Chỉ trả lại được báo cáo của yêu cầu đã gửi và chưa đóng.")
                if request.status == RequestStatus.DRAFT
                else _("Yêu cầu báo cáo đã đóng; không trả lại báo cáo được nữa.")
            )
        target = (
            ReportTarget.objects.select_for_update()
            .filter(request=request, agency_code=agency_code)
            .first()
        )
        if target is None:
            raise TargetNotFound(_("Cơ quan này không được yêu cầu nộp báo cáo này."))
        if target.current_version == 0:
            raise NothingSubmitted(
                _("%(name)s chưa nộp báo cáo; không có gì để trả lại.")
                % {"name": target.agency_name}
            )
        sub = ReportSubmission.objects.get(target=target, version=target.current_version)
        if sub.returned_at is not None:
            raise AlreadyReturned(
                _("Báo cáo lần %(n)d của %(name)s đã bị trả lại; đang chờ cơ quan nộp lại.")
                % {"n": sub.version, "name": target.agency_name}
            )
        now = timezone.now()
        _mark_returned(target=target, sub=sub, at=now, by=actor.full_name, reason=reason)
        extra = _request_extra(request, ACTION_RETURN)
        extra.update(
            {
                "version": str(sub.version),
                "reason": reason,
                "returned_by": actor.full_name,
                "returned_at": now.isoformat(),
            }
        )
        _send(
            kind="report_request",
            sender=request.agency,
            recipients=[_org(target.agency_code, target.agency_name)],
            subject=_("Trả lại báo cáo để hoàn thiện: %(title)s") % {"title": request.title},
            extra=extra,
            signer_name=actor.full_name,
            due=timezone.localtime(request.deadline).date(),
            reply_to=sub.message_id or None,
        )
        audit_record(
            actor=actor,
            action="reports.submission_return",
            obj=sub,
            changes={
                "request": str(request.origin_id),
                "agency": target.agency_code,
                "version": sub.version,
                "reason": reason,
            },
        )
        if request.deadline > now:
            transaction.on_commit(partial(_schedule_reminders, request.deadline), robust=True)
    return sub


def report_return_received(copy: ReportRequest, *, version: int, by: str, reason: str) -> bool:
    """At the agency that submitted: its copy learns that submission ``version`` was returned.
    A repeated message changes nothing (``False``); a return of a version already replaced by
    a newer submission only marks that one (the newer one stands)."""
    target = ReportTarget.objects.select_for_update().get(request=copy)
    sub = ReportSubmission.objects.filter(target=target, version=version).first()
    if sub is None:
        raise PackageMismatch(
            _("Cơ quan này không có báo cáo lần %(n)d để bị trả lại.") % {"n": version}
        )
    if sub.returned_at is not None:
        return False
    _mark_returned(target=target, sub=sub, at=timezone.now(), by=by, reason=reason)
    return True
