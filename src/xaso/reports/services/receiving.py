"""What arrives through the exchange (handlers registered in ``ReportsConfig.ready``):
requests, reminders and closings at the targets, reports at the requester, delivery statuses."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from xaso.core.audit import audit_record
from xaso.core.text import nfc
from xaso.org.models import Agency

from .. import figures, files
from ..errors import (
    PackageMismatch,
)
from ..models import (
    Direction,
    ReportKind,
    ReportRequest,
    ReportSubmission,
    ReportTarget,
    RequestStatus,
)
from .packages import ACTION_CLOSE, ACTION_EXTEND, ACTION_REMIND, ACTION_REQUEST, ACTION_RETURN
from .returning import REASON_MAX, report_return_received
from .submitting import _check_content, _record_submission, _refuse_when_closed_or_late_again


def _origin(package: Any) -> uuid.UUID:
    try:
        return uuid.UUID(package.extra.get("request_id", ""))
    except ValueError:
        raise PackageMismatch(_("Gói tin báo cáo thiếu mã yêu cầu báo cáo hợp lệ.")) from None


def _aware(value: str, name: str) -> datetime:
    parsed = parse_datetime(value or "")
    if parsed is None or timezone.is_naive(parsed):
        raise PackageMismatch(
            _("Trường %(name)s của gói tin không phải thời điểm hợp lệ.") % {"name": name}
        )
    return parsed


def _day(value: str, name: str) -> date:
    try:
        parsed = parse_date(value or "")
    except ValueError:
        parsed = None
    if parsed is None:
        raise PackageMismatch(
            _("Trường %(name)s của gói tin không phải ngày hợp lệ.") % {"name": name}
        )
    return parsed


def report_request_received(package: Any, agency: Agency) -> None:
    """Nhận yêu cầu báo cáo (or its reminder, extension, closing, or the return of a report
    for correction) at a target agency: the request becomes a copy here to be answered;
    repeated packages change nothing."""
    origin = _origin(package)
    action = package.extra.get("action", ACTION_REQUEST)
    copy = (
        ReportRequest.objects.select_for_update()
        .filter(origin_id=origin, agency=agency, direction=Direction.INCOMING)
        .first()
    )
    if action == ACTION_REQUEST:
        if copy is not None:
            return
        _copy_create(package, agency, origin)
        return
    # Only the requester acts on its request: another agency asked the same request knows its
    # id (every package carries it), and the exchange vouches for the sender's code.
    if copy is None or copy.requester_code != package.sender.code:
        raise PackageMismatch(_("Cơ quan này chưa nhận yêu cầu báo cáo được nhắc tới."))
    if action == ACTION_REMIND:
        # The latest reminder shows (the automatic one, then any sent by hand).
        ReportTarget.objects.filter(request=copy).update(reminded_at=timezone.now())
    elif action == ACTION_EXTEND:
        deadline = _aware(package.extra.get("deadline", ""), "deadline")
        # Extensions only move later: one arriving after a newer one changes nothing.
        if deadline > copy.deadline:
            copy.deadline = deadline
            copy.save(update_fields=["deadline"])
            ReportTarget.objects.filter(request=copy).update(reminded_at=None)
    elif action == ACTION_RETURN:
        if not _return_received(package, copy):
            return  # the same return again: nothing changes, nothing is recorded
    elif action == ACTION_CLOSE:
        if copy.status != RequestStatus.CLOSED:
            copy.status = RequestStatus.CLOSED
            copy.closed_at = timezone.now()
            copy.save(update_fields=["status", "closed_at"])
    else:
        raise PackageMismatch(_("Thao tác %(action)s không hợp lệ.") % {"action": action})
    audit_record(actor=None, action=f"reports.received_{action}", obj=copy)


def _return_received(package: Any, copy: ReportRequest) -> bool:
    extra = package.extra
    try:
        version = int(extra.get("version", ""))
    except ValueError:
        version = 0
    if version < 1:
        raise PackageMismatch(_("Gói tin trả lại báo cáo thiếu số phiên bản."))
    reason = nfc(extra.get("reason", "")).strip()[:REASON_MAX]
    if not reason:
        raise PackageMismatch(_("Gói tin trả lại báo cáo thiếu lý do."))
    by = extra.get("returned_by", "") or package.signer_name
    return report_return_received(copy, version=version, by=by, reason=reason)


def _copy_create(package: Any, agency: Agency, origin: uuid.UUID) -> None:
    extra = package.extra
    kind = extra.get("kind", "")
    if kind not in ReportKind.values:
        raise PackageMismatch(_("Loại báo cáo trong gói tin không hợp lệ."))
    try:
        raw_indicators = json.loads(extra.get("indicators") or "[]")
    except ValueError:
        raise PackageMismatch(_("Biểu mẫu số liệu trong gói tin không đọc được.")) from None
    indicators = figures.indicators_clean(raw_indicators)
    if kind != ReportKind.FILE and not indicators:
        raise PackageMismatch(_("Báo cáo số liệu trong gói tin không có chỉ tiêu nào."))
    period_from = _day(extra.get("period_from", ""), "period_from")
    period_to = _day(extra.get("period_to", ""), "period_to")
    if period_from > period_to:
        raise PackageMismatch(_("Kỳ báo cáo trong gói tin không hợp lệ."))
    copy = ReportRequest.objects.create(
        origin_id=origin,
        direction=Direction.INCOMING,
        agency=agency,
        requester_code=package.sender.code,
        requester_name=package.sender.name[:255],
        title=nfc(extra.get("title") or package.subject)[:500],
        instructions=nfc(extra.get("instructions", "")),
        period_from=period_from,
        period_to=period_to,
        deadline=_aware(extra.get("deadline", ""), "deadline"),
        kind=kind,
        indicators=indicators,
        signature_required=extra.get("signature_required") == "1",
        status=RequestStatus.SENT,
        sent_at=timezone.now(),
        message_id=package.message_id,
    )
    ReportTarget.objects.create(
        request=copy, agency=agency, agency_code=agency.code, agency_name=agency.name
    )
    audit_record(
        actor=None,
        action="reports.received_request",
        obj=copy,
        changes={"from": package.sender.code, "message_id": package.message_id},
    )


def report_received(package: Any, agency: Agency) -> None:
    """Nhận báo cáo at the requester: checked again against the request (figures, file digest,
    signature), recorded for the target that sent it. A version already recorded changes
    nothing; a closed request refuses it (the target is told why)."""
    origin = _origin(package)
    request = (
        ReportRequest.objects.select_for_update()
        .filter(origin_id=origin, agency=agency, direction=Direction.OUTGOING)
        .first()
    )
    if request is None or request.status == RequestStatus.DRAFT:
        raise PackageMismatch(
            _("Cơ quan %(code)s không có yêu cầu báo cáo này.") % {"code": agency.code}
        )
    target = (
        ReportTarget.objects.select_for_update()
        .filter(request=request, agency_code=package.sender.code)
        .first()
    )
    if target is None:
        raise PackageMismatch(
            _("Cơ quan %(code)s không được yêu cầu nộp báo cáo này.")
            % {"code": package.sender.code}
        )
    try:
        version = int(package.extra.get("version", ""))
    except ValueError:
        raise PackageMismatch(_("Gói tin báo cáo thiếu số phiên bản.")) from None
    if version < 1:
        raise PackageMismatch(_("Gói tin báo cáo thiếu số phiên bản."))
    if version <= target.current_version:
        return
    submitted_at = min(
        _aware(package.extra.get("submitted_at", ""), "submitted_at"), timezone.now()
    )
    _refuse_when_closed_or_late_again(request, target, submitted_at)
    try:
        raw_values = json.loads(package.extra.get("values") or "{}")
    except ValueError:
        raise PackageMismatch(_("Số liệu trong gói tin không đọc được.")) from None
    attachment = package.attachments[0] if package.attachments else None
    if len(package.attachments) > 1:
        raise PackageMismatch(_("Gói tin báo cáo chỉ được kèm một tệp."))
    values, checked = _check_content(
        request,
        values=raw_values,
        file_name=attachment.name if attachment else "",
        file_data=attachment.data if attachment else None,
    )
    if checked is not None and checked.sha256 != package.extra.get("file_sha256", ""):
        raise PackageMismatch(_("Mã băm SHA-256 của tệp báo cáo không khớp với gói tin."))
    rel = files.file_store(checked)[0] if checked is not None else ""
    sub = _record_submission(
        target=target,
        request=request,
        version=version,
        submitted_by=package.extra.get("submitted_by", "") or package.signer_name,
        submitted_at=submitted_at,
        values=values,
        checked=checked,
        file_rel=rel,
        message_id=package.message_id,
    )
    audit_record(
        actor=None,
        action="reports.received_report",
        obj=sub,
        changes={"from": package.sender.code, "version": version, "late": sub.is_late},
    )


def status_received(status: Any) -> None:
    """Statuses of our packages: whether a target received the request, whether the requester
    accepted a submission (and why not)."""
    if status.status not in ("arrived", "refused"):
        return
    # Most statuses are about official documents, not reports: one cheap look before the updates.
    if _ours([status.document_message_id]):
        _delivery(status)


def _delivery(status: Any) -> None:
    ReportTarget.objects.filter(
        message_id=status.document_message_id,
        agency_code=status.sender.code,
        request__direction=Direction.OUTGOING,
    ).update(delivery=status.status, delivery_reason=status.comment[:2000])
    ReportSubmission.objects.filter(
        message_id=status.document_message_id,
        target__request__direction=Direction.INCOMING,
        target__request__requester_code=status.sender.code,
    ).update(delivery=status.status, delivery_reason=status.comment[:2000])


def statuses_received(statuses: list[Any]) -> None:
    """``status_received`` for the many statuses the exchange delivers together (the 150
    "arrived" of a directive): one look for them all, the updates only for our own."""
    ids = [s.document_message_id for s in statuses if s.status in ("arrived", "refused")]
    if ids and _ours(ids):
        for status in statuses:
            if status.status in ("arrived", "refused"):
                _delivery(status)


def _ours(message_ids: list[str]) -> bool:
    """Whether any of these messages is a report request or a report sent from here."""
    return ReportTarget.objects.filter(
        Q(message_id__in=message_ids) | Q(submissions__message_id__in=message_ids)
    ).exists()


def register_handlers() -> None:
    from xaso.exchange import registry

    registry.register_document_handler("report_request", report_request_received)
    registry.register_document_handler("report", report_received)
    registry.register_status_handler(status_received, batch=statuses_received)
