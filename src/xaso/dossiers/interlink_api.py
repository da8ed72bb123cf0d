"""Liên thông of a dossier over HTTP (Decree 118/2025/NĐ-CP Art 18; the exchange of QCVN
102:2016/BTTTT): send it to an agency of another level, list its hand-overs with the statuses
reported back, and — at the agency that received it — send the result back (multipart, with the
result file). Scoped to the caller's agencies like every dossier endpoint (404 outside them);
the services decide who may act (the workflow's transition table), so a refused call writes
nothing and answers the usual ``{"code", "message", "fields"}``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import ninja
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile

from xaso.core.schemas import ErrorOut

from . import interlink
from .api_auth import AUTH, actor_of
from .interlink_models import DossierInterlink, InterlinkStatus, WithdrawalStatus
from .selectors import dossier_get_for

router = Router(tags=["dossiers"], auth=AUTH)

ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


class InterlinkIn(Schema):
    to: str = Field(max_length=35, description="Mã định danh cơ quan nhận (danh bạ liên thông)")
    note: str = Field("", max_length=2000, description="Ý kiến chuyển hồ sơ")


class ResultIn(Schema):
    outcome: str = Field(description="approved (giải quyết) hoặc refused (từ chối giải quyết)")
    reason: str = Field("", max_length=2000, description="Lý do (bắt buộc khi từ chối)")


class InterlinkOut(Schema):
    id: str = Field(description="Mã công khai (UUID) của lần chuyển liên thông")
    direction: str = Field(description="out: chuyển đi; in: nhận đến")
    peer_code: str = Field(description="Mã cơ quan bên kia")
    peer_name: str
    peer_dossier_code: str = Field(description="Mã số hồ sơ tại cơ quan bên kia")
    message_id: str = Field(description="Mã gói tin liên thông (edXML DocumentId)")
    status: str = Field(description="sent, arrived, refused, registered, processing, completed")
    status_label: str
    status_at: datetime
    status_comment: str
    note: str
    outcome: str | None = Field(description="approved, refused; null khi chưa có kết quả")
    outcome_reason: str
    result_at: datetime | None
    result_file: str | None = Field(description="Địa chỉ tải tệp kết quả")
    result_status: str | None = Field(
        description="Ở cơ quan nhận: trạng thái gói kết quả do cơ quan gửi báo lại"
    )
    withdrawal_status: str | None = Field(
        description="Người nộp rút hồ sơ: sent (đã gửi yêu cầu dừng), applied (cơ quan nhận đã "
        "dừng giải quyết), refused (cơ quan nhận không dừng được); null khi không rút"
    )
    withdrawal_status_label: str | None
    withdrawal_reason: str = Field(description="Lý do rút hồ sơ của người nộp")
    withdrawal_comment: str = Field(description="Lý do cơ quan nhận không dừng được")
    withdrawal_at: datetime | None


def _out(code: str, row: DossierInterlink) -> dict[str, Any]:
    att = row.result_attachment
    return {
        "id": str(row.public_id),
        "direction": row.direction,
        "peer_code": row.peer_code,
        "peer_name": row.peer_name,
        "peer_dossier_code": row.peer_dossier_code,
        "message_id": row.message_id,
        "status": row.status,
        "status_label": str(InterlinkStatus(row.status).label),
        "status_at": timezone.localtime(row.status_at),
        "status_comment": row.status_comment,
        "note": row.note,
        "outcome": row.outcome or None,
        "outcome_reason": row.outcome_reason,
        "result_at": timezone.localtime(row.result_at) if row.result_at else None,
        "result_file": f"/api/v1/dossiers/{code}/attachments/{att.public_id}" if att else None,
        "result_status": row.result_status or None,
        "withdrawal_status": row.withdrawal_status or None,
        "withdrawal_status_label": (
            str(WithdrawalStatus(row.withdrawal_status).label) if row.withdrawal_status else None
        ),
        "withdrawal_reason": row.withdrawal_reason,
        "withdrawal_comment": row.withdrawal_comment,
        "withdrawal_at": timezone.localtime(row.withdrawal_at) if row.withdrawal_at else None,
    }


def _fresh(row: DossierInterlink) -> DossierInterlink:
    return DossierInterlink.objects.select_related("result_attachment").get(pk=row.pk)


@router.post("/dossiers/{code}/interlink", response={201: InterlinkOut, **ERRORS})
def interlink_send(request: HttpRequest, code: str, payload: InterlinkIn) -> ninja.Status:
    """Chuyển liên thông: send the dossier with its scans to the agency ``to`` (of this node or
    of another node in the exchange directory). Who may: the workflow's ``transfer`` rule
    (reception or leader while received, the leader while in processing, of the competent
    agency), else 403 ``permission_denied``; 409 ``transition_not_allowed`` from other statuses,
    ``interlink_active`` while a hand-over awaits its result, ``interlink_no_scans`` before the
    dossier is digitised; 400 ``interlink_target_invalid`` for an unknown or own agency."""
    actor = actor_of(request)
    dossier = dossier_get_for(actor=actor, code=code)
    row = interlink.dossier_interlink_send(
        dossier=dossier, to_code=payload.to, note=payload.note, actor=actor
    )
    return ninja.Status(201, _out(dossier.code, _fresh(row)))


@router.get("/dossiers/{code}/interlink", response={200: list[InterlinkOut], **ERRORS})
def interlink_list(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    """The dossier's liên thông hand-overs, oldest first, with the statuses reported back and,
    once the applicant withdrew the dossier, where the request to stop stands (``refused`` with
    the other agency's reason in ``withdrawal_comment``)."""
    dossier = dossier_get_for(actor=actor_of(request), code=code)
    return [_out(dossier.code, row) for row in interlink.interlinks_of(dossier)]


@router.post("/dossiers/{code}/interlink/result", response={201: InterlinkOut, **ERRORS})
def interlink_result(
    request: HttpRequest,
    code: str,
    payload: Form[ResultIn],
    file: UploadedFile | None = File(None),  # noqa: B008 - ninja's parameter declaration
) -> ninja.Status:
    """Gửi kết quả liên thông (at the agency that received the dossier by liên thông): outcome
    ``approved`` once its leader approved it, or ``refused`` with ``reason``; ``file`` the result
    (PDF, JPEG or PNG). Refusals: 404 ``interlink_not_incoming`` for a dossier that did not come
    by liên thông, 409 ``interlink_result_sent`` the second time, ``transition_not_allowed``,
    403 ``permission_denied``, 400 ``interlink_outcome_invalid``, ``reason_required``,
    ``attachment_type_unsupported``."""
    actor = actor_of(request)
    dossier = dossier_get_for(actor=actor, code=code)
    row = interlink.dossier_interlink_reply(
        dossier=dossier,
        outcome=payload.outcome,
        reason=payload.reason,
        upload=file,
        actor=actor,
    )
    return ninja.Status(201, _out(dossier.code, _fresh(row)))
