"""Certificates and extracts over JSON and PDF (mounted at /api/v1/civil beside ``civil.api``).

- ``GET /records/{id}/certificate.pdf`` issues a document of an entry of the caller's agency: the
  original the first time, a copy afterwards, or ``?kind=original|copy|extract``; signed by the
  agency (``medium=electronic``, the default) or to print (``medium=paper``); from an
  extract-copy entry, one of the copies it asked for. Each call is a document issued: recorded,
  counted and audited. Outside the caller's agency or role: 404.
- ``GET /records/{id}/certificates``: the documents issued from an entry, counted.
- ``GET /certificates/{code}`` and ``POST /certificates/{code}/match`` (no login, limited per
  client address like the public dossier lookup): what the QR code of a document opens.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema
from ninja.files import UploadedFile

from xaso.core.schemas import ErrorOut
from xaso.dossiers.errors import Throttled
from xaso.dossiers.views.public import lookup_allowed
from xaso.org.models import Staff
from xaso.signing.verify import upload_read

from . import selectors
from .certificates import selectors as issued
from .certificates.render import format_code
from .certificates.responses import pdf_response
from .certificates.services import certificate_issue

router = Router(tags=["civil"])

ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}
PUBLIC_ERRORS: dict[int, Any] = {
    400: ErrorOut,
    404: ErrorOut,
    413: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}


def _actor(request: HttpRequest) -> Staff:
    return request.auth  # type: ignore[attr-defined,no-any-return]


class CertificateIn(Schema):
    kind: Literal["original", "copy", "extract"] | None = None
    medium: Literal["electronic", "paper"] = "electronic"
    signer: str | None = None


@router.get(
    "/records/{record_id}/certificate.pdf",
    response=ERRORS,
    openapi_extra={
        "responses": {
            200: {
                "description": "Giấy tờ hộ tịch (PDF, ký số khi medium=electronic)",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def certificate_pdf(
    request: HttpRequest, record_id: UUID, options: Query[CertificateIn]
) -> HttpResponse:
    """Cấp giấy tờ hộ tịch: the original of the entry the first time, a copy afterwards, or
    ``kind``; ``medium=electronic`` signs it with the agency's certificate (PAdES, visible stamp),
    ``paper`` gives a PDF to print and sign by hand; ``signer``: the username of the leader who
    signs (default: the caller if a leader, else the entry's signer). Headers
    ``X-Verification-Code``, ``X-Document-Kind``, ``X-Issue-Number``. Errors: 409
    ``original_already_issued``, ``certificate_kind_unavailable``, ``copies_exhausted``,
    ``certificate_missing`` (no signing certificate); 400 ``signer_required``,
    ``signer_invalid``, ``signer_title_missing``; 404 outside the caller's agency."""
    actor = _actor(request)
    record = selectors.record_get_for(actor=actor, public_id=record_id)
    done = certificate_issue(
        actor=actor,
        record=record,
        kind=options.kind,
        medium=options.medium,
        signer=issued.signer_get_for(actor=actor, username=options.signer),
    )
    return pdf_response(done.pdf, done.document)


class IssuedOut(Schema):
    code: str
    code_printed: str
    kind: str
    number: int
    medium: str
    title: str
    issued_at: datetime
    issued_by: str
    signer_name: str
    signer_title: str
    request: UUID | None
    sha256: str


class IssuedListOut(Schema):
    record: UUID
    originals: int
    copies: int
    items: list[IssuedOut]


@router.get("/records/{record_id}/certificates", response={200: IssuedListOut, **ERRORS})
def certificate_list(request: HttpRequest, record_id: UUID) -> dict[str, Any]:
    """The documents issued from an entry, in order, with the counts of originals and copies
    (copies and extracts)."""
    record, documents = issued.issued_list_for(actor=_actor(request), record_id=record_id)
    items = [
        {
            "code": d.code,
            "code_printed": format_code(d.code),
            "kind": d.kind,
            "number": d.number,
            "medium": d.medium,
            "title": d.title,
            "issued_at": d.issued_at,
            "issued_by": d.issued_by.username,
            "signer_name": d.signer_name,
            "signer_title": d.signer_title,
            "request": d.request.public_id if d.request_id and d.request else None,
            "sha256": d.sha256,
        }
        for d in documents
    ]
    originals = sum(1 for i in items if i["kind"] == "original")
    return {
        "record": record.public_id,
        "originals": originals,
        "copies": len(items) - originals,
        "items": items,
    }


class PublicPersonOut(Schema):
    role: str
    full_name: str
    date_of_birth: date | None
    birth_year: int | None


class PublicFactsOut(Schema):
    code: str
    title: str
    kind: str
    kind_label: str
    medium: str
    signed: bool
    agency: str
    book: str
    entry_number: int
    registered_on: date
    issued_on: date
    valid_until: date | None
    people: list[PublicPersonOut]
    amended_since: bool
    signature_check_url: str


def _throttle(request: HttpRequest) -> None:
    if not lookup_allowed(request):
        raise Throttled(_("Tra cứu quá nhiều lần; vui lòng thử lại sau một phút."))


@router.get("/certificates/{code}", auth=None, response={200: PublicFactsOut, **PUBLIC_ERRORS})
def certificate_public(request: HttpRequest, code: str) -> dict[str, Any]:
    """Xác minh giấy tờ hộ tịch, no login: the facts printed on the document issued under
    ``code`` (dashes and case ignored), and ``amended_since`` when its entry was changed after
    it was issued. The signature itself is checked by ``POST /api/v1/verify``. 404
    ``not_found`` for an unknown code, 429 ``throttled``."""
    _throttle(request)
    facts = issued.issued_public_facts(issued.issued_get_public(code))
    return {**facts.__dict__, "signature_check_url": reverse("signing:verify")}


class MatchOut(Schema):
    code: str
    matches: bool
    signed: bool
    signature_check_url: str


@router.post("/certificates/{code}/match", auth=None, response={200: MatchOut, **PUBLIC_ERRORS})
def certificate_match(request: HttpRequest, code: str, file: File[UploadedFile]) -> dict[str, Any]:
    """Is the uploaded PDF (multipart ``file``) exactly the file issued under ``code``? Compared
    by SHA-256; the file is read in memory and not kept. 400 ``pdf_invalid``, 413
    ``file_too_large``, 404, 429 as above."""
    _throttle(request)
    document = issued.issued_get_public(code)
    data = upload_read(file)
    return {
        "code": document.code,
        "matches": issued.issued_matches(document, data),
        "signed": document.medium == "electronic",
        "signature_check_url": reverse("signing:verify"),
    }
