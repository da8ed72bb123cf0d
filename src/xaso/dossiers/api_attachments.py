"""A dossier's scans over HTTP: upload (multipart), list and download. Scoped to the caller's
agencies like every dossier endpoint (404 outside them); accepted by the bearer token or the
session (the dossier page links the downloads). The upload goes through the same service as the
counter and the dossier page (``services.dossier_attach``): type recognised by content, size
limit, one stable code per refusal."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import ninja
from django.http import FileResponse, HttpRequest
from django.utils import timezone
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile

from xaso.core.schemas import ErrorOut

from . import services
from .api_auth import AUTH, actor_of
from .attachment_selectors import attachment_list_for, attachment_open_for
from .models import DossierAttachment
from .selectors import dossier_get_for
from .services.attachments import SIGNATURES

router = Router(tags=["dossiers"], auth=AUTH)

ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}
_EXTENSIONS = {content_type: extension for _magic, content_type, extension in SIGNATURES}


class AttachmentIn(Schema):
    title: str = Field("", max_length=300, description="Tên bản quét (mặc định: tên tệp)")
    checklist: int | None = Field(
        None, ge=1, description="Số thứ tự giấy tờ trong danh mục đã nhận của hồ sơ"
    )


class AttachmentOut(Schema):
    id: str = Field(description="Mã công khai (UUID) của bản quét")
    title: str
    content_type: str = Field(description="application/pdf, image/jpeg hoặc image/png")
    size: int
    sha256: str
    checklist: int | None
    checklist_name: str | None
    uploaded_at: datetime
    uploaded_by: str | None
    url: str = Field(description="Địa chỉ tải bản quét")


def _out(code: str, a: DossierAttachment) -> dict[str, Any]:
    item = a.checklist_item
    return {
        "id": str(a.public_id),
        "title": a.title,
        "content_type": a.content_type,
        "size": a.size,
        "sha256": a.sha256,
        "checklist": item.order if item else None,
        "checklist_name": item.name if item else None,
        "uploaded_at": timezone.localtime(a.uploaded_at),
        "uploaded_by": a.uploaded_by.username if a.uploaded_by else None,
        "url": f"/api/v1/dossiers/{code}/attachments/{a.public_id}",
    }


@router.post("/dossiers/{code}/attachments", response={201: AttachmentOut, **ERRORS})
def attachment_upload(
    request: HttpRequest, code: str, file: File[UploadedFile], payload: Form[AttachmentIn]
) -> ninja.Status:
    """Đính kèm bản quét (reception, specialist) to a dossier that is not closed. Refusals:
    ``attachment_empty``, ``attachment_too_large`` (over 20 MB),
    ``attachment_type_unsupported`` (not a PDF, JPEG or PNG by its content),
    ``attachment_checklist_unknown`` (no such document in the dossier's checklist), 403
    ``permission_denied`` for other roles, 409 ``transition_not_allowed`` once the dossier is
    closed, 404 outside the caller's agencies. A refusal writes nothing."""
    actor = actor_of(request)
    dossier = dossier_get_for(actor=actor, code=code)
    attachment = services.dossier_attach(
        actor=actor,
        dossier=dossier,
        upload=file,
        title=payload.title or file.name or "",
        checklist_order=payload.checklist,
    )
    fresh = DossierAttachment.objects.select_related("checklist_item", "uploaded_by").get(
        pk=attachment.pk
    )
    return ninja.Status(201, _out(dossier.code, fresh))


@router.get("/dossiers/{code}/attachments", response={200: list[AttachmentOut], **ERRORS})
def attachment_list(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    """The dossier's scans, oldest first (titles, types, sizes; not their content)."""
    dossier, scans = attachment_list_for(actor=actor_of(request), code=code)
    return [_out(dossier.code, a) for a in scans]


@router.get(
    "/dossiers/{code}/attachments/{attachment_id}",
    response={401: ErrorOut, 404: ErrorOut},
    openapi_extra={
        "responses": {
            200: {
                "description": "Bản quét (PDF, JPEG hoặc PNG)",
                "content": {
                    t: {"schema": {"type": "string", "format": "binary"}} for t in _EXTENSIONS
                },
            }
        }
    },
)
def attachment_download(request: HttpRequest, code: str, attachment_id: str) -> FileResponse:
    """One scan, as stored; opening it is audited as a read of personal data."""
    item = attachment_open_for(actor=actor_of(request), code=code, public_id=attachment_id)
    response = FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=f"{item.title}{_EXTENSIONS.get(item.content_type, '')}",
        content_type=item.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
