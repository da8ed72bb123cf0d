"""``verify_pdf``: is a PDF validly signed, by whom, when, and was it changed afterwards?

pyHanko validates each embedded signature against the trust anchors (this installation's demo CA
unless switched off, plus ``XASO_SIGNING_TRUST_ROOTS``). pyHanko alone calls a signature intact
when a later revision only edits the Info dictionary; the law's question is whether the document
is what was signed, so any byte after the last signature's revision counts as a change (setup
notes; issue 5: "even a metadata-only revision is reported"). Earlier signatures may be followed
by later signatures and nothing else.

Revocation is not fetched online (``allow_fetching=False``): a public page must not make the
server call addresses taken from uploaded files; revocation data embedded in the PDF is used.
"""

from __future__ import annotations

import asyncio
import io
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from . import conf
from .errors import PdfInvalid, PdfTooLarge

logger = logging.getLogger(__name__)

#: How far before the end of the file the PDF header may start (ISO 32000-1 §7.5.2 readers
#: accept some leading bytes; 1024 is Acrobat's tolerance).
HEADER_WINDOW = 1024


@dataclass(frozen=True)
class Problem:
    code: str
    message: str


@dataclass
class SignatureResult:
    field_name: str
    signer: str
    organisation: str
    signer_subject: str
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
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class VerificationResult:
    """``code``: ``valid`` (every signature good, nothing changed since the last), ``not_signed``,
    or ``invalid`` (see ``problems``)."""

    code: str
    signatures: list[SignatureResult]
    modified_after_signing: bool
    problems: list[Problem]

    @property
    def valid(self) -> bool:
        return self.code == "valid"

    @property
    def signed(self) -> bool:
        return bool(self.signatures)


def _load_certs(path: Path) -> list[Any]:
    from asn1crypto import pem
    from asn1crypto import x509 as asn1_x509

    data = path.read_bytes()
    if pem.detect(data):
        return [asn1_x509.Certificate.load(der) for _t, _h, der in pem.unarmor(data, multiple=True)]
    return [asn1_x509.Certificate.load(data)]


@lru_cache(maxsize=8)
def _roots(key: tuple[tuple[str, int], ...]) -> tuple[Any, ...]:
    roots: list[Any] = []
    for name, _mtime in key:
        try:
            roots.extend(_load_certs(Path(name)))
        except (OSError, ValueError) as exc:
            logger.error("trust root %s not loaded: %s", name, exc)
    return tuple(roots)


def trust_roots() -> list[Any]:
    """The trust anchors (asn1crypto certificates), reloaded when a file changes."""
    from . import pki  # cryptography costs every web worker ~18 MB: only where it signs/checks

    files = list(conf.trust_root_files())
    if conf.trust_demo_ca():
        ca = pki.demo_ca_certificate()
        if ca is not None:
            files.append(conf.keys_dir() / pki.DEMO_CA_DIR / "ca.pem")
    key = tuple((str(p), p.stat().st_mtime_ns) for p in files if p.is_file())
    missing = [p for p in files if not p.is_file()]
    for p in missing:
        logger.error("trust root file %s does not exist", p)
    return list(_roots(key))


def _validation_context() -> Any:
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(
        trust_roots=trust_roots(), allow_fetching=False, revocation_mode="soft-fail"
    )


def _cert_problem(indic: Any) -> Problem:
    name = getattr(indic, "name", str(indic))
    if name in {"EXPIRED", "OUT_OF_BOUNDS_NO_POE", "OUT_OF_BOUNDS_NOT_REVOKED"}:
        return Problem(
            "certificate_expired",
            _("Chứng thư số của người ký đã hết hạn (hoặc hết hạn trước thời điểm kiểm tra)."),
        )
    if name == "NOT_YET_VALID":
        return Problem(
            "certificate_not_yet_valid", _("Chứng thư số của người ký chưa có hiệu lực.")
        )
    if name in {"REVOKED", "REVOKED_NO_POE", "REVOKED_CA_NO_POE"}:
        return Problem("certificate_revoked", _("Chứng thư số của người ký đã bị thu hồi."))
    if name in {"NO_CERTIFICATE_CHAIN_FOUND", "CERTIFICATE_CHAIN_GENERAL_FAILURE"}:
        return Problem(
            "certificate_untrusted",
            _("Chứng thư số không do tổ chức cung cấp dịch vụ chứng thực được tin cậy cấp."),
        )
    if name == "SIG_CONSTRAINTS_FAILURE":
        return Problem("certificate_usage", _("Chứng thư số không được phép dùng để ký văn bản."))
    return Problem(
        "certificate_invalid",
        _("Không xác thực được chứng thư số của người ký (%(reason)s).") % {"reason": name},
    )


def _name_part(name: Any, attr: str) -> str:
    try:
        value = name.native.get(attr, "")
    except (ValueError, TypeError):
        return ""
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    return str(value or "")


def _signature_result(
    embedded: Any, context: Any, *, is_last: bool, later_other_revisions: bool = False
) -> SignatureResult:
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.settings import KeyUsageConstraints
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    sig_obj = embedded.sig_object
    base = {
        "field_name": str(embedded.field_name or ""),
        "reason": str(sig_obj.get("/Reason", "") or ""),
        "location": str(sig_obj.get("/Location", "") or ""),
    }
    try:
        status = validate_pdf_signature(
            embedded,
            signer_validation_context=context,
            # Either usage is what licensed CAs put on document-signing certificates.
            key_usage_settings=KeyUsageConstraints(
                key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False
            ),
        )
    except Exception as exc:  # a damaged CMS blob, an unknown algorithm...
        logger.info("signature %s unreadable: %s", base["field_name"], exc)
        return SignatureResult(
            **base,
            signer="",
            organisation="",
            signer_subject="",
            issuer="",
            serial="",
            certificate_valid_from=None,
            certificate_valid_to=None,
            signed_at=None,
            timestamp=None,
            timestamp_trusted=False,
            intact=False,
            valid=False,
            trusted=False,
            covers_whole_file=False,
            modification_level="unknown",
            problems=[
                Problem(
                    "signature_unreadable", _("Không đọc được chữ ký số (dữ liệu chữ ký hỏng).")
                )
            ],
        )
    cert = status.signing_cert
    ts_status = status.timestamp_validity
    covers = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    level = status.modification_level
    problems: list[Problem] = []
    if not status.intact:
        problems.append(
            Problem(
                "content_changed",
                _("Nội dung đã ký bị thay đổi: dữ liệu không còn khớp với chữ ký."),
            )
        )
    elif not status.valid:
        problems.append(Problem("signature_invalid", _("Giá trị chữ ký số không hợp lệ.")))
    if status.intact and status.valid and not status.trusted:
        problems.append(_cert_problem(status.trust_problem_indic))
    if is_last and not covers:
        problems.append(
            Problem(
                "modified_after_signing",
                _("Tệp đã bị sửa đổi hoặc bổ sung sau khi ký (chữ ký không bao trùm toàn bộ tệp)."),
            )
        )
    elif not is_last and (
        later_other_revisions
        or level is None
        or level > ModificationLevel.FORM_FILLING
        or status.docmdp_ok is False
    ):
        problems.append(
            Problem(
                "modified_after_signing",
                _("Sau chữ ký này, tệp đã bị sửa đổi ngoài việc ký thêm."),
            )
        )
    if ts_status is not None and not (ts_status.intact and ts_status.valid and ts_status.trusted):
        problems.append(Problem("timestamp_invalid", _("Dấu thời gian kèm chữ ký không hợp lệ.")))
    return SignatureResult(
        **base,
        signer=_name_part(cert.subject, "common_name"),
        organisation=_name_part(cert.subject, "organization_name"),
        signer_subject=cert.subject.human_friendly,
        issuer=_name_part(cert.issuer, "common_name") or cert.issuer.human_friendly,
        serial=f"{cert.serial_number:X}",
        certificate_valid_from=cert.not_valid_before,
        certificate_valid_to=cert.not_valid_after,
        signed_at=status.signer_reported_dt,
        timestamp=ts_status.timestamp if ts_status is not None else None,
        timestamp_trusted=bool(ts_status is not None and ts_status.trusted and ts_status.valid),
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted),
        covers_whole_file=covers,
        modification_level=level.name.lower() if level is not None else "unknown",
        problems=problems,
    )


def looks_like_pdf(data: bytes) -> bool:
    return b"%PDF-" in data[:HEADER_WINDOW]


def verify_pdf(pdf_bytes: bytes) -> VerificationResult:
    """Validate every signature of ``pdf_bytes``. Raises ``PdfInvalid`` only when the bytes are
    not a PDF at all; a damaged PDF is a result with the ``pdf_damaged`` problem."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _verify_pdf(pdf_bytes)
    # pyHanko's synchronous validation runs an event loop of its own, which cannot start where
    # one is already running (an async caller, a browser driver's thread): every signature
    # would read as unreadable. There, it runs in a thread of its own.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_verify_pdf, pdf_bytes).result()


def _verify_pdf(pdf_bytes: bytes) -> VerificationResult:
    from pyhanko.pdf_utils.reader import PdfFileReader

    if not looks_like_pdf(pdf_bytes):
        raise PdfInvalid(
            _("Tệp tải lên không phải tệp PDF."), fields={"file": [_("Không phải PDF.")]}
        )
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        embedded = list(reader.embedded_regular_signatures)
    except Exception as exc:  # pyHanko raises several kinds on a broken file
        logger.info("unreadable PDF: %s", exc)
        problem = Problem("pdf_damaged", _("Tệp PDF bị hỏng hoặc đã bị sửa, không đọc được."))
        return VerificationResult("invalid", [], True, [problem])
    if not embedded:
        return VerificationResult(
            "not_signed",
            [],
            False,
            [Problem("not_signed", _("Tệp PDF này không có chữ ký số."))],
        )
    context = _validation_context()
    last = max(range(len(embedded)), key=lambda i: embedded[i].signed_revision)
    # pyHanko accepts a metadata-only revision between two signatures; the file must hold only
    # further signatures (document time-stamps included) after each signature.
    signature_revisions = {s.signed_revision for s in reader.embedded_signatures}
    total = reader.xrefs.total_revisions

    def others_after(sig: Any) -> bool:
        return any(r not in signature_revisions for r in range(sig.signed_revision + 1, total))

    results = [
        _signature_result(
            sig, context, is_last=(i == last), later_other_revisions=others_after(sig)
        )
        for i, sig in enumerate(embedded)
    ]
    modified = any(p.code in {"modified_after_signing"} for r in results for p in r.problems)
    problems: list[Problem] = []
    for r in results:
        for p in r.problems:
            if p not in problems:
                problems.append(p)
    return VerificationResult("valid" if not problems else "invalid", results, modified, problems)


def upload_read(upload: Any) -> bytes:
    """The bytes of an uploaded file to verify: refused when larger than
    ``XASO_VERIFY_MAX_BYTES`` (before reading it) or when its content is not a PDF."""
    limit = conf.verify_max_bytes()
    size = int(getattr(upload, "size", 0) or 0)
    if size == 0:
        raise PdfInvalid(_("Tệp tải lên rỗng."), fields={"file": [_("Tệp rỗng.")]})
    if size > limit:
        raise PdfTooLarge(
            _("Tệp quá lớn (%(kb)d KB); tối đa %(mb)d MB.")
            % {"kb": size // 1024, "mb": limit // (1024 * 1024)},
            fields={"file": [_("Tệp quá lớn.")]},
        )
    upload.seek(0)
    data: bytes = upload.read(limit + 1)
    if len(data) > limit:  # the declared size was wrong
        raise PdfTooLarge(_("Tệp quá lớn."), fields={"file": [_("Tệp quá lớn.")]})
    if not looks_like_pdf(data):
        raise PdfInvalid(
            _("Tệp tải lên không phải tệp PDF."), fields={"file": [_("Không phải PDF.")]}
        )
    return data
