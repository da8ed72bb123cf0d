"""Form templates are checked by their content, not by the name or type the browser claims."""

from __future__ import annotations

import zipfile

from django.core.files.uploadedfile import UploadedFile

from xaso.core.errors import InvalidInput

FORM_MAX_BYTES = 10 * 1024 * 1024
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")

PDF = "application/pdf"
DOC = "application/msword"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def form_file_check(upload: UploadedFile) -> tuple[str, str]:
    """(content type, extension) of an acceptable form file, or a Vietnamese refusal."""
    size = upload.size or 0
    if size == 0:
        raise InvalidInput("Tệp mẫu đơn rỗng.", fields={"file": ["Tệp rỗng."]})
    if size > FORM_MAX_BYTES:
        raise InvalidInput(
            f"Tệp mẫu đơn quá lớn ({size // 1024} KB); "
            f"tối đa {FORM_MAX_BYTES // (1024 * 1024)} MB.",
            fields={"file": ["Tệp quá lớn."]},
        )
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF, ".pdf"
    if head == OLE_MAGIC:
        return DOC, ".doc"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            names = set()
        upload.seek(0)
        if "word/document.xml" in names and "[Content_Types].xml" in names:
            return DOCX, ".docx"
    raise InvalidInput(
        "Chỉ nhận mẫu đơn dạng PDF, DOC hoặc DOCX; nội dung tệp này không phải các dạng đó.",
        fields={"file": ["Sai định dạng."]},
    )
