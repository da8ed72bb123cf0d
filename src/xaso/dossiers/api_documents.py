"""The one-stop documents over HTTP: each dossier's slips as PDF, the agency's tracking book as
PDF or Excel, and (``api_attachments``) the dossier's scans. The web pages link here from a
logged-in session, so these endpoints accept the session cookie as well as the API's bearer
token (``api_auth``)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from xaso.core.schemas import ErrorOut

from . import slips
from .api_attachments import router as attachments_router
from .api_auth import AUTH, actor_of
from .documents import render_document, render_tracking_book_pdf, render_tracking_book_xlsx

router = Router(tags=["dossiers"], auth=AUTH)
router.add_router("", attachments_router)

KindName = Literal["receipt", "supplement", "refusal", "apology", "stop", "control_sheet"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _binary(media_type: str, description: str) -> dict[str, Any]:
    return {
        "responses": {
            200: {
                "description": description,
                "content": {media_type: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    }


def _file(content: bytes, media_type: str, filename: str, *, inline: bool) -> HttpResponse:
    response = HttpResponse(content, content_type=media_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@router.get(
    "/dossiers/{code}/documents/{kind}.pdf",
    response={401: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    openapi_extra=_binary("application/pdf", "Văn bản PDF"),
)
def dossier_document(request: HttpRequest, code: str, kind: KindName) -> HttpResponse:
    """A document of the dossier as PDF: receipt (Form 01), supplement (Form 02), refusal
    (Form 03), apology (hẹn lại), stop (thông báo dừng), control_sheet (Form 05). A document the
    dossier's history does not have is 409 ``document_not_applicable``; a dossier outside the
    caller's agencies is 404. Producing it is audited as a read of the applicant's data."""
    value = slips.document_for(actor=actor_of(request), code=code, kind=kind)
    return _file(render_document(value), "application/pdf", f"{code}-{kind}.pdf", inline=True)


class PeriodIn(Schema):
    start: date = Field(alias="from", description="Từ ngày (YYYY-MM-DD)")
    end: date = Field(alias="to", description="Đến ngày (YYYY-MM-DD), tính cả ngày này")

    model_config = {"populate_by_name": True}


def _book(request: HttpRequest, period: PeriodIn) -> Any:
    return slips.tracking_book_for(actor=actor_of(request), start=period.start, end=period.end)


def _book_name(book: Any, extension: str) -> str:
    return f"so-theo-doi-ho-so-{book.period_start:%Y%m%d}-{book.period_end:%Y%m%d}.{extension}"


BOOK_ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut}


@router.get(
    "/tracking-book.xlsx",
    response=BOOK_ERRORS,
    openapi_extra=_binary(XLSX, "Sổ theo dõi hồ sơ (Excel)"),
)
def tracking_book_xlsx(request: HttpRequest, period: Query[PeriodIn]) -> HttpResponse:
    """Sổ theo dõi hồ sơ of the caller's agency for a period, as Excel (reception, leader,
    admin): the dossiers its counter received from ``from`` to ``to``."""
    book = _book(request, period)
    return _file(render_tracking_book_xlsx(book), XLSX, _book_name(book, "xlsx"), inline=False)


@router.get(
    "/tracking-book.pdf",
    response=BOOK_ERRORS,
    openapi_extra=_binary("application/pdf", "Sổ theo dõi hồ sơ (PDF, A4 ngang)"),
)
def tracking_book_pdf(request: HttpRequest, period: Query[PeriodIn]) -> HttpResponse:
    """The same tracking book as a printable register (A4 landscape)."""
    book = _book(request, period)
    return _file(
        render_tracking_book_pdf(book), "application/pdf", _book_name(book, "pdf"), inline=True
    )
