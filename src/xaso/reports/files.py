"""Report files: checked by content (PDF, DOCX, XLSX), a signed PDF verified with the
platform's verifier (PAdES, Decree 30/2020/NĐ-CP Art. 7 on electronic documents' validity) when
the request asks for one, kept under ``XASO_DATA_DIR/reports`` named by SHA-256 (so the copy at
the target and the one at the requester share one file on a single node)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from django.utils.translation import gettext as _

from . import conf
from .errors import FileEmpty, FileTooLarge, FileTypeUnsupported, SignatureInvalid

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXTENSIONS = {PDF: ".pdf", DOCX: ".docx", XLSX: ".xlsx"}


@dataclass(frozen=True)
class CheckedFile:
    name: str
    data: bytes
    content_type: str
    sha256: str
    signer: str


def _content_type(data: bytes) -> str | None:
    if data[:1024].find(b"%PDF-") != -1:
        return PDF
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(BytesIO(data)) as z:
                names = set(z.namelist())
        except zipfile.BadZipFile:
            return None
        if "word/document.xml" in names:
            return DOCX
        if "xl/workbook.xml" in names:
            return XLSX
    return None


def file_check(*, name: str, data: bytes, signature_required: bool) -> CheckedFile:
    """The file as it will be kept, or a refusal saying why."""
    if not data:
        raise FileEmpty(_("Tệp báo cáo rỗng."), fields={"file": [_("Tệp rỗng.")]})
    limit = conf.max_file_bytes()
    if len(data) > limit:
        raise FileTooLarge(
            _("Tệp báo cáo quá lớn; tối đa %(mb)d MB.") % {"mb": limit // (1024 * 1024)},
            fields={"file": [_("Tệp quá lớn.")]},
        )
    content_type = _content_type(data)
    if content_type is None:
        raise FileTypeUnsupported(
            _("Tệp báo cáo phải là PDF, DOCX hoặc XLSX."),
            fields={"file": [_("Loại tệp không được chấp nhận.")]},
        )
    signer = ""
    if signature_required:
        if content_type != PDF:
            raise FileTypeUnsupported(
                _("Báo cáo này phải là tệp PDF có chữ ký số."),
                fields={"file": [_("Cần tệp PDF đã ký số.")]},
            )
        from xaso.signing.verify import verify_pdf

        result = verify_pdf(data)
        if not result.valid:
            reasons = "; ".join(p.message for p in result.problems) or _("không hợp lệ")
            raise SignatureInvalid(
                _("Chữ ký số của tệp báo cáo không hợp lệ: %(reasons)s") % {"reasons": reasons},
                fields={"file": [reasons]},
            )
        signer = ", ".join(
            s.signer + (f" ({s.organisation})" if s.organisation not in ("", s.signer) else "")
            for s in result.signatures
        )[:255]
    base = os.path.basename(name.replace("\\", "/")).strip() or "bao-cao"
    stem, _dot, _ext = base.rpartition(".")
    clean = (stem or base)[:200] + EXTENSIONS[content_type]
    return CheckedFile(
        name=clean,
        data=data,
        content_type=content_type,
        sha256=hashlib.sha256(data).hexdigest(),
        signer=signer,
    )


def file_store(checked: CheckedFile) -> tuple[str, bool]:
    """Write the file once (content-addressed); the path relative to the data folder and
    whether this call created it (so a rolled-back caller can remove it)."""
    rel = Path("reports") / checked.sha256[:2] / (checked.sha256 + EXTENSIONS[checked.content_type])
    path = conf.files_dir().parent / rel
    if path.exists():
        return str(rel), False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + f".{os.getpid()}.tmp")
    tmp.write_bytes(checked.data)
    os.replace(tmp, path)
    return str(rel), True


def file_path(rel: str) -> Path:
    return conf.files_dir().parent / rel


def file_remove(rel: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        file_path(rel).unlink()
