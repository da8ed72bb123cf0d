"""The node-to-node endpoint of the exchange (liên thông văn bản, QCVN 102:2016/BTTTT packages):
no user login; every request is signed by the sending node (``nodes``) and checked against the
certificate this node has on file for it."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from xaso.core.schemas import ErrorOut

from . import conf, services
from .errors import PackageTooLarge
from .transport import HEADER_NODE, HEADER_RECIPIENT, HEADER_SIGNATURE

router = Router(tags=["exchange"])

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 413: ErrorOut}

_HEADERS = [
    {
        "name": HEADER_NODE,
        "in": "header",
        "required": True,
        "schema": {"type": "string"},
        "description": "Mã nút gửi (như trong danh bạ của nút nhận).",
    },
    {
        "name": HEADER_SIGNATURE,
        "in": "header",
        "required": True,
        "schema": {"type": "string"},
        "description": (
            "Chữ ký RSA-PSS/SHA-256 (base64) của nút gửi trên "
            "'xaso-exchange-v1\\n<mã nút>\\n<mã cơ quan nhận>\\n<sha256 hex của thân>'."
        ),
    },
]


class InboxOut(Schema):
    message_id: str
    recipient_code: str
    kind: str
    state: str
    reason: str
    received_at: datetime


class LookupOut(Schema):
    message_id: str
    recipients: list[InboxOut]


def _inbox_out(row: object) -> dict[str, object]:
    return {
        "message_id": row.message_id,  # type: ignore[attr-defined]
        "recipient_code": row.recipient_code,  # type: ignore[attr-defined]
        "kind": row.kind,  # type: ignore[attr-defined]
        "state": row.state,  # type: ignore[attr-defined]
        "reason": row.reason,  # type: ignore[attr-defined]
        "received_at": row.received_at,  # type: ignore[attr-defined]
    }


@router.post(
    "/messages",
    auth=None,
    response={200: InboxOut, **ERRORS},
    summary="Nhận gói tin edXML từ nút khác",
    description=(
        "Thân là gói tin edXML (QCVN 102:2016/BTTTT): văn bản (MessageHeader) hoặc thông báo "
        "trạng thái (Status), cho một cơ quan nhận (tiêu đề X-Xaso-Recipient). Gói tin được ghi "
        "nhận đúng một lần: gửi lại cùng gói tin nhận lại đúng câu trả lời cũ, không xử lý lại. "
        "Nút lạ → 403 exchange_node_unknown; sai chữ ký → 403 exchange_signature_invalid; thiếu "
        "chữ ký → 401 exchange_signature_missing. Gói tin thiếu chữ ký số XML (DigitalSignature) "
        "→ 403 exchange_xml_signature_missing; chữ ký số XML sai, không bao trùm toàn bộ gói tin "
        "hoặc không khớp chứng thư số đã đăng ký của nút gửi → 403 "
        "exchange_xml_signature_invalid. Bị từ chối thì không có gì được ghi nhận."
    ),
    openapi_extra={
        "parameters": [
            *_HEADERS,
            {
                "name": HEADER_RECIPIENT,
                "in": "header",
                "required": True,
                "schema": {"type": "string"},
                "description": "Mã định danh cơ quan nhận ở nút này.",
            },
        ],
        "requestBody": {
            "required": True,
            "content": {"application/xml": {"schema": {"type": "string", "format": "binary"}}},
        },
    },
)
def receive_message(request: HttpRequest) -> dict[str, object]:
    limit = conf.max_bytes()
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise PackageTooLarge(_("Gói tin lớn quá giới hạn %(mb)s MB.") % {"mb": limit // 2**20})
    # Read the stream, not request.body: DATA_UPLOAD_MAX_MEMORY_SIZE is for forms, a package
    # with its signed PDFs is larger; the limit above is the exchange's own.
    body = request.read(limit + 1)
    if len(body) > limit:
        raise PackageTooLarge(_("Gói tin lớn quá giới hạn %(mb)s MB.") % {"mb": limit // 2**20})
    row = services.node_message_receive(
        node_code=request.headers.get(HEADER_NODE, ""),
        recipient_code=request.headers.get(HEADER_RECIPIENT, ""),
        signature=request.headers.get(HEADER_SIGNATURE, ""),
        body=body,
    )
    return _inbox_out(row)


@router.get(
    "/messages/{message_id}",
    auth=None,
    response={200: LookupOut, **ERRORS},
    summary="Nút gửi hỏi nút nhận đã ghi nhận gói tin thế nào",
    description=(
        "Chỉ nút đã gửi gói tin hỏi được (chữ ký của nút trên mã gói tin, mã cơ quan nhận để "
        "trống). Trả về trạng thái ghi nhận ở từng cơ quan nhận của nút này."
    ),
    openapi_extra={"parameters": _HEADERS},
)
def lookup_message(request: HttpRequest, message_id: str) -> dict[str, object]:
    rows = services.node_message_lookup(
        node_code=request.headers.get(HEADER_NODE, ""),
        signature=request.headers.get(HEADER_SIGNATURE, ""),
        message_id=message_id,
    )
    return {"message_id": message_id, "recipients": [_inbox_out(r) for r in rows]}
