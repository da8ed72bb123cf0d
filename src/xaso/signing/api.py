"""Signatures over JSON: the public verification (no login, rate-limited per client address:
``POST /verify`` and issue 5's ``POST /signatures/verify``), for an agency's administrators its
signing certificates (list, import a PKCS#12), and the signature and seal images."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import ninja
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from xaso.core.errors import NotFound
from xaso.core.ratelimit import public_lookup_allowed as lookup_allowed
from xaso.core.schemas import ErrorOut
from xaso.dossiers.errors import Throttled
from xaso.org.models import Staff

from . import conf, permissions, selectors
from .errors import ImageTooLarge, Pkcs12Invalid
from .models import SigningCertificate, StampImage
from .verify import Problem, SignatureResult, VerificationResult, upload_read, verify_pdf

router = Router(tags=["signing"])


class ProblemOut(Schema):
    code: str
    message: str


class SignatureOut(Schema):
    field_name: str
    signer: str
    organisation: str
    issuer: str
    serial: str
    certificate_valid_from: datetime | None
    certificate_valid_to: datetime | None
    signed_at: datetime | None
    timestamp: datetime | None
    timestamp_trusted: bool
    intact: bool
    valid: bool
    trusted: bool
    covers_whole_file: bool
    modification_level: str
    reason: str
    location: str
    problems: list[ProblemOut]


class VerifyOut(Schema):
    code: str
    valid: bool
    signed: bool
    modified_after_signing: bool
    signatures: list[SignatureOut]
    problems: list[ProblemOut]


def _problem(p: Problem) -> dict[str, str]:
    return {"code": p.code, "message": p.message}


def _signature(s: SignatureResult) -> dict[str, Any]:
    data = {k: v for k, v in s.__dict__.items() if k not in {"problems", "signer_subject"}}
    data["problems"] = [_problem(p) for p in s.problems]
    return data


def _result(r: VerificationResult) -> dict[str, Any]:
    return {
        "code": r.code,
        "valid": r.valid,
        "signed": r.signed,
        "modified_after_signing": r.modified_after_signing,
        "signatures": [_signature(s) for s in r.signatures],
        "problems": [_problem(p) for p in r.problems],
    }


@router.post(
    "/verify",
    auth=None,
    response={200: VerifyOut, 400: ErrorOut, 413: ErrorOut, 422: ErrorOut, 429: ErrorOut},
)
def verify(request: HttpRequest, file: File[UploadedFile]) -> dict[str, Any]:
    """Kiểm tra chữ ký số, no login: multipart field ``file`` (a PDF, by content; at most
    ``XASO_VERIFY_MAX_BYTES``). ``code`` is ``valid``, ``not_signed`` or ``invalid``; each problem
    has a stable code (``content_changed``, ``modified_after_signing``, ``certificate_expired``,
    ``certificate_untrusted``, ``certificate_revoked``, ``signature_invalid``, ``pdf_damaged``,
    ...). Not a PDF: 400 ``pdf_invalid``; too large: 413 ``file_too_large``; too many requests
    from one address: 429 ``throttled``."""
    if not lookup_allowed(request):
        raise Throttled(_("Kiểm tra quá nhiều lần; vui lòng thử lại sau một phút."))
    return _result(verify_pdf(upload_read(file)))


class SignatureBriefOut(Schema):
    signer: str
    organisation: str
    issuer: str
    signed_at: datetime | None
    intact: bool
    trusted: bool
    valid: bool
    covers_whole_file: bool
    timestamp: datetime | None
    problems: list[ProblemOut]


class SignaturesVerifyOut(Schema):
    code: str
    signed: bool
    modified_after_signing: bool
    signatures: list[SignatureBriefOut]
    problems: list[ProblemOut]


@router.post(
    "/signatures/verify",
    auth=None,
    response={
        200: SignaturesVerifyOut,
        400: ErrorOut,
        413: ErrorOut,
        422: ErrorOut,
        429: ErrorOut,
    },
)
def signatures_verify(request: HttpRequest, file: File[UploadedFile]) -> dict[str, Any]:
    """Kiểm tra chữ ký số of any PDF, no login (issue 5's API): multipart field ``file``. Each
    signature: ``signer``, ``signed_at``, ``intact``, ``trusted``, ``covers_whole_file``,
    ``timestamp`` (null without a time-stamp); ``modified_after_signing`` is true when anything,
    even a metadata-only revision, follows the last signature or comes between two. A PDF
    without a signature: ``code`` ``not_signed`` and no signatures. Not a PDF: 400
    ``pdf_invalid``; too large: 413 ``file_too_large``; over the per-address limit shared with
    ``POST /verify``: 429 ``throttled``."""
    if not lookup_allowed(request):
        raise Throttled(_("Kiểm tra quá nhiều lần; vui lòng thử lại sau một phút."))
    result = verify_pdf(upload_read(file))
    return {
        "code": result.code,
        "signed": result.signed,
        "modified_after_signing": result.modified_after_signing,
        "signatures": [
            {
                "signer": s.signer,
                "organisation": s.organisation,
                "issuer": s.issuer,
                "signed_at": s.signed_at,
                "intact": s.intact,
                "trusted": s.trusted,
                "valid": s.valid,
                "covers_whole_file": s.covers_whole_file,
                "timestamp": s.timestamp,
                "problems": [_problem(p) for p in s.problems],
            }
            for s in result.signatures
        ],
        "problems": [_problem(p) for p in result.problems],
    }


class CertificateOut(Schema):
    id: str
    agency: str
    common_name: str
    subject: str
    issuer: str
    serial: str
    fingerprint: str
    valid_from: datetime
    valid_to: datetime
    source: str
    active: bool
    staff: str | None
    token: str | None


def _certificate(c: SigningCertificate) -> dict[str, Any]:
    return {
        "id": str(c.public_id),
        "agency": c.agency.code,
        "staff": str(c.staff.public_id) if c.staff is not None else None,
        "token": c.pkcs11_token or None,
        "common_name": c.common_name,
        "subject": c.subject,
        "issuer": c.issuer,
        "serial": c.serial,
        "fingerprint": c.fingerprint,
        "valid_from": c.valid_from,
        "valid_to": c.valid_to,
        "source": c.source,
        "active": c.is_active,
    }


def _actor(request: HttpRequest) -> Staff:
    return request.auth  # type: ignore[attr-defined,no-any-return]


@router.get(
    "/signing/certificates", response={200: list[CertificateOut], 401: ErrorOut, 403: ErrorOut}
)
def certificate_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The signing certificates of the caller's agency (administrators)."""
    actor = _actor(request)
    permissions.require_manage_certificates(actor, actor.agency)
    return [_certificate(c) for c in selectors.certificate_list_for(actor=actor)]


@router.post(
    "/signing/certificates",
    response={
        201: CertificateOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
    },
)
def certificate_import(
    request: HttpRequest, file: File[UploadedFile], password: Form[str]
) -> ninja.Status:
    """Import a PKCS#12 (.p12/.pfx, multipart fields ``file`` and ``password``) as the caller's
    agency's active signing certificate. Wrong password: 400 ``pkcs12_invalid``; expired: 400
    ``certificate_expired``; a CA or encryption-only certificate: 400 ``certificate_unsuitable``;
    already imported: 409 ``conflict``."""
    actor = _actor(request)
    data = file.read(1024 * 1024 + 1)
    if len(data) > 1024 * 1024:
        raise Pkcs12Invalid(_("Tệp PKCS#12 quá lớn (tối đa 1 MB)."))
    from . import services  # cryptography: loaded only where it is used

    cert = services.certificate_import(
        actor=actor, agency=actor.agency, data=data, password=password
    )
    return ninja.Status(201, _certificate(cert))


class StampImageOut(Schema):
    id: str
    kind: str
    agency: str
    staff: str | None
    width: int
    height: int
    size: int
    sha256: str
    uploaded_at: datetime


def _image(row: StampImage) -> dict[str, Any]:
    return {
        "id": str(row.public_id),
        "kind": row.kind,
        "agency": row.agency.code,
        "staff": str(row.staff.public_id) if row.staff is not None else None,
        "width": row.width,
        "height": row.height,
        "size": row.size,
        "sha256": row.sha256,
        "uploaded_at": row.uploaded_at,
    }


def _read_image(file: UploadedFile) -> bytes:
    limit = conf.image_max_bytes()
    data: bytes = file.read(limit + 1)
    if len(data) > limit:
        raise ImageTooLarge(
            _("Tệp ảnh quá lớn; tối đa %(max)d KB.") % {"max": limit // 1024},
            fields={"file": [_("Tệp quá lớn.")]},
        )
    return data


_IMAGE_ERRORS = {
    201: StampImageOut,
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    413: ErrorOut,
    422: ErrorOut,
}


@router.get("/signing/images", response={200: list[StampImageOut], 401: ErrorOut, 403: ErrorOut})
def stamp_image_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The seal and signature images of the caller's agency (administrators)."""
    actor = _actor(request)
    permissions.require_manage_certificates(actor, actor.agency)
    return [_image(r) for r in selectors.stamp_image_list_for(actor=actor)]


@router.post("/signing/images/seal", response=_IMAGE_ERRORS)
def seal_image_upload(request: HttpRequest, file: File[UploadedFile]) -> ninja.Status:
    """Upload the agency's seal image (Decree 30/2020/NĐ-CP Appendix I: red, real size,
    transparent PNG), multipart ``file``; replaces the previous one. Administrators only. Not a
    PNG, broken, or outside 16–2000 pixels: 400 ``image_invalid``; larger than
    ``XASO_SIGNING_IMAGE_MAX_BYTES``: 413 ``file_too_large``."""
    from . import services

    actor = _actor(request)
    permissions.require_manage_certificates(actor, actor.agency)
    row = services.stamp_image_upload(actor=actor, agency=actor.agency, data=_read_image(file))
    return ninja.Status(201, _image(row))


@router.post("/signing/images/signature", response=_IMAGE_ERRORS)
def signature_image_upload(
    request: HttpRequest, file: File[UploadedFile], staff: Form[UUID | None] = None
) -> ninja.Status:
    """Upload a signer's handwritten signature image (blue, transparent PNG), multipart
    ``file``; ``staff`` (a staff id of the same agency) for an administrator uploading someone
    else's, else the caller's own. Errors as for the seal; an unknown staff: 404."""
    from . import services

    actor = _actor(request)
    person: Staff = actor
    if staff is not None:
        found = Staff.objects.filter(public_id=staff, agency_id=actor.agency_id).first()
        if found is None:
            raise NotFound(_("Không tìm thấy cán bộ."))
        person = found
    row = services.stamp_image_upload(
        actor=actor, agency=actor.agency, staff=person, data=_read_image(file)
    )
    return ninja.Status(201, _image(row))
