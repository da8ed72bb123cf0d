"""The one-stop documents over HTTP: each dossier's slips as PDF, the agency's tracking book as
PDF or Excel, and (``api_attachments``) the dossier's scans. The web pages link here from a
logged-in session, so these endpoints accept the session cookie as well as the API's bearer
token (``api_auth``)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from xaso.core.schemas import ErrorOut

from . import slips
from .api_attachments import router as attachments_router
from .api_auth import AUTH, actor_of
from .api_tracking_book import router as tracking_book_router
from .documents import render_document, render_tracking_book_pdf, render_tracking_book_xlsx
from .errors import TrackingBookTooLarge

router = Router(tags=["dossiers"], auth=AUTH)
router.add_router("", attachments_router)
router.add_router("", tracking_book_router)

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


#: The most dossiers a book printed while the caller waits may have (about 25 ms a dossier as
#: PDF, 0.5 ms as Excel, measured); a larger one is made in the background
#: (``api_tracking_book``).
DIRECT_MAX_ROWS = {"pdf": 200, "xlsx": 5000}


def _book(request: HttpRequest, period: PeriodIn, extension: str) -> Any:
    actor = actor_of(request)
    size = slips.tracking_book_size(actor=actor, start=period.start, end=period.end)
    limit = DIRECT_MAX_ROWS[extension]
    if size > limit:
        raise TrackingBookTooLarge(
            _(
                "Sổ có %(n)d hồ sơ, quá %(max)d hồ sơ để lập ngay: hãy yêu cầu lập sổ trong nền "
                "(POST /api/v1/tracking-book/exports) rồi tải về khi xong."
            )
            % {"n": size, "max": limit}
        )
    return slips.tracking_book_for(actor=actor, start=period.start, end=period.end)


def _book_name(book: Any, extension: str) -> str:
    return slips.tracking_book_file_name(book.period_start, book.period_end, extension)


BOOK_ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


@router.get(
    "/tracking-book.xlsx",
    response=BOOK_ERRORS,
    openapi_extra=_binary(XLSX, "Sổ theo dõi hồ sơ (Excel)"),
)
def tracking_book_xlsx(request: HttpRequest, period: Query[PeriodIn]) -> HttpResponse:
    """Sổ theo dõi hồ sơ of the caller's agency for a period, as Excel (reception, leader): the
    dossiers its counter received from ``from`` to ``to``. A book of more than 5,000 dossiers is
    refused (409 ``tracking_book_too_large``): ask for it at ``/tracking-book/exports``."""
    book = _book(request, period, "xlsx")
    return _file(render_tracking_book_xlsx(book), XLSX, _book_name(book, "xlsx"), inline=False)


@router.get(
    "/tracking-book.pdf",
    response=BOOK_ERRORS,
    openapi_extra=_binary("application/pdf", "Sổ theo dõi hồ sơ (PDF, A4 ngang)"),
)
def tracking_book_pdf(request: HttpRequest, period: Query[PeriodIn]) -> HttpResponse:
    """The same tracking book as a printable register (A4 landscape), up to 200 dossiers; a
    larger one is refused (409 ``tracking_book_too_large``) and made at
    ``/tracking-book/exports``."""
    book = _book(request, period, "pdf")
    return _file(
        render_tracking_book_pdf(book), "application/pdf", _book_name(book, "pdf"), inline=True
    )
