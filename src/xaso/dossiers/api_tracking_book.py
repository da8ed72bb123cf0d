"""The tracking book made in the background (``services.tracking_book``): ask for it, poll its
status, download it when done. Only the official who asked sees it (404 for anyone else); the
file is kept for a day. Bearer token or session, like the direct book."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

import ninja
from django.http import FileResponse, HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema

from xaso.core.schemas import ErrorOut

from .api_auth import AUTH, actor_of
from .models import ExportStatus, TrackingBookExport
from .services.tracking_book import tracking_book_export_request
from .slips import tracking_book_file_name
from .tracking_book_selectors import (
    export_urls,
    tracking_book_export_get_for,
    tracking_book_export_open_for,
    tracking_book_exports_for,
)

router = Router(tags=["dossiers"], auth=AUTH)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA = {"pdf": "application/pdf", "xlsx": XLSX}
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class ExportIn(Schema):
    start: date = Field(alias="from", description="Từ ngày (YYYY-MM-DD)")
    end: date = Field(alias="to", description="Đến ngày (YYYY-MM-DD), tính cả ngày này")
    format: Literal["pdf", "xlsx"]

    model_config = {"populate_by_name": True}


class ExportOut(Schema):
    id: str = Field(description="Mã công khai (UUID) của yêu cầu lập sổ")
    status: str = Field(description="queued, running, done, failed, expired")
    status_label: str
    format: str
    start: date = Field(alias="from")
    end: date = Field(alias="to")
    created_at: datetime
    finished_at: datetime | None
    rows: int | None = Field(description="Số hồ sơ trong sổ, khi đã lập xong")
    size: int = Field(description="Dung lượng tệp (byte), khi đã lập xong")
    error: str = Field(description="Mã lỗi khi không lập được (ví dụ permission_denied)")
    url: str = Field(description="Địa chỉ xem trạng thái")
    download_url: str | None = Field(description="Địa chỉ tải sổ, khi đã lập xong")

    model_config = {"populate_by_name": True}


def _out(export: TrackingBookExport) -> dict[str, Any]:
    url, download = export_urls(export)
    return {
        "id": str(export.public_id),
        "status": export.status,
        "status_label": str(ExportStatus(export.status).label),
        "format": export.format,
        "from": export.period_start,
        "to": export.period_end,
        "created_at": timezone.localtime(export.created_at),
        "finished_at": timezone.localtime(export.finished_at) if export.finished_at else None,
        "rows": export.rows,
        "size": export.size,
        "error": export.error,
        "url": url,
        "download_url": download,
    }


@router.post("/tracking-book/exports", response={202: ExportOut, **ERRORS}, by_alias=True)
def tracking_book_export_create(request: HttpRequest, payload: ExportIn) -> ninja.Status:
    """Ask for Sổ theo dõi hồ sơ of the caller's agency for a period of up to 366 days, made in
    the background (reception, leader). Poll ``url`` until ``status`` is ``done`` (then fetch
    ``download_url``) or ``failed``. Asking again for the same book while it is being made
    answers the same request."""
    export = tracking_book_export_request(
        actor=actor_of(request), start=payload.start, end=payload.end, format=payload.format
    )
    return ninja.Status(202, _out(export))


@router.get("/tracking-book/exports", response={200: list[ExportOut], **ERRORS}, by_alias=True)
def tracking_book_export_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The books the caller asked for, newest first (the last 50)."""
    return [_out(e) for e in tracking_book_exports_for(actor=actor_of(request))[:50]]


@router.get(
    "/tracking-book/exports/{export_id}", response={200: ExportOut, **ERRORS}, by_alias=True
)
def tracking_book_export_status(request: HttpRequest, export_id: str) -> dict[str, Any]:
    """Where the book is: queued, running, done (``download_url``), failed (``error``) or
    expired (the file was deleted after a day)."""
    return _out(tracking_book_export_get_for(actor=actor_of(request), export_id=export_id))


@router.get(
    "/tracking-book/exports/{export_id}/file",
    response={401: ErrorOut, 404: ErrorOut, 409: ErrorOut, 410: ErrorOut},
    openapi_extra={
        "responses": {
            200: {
                "description": "Sổ theo dõi hồ sơ (PDF hoặc Excel)",
                "content": {
                    t: {"schema": {"type": "string", "format": "binary"}} for t in MEDIA.values()
                },
            }
        }
    },
)
def tracking_book_export_file(request: HttpRequest, export_id: str) -> FileResponse:
    """The made book. 409 ``tracking_book_export_not_ready`` while it is being made,
    ``tracking_book_export_failed`` when it could not be; 410 ``tracking_book_export_expired``
    once its file was deleted."""
    export = tracking_book_export_open_for(actor=actor_of(request), export_id=export_id)
    response = FileResponse(
        export.file.open("rb"),
        as_attachment=export.format == "xlsx",
        filename=tracking_book_file_name(export.period_start, export.period_end, export.format),
        content_type=MEDIA[export.format],
    )
    response["Cache-Control"] = "private, no-store"
    return response
