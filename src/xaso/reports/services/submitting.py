"""Nộp báo cáo at the target agency: the figures and/or the file, checked, kept and sent up."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xaso.core.audit import audit_record
from xaso.org.models import Staff

from .. import figures, files, permissions
from ..errors import (
    FileNotExpected,
    FileRequired,
    RequestClosed,
    ResubmissionTooLate,
    ValuesInvalid,
)
from ..models import (
    ReportRequest,
    ReportSubmission,
    ReportTarget,
    RequestStatus,
    TargetState,
)
from .packages import _org, _send


def _record_submission(
    *,
    target: ReportTarget,
    request: ReportRequest,
    version: int,
    submitted_by: str,
    submitted_at: datetime,
    values: dict[str, Any],
    checked: files.CheckedFile | None,
    file_rel: str,
    message_id: str,
) -> ReportSubmission:
    late = submitted_at > request.deadline
    ReportSubmission.objects.filter(target=target, is_current=True).update(is_current=False)
    sub = ReportSubmission.objects.create(
        target=target,
        version=version,
        is_current=True,
        submitted_by_name=submitted_by[:128],
        submitted_at=submitted_at,
        is_late=late,
        values=values,
        file_name=checked.name if checked else "",
        file_path=file_rel,
        file_sha256=checked.sha256 if checked else "",
        file_size=len(checked.data) if checked else 0,
        file_content_type=checked.content_type if checked else "",
        signer=checked.signer if checked else "",
        message_id=message_id,
    )
    target.state = TargetState.LATE if late else TargetState.SUBMITTED
    target.submitted_at = submitted_at
    target.current_version = version
    target.save(update_fields=["state", "submitted_at", "current_version"])
    return sub


def _check_content(
    request: ReportRequest, *, values: Any, file_name: str, file_data: bytes | None
) -> tuple[dict[str, Any], files.CheckedFile | None]:
    if request.needs_figures:
        cleaned = figures.values_clean(request.indicators, values if values is not None else {})
    else:
        if values:
            raise ValuesInvalid(
                _("Báo cáo này chỉ yêu cầu tệp, không có số liệu."),
                fields={"values": [_("Không có biểu mẫu số liệu.")]},
            )
        cleaned = {}
    checked = None
    if request.needs_file:
        if file_data is None:
            raise FileRequired(
                _("Báo cáo này cần tệp báo cáo."), fields={"file": [_("Chưa chọn tệp.")]}
            )
        checked = files.file_check(
            name=file_name, data=file_data, signature_required=request.signature_required
        )
    elif file_data:
        raise FileNotExpected(
            _("Báo cáo này chỉ yêu cầu số liệu, không nhận tệp."),
            fields={"file": [_("Không cần tệp.")]},
        )
    return cleaned, checked


def _refuse_when_closed_or_late_again(
    request: ReportRequest, target: ReportTarget, at: datetime
) -> None:
    if request.status == RequestStatus.CLOSED:
        raise RequestClosed(_("Yêu cầu báo cáo đã đóng; không nhận báo cáo nữa."))
    # After the deadline a submitted report is not replaced; one the requester returned for
    # correction (the target is "not submitted" again) may be submitted again.
    if target.current_version > 0 and target.state != TargetState.PENDING and at > request.deadline:
        raise ResubmissionTooLate(_("Đã quá hạn nộp; báo cáo đã nộp không thể thay thế nữa."))


def report_submit(
    *,
    actor: Staff,
    request: ReportRequest,
    values: Any = None,
    file_name: str = "",
    file_data: bytes | None = None,
) -> ReportSubmission:
    """Nộp báo cáo: the figures of the form and/or the file (a valid signed PDF when asked),
    kept here and sent to the requester. Before the deadline a new submission replaces the
    previous one (both kept); after it the first submission is accepted and marked late; after
    the request is closed nothing is accepted."""
    permissions.require(permissions.can_submit(actor, request))
    created_file = ""
    try:
        with transaction.atomic():
            request = ReportRequest.objects.select_for_update().get(pk=request.pk)
            target = ReportTarget.objects.select_for_update().get(request=request)
            now = timezone.now()
            _refuse_when_closed_or_late_again(request, target, now)
            cleaned, checked = _check_content(
                request, values=values, file_name=file_name, file_data=file_data
            )
            version = target.current_version + 1
            rel = ""
            if checked is not None:
                rel, created = files.file_store(checked)
                created_file = rel if created else ""
            extra = {
                "request_id": str(request.origin_id),
                "version": str(version),
                "submitted_by": actor.full_name,
                "submitted_at": now.isoformat(),
                "values": json.dumps(cleaned, ensure_ascii=False),
                "file_sha256": checked.sha256 if checked else "",
            }
            message_id = _send(
                kind="report",
                sender=request.agency,
                recipients=[_org(request.requester_code, request.requester_name)],
                subject=request.title,
                extra=extra,
                signer_name=actor.full_name,
                reply_to=request.message_id or None,
                attachment=checked,
            )
            sub = _record_submission(
                target=target,
                request=request,
                version=version,
                submitted_by=actor.full_name,
                submitted_at=now,
                values=cleaned,
                checked=checked,
                file_rel=rel,
                message_id=message_id,
            )
            audit_record(
                actor=actor,
                action="reports.submit",
                obj=sub,
                changes={
                    "request": str(request.origin_id),
                    "version": version,
                    "late": sub.is_late,
                    "file_sha256": sub.file_sha256,
                },
            )
    except BaseException:
        if created_file:
            files.file_remove(created_file)
        raise
    return sub
