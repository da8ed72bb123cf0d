"""Official documents over JSON (mounted at /api/v1/documents): outgoing drafts and their
workflow actions, sending over the exchange and the recipients' statuses, incoming documents and
their actions, and the document's PDF. Scoped like the pages: another agency's document, or a
confidential one the caller is not cleared for, is 404. Accepted with the bearer token or the
session (the pages link the PDFs). Every refusal has a stable code and writes nothing."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

import ninja
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile

from xaso.core.schemas import ErrorOut
from xaso.dossiers.api_auth import AUTH, actor_of

from . import selectors, services
from .downloads import PDF, file_response
from .errors import DocumentNotFound
from .models import (
    IncomingDocument,
    OutgoingDocument,
    Recipient,
)
from .services.files import read_upload
from .services.outgoing import actions_allowed

router = Router(tags=["documents"], auth=AUTH)

ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
    503: ErrorOut,
}
OutgoingAction = Literal["submit", "review", "approve", "return", "number", "sign", "issue"]
IncomingAction = Literal["register", "assign", "opinion", "complete"]
#: ``models.SignatureState`` values: stable, clients match on them.
SignatureStateValue = Literal["valid", "untrusted", "not_signed", "not_checked"]


def _vn(moment: datetime | None) -> datetime | None:
    return timezone.localtime(moment) if moment is not None else None


class OutgoingIn(Schema):
    doc_type: str = Field(
        max_length=8, description="Loại văn bản (Phụ lục III Nghị định 30), CV = công văn"
    )
    subject: str = Field(max_length=500, description="Trích yếu nội dung")
    urgency: str = Field("normal", description="normal, urgent, very_urgent, flash")
    confidentiality: str = Field("normal", description="normal, confidential, secret, top_secret")
    cleared: list[str] = Field([], description="Tên đăng nhập của cán bộ được xem văn bản mật")
    drafting_unit: str = Field("", max_length=16, description="Chữ viết tắt đơn vị soạn thảo")
    recipients_text: str = Field("", max_length=1000, description="Nơi nhận")
    place: str = Field("", max_length=128, description="Địa danh")
    copies: int = Field(1, ge=1, le=999, description="Số lượng bản")


class VersionOut(Schema):
    version: int
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime


class CommentOut(Schema):
    author: str
    action: str
    text: str
    at: datetime


class OutgoingOut(Schema):
    id: str = Field(description="Mã công khai (UUID)")
    direction: Literal["outgoing"] = "outgoing"
    status: str
    status_name: str
    doc_type: str
    doc_type_name: str
    subject: str
    urgency: str
    confidentiality: str
    drafting_unit: str
    recipients_text: str
    number: str = Field(description="Số, ví dụ 05 (trống khi chưa cấp số)")
    notation: str = Field(description="Ký hiệu, ví dụ QĐ-UBND")
    number_notation: str = Field(description="Số và ký hiệu, ví dụ 05/QĐ-UBND")
    promulgation_date: date | None
    created_by: str
    created_at: datetime
    signer_name: str
    signer_position: str
    signed_at: datetime | None
    signed_sha256: str
    issued_at: datetime | None
    actions: list[str] = Field(description="Thao tác người gọi được làm lúc này")


class OutgoingDetailOut(OutgoingOut):
    versions: list[VersionOut]
    comments: list[CommentOut]


class OutgoingPageOut(Schema):
    count: int
    items: list[OutgoingOut]


class SignatureOut(Schema):
    state: SignatureStateValue = Field(
        description="Kết quả kiểm tra chữ ký số khi nhận: valid (hợp lệ), untrusted (chữ ký của "
        "tổ chức chưa được tin cậy, hoặc chứng thư hết hạn...), not_signed (không có chữ ký số), "
        "not_checked (văn bản giấy, hoặc nhận trước khi kết quả được lưu)"
    )
    state_name: str
    signer: str = Field(description="Người ký (tên trong chứng thư số)")
    signed_at: datetime | None = Field(description="Thời điểm ký")
    note: str = Field(description="Lý do (ví dụ tổ chức cấp chứng thư chưa được tin cậy)")


class IncomingOut(Schema):
    id: str
    direction: Literal["incoming"] = "incoming"
    status: str
    status_name: str
    source: str
    sender_code: str
    sender_name: str
    doc_type: str
    doc_type_name: str
    code: str = Field(description="Số, ký hiệu của văn bản đến, ví dụ 05/QĐ-UBND")
    promulgation_date: date | None
    subject: str
    urgency: str
    confidentiality: str
    arrived_at: datetime
    incoming_number: int | None = Field(description="Số đến")
    registered_at: datetime | None
    lead_handler: str | None
    co_handlers: list[str]
    deadline_days: int | None
    due_at: datetime | None
    overdue: bool
    progress: str
    completed_at: datetime | None
    result: str
    reply: str | None = Field(description="Mã công khai của văn bản trả lời")
    signature: SignatureOut


class OpinionOut(Schema):
    author: str
    text: str
    at: datetime


class IncomingDetailOut(IncomingOut):
    opinions: list[OpinionOut]


class IncomingPageOut(Schema):
    count: int
    items: list[IncomingOut]


class ListIn(Schema):
    status: str | None = None
    year: int | None = Field(None, ge=2000, le=2100, description="Năm của sổ (đã cấp số/số đến)")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0)


class IncomingListIn(ListIn):
    signature: SignatureStateValue | None = Field(
        None, description="Chỉ văn bản có kết quả kiểm tra chữ ký số này"
    )


class ActionIn(Schema):
    comment: str = Field("", max_length=4000, description="Ý kiến (bắt buộc khi trả lại)")


class SendIn(Schema):
    recipients: list[str] = Field(
        default_factory=list, description="Mã định danh điện tử của cơ quan nhận"
    )
    all_below: bool = Field(
        default=False,
        description="Cũng gửi mọi cơ quan cấp dưới (ở nút này và các nút khác trong danh bạ)",
    )


class RecipientOut(Schema):
    agency_code: str
    agency_name: str
    status: str
    status_name: str
    comment: str
    staff_name: str
    sent_at: datetime
    arrived_at: datetime | None
    refused_at: datetime | None
    registered_at: datetime | None
    assigned_at: datetime | None
    processing_at: datetime | None
    completed_at: datetime | None


class IncomingPaperIn(Schema):
    sender_name: str = Field(max_length=255, description="Tác giả (cơ quan ban hành)")
    doc_type: str = Field(max_length=8, description="Loại văn bản (Phụ lục III)")
    subject: str = Field(max_length=500)
    code_number: str = Field("", max_length=16)
    code_notation: str = Field("", max_length=64)
    promulgation_date: date | None = None
    signer_name: str = Field("", max_length=128)
    urgency: str = Field("normal", description="normal, urgent, very_urgent, flash")
    confidentiality: str = Field("normal", description="normal, confidential, secret, top_secret")
    cleared: list[str] = []


class IncomingActionIn(Schema):
    lead: str = Field("", description="assign: tên đăng nhập người chủ trì")
    co_handlers: list[str] = Field([], description="assign: người phối hợp")
    deadline_days: int | None = Field(None, description="assign: hạn xử lý, ngày làm việc")
    opinion: str = Field("", max_length=4000, description="assign: ý kiến chỉ đạo; opinion")
    result: str = Field("", max_length=1000, description="complete: kết quả")
    reply: str | None = Field(None, description="complete: mã công khai văn bản trả lời")


def _outgoing(d: OutgoingDocument, actor: Any) -> dict[str, Any]:
    return {
        "id": str(d.public_id),
        "status": d.status,
        "status_name": str(d.get_status_display()),
        "doc_type": d.doc_type,
        "doc_type_name": str(d.get_doc_type_display()),
        "subject": d.subject,
        "urgency": d.urgency,
        "confidentiality": d.confidentiality,
        "drafting_unit": d.drafting_unit,
        "recipients_text": d.recipients_text,
        "number": d.number_text,
        "notation": d.notation,
        "number_notation": d.number_notation,
        "promulgation_date": d.promulgation_date,
        "created_by": d.created_by.username,
        "created_at": _vn(d.created_at),
        "signer_name": d.signer_name,
        "signer_position": d.signer_position,
        "signed_at": _vn(d.signed_at),
        "signed_sha256": d.signed_sha256,
        "issued_at": _vn(d.issued_at),
        "actions": actions_allowed(actor, d),
    }


def _outgoing_detail(d: OutgoingDocument, actor: Any) -> dict[str, Any]:
    body = _outgoing(d, actor)
    body["versions"] = [
        {
            "version": v.version,
            "name": v.original_name,
            "content_type": v.content_type,
            "size": v.size,
            "sha256": v.sha256,
            "uploaded_by": v.uploaded_by.username,
            "uploaded_at": _vn(v.uploaded_at),
        }
        for v in d.versions.select_related("uploaded_by")
    ]
    body["comments"] = [
        {"author": c.author.username, "action": c.action, "text": c.text, "at": _vn(c.at)}
        for c in d.comments.select_related("author")
    ]
    return body


def _incoming(d: IncomingDocument) -> dict[str, Any]:
    progress = selectors.follow_up(d)
    return {
        "id": str(d.public_id),
        "status": d.status,
        "status_name": str(d.get_status_display()),
        "source": d.source,
        "sender_code": d.sender_code,
        "sender_name": d.sender_name,
        "doc_type": d.doc_type,
        "doc_type_name": str(d.get_doc_type_display()),
        "code": d.code_text,
        "promulgation_date": d.promulgation_date,
        "subject": d.subject,
        "urgency": d.urgency,
        "confidentiality": d.confidentiality,
        "arrived_at": _vn(d.arrived_at),
        "incoming_number": d.incoming_number,
        "registered_at": _vn(d.registered_at),
        "lead_handler": d.lead_handler.username if d.lead_handler else None,
        "co_handlers": sorted(s.username for s in d.co_handlers.all()),
        "deadline_days": d.deadline_days,
        "due_at": _vn(d.due_at),
        "overdue": progress.overdue,
        "progress": progress.label,
        "completed_at": _vn(d.completed_at),
        "result": d.result,
        "reply": str(d.reply.public_id) if d.reply else None,
        "signature": {
            "state": d.signature_state,
            "state_name": str(d.get_signature_state_display()),
            "signer": d.signature_signer,
            "signed_at": _vn(d.signature_signed_at),
            "note": d.signature_note,
        },
    }


def _incoming_detail(d: IncomingDocument) -> dict[str, Any]:
    body = _incoming(d)
    body["opinions"] = [
        {"author": o.author.username, "text": o.text, "at": _vn(o.at)}
        for o in d.opinions.select_related("author")
    ]
    return body


@router.post("/outgoing", response={201: OutgoingDetailOut, **ERRORS})
def outgoing_create(
    request: HttpRequest, file: File[UploadedFile], payload: Form[OutgoingIn]
) -> ninja.Status:
    """Dự thảo văn bản đi (specialist, leader): multipart with the draft ``file`` (PDF or DOCX,
    recognised by content, at most 30 MB) and the fields. Refusals: ``file_empty``,
    ``file_too_large``, ``file_type_unsupported``, ``document_invalid``, 403
    ``permission_denied``."""
    actor = actor_of(request)
    data = read_upload(file, size=file.size)
    d = services.outgoing_create(
        actor=actor,
        doc_type=payload.doc_type,
        subject=payload.subject,
        file_data=data,
        file_name=file.name or "",
        urgency=payload.urgency,
        confidentiality=payload.confidentiality,
        cleared=payload.cleared,
        drafting_unit=payload.drafting_unit,
        recipients_text=payload.recipients_text,
        place=payload.place,
        copies=payload.copies,
    )
    fresh = selectors.outgoing_get_for(actor=actor, public_id=str(d.public_id))
    return ninja.Status(201, _outgoing_detail(fresh, actor))


class ComposeIn(Schema):
    doc_type: str = Field(max_length=8, description="Loại văn bản (Phụ lục III), CV = công văn")
    subject: str = Field(max_length=500, description="Trích yếu nội dung")
    body: str = Field(max_length=50000, description="Nội dung, mỗi dòng một đoạn")
    signer_position: str = Field(max_length=128, description="Chức vụ người ký")
    signer_name: str = Field(max_length=128, description="Họ tên người ký")
    signer_authority: str = Field("", max_length=128, description="TM., KT., ...")
    superior_agency_name: str = Field("", max_length=255, description="Cơ quan chủ quản")
    addressees: list[str] = Field([], description="Kính gửi (công văn)")
    recipients: list[str] = Field([], description="Nơi nhận")
    urgency: str = "normal"
    confidentiality: str = "normal"
    cleared: list[str] = []
    drafting_unit: str = Field("", max_length=16)
    place: str = Field("", max_length=128)
    copies: int = Field(1, ge=1, le=999)


@router.post("/outgoing/compose", response={201: OutgoingDetailOut, **ERRORS})
def outgoing_compose(request: HttpRequest, payload: ComposeIn) -> ninja.Status:
    """Soạn văn bản theo thể thức Nghị định 30 (JSON): the draft is rendered to PDF as version 1
    with the number left blank; numbering prints the number and date. Refusals as for an
    upload, plus the layout's (``draft_incomplete``, ``notation_invalid``)."""
    actor = actor_of(request)
    d = services.outgoing_compose(actor=actor, **payload.model_dump())
    fresh = selectors.outgoing_get_for(actor=actor, public_id=str(d.public_id))
    return ninja.Status(201, _outgoing_detail(fresh, actor))


@router.get("/outgoing", response={200: OutgoingPageOut, **ERRORS})
def outgoing_list(request: HttpRequest, filters: Query[ListIn]) -> dict[str, Any]:
    """The agency's outgoing documents the caller may see, newest first."""
    actor = actor_of(request)
    qs = selectors.outgoing_list_for(actor=actor)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.year:
        qs = qs.filter(register__year=filters.year)
    page = list(qs[filters.offset : filters.offset + filters.limit])
    return {"count": qs.count(), "items": [_outgoing(d, actor) for d in page]}


@router.get("/incoming", response={200: IncomingPageOut, **ERRORS})
def incoming_list(request: HttpRequest, filters: Query[IncomingListIn]) -> dict[str, Any]:
    """The agency's incoming documents the caller may see, newest arrival first;
    ``status=overdue`` lists those past their deadline; ``signature`` keeps those whose arrival
    check of the digital signatures found that."""
    actor = actor_of(request)
    if filters.status == "overdue":
        qs = selectors.incoming_overdue_for(actor=actor)
    else:
        qs = selectors.incoming_list_for(actor=actor)
        if filters.status:
            qs = qs.filter(status=filters.status)
    if filters.year:
        qs = qs.filter(register__year=filters.year)
    if filters.signature:
        qs = qs.filter(signature_state=filters.signature)
    page = list(qs.prefetch_related("co_handlers")[filters.offset : filters.offset + filters.limit])
    return {"count": qs.count(), "items": [_incoming(d) for d in page]}


@router.post("/incoming", response={201: IncomingDetailOut, **ERRORS})
def incoming_create(
    request: HttpRequest, file: File[UploadedFile], payload: Form[IncomingPaperIn]
) -> ninja.Status:
    """Vào sổ văn bản đến bằng giấy (clerk): multipart with the scan ``file`` (PDF, JPEG, PNG);
    it takes the next số đến of the year."""
    actor = actor_of(request)
    d = services.incoming_create_paper(
        actor=actor,
        sender_name=payload.sender_name,
        doc_type=payload.doc_type,
        subject=payload.subject,
        scan_data=read_upload(file, size=file.size),
        scan_name=file.name or "",
        code_number=payload.code_number,
        code_notation=payload.code_notation,
        promulgation_date=payload.promulgation_date,
        signer_name=payload.signer_name,
        urgency=payload.urgency,
        confidentiality=payload.confidentiality,
        cleared=payload.cleared,
    )
    return ninja.Status(
        201, _incoming_detail(selectors.incoming_get_for(actor=actor, public_id=str(d.public_id)))
    )


def _find(actor: Any, id: str) -> OutgoingDocument | IncomingDocument:
    try:
        return selectors.outgoing_get_for(actor=actor, public_id=id)
    except Http404:
        return selectors.incoming_get_for(actor=actor, public_id=id)


@router.get("/{uuid:id}", response={200: OutgoingDetailOut | IncomingDetailOut, **ERRORS})
def document_detail(request: HttpRequest, id: str) -> dict[str, Any]:
    """One document, outgoing (with versions and comments) or incoming (with opinions);
    ``direction`` says which."""
    actor = actor_of(request)
    d = _find(actor, str(id))
    if isinstance(d, OutgoingDocument):
        return _outgoing_detail(d, actor)
    return _incoming_detail(d)


@router.post("/{uuid:id}/actions/{action}", response={200: OutgoingDetailOut, **ERRORS})
def outgoing_action(
    request: HttpRequest, id: str, action: OutgoingAction, payload: ActionIn | None = None
) -> dict[str, Any]:
    """A workflow action on an outgoing document: submit (specialist), review, approve, return
    {comment required} and sign (leader), number and issue (clerk). An action the status does
    not allow is 409 ``transition_not_allowed``; another role's is 403; nothing changes.
    Numbering prints the number and date into an uploaded PDF draft (a new version); one that
    cannot be written on (encrypted, damaged, already signed) is 409 ``pdf_not_stampable`` and
    takes no number. A DOCX draft gets them in its own "Số:" and "ngày … tháng … năm …" blanks
    (a new version); one without the "Số:" label, or already numbered, is 409
    ``docx_not_stampable`` and takes no number."""
    actor = actor_of(request)
    d = selectors.outgoing_get_for(actor=actor, public_id=str(id))
    services.outgoing_act(
        actor=actor, document=d, action=action, comment=payload.comment if payload else ""
    )
    return _outgoing_detail(selectors.outgoing_get_for(actor=actor, public_id=str(id)), actor)


@router.post("/{uuid:id}/send", response={200: list[RecipientOut], **ERRORS})
def outgoing_send(request: HttpRequest, id: str, payload: SendIn) -> list[dict[str, Any]]:
    """Gửi văn bản (clerk) to agencies by their electronic codes and/or to every agency below
    (``all_below``: a directive down), over the exchange. Refusals:
    ``recipient_invalid`` (unknown, the sender itself, twice), ``already_sent``, 409
    ``transition_not_allowed`` before issue."""
    actor = actor_of(request)
    d = selectors.outgoing_get_for(actor=actor, public_id=str(id))
    below = selectors.codes_below(agency=d.agency) if payload.all_below else []
    codes = list(dict.fromkeys([*(c.strip().upper() for c in payload.recipients), *below]))
    services.document_send(document=d, recipients=codes, actor=actor)
    return [_recipient(r) for r in selectors.recipients_of(d)]


def _recipient(r: Recipient) -> dict[str, Any]:
    return {
        "agency_code": r.agency_code,
        "agency_name": r.agency_name,
        "status": r.status,
        "status_name": str(r.get_status_display()),
        "comment": r.comment,
        "staff_name": r.staff_name,
        "sent_at": _vn(r.sent_at),
        **{
            f"{s}_at": _vn(getattr(r, f"{s}_at"))
            for s in ("arrived", "refused", "registered", "assigned", "processing", "completed")
        },
    }


@router.get("/{uuid:id}/recipients", response={200: list[RecipientOut], **ERRORS})
def outgoing_recipients(request: HttpRequest, id: str) -> list[dict[str, Any]]:
    """Each recipient agency's latest status (arrived, refused, registered, assigned,
    processing, completed) with when each happened."""
    d = selectors.outgoing_get_for(actor=actor_of(request), public_id=str(id))
    return [_recipient(r) for r in selectors.recipients_of(d)]


@router.post("/incoming/{uuid:id}/actions/{action}", response={200: IncomingDetailOut, **ERRORS})
def incoming_action(
    request: HttpRequest, id: str, action: IncomingAction, payload: IncomingActionIn | None = None
) -> dict[str, Any]:
    """register (clerk), assign {lead, co_handlers, deadline_days, opinion} (leader), opinion
    {opinion} (leader, handlers), complete {result, reply} (lead handler, leader)."""
    actor = actor_of(request)
    p = payload or IncomingActionIn.model_validate({})
    d = selectors.incoming_get_for(actor=actor, public_id=str(id))
    if action == "register":
        services.incoming_register(actor=actor, document=d)
    elif action == "assign":
        services.incoming_assign(
            actor=actor,
            document=d,
            lead=p.lead,
            co_handlers=p.co_handlers,
            deadline_days=p.deadline_days if p.deadline_days is not None else 0,
            opinion=p.opinion,
        )
    elif action == "opinion":
        services.incoming_add_opinion(actor=actor, document=d, text=p.opinion)
    else:
        reply = None
        if p.reply:
            try:
                reply = selectors.outgoing_get_for(actor=actor, public_id=p.reply)
            except Http404:
                raise DocumentNotFound(
                    _("Không tìm thấy văn bản trả lời."), fields={"reply": [_("Không tìm thấy.")]}
                ) from None
        services.incoming_complete(actor=actor, document=d, result=p.result, reply=reply)
    return _incoming_detail(selectors.incoming_get_for(actor=actor, public_id=str(id)))


class VersionIn(Schema):
    comment: str = Field("", max_length=4000, description="Ghi chú của phiên bản")


@router.post("/{uuid:id}/versions", response={201: OutgoingDetailOut, **ERRORS})
def outgoing_version(
    request: HttpRequest, id: str, file: File[UploadedFile], payload: Form[VersionIn]
) -> ninja.Status:
    """A new version of a draft (multipart ``file``, PDF or DOCX); earlier versions are kept.
    409 ``transition_not_allowed`` once the draft is submitted."""
    actor = actor_of(request)
    d = selectors.outgoing_get_for(actor=actor, public_id=str(id))
    services.outgoing_add_version(
        actor=actor,
        document=d,
        file_data=read_upload(file, size=file.size),
        file_name=file.name or "",
        comment=payload.comment,
    )
    return ninja.Status(
        201, _outgoing_detail(selectors.outgoing_get_for(actor=actor, public_id=str(id)), actor)
    )


@router.get(
    "/{uuid:id}/file.pdf",
    response={401: ErrorOut, 404: ErrorOut},
    openapi_extra={
        "responses": {
            200: {
                "description": "Tệp văn bản: bản đã ký số, hoặc bản dự thảo PDF mới nhất; với văn "
                "bản đến, tệp nhận được hoặc bản quét",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def document_file(request: HttpRequest, id: str) -> HttpResponse:
    """The document's PDF: an outgoing one's signed file (or latest PDF draft before signing),
    an incoming one's received file or scan. 404 when it has none in PDF."""
    actor = actor_of(request)
    d = _find(actor, str(id))
    name = f"{d.public_id}.pdf"
    if isinstance(d, OutgoingDocument):
        if d.signed_file:
            handle = d.signed_file
            name = f"{d.number_notation.replace('/', '-')}.signed.pdf"
        else:
            latest = d.versions.order_by("-version").first()
            if latest is None or not latest.is_pdf:
                raise DocumentNotFound(_("Văn bản chưa có tệp PDF."))
            handle = latest.file
    else:
        if not d.file or d.content_type != PDF:
            raise DocumentNotFound(_("Văn bản chưa có tệp PDF."))
        handle = d.file
    return file_response(handle.open("rb"), filename=name, content_type=PDF, attachment=False)
