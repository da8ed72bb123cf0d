"""The reports API (mount at /api/v1/reports): a superior's requests (create, send, close,
return a report for correction, the table of who submitted and the figures added up, Excel),
an agency's inbox of requests and its submissions (multipart: ``values`` as a JSON object,
``file``).

403 for a caller whose roles never allow the action; 404 for what is outside their agency;
every refusal is ``{"code", "message", "fields"}``."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

import ninja
from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile

from xaso.core.schemas import ErrorOut
from xaso.org.models import Staff

from . import conf, export, permissions, selectors, services
from .errors import ValuesInvalid
from .models import ReportRequest, ReportSubmission, ReportTarget
from .responses import file_response

router = Router(tags=["reports"])

ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


def _actor(request: HttpRequest) -> Staff:
    return request.auth  # type: ignore[attr-defined,no-any-return]


class IndicatorIn(Schema):
    code: str = Field(..., max_length=32, description="Mã chỉ tiêu: a-z, 0-9, _")
    label: str = Field(..., max_length=255, description="Tên chỉ tiêu")
    unit: str = Field("", max_length=32, description="Đơn vị tính")
    type: Literal["integer", "decimal"] = "integer"


class RequestIn(Schema):
    title: str = Field(..., max_length=500)
    instructions: str = Field("", max_length=10000)
    period_from: date
    period_to: date
    deadline: datetime = Field(
        ..., description="Hạn nộp (ISO 8601; không có múi giờ thì tính theo giờ Việt Nam)"
    )
    kind: Literal["figures", "file", "both"]
    indicators: list[IndicatorIn] = Field(default_factory=list, max_length=200)
    signature_required: bool = False
    scope: Literal["all", "chosen"] = Field(
        "all",
        description="Nơi nhận dự kiến — all: mọi cơ quan cấp dưới; chosen: các mã trong codes",
    )
    codes: list[str] = Field(default_factory=list, max_length=2000)


class RequestPatchIn(Schema):
    """Sửa dự thảo: only the fields given change; ``version`` is the one the caller read."""

    version: int = Field(
        ..., ge=1, description="Phiên bản dự thảo đã đọc; khác phiên bản hiện hành thì bị từ chối"
    )
    title: str | None = Field(None, max_length=500)
    instructions: str | None = Field(None, max_length=10000)
    period_from: date | None = None
    period_to: date | None = None
    deadline: datetime | None = Field(
        None, description="Hạn nộp (ISO 8601; không có múi giờ thì tính theo giờ Việt Nam)"
    )
    kind: Literal["figures", "file", "both"] | None = None
    indicators: list[IndicatorIn] | None = Field(None, max_length=200)
    signature_required: bool | None = None
    scope: Literal["all", "chosen"] | None = Field(
        None, description="Nơi nhận dự kiến — all: mọi cơ quan cấp dưới; chosen: các mã trong codes"
    )
    codes: list[str] | None = Field(None, max_length=2000)


class SendIn(Schema):
    scope: Literal["all", "chosen"] | None = Field(
        None,
        description="all: mọi cơ quan cấp dưới; chosen: các mã trong codes; "
        "bỏ trống: nơi nhận đã ghi trong dự thảo",
    )
    codes: list[str] = Field(default_factory=list, max_length=2000)
    version: int | None = Field(
        None, ge=1, description="Phiên bản dự thảo đã đọc (nếu có: bản đã sửa sau đó bị từ chối)"
    )


class Org(Schema):
    code: str
    name: str


class IndicatorOut(Schema):
    code: str
    label: str
    unit: str
    type: str


class RequestOut(Schema):
    id: UUID
    title: str
    instructions: str
    requester: Org
    period_from: date
    period_to: date
    deadline: datetime
    kind: str
    indicators: list[IndicatorOut]
    signature_required: bool
    status: str
    sent_at: datetime | None
    closed_at: datetime | None


class OutgoingOut(RequestOut):
    """A request of the caller's agency: with the draft's version and planned recipients."""

    version: int = Field(description="Phiên bản dự thảo: gửi kèm khi sửa, gửi hoặc xóa")
    scope: str = Field(description="Nơi nhận dự kiến: all hoặc chosen")
    codes: list[str] = Field(description="Mã các cơ quan được chọn (scope chosen)")


class RequestListOut(OutgoingOut):
    targets: int
    submitted: int
    late: int


class FileOut(Schema):
    name: str
    sha256: str
    size: int
    content_type: str
    signer: str
    url: str


class SubmissionOut(Schema):
    id: UUID
    version: int
    is_current: bool
    submitted_by: str
    submitted_at: datetime
    is_late: bool
    values: dict[str, int | str]
    file: FileOut | None
    delivery: str = Field(description="Ở cơ quan nộp: arrived / refused khi cấp trên đã trả lời")
    delivery_reason: str
    returned_at: datetime | None = Field(
        description="Lúc cấp trên trả lại báo cáo này để hoàn thiện (không còn được tính)"
    )
    returned_by: str
    return_reason: str = Field(description="Lý do trả lại")


class TargetOut(Schema):
    code: str
    name: str
    on_this_node: bool
    state: str
    submitted_at: datetime | None
    reminded_at: datetime | None
    delivery: str = Field(description="Gói yêu cầu: arrived / refused ở cơ quan nhận")
    delivery_reason: str
    submission: SubmissionOut | None
    returned: SubmissionOut | None = Field(
        description="Báo cáo mới nhất của cơ quan đã bị trả lại và chưa được nộp lại"
    )


class AggregateOut(Schema):
    code: str
    label: str
    unit: str
    type: str
    total: int | str
    count: int


class RequestDetailOut(OutgoingOut):
    targets: list[TargetOut]
    missing: list[str]
    late: list[str]
    submitted_count: int
    overdue: bool
    aggregates: list[AggregateOut]
    submission_count: int


class InboxItemOut(RequestOut):
    state: str
    submitted_at: datetime | None
    reminded_at: datetime | None
    current_version: int
    return_reason: str = Field(
        description="Khác rỗng khi báo cáo mới nhất bị cấp trên trả lại và chưa nộp lại"
    )
    seconds_left: int = Field(description="Số giây còn lại đến hạn nộp (âm: đã quá hạn)")


class InboxDetailOut(InboxItemOut):
    submissions: list[SubmissionOut]


def _request_out(r: ReportRequest) -> dict[str, Any]:
    return {
        "id": r.public_id,
        "title": r.title,
        "instructions": r.instructions,
        "requester": {"code": r.requester_code, "name": r.requester_name},
        "period_from": r.period_from,
        "period_to": r.period_to,
        "deadline": r.deadline,
        "kind": r.kind,
        "indicators": r.indicators,
        "signature_required": r.signature_required,
        "status": r.status,
        "sent_at": r.sent_at,
        "closed_at": r.closed_at,
    }


def _outgoing_out(r: ReportRequest) -> dict[str, Any]:
    return {
        **_request_out(r),
        "version": r.version,
        "scope": "all" if r.target_codes is None else "chosen",
        "codes": list(r.target_codes or []),
    }


def _submission_out(s: ReportSubmission) -> dict[str, Any]:
    return {
        "id": s.public_id,
        "version": s.version,
        "is_current": s.is_current,
        "submitted_by": s.submitted_by_name,
        "submitted_at": s.submitted_at,
        "is_late": s.is_late,
        "values": s.values,
        "file": (
            {
                "name": s.file_name,
                "sha256": s.file_sha256,
                "size": s.file_size,
                "content_type": s.file_content_type,
                "signer": s.signer,
                "url": f"/api/v1/reports/submissions/{s.public_id}/file",
            }
            if s.file_path
            else None
        ),
        "delivery": s.delivery,
        "delivery_reason": s.delivery_reason,
        "returned_at": s.returned_at,
        "returned_by": s.returned_by_name,
        "return_reason": s.return_reason,
    }


def _target_out(
    t: ReportTarget, sub: ReportSubmission | None, returned: ReportSubmission | None
) -> dict[str, Any]:
    return {
        "code": t.agency_code,
        "name": t.agency_name,
        "on_this_node": t.agency_id is not None,
        "state": t.state,
        "submitted_at": t.submitted_at,
        "reminded_at": t.reminded_at,
        "delivery": t.delivery,
        "delivery_reason": t.delivery_reason,
        "submission": _submission_out(sub) if sub else None,
        "returned": _submission_out(returned) if returned else None,
    }


def _detail_out(r: ReportRequest) -> dict[str, Any]:
    summary = selectors.request_summary(request=r)
    return {
        **_outgoing_out(r),
        "targets": [
            _target_out(t, summary.current.get(t.pk), summary.returned.get(t.pk))
            for t in summary.targets
        ],
        "missing": [t.agency_code for t in summary.missing],
        "late": [t.agency_code for t in summary.late],
        "submitted_count": len(summary.submitted),
        "overdue": summary.overdue,
        "aggregates": summary.aggregates,
        "submission_count": summary.submission_count,
    }


def _inbox_out(r: ReportRequest, *, with_submissions: bool = False) -> dict[str, Any]:
    target = selectors.own_target(r)
    out = {
        **_request_out(r),
        "state": target.state,
        "submitted_at": target.submitted_at,
        "reminded_at": target.reminded_at,
        "current_version": target.current_version,
        "return_reason": returned.return_reason
        if (returned := selectors.returned_submission(target))
        else "",
        "seconds_left": int((r.deadline - timezone.now()).total_seconds()),
    }
    if with_submissions:
        out["submissions"] = [_submission_out(s) for s in target.submissions.all()]
    return out


def _aware(value: datetime) -> datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


@router.post("/requests", response={201: OutgoingOut, **ERRORS})
def request_create(request: HttpRequest, payload: RequestIn) -> ninja.Status:
    """Lập yêu cầu báo cáo (dự thảo): leaders and administrators of an agency with agencies
    below it. Refusals: ``report_request_invalid``, ``report_indicators_invalid``,
    ``report_target_invalid``."""
    r = services.report_request_create(
        actor=_actor(request),
        title=payload.title,
        instructions=payload.instructions,
        period_from=payload.period_from,
        period_to=payload.period_to,
        deadline=_aware(payload.deadline),
        kind=payload.kind,
        indicators=[i.dict() for i in payload.indicators],
        signature_required=payload.signature_required,
        target_codes=payload.codes if payload.scope == "chosen" else None,
    )
    return ninja.Status(201, _outgoing_out(r))


@router.patch("/requests/{request_id}", response={200: OutgoingOut, **ERRORS})
def request_update(
    request: HttpRequest, request_id: UUID, payload: RequestPatchIn
) -> dict[str, Any]:
    """Sửa dự thảo: the fields given replace the draft's (the rest stay), by the rules of a new
    request; ``version`` must be the draft's current one. Refusals:
    ``report_request_not_draft`` (already sent), ``report_request_stale`` (edited by someone
    else since it was read: read it again), ``report_request_invalid``,
    ``report_indicators_invalid``, ``report_target_invalid``."""
    actor = _actor(request)
    r = selectors.request_get_for(actor=actor, public_id=request_id)
    given = payload.model_dump(exclude_unset=True)
    kind = given.get("kind") or r.kind
    if "indicators" in given and given["indicators"] is not None:
        indicators: Any = given["indicators"]
    elif kind == "file" and given.get("kind") == "file":
        # Switching to a file-only report drops the form of figures with it.
        indicators = None
    else:
        indicators = r.indicators
    signature = given.get("signature_required")
    if signature is None:
        signature = r.signature_required and kind != "figures"
    scope = given.get("scope")
    if scope is None:
        codes = given.get("codes", r.target_codes)
    else:
        codes = None if scope == "all" else (given.get("codes") or [])
    r = services.report_request_update(
        actor=actor,
        request=r,
        expected_version=payload.version,
        title=r.title if payload.title is None else payload.title,
        instructions=r.instructions if payload.instructions is None else payload.instructions,
        period_from=payload.period_from or r.period_from,
        period_to=payload.period_to or r.period_to,
        deadline=_aware(payload.deadline) if payload.deadline else r.deadline,
        kind=kind,
        indicators=indicators,
        signature_required=signature,
        target_codes=codes,
    )
    return _outgoing_out(r)


@router.delete("/requests/{request_id}", response={204: None, **ERRORS})
def request_delete(
    request: HttpRequest, request_id: UUID, version: int | None = None
) -> ninja.Status:
    """Xóa dự thảo chưa gửi (``?version=`` the one read, optional). Refusals:
    ``report_request_not_draft`` (sent: close it instead), ``report_request_stale``."""
    actor = _actor(request)
    r = selectors.request_get_for(actor=actor, public_id=request_id)
    services.report_request_delete(actor=actor, request=r, expected_version=version)
    return ninja.Status(204, None)


class CandidateOut(Schema):
    code: str
    name: str
    on_this_node: bool


@router.get("/candidates", response={200: list[CandidateOut], **ERRORS})
def candidates(request: HttpRequest) -> list[dict[str, Any]]:
    """The agencies below the caller's, on this node and on the others the directory knows:
    the codes a request may name (``scope`` chosen). Leaders and administrators."""
    actor = _actor(request)
    permissions.require(permissions.can_request(actor))
    return [
        {"code": c.code, "name": c.name, "on_this_node": c.agency is not None}
        for c in selectors.target_candidates(agency=actor.agency)
    ]


@router.get("/requests", response={200: list[RequestListOut], **ERRORS})
def request_list(request: HttpRequest) -> list[dict[str, Any]]:
    """Requests of the caller's agency, newest first, with how many targets submitted."""
    rows = selectors.request_list_for(actor=_actor(request))[:200]
    return [
        {
            **_outgoing_out(r),
            "targets": r.n_targets,  # type: ignore[attr-defined]
            "submitted": r.n_submitted,  # type: ignore[attr-defined]
            "late": r.n_late,  # type: ignore[attr-defined]
        }
        for r in rows
    ]


@router.get("/requests/{request_id}", response={200: RequestDetailOut, **ERRORS})
def request_detail(request: HttpRequest, request_id: UUID) -> dict[str, Any]:
    """Who submitted, who is missing, who was late, each one's figures and the totals."""
    r = selectors.request_get_for(actor=_actor(request), public_id=request_id)
    return _detail_out(r)


@router.post("/requests/{request_id}/send", response={200: RequestDetailOut, **ERRORS})
def request_send(request: HttpRequest, request_id: UUID, payload: SendIn) -> dict[str, Any]:
    """Gửi yêu cầu: to every agency below (``scope`` all), to ``codes`` (chosen), or as the
    draft planned (no ``scope``). Refusals: ``report_request_not_draft``,
    ``report_request_stale`` (with ``version``), ``report_target_invalid``,
    ``report_not_superior``."""
    actor = _actor(request)
    r = selectors.request_get_for(actor=actor, public_id=request_id)
    if payload.scope is None:
        codes = r.target_codes
    else:
        codes = payload.codes if payload.scope == "chosen" else None
    r = services.report_request_send(
        actor=actor, request=r, codes=codes, expected_version=payload.version
    )
    return _detail_out(r)


class RemindOut(Schema):
    reminded: list[str] = Field(description="Mã các cơ quan vừa được nhắc")


@router.post("/requests/{request_id}/remind", response={200: RemindOut, **ERRORS})
def request_remind(request: HttpRequest, request_id: UUID) -> dict[str, Any]:
    """Nhắc các cơ quan chưa nộp (each at most once an hour). Refusals:
    ``report_request_not_open`` (a draft or a closed request), ``report_nothing_to_remind``."""
    actor = _actor(request)
    r = selectors.request_get_for(actor=actor, public_id=request_id)
    return {"reminded": services.report_request_remind(actor=actor, request=r)}


class ExtendIn(Schema):
    deadline: datetime = Field(
        ..., description="Hạn nộp mới, sau hạn hiện tại (ISO 8601; không có múi giờ: giờ Việt Nam)"
    )


@router.post("/requests/{request_id}/extend", response={200: RequestDetailOut, **ERRORS})
def request_extend(request: HttpRequest, request_id: UUID, payload: ExtendIn) -> dict[str, Any]:
    """Gia hạn nộp: a later deadline; the targets are told. Refusals:
    ``report_request_not_open`` (a draft: edit it; or closed), ``report_request_invalid``
    (not later than the current deadline, or past)."""
    actor = _actor(request)
    r = selectors.request_get_for(actor=actor, public_id=request_id)
    r = services.report_request_extend(actor=actor, request=r, deadline=_aware(payload.deadline))
    return _detail_out(r)


class ReturnIn(Schema):
    reason: str = Field(
        ..., max_length=2000, description="Lý do trả lại: nội dung cần hoàn thiện, bổ sung"
    )


@router.post(
    "/requests/{request_id}/submissions/{agency_code}/return",
    response={200: RequestDetailOut, **ERRORS},
)
def submission_return(
    request: HttpRequest, request_id: UUID, agency_code: str, payload: ReturnIn
) -> dict[str, Any]:
    """Trả lại báo cáo để hoàn thiện: the latest report of the agency ``agency_code`` goes back
    to it with the reason; it no longer counts in the totals, the agency shows as not
    submitted (``targets[].returned``) and may submit again. Refusals:
    ``report_request_not_open`` (a draft, or closed), ``report_nothing_submitted``,
    ``report_already_returned``, ``report_return_reason_required``; 404 for an agency the
    request did not ask."""
    actor = _actor(request)
    r = selectors.request_get_for(actor=actor, public_id=request_id)
    services.report_submission_return(
        actor=actor, request=r, agency_code=agency_code, reason=payload.reason
    )
    return _detail_out(r)


@router.post("/requests/{request_id}/close", response={200: RequestDetailOut, **ERRORS})
def request_close(request: HttpRequest, request_id: UUID) -> dict[str, Any]:
    """Đóng yêu cầu: no submission is accepted after; the targets are told."""
    actor = _actor(request)
    r = selectors.request_get_for(actor=actor, public_id=request_id)
    return _detail_out(services.report_request_close(actor=actor, request=r))


@router.get(
    "/requests/{request_id}/export.xlsx",
    response={401: ErrorOut, 404: ErrorOut},
    openapi_extra={
        "responses": {
            200: {
                "description": "Biểu tổng hợp (Excel)",
                "content": {export.XLSX: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def request_export(request: HttpRequest, request_id: UUID) -> HttpResponse:
    r = selectors.request_get_for(actor=_actor(request), public_id=request_id)
    return export.xlsx_response(request=r, summary=selectors.request_summary(request=r))


@router.get("/inbox", response={200: list[InboxItemOut], **ERRORS})
def inbox_list(request: HttpRequest) -> list[dict[str, Any]]:
    """Requests from superiors to the caller's agency: open ones first, nearest deadline first."""
    return [_inbox_out(r) for r in selectors.inbox_list_for(actor=_actor(request))[:200]]


@router.get("/inbox/{request_id}", response={200: InboxDetailOut, **ERRORS})
def inbox_detail(request: HttpRequest, request_id: UUID) -> dict[str, Any]:
    r = selectors.inbox_get_for(actor=_actor(request), public_id=request_id)
    return _inbox_out(r, with_submissions=True)


#: Multipart fields of a submission: the figures as JSON text and the optional file (a report
#: of figures alone has none).
_VALUES_FIELD: Any = Form("", description="Số liệu: JSON {mã chỉ tiêu: giá trị}")
_OPTIONAL_FILE: Any = File(None, description="Tệp báo cáo (PDF, DOCX, XLSX)")


@router.post("/inbox/{request_id}/submit", response={201: SubmissionOut, **ERRORS})
def inbox_submit(
    request: HttpRequest,
    request_id: UUID,
    values: str = _VALUES_FIELD,
    file: UploadedFile | None = _OPTIONAL_FILE,
) -> ninja.Status:
    """Nộp báo cáo (multipart): ``values`` a JSON object {mã chỉ tiêu: số}, ``file`` the report
    file (PDF/DOCX/XLSX; a valid signed PDF when the request asks). Refusals:
    ``report_values_invalid``, ``report_file_*``, ``report_signature_invalid``,
    ``report_request_closed``, ``report_resubmission_too_late``."""
    actor = _actor(request)
    r = selectors.inbox_get_for(actor=actor, public_id=request_id)
    parsed: Any = None
    if values.strip():
        try:
            parsed = json.loads(values)
        except ValueError:
            raise ValuesInvalid(
                _("Số liệu phải là một đối tượng JSON {mã chỉ tiêu: giá trị}."),
                fields={"values": [_("JSON không hợp lệ.")]},
            ) from None
    data = None
    name = ""
    if file is not None:
        data = file.read(conf.max_file_bytes() + 1)
        name = file.name or ""
    sub = services.report_submit(
        actor=actor, request=r, values=parsed, file_name=name, file_data=data
    )
    return ninja.Status(201, _submission_out(sub))


@router.get(
    "/submissions/{submission_id}/file",
    response={401: ErrorOut, 404: ErrorOut},
    openapi_extra={
        "responses": {
            200: {
                "description": "Tệp báo cáo",
                "content": {"application/octet-stream": {"schema": {"type": "string"}}},
            }
        }
    },
)
def submission_file(request: HttpRequest, submission_id: UUID) -> FileResponse:
    sub = selectors.submission_get_for(actor=_actor(request), public_id=submission_id)
    return file_response(sub)
