"""Reports up (báo cáo): a superior agency asks the agencies below it for a report by a deadline
(Decree 09/2019/NĐ-CP on the reporting regime: content, figures, period, deadline), they submit
and the superior sees who is missing and the figures added up. Requests and reports travel as
electronic documents (Decree 30/2020/NĐ-CP Art. 16-22) through the exchange (edXML packages of
QCVN 102:2016/BTTTT, kinds ``report_request`` and ``report``), so an agency on another node is
asked and answers exactly like one on this node.

A ``report_request`` package carries ``extra["action"]``: ``request`` (the request itself),
``remind`` (the deadline is near and nothing came in) or ``close`` (no more submissions).
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from xaso.core.audit import audit_record
from xaso.core.audit import diff as audit_diff
from xaso.core.text import nfc
from xaso.org.models import Agency, Staff

from . import conf, figures, files, permissions
from .errors import (
    FileNotExpected,
    FileRequired,
    IndicatorsInvalid,
    NothingToRemind,
    NotSuperior,
    PackageMismatch,
    RequestClosed,
    RequestInvalid,
    RequestNotDraft,
    RequestNotFound,
    RequestNotOpen,
    RequestStale,
    ResubmissionTooLate,
    TargetInvalid,
    ValuesInvalid,
)
from .models import (
    Direction,
    ReportKind,
    ReportRequest,
    ReportSubmission,
    ReportTarget,
    RequestStatus,
    TargetState,
)
from .selectors import target_candidates

log = logging.getLogger("xaso.reports")

ACTION_REQUEST, ACTION_REMIND, ACTION_CLOSE = "request", "remind", "close"


# --- Packages -----------------------------------------------------------------------------------


def _org(code: str, name: str) -> Any:
    from xaso.exchange.edxml import Organization

    return Organization(code=code, name=name)


def _send(
    *,
    kind: str,
    sender: Agency,
    recipients: list[Any],
    subject: str,
    extra: dict[str, str],
    signer_name: str = "",
    due: date | None = None,
    reply_to: str | None = None,
    attachment: files.CheckedFile | None = None,
) -> str:
    """Put one package in the exchange's outbox (committed with the caller's rows); its id."""
    from xaso.exchange import edxml, services

    is_report = kind == "report"
    message_id = str(uuid.uuid4())
    services.exchange_send(
        package=edxml.DocumentPackage(
            message_id=message_id,
            sender=_org(sender.code, sender.name),
            recipients=recipients,
            code_number="",
            code_notation="",
            place=sender.unit.name if sender.unit_id else "",
            promulgation_date=timezone.localdate(),
            document_type="BC" if is_report else "CV",
            document_type_name=_("Báo cáo") if is_report else _("Công văn"),
            subject=subject[:500],
            signer_name=signer_name,
            due_date=due,
            reply_to=reply_to,
            kind=kind,
            attachments=(
                [
                    edxml.Attachment(
                        name=attachment.name,
                        content_type=attachment.content_type,
                        data=attachment.data,
                    )
                ]
                if attachment is not None
                else []
            ),
            extra=extra,
        )
    )
    return message_id


def _request_extra(request: ReportRequest, action: str) -> dict[str, str]:
    extra = {"action": action, "request_id": str(request.origin_id)}
    if action == ACTION_REQUEST:
        extra.update(
            {
                "title": request.title,
                "instructions": request.instructions,
                "period_from": request.period_from.isoformat(),
                "period_to": request.period_to.isoformat(),
                "deadline": request.deadline.isoformat(),
                "kind": request.kind,
                "indicators": json.dumps(request.indicators, ensure_ascii=False),
                "signature_required": "1" if request.signature_required else "0",
            }
        )
    return extra


# --- Requesting ---------------------------------------------------------------------------------


def _clean_request(
    *,
    title: str,
    period_from: date,
    period_to: date,
    deadline: datetime,
    kind: str,
    indicators: Any,
    signature_required: bool,
    instructions: str,
) -> dict[str, Any]:
    """The content of a request as stored, or the refusal naming each faulty field: the same
    rules for a new draft and an edited one."""
    title = nfc(title or "").strip()
    fields: dict[str, list[str]] = {}
    if not title:
        fields["title"] = [_("Tên báo cáo là bắt buộc.")]
    elif len(title) > 500:
        fields["title"] = [_("Tên báo cáo tối đa 500 ký tự.")]
    if period_from > period_to:
        fields["period_to"] = [_("Kỳ báo cáo phải kết thúc sau khi bắt đầu.")]
    if timezone.is_naive(deadline):
        fields["deadline"] = [_("Hạn nộp phải có múi giờ.")]
    elif deadline <= timezone.now():
        fields["deadline"] = [_("Hạn nộp phải ở tương lai.")]
    if kind not in ReportKind.values:
        fields["kind"] = [_("Loại báo cáo phải là số liệu, tệp báo cáo hoặc cả hai.")]
    if fields:
        raise RequestInvalid(_("Yêu cầu báo cáo chưa hợp lệ."), fields=fields)
    cleaned: list[dict[str, str]] = []
    if kind in (ReportKind.FIGURES, ReportKind.BOTH):
        cleaned = figures.indicators_clean(indicators if indicators is not None else [])
        if not cleaned:
            raise IndicatorsInvalid(
                _("Báo cáo số liệu cần ít nhất một chỉ tiêu."),
                fields={"indicators": [_("Chưa có chỉ tiêu nào.")]},
            )
    elif indicators:
        raise IndicatorsInvalid(
            _("Báo cáo chỉ yêu cầu tệp thì không có biểu mẫu số liệu."),
            fields={"indicators": [_("Bỏ các chỉ tiêu hoặc chọn loại có số liệu.")]},
        )
    if signature_required and kind == ReportKind.FIGURES:
        raise RequestInvalid(
            _("Chỉ yêu cầu chữ ký số khi báo cáo có tệp."),
            fields={"signature_required": [_("Báo cáo chỉ có số liệu, không có tệp để ký.")]},
        )
    return {
        "title": title,
        "instructions": nfc(instructions or "").strip(),
        "period_from": period_from,
        "period_to": period_to,
        "deadline": deadline,
        "kind": kind,
        "indicators": cleaned,
        "signature_required": bool(signature_required),
    }


def _clean_targets(*, agency: Agency, codes: list[str] | None) -> list[str] | None:
    """Who a draft is to be sent to: ``None`` (every agency below) or the chosen codes, each
    below ``agency`` on this node or another one (checked again when it is sent)."""
    if codes is None:
        return None
    wanted = list(dict.fromkeys(c.strip() for c in codes if c and c.strip()))
    if not wanted:
        raise TargetInvalid(
            _("Chọn ít nhất một cơ quan nhận yêu cầu báo cáo."),
            fields={"codes": [_("Chưa chọn cơ quan nào.")]},
        )
    below = {c.code for c in target_candidates(agency=agency)}
    unknown = [c for c in wanted if c not in below]
    if unknown:
        raise TargetInvalid(
            _("Không phải cơ quan cấp dưới: %(codes)s.") % {"codes": ", ".join(unknown)},
            fields={"codes": unknown},
        )
    return wanted


def report_request_create(
    *,
    actor: Staff,
    title: str,
    period_from: date,
    period_to: date,
    deadline: datetime,
    kind: str,
    indicators: Any = None,
    signature_required: bool = False,
    instructions: str = "",
    target_codes: list[str] | None = None,
) -> ReportRequest:
    """Lập yêu cầu báo cáo (a draft): title, reporting period, deadline, and what is asked — a
    form of figures, a file (a signed PDF when ``signature_required``) or both (Decree
    09/2019/NĐ-CP Art. 7) — and who is to be asked (``target_codes`` None: every agency below)."""
    permissions.require(permissions.can_request(actor))
    content = _clean_request(
        title=title,
        period_from=period_from,
        period_to=period_to,
        deadline=deadline,
        kind=kind,
        indicators=indicators,
        signature_required=signature_required,
        instructions=instructions,
    )
    with transaction.atomic():
        agency = actor.agency
        targets = _clean_targets(agency=agency, codes=target_codes)
        public_id = uuid.uuid4()
        request = ReportRequest.objects.create(
            public_id=public_id,
            origin_id=public_id,
            direction=Direction.OUTGOING,
            agency=agency,
            requester_code=agency.code,
            requester_name=agency.name,
            status=RequestStatus.DRAFT,
            created_by=actor,
            target_codes=targets,
            **content,
        )
        audit_record(
            actor=actor,
            action="reports.request_create",
            obj=request,
            changes={
                "deadline": content["deadline"],
                "kind": content["kind"],
                "indicators": len(content["indicators"]),
                "targets": targets if targets is not None else "all",
            },
        )
    return request


#: What an edit of a draft may change, as stored (audited as ``{field: [old, new]}``).
_EDITABLE = (
    "title",
    "instructions",
    "period_from",
    "period_to",
    "deadline",
    "kind",
    "indicators",
    "signature_required",
    "target_codes",
)


def _lock_draft(
    request: ReportRequest, *, expected_version: int | None, refusal: str
) -> ReportRequest:
    """The draft, locked for the rest of the transaction; refused once it has been sent (the
    agencies already hold it) or when someone changed it since the caller read it."""
    locked = ReportRequest.objects.select_for_update().filter(pk=request.pk).first()
    if locked is None:
        raise RequestNotFound(_("Không tìm thấy yêu cầu báo cáo."))
    if locked.status != RequestStatus.DRAFT:
        raise RequestNotDraft(refusal)
    if expected_version is not None and expected_version != locked.version:
        raise RequestStale(
            _(
                "Dự thảo đã được người khác sửa sau khi bạn mở (bạn sửa phiên bản %(yours)d, "
                "hiện là phiên bản %(current)d). Tải lại trang để xem bản mới rồi sửa lại."
            )
            % {"yours": expected_version, "current": locked.version},
            fields={"version": [_("Phiên bản dự thảo đã cũ.")]},
        )
    return locked


def report_request_update(
    *,
    actor: Staff,
    request: ReportRequest,
    expected_version: int,
    title: str,
    period_from: date,
    period_to: date,
    deadline: datetime,
    kind: str,
    indicators: Any = None,
    signature_required: bool = False,
    instructions: str = "",
    target_codes: list[str] | None = None,
) -> ReportRequest:
    """Sửa dự thảo yêu cầu báo cáo: the whole content and the recipients, by the rules of a new
    one. Only while it is a draft (once sent the agencies hold it: close it and ask again), and
    only from the version the editor read (``expected_version``), so two officers editing the
    same draft never overwrite each other unawares. One audit entry with the changed fields."""
    permissions.require(permissions.can_manage(actor, request))
    with transaction.atomic():
        locked = _lock_draft(
            request,
            expected_version=expected_version,
            refusal=_("Yêu cầu báo cáo đã gửi tới các cơ quan; không sửa được nữa."),
        )
        content = _clean_request(
            title=title,
            period_from=period_from,
            period_to=period_to,
            deadline=deadline,
            kind=kind,
            indicators=indicators,
            signature_required=signature_required,
            instructions=instructions,
        )
        content["target_codes"] = _clean_targets(agency=locked.agency, codes=target_codes)
        before = {f: getattr(locked, f) for f in _EDITABLE}
        changes = audit_diff(before, content)
        if not changes:
            return locked
        for name, value in content.items():
            setattr(locked, name, value)
        locked.version += 1
        locked.save(update_fields=[*_EDITABLE, "version"])
        changes["version"] = [expected_version, locked.version]
        audit_record(actor=actor, action="reports.request_update", obj=locked, changes=changes)
    return locked


def report_request_delete(
    *, actor: Staff, request: ReportRequest, expected_version: int | None = None
) -> None:
    """Xóa dự thảo: a request never sent is discarded (nothing left the agency); a sent one is
    part of the record and is closed instead. With ``expected_version``, refused when someone
    changed the draft since the caller read it. The audit entry keeps what was discarded."""
    permissions.require(permissions.can_manage(actor, request))
    with transaction.atomic():
        locked = _lock_draft(
            request,
            expected_version=expected_version,
            refusal=_("Yêu cầu báo cáo đã gửi không xóa được; hãy đóng yêu cầu."),
        )
        audit_record(
            actor=actor,
            action="reports.request_delete",
            obj=locked,
            changes={
                "title": locked.title,
                "deadline": locked.deadline,
                "kind": locked.kind,
                "indicators": locked.indicators,
                "version": locked.version,
            },
        )
        locked.delete()


def report_request_send(
    *,
    actor: Staff,
    request: ReportRequest,
    codes: list[str] | None = None,
    expected_version: int | None = None,
) -> ReportRequest:
    """Gửi yêu cầu báo cáo to every agency below (``codes`` None) or to the chosen ones, each of
    which must be below the requester, here or on another node. One package to all targets,
    one outbox row (and delivery status) per target. With ``expected_version``, refused when the
    draft was edited since the sender read it (they would send what they have not seen)."""
    permissions.require(permissions.can_manage(actor, request))
    with transaction.atomic():
        request = _lock_draft(
            request,
            expected_version=expected_version,
            refusal=_("Yêu cầu báo cáo này đã được gửi."),
        )
        if request.deadline <= timezone.now():
            raise RequestInvalid(
                _("Hạn nộp đã qua; sửa hạn nộp của dự thảo rồi gửi."),
                fields={"deadline": [_("Hạn nộp đã qua.")]},
            )
        candidates = {c.code: c for c in target_candidates(agency=request.agency)}
        if not candidates:
            raise NotSuperior(_("Cơ quan của bạn không có cơ quan cấp dưới để yêu cầu báo cáo."))
        if codes is None:
            chosen = list(candidates.values())
        else:
            wanted = list(dict.fromkeys(c.strip() for c in codes if c and c.strip()))
            unknown = [c for c in wanted if c not in candidates]
            if unknown:
                raise TargetInvalid(
                    _("Không phải cơ quan cấp dưới: %(codes)s.") % {"codes": ", ".join(unknown)},
                    fields={"codes": unknown},
                )
            if not wanted:
                raise TargetInvalid(
                    _("Chọn ít nhất một cơ quan nhận yêu cầu báo cáo."),
                    fields={"codes": [_("Chưa chọn cơ quan nào.")]},
                )
            chosen = [candidates[c] for c in wanted]
        message_id = _send(
            kind="report_request",
            sender=request.agency,
            recipients=[_org(c.code, c.name) for c in chosen],
            subject=request.title,
            extra=_request_extra(request, ACTION_REQUEST),
            signer_name=actor.full_name,
            due=timezone.localtime(request.deadline).date(),
        )
        ReportTarget.objects.bulk_create(
            [
                ReportTarget(
                    request=request,
                    agency=c.agency,
                    agency_code=c.code,
                    agency_name=c.name[:255],
                    message_id=message_id,
                )
                for c in chosen
            ]
        )
        request.status = RequestStatus.SENT
        request.sent_at = timezone.now()
        request.save(update_fields=["status", "sent_at"])
        audit_record(
            actor=actor,
            action="reports.request_send",
            obj=request,
            changes={"targets": [c.code for c in chosen], "message_id": message_id},
        )
        transaction.on_commit(partial(_schedule_reminders, request.deadline), robust=True)
    return request


def _schedule_reminders(deadline: datetime) -> None:
    """Queue the reminder sweep for when this request enters the reminder window (the task is
    idempotent; cron running ``xaso reports remind`` is the other path)."""
    from .tasks import send_reminders

    at = deadline - timedelta(hours=conf.remind_hours())
    try:
        task = send_reminders
        if at > timezone.now():
            task = task.using(run_after=at)  # type: ignore[arg-type]
        task.enqueue()
    except Exception:  # the cron path still reminds
        log.exception("reports: could not queue the reminder sweep")


def report_request_close(*, actor: Staff, request: ReportRequest) -> ReportRequest:
    """Đóng yêu cầu: no submission is accepted after this; the targets are told."""
    permissions.require(permissions.can_manage(actor, request))
    with transaction.atomic():
        request = ReportRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != RequestStatus.SENT:
            raise RequestClosed(
                _("Chỉ đóng được yêu cầu đã gửi và chưa đóng."),
            )
        request.status = RequestStatus.CLOSED
        request.closed_at = timezone.now()
        request.save(update_fields=["status", "closed_at"])
        targets = list(request.targets.all())
        if targets:
            _send(
                kind="report_request",
                sender=request.agency,
                recipients=[_org(t.agency_code, t.agency_name) for t in targets],
                subject=_("Đóng yêu cầu báo cáo: %(title)s") % {"title": request.title},
                extra=_request_extra(request, ACTION_CLOSE),
                signer_name=actor.full_name,
            )
        audit_record(actor=actor, action="reports.request_close", obj=request)
    return request


# --- Submitting ---------------------------------------------------------------------------------


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
    if target.current_version > 0 and at > request.deadline:
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


# --- Reminders ----------------------------------------------------------------------------------


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


# --- Receiving (exchange handlers, registered in ReportsConfig.ready) ---------------------------


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
    """Nhận yêu cầu báo cáo (or its reminder, or its closing) at a target agency: the request
    becomes a copy here to be answered; repeated packages change nothing."""
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
    if copy is None:
        raise PackageMismatch(_("Cơ quan này chưa nhận yêu cầu báo cáo được nhắc tới."))
    if action == ACTION_REMIND:
        # The latest reminder shows (the automatic one, then any sent by hand).
        ReportTarget.objects.filter(request=copy).update(reminded_at=timezone.now())
    elif action == ACTION_CLOSE:
        if copy.status != RequestStatus.CLOSED:
            copy.status = RequestStatus.CLOSED
            copy.closed_at = timezone.now()
            copy.save(update_fields=["status", "closed_at"])
    else:
        raise PackageMismatch(_("Thao tác %(action)s không hợp lệ.") % {"action": action})
    audit_record(actor=None, action=f"reports.received_{action}", obj=copy)


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
