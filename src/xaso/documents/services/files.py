"""Files of official documents: drafts (PDF or DOCX), scans of paper documents (PDF, JPEG, PNG)
and received attachments. Recognised by their content, never by the name or type the browser
claims (as dossier scans, ``xaso.dossiers.services.attachments``); stored under the data folder
with their SHA-256."""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from typing import IO

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from xaso.core.text import nfc, squash_spaces

from ..errors import FileEmpty, FileTooLarge, FileTypeUnsupported

MAX_BYTES = 30 * 1024 * 1024
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
JPEG, PNG = "image/jpeg", "image/png"
EXTENSIONS = {PDF: ".pdf", DOCX: ".docx", JPEG: ".jpg", PNG: ".png"}
DRAFT_TYPES = frozenset({PDF, DOCX})
SCAN_TYPES = frozenset({PDF, JPEG, PNG})


@dataclass(frozen=True)
class CheckedFile:
    """An accepted file read into memory (documents are small: at most ``MAX_BYTES``)."""

    data: bytes
    name: str
    content_type: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.data)

    def content(self) -> ContentFile[bytes]:
        return ContentFile(self.data)


def _sniff(data: bytes) -> str | None:
    if data.lstrip()[:5] == b"%PDF-":
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if "word/document.xml" in archive.namelist():
                    return DOCX
        except zipfile.BadZipFile:
            return None
    return None


def read_upload(upload: IO[bytes], *, size: int | None = None) -> bytes:
    """The upload's bytes, refusing an empty or too large one before reading it whole."""
    if size is not None and size > MAX_BYTES:
        raise _too_large(size)
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    upload.seek(0)
    if len(data) > MAX_BYTES:
        raise _too_large(len(data))
    return data


def _too_large(size: int) -> FileTooLarge:
    return FileTooLarge(
        _("Tệp quá lớn (%(kb)d KB); tối đa %(mb)d MB.")
        % {"kb": size // 1024, "mb": MAX_BYTES // (1024 * 1024)},
        fields={"file": [_("Tệp quá lớn.")]},
    )


def check_file(data: bytes, *, name: str, accepted: frozenset[str]) -> CheckedFile:
    """Accept ``data`` when its content is one of the ``accepted`` types, or refuse in
    Vietnamese with a stable code."""
    if not data:
        raise FileEmpty(_("Tệp rỗng."), fields={"file": [_("Tệp rỗng.")]})
    if len(data) > MAX_BYTES:
        raise _too_large(len(data))
    content_type = _sniff(data)
    if content_type not in accepted:
        wanted = ", ".join(sorted(EXTENSIONS[t].lstrip(".").upper() for t in accepted))
        raise FileTypeUnsupported(
            _("Chỉ nhận tệp %(types)s; nội dung tệp này không phải các dạng đó.")
            % {"types": wanted},
            fields={"file": [_("Sai định dạng.")]},
        )
    clean = nfc(squash_spaces(name or "")).replace("/", "_").replace("\\", "_")[:200]
    if not clean:
        clean = "van-ban" + EXTENSIONS[content_type]
    return CheckedFile(
        data=data, name=clean, content_type=content_type, sha256=hashlib.sha256(data).hexdigest()
    )
