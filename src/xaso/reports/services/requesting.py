"""Yêu cầu báo cáo at the superior: drafting (create, edit, discard), sending and closing
(Decree 09/2019/NĐ-CP Art. 7)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xaso.core.audit import audit_record
from xaso.core.audit import diff as audit_diff
from xaso.core.text import nfc
from xaso.org.models import Agency, Staff

from .. import conf, figures, permissions
from ..errors import (
    IndicatorsInvalid,
    NotSuperior,
    RequestClosed,
    RequestInvalid,
    RequestNotDraft,
    RequestNotFound,
    RequestNotOpen,
    RequestStale,
    TargetInvalid,
)
from ..models import (
    Direction,
    ReportKind,
    ReportRequest,
    ReportTarget,
    RequestStatus,
    TargetState,
)
from ..selectors import target_candidates
from .packages import (
    ACTION_CLOSE,
    ACTION_EXTEND,
    ACTION_REQUEST,
    _org,
    _request_extra,
    _send,
    log,
)


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
    from ..tasks import send_reminders

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


def report_request_extend(
    *, actor: Staff, request: ReportRequest, deadline: datetime
) -> ReportRequest:
    """Gia hạn nộp báo cáo: a sent request's deadline moves later (never earlier: the agencies
    planned by it), every target is told, and those that have not submitted are reminded again
    before the new deadline. A report already marked late stays as it was."""
    permissions.require(permissions.can_manage(actor, request))
    with transaction.atomic():
        request = (
            ReportRequest.objects.select_for_update().select_related("agency").get(pk=request.pk)
        )
        if request.status != RequestStatus.SENT:
            raise RequestNotOpen(
                _("Chỉ gia hạn được yêu cầu đã gửi và chưa đóng.")
                if request.status == RequestStatus.DRAFT
                else _("Yêu cầu báo cáo đã đóng; không gia hạn được.")
            )
        if timezone.is_naive(deadline):
            problem = _("Hạn nộp phải có múi giờ.")
        elif deadline <= timezone.now():
            problem = _("Hạn nộp mới phải ở tương lai.")
        elif deadline <= request.deadline:
            problem = _("Hạn nộp mới phải sau hạn nộp hiện tại (%(at)s).") % {
                "at": timezone.localtime(request.deadline).strftime("%H:%M %d/%m/%Y")
            }
        else:
            problem = ""
        if problem:
            raise RequestInvalid(problem, fields={"deadline": [problem]})
        old = request.deadline
        request.deadline = deadline
        request.save(update_fields=["deadline"])
        ReportTarget.objects.filter(request=request, state=TargetState.PENDING).update(
            reminded_at=None
        )
        targets = list(request.targets.all())
        _send(
            kind="report_request",
            sender=request.agency,
            recipients=[_org(t.agency_code, t.agency_name) for t in targets],
            subject=_("Gia hạn nộp báo cáo: %(title)s") % {"title": request.title},
            extra=_request_extra(request, ACTION_EXTEND),
            signer_name=actor.full_name,
            due=timezone.localtime(deadline).date(),
        )
        audit_record(
            actor=actor,
            action="reports.request_extend",
            obj=request,
            changes={"deadline": [old, deadline]},
        )
        transaction.on_commit(partial(_schedule_reminders, deadline), robust=True)
    return request
