"""Digitising old civil status books over JSON (mount at /api/v1/civil, paths /digitising/...):
an entry copied from a paper book, the scan of a page, a spreadsheet imported in the background
(202 with the batch's id, then its status, progress and report), the spreadsheet templates.

For the agency's civil status officers and leaders (403 for other staff writing, 404 for what
they may not read); every refusal is 4xx ``{"code", "message", "fields"}``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

import ninja
from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile

from xaso.core.schemas import ErrorOut
from xaso.org.models import Staff

from .. import permissions
from ..models import CivilBook
from . import selectors, services
from .models import BatchStatus, DigitisedEntry, ImportBatch, PageScan
from .responses import XLSX, scan_response, template_response

router = Router(tags=["civil-digitising"])

ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}
EventName = Literal["birth", "death", "marriage"]


def _actor(request: HttpRequest) -> Staff:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _writer(request: HttpRequest) -> Staff:
    """The caller, who must be allowed to write the registers (403 before any id is looked up)."""
    actor = _actor(request)
    permissions.require_register(actor)
    return actor


class PersonIn(Schema):
    """A person as the paper names them: the three name parts, or the full name as written."""

    family_name: str = Field("", max_length=64)
    middle_name: str = Field("", max_length=128)
    given_name: str = Field("", max_length=64)
    full_name: str = Field("", max_length=260)
    sex: Literal["male", "female", ""] = ""
    date_of_birth: date | None = None
    birth_year: int | None = Field(None, ge=1000, le=9999)
    id_number: str = Field("", max_length=20)
    ethnicity: str = Field("", max_length=64)
    nationality: str = Field("", max_length=64)
    residence: str = Field("", max_length=255)
    relationship: str = Field("", max_length=24)


class DigitisedIn(Schema):
    """One entry of a paper book: its book number, number, page and date as written; then the
    people and facts of its event (birth: child, mother, father, declarant, place_of_birth,
    home_town; death: deceased, date_of_death, place_of_death, cause, declarant; marriage:
    husband, wife)."""

    book_number: str = Field(..., max_length=16, description="Quyển số")
    entry_number: int = Field(..., ge=1, description="Số")
    page: int = Field(..., ge=1, description="Trang số")
    registered_on: date = Field(..., description="Ngày đăng ký ghi trong sổ")
    registrar_name: str = Field("", max_length=128, description="Người thực hiện")
    signer_name: str = Field("", max_length=128)
    signer_title: str = Field("", max_length=128)
    note: str = Field("", max_length=1000)
    child: PersonIn | None = None
    mother: PersonIn | None = None
    father: PersonIn | None = None
    declarant: PersonIn | None = None
    deceased: PersonIn | None = None
    husband: PersonIn | None = None
    wife: PersonIn | None = None
    place_of_birth: str = Field("", max_length=1000)
    home_town: str = Field("", max_length=1000)
    date_of_death: date | None = None
    place_of_death: str = Field("", max_length=1000)
    cause: str = Field("", max_length=1000)


class BookRef(Schema):
    id: UUID
    event: str
    year: int
    number: str
    label: str


class ScanOut(Schema):
    id: UUID
    book: BookRef
    page: int
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    url: str


class DigitisedOut(Schema):
    id: UUID = Field(description="Mã mục hộ tịch (như GET /api/v1/civil/records/{id})")
    event: str
    book: BookRef
    entry_number: int
    page: int | None
    registered_on: date
    scan: ScanOut | None


class ProgressOut(Schema):
    checked: int = Field(description="Số dòng đã kiểm tra")
    written: int = Field(description="Số dòng đã ghi vào sổ")
    total: int
    percent: int


class ProblemOut(Schema):
    row: int = Field(description="Dòng trong tệp (0: không thuộc dòng nào)")
    column: str
    message: str


class BatchOut(Schema):
    id: UUID
    event: str
    file_name: str
    status: str
    status_label: str
    encoding: str
    detected_encoding: str
    total_rows: int
    imported_rows: int
    progress: ProgressOut
    report: list[ProblemOut]
    error: str
    created_at: datetime
    finished_at: datetime | None
    url: str


def _book_ref(book: CivilBook) -> dict[str, Any]:
    return {
        "id": book.public_id,
        "event": book.event,
        "year": book.year,
        "number": book.number,
        "label": str(book),
    }


def _scan_out(scan: PageScan) -> dict[str, Any]:
    return {
        "id": scan.public_id,
        "book": _book_ref(scan.book),
        "page": scan.page,
        "content_type": scan.content_type,
        "size": scan.size,
        "sha256": scan.sha256,
        "uploaded_at": timezone.localtime(scan.uploaded_at),
        "url": f"/api/v1/civil/digitising/scans/{scan.public_id}",
    }


def batch_out(batch: ImportBatch) -> dict[str, Any]:
    progress = services.import_progress(batch)
    return {
        "id": batch.public_id,
        "event": batch.event,
        "file_name": batch.file_name,
        "status": batch.status,
        "status_label": str(BatchStatus(batch.status).label),
        "encoding": batch.encoding,
        "detected_encoding": batch.detected_encoding,
        "total_rows": batch.total_rows,
        "imported_rows": batch.imported_rows,
        "progress": {
            "checked": progress.checked,
            "written": progress.written,
            "total": progress.total,
            "percent": progress.percent,
        },
        "report": batch.report,
        "error": batch.error,
        "created_at": timezone.localtime(batch.created_at),
        "finished_at": timezone.localtime(batch.finished_at) if batch.finished_at else None,
        "url": f"/api/v1/civil/digitising/imports/{batch.public_id}",
    }


@router.post("/digitising/entries/{event}", response={201: DigitisedOut, **ERRORS})
def entry_create(request: HttpRequest, event: EventName, payload: DigitisedIn) -> ninja.Status:
    """Copy one entry of an old paper book of births, deaths or marriages, under the book
    number, entry number, page and date the paper gives (none allocated). Refusals:
    ``record_invalid`` and the field codes of the civil registrations, ``entry_number_taken``,
    ``book_number_mismatch``, ``book_closed``. Attach the page's scan with
    ``POST /digitising/books/{book}/pages/{page}/scan``."""
    actor = _writer(request)
    data = payload.model_dump(exclude_none=True)
    record = services.civil_digitise_entry(actor=actor, event=event, data=data)
    mark = DigitisedEntry.objects.select_related("record__book", "scan__book").get(record=record)
    return ninja.Status(
        201,
        {
            "id": record.public_id,
            "event": record.event,
            "book": _book_ref(mark.record.book),
            "entry_number": record.entry_number,
            "page": record.page,
            "registered_on": record.registered_on,
            "scan": _scan_out(mark.scan) if mark.scan else None,
        },
    )


@router.post("/digitising/books/{book_id}/pages/{page}/scan", response={201: ScanOut, **ERRORS})
def scan_upload(
    request: HttpRequest, book_id: UUID, page: int, file: File[UploadedFile]
) -> ninja.Status:
    """The scan of a page of a book (PDF, JPEG or PNG, recognised by content, ≤ 20 MB), once per
    page: 409 ``page_scan_exists`` after. The entries copied from that page point to it.
    Refusals: ``attachment_empty``, ``attachment_too_large``, ``attachment_type_unsupported``."""
    actor = _writer(request)
    book = selectors.book_for_scan(actor=actor, public_id=book_id)
    scan = services.page_scan_attach(actor=actor, book=book, page=page, upload=file)
    scan.book = book
    return ninja.Status(201, _scan_out(scan))


@router.get(
    "/digitising/scans/{scan_id}",
    response={401: ErrorOut, 404: ErrorOut},
    openapi_extra={
        "responses": {
            200: {
                "description": "Bản quét trang sổ (PDF, JPEG hoặc PNG)",
                "content": {
                    t: {"schema": {"type": "string", "format": "binary"}}
                    for t in ("application/pdf", "image/jpeg", "image/png")
                },
            }
        }
    },
)
def scan_download(request: HttpRequest, scan_id: UUID) -> FileResponse:
    """A page's scan as stored; opening it is audited as a read of personal data."""
    scan = selectors.scan_open_for(actor=_actor(request), public_id=scan_id)
    return scan_response(scan)


class ImportIn(Schema):
    event: EventName = Field(description="Loại sổ: birth, death hoặc marriage")
    encoding: Literal["auto", "tcvn3", "vni", "unicode"] = Field(
        "auto", description="Bảng mã chữ trong tệp (auto: tự nhận biết TCVN3, VNI, Unicode)"
    )


@router.post("/digitising/imports", response={202: BatchOut, **ERRORS})
def import_create(
    request: HttpRequest, file: File[UploadedFile], payload: Form[ImportIn]
) -> ninja.Status:
    """Import a spreadsheet (Excel .xlsx or CSV, the columns of
    ``GET /digitising/templates/{event}.xlsx``) of entries of old paper books, in the
    background: 202 with the batch, then follow its ``url``. Every row is checked first; a
    batch with a refused row imports nothing and its ``report`` lists every refused row.
    Refused at once (400 ``import_file_invalid``): an empty, unreadable or oversized file, no
    header row, a required column missing, more than 5,000 rows."""
    actor = _writer(request)
    batch = services.import_batch_request(
        actor=actor, event=payload.event, upload=file, encoding=payload.encoding
    )
    return ninja.Status(202, batch_out(batch))


@router.get("/digitising/imports/{batch_id}", response={200: BatchOut, **ERRORS})
def import_status(request: HttpRequest, batch_id: UUID) -> dict[str, Any]:
    """A batch's status (queued, running, done, rejected, failed), progress and report."""
    return batch_out(selectors.batch_get_for(actor=_actor(request), public_id=batch_id))


@router.get("/digitising/imports", response={200: list[BatchOut], **ERRORS})
def import_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The agency's last 50 batches, newest first."""
    return [batch_out(b) for b in selectors.batch_list_for(actor=_actor(request))[:50]]


@router.get(
    "/digitising/templates/{event}.xlsx",
    response={401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    openapi_extra={
        "responses": {
            200: {
                "description": "Mẫu bảng tính nhập sổ hộ tịch cũ",
                "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def template(request: HttpRequest, event: EventName) -> HttpResponse:
    """The spreadsheet template of a kind of book: the headers (required ones in bold) and an
    example row."""
    return template_response(event)
