"""Uploaded drafts: a DOCX converted to PDF with LibreOffice, and a PDF checked before it enters the
workflow (Decree 30/2020/NĐ-CP Art 8: the issued document is the PDF that is signed).

LibreOffice runs headless, once per call, with its own throw-away user profile
(``-env:UserInstallation``) and HOME in a private temporary folder: two conversions at the same
time never share a profile (which would make the second one exit at once without output), and
nothing is left behind — the folder goes whether the conversion worked, failed or was stopped at
its timeout (the whole process group is killed, so no ``soffice.bin`` survives).

Settings (all optional): ``XASO_SOFFICE`` (path of ``soffice``), ``XASO_DOCX_CONVERT_TIMEOUT``
(seconds, default 120), ``XASO_DOCX_MAX_BYTES`` (default 20 MiB) and ``XASO_CONVERT_TMP_DIR``
(where the private folders are made; default the system's temporary folder).
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from .errors import (
    ConversionFailed,
    ConversionTimeout,
    ConverterMissing,
    DocxDamaged,
    DocxInvalid,
    PdfDamaged,
    PdfEncrypted,
    PdfInvalid,
)

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 120.0
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
#: A DOCX whose parts unpack to more than this is refused (a "zip bomb" would fill the disk).
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
#: Compound File Binary (OLE2): Word 97–2003 .doc, and also password-protected .docx files.
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: PDF header may follow a few bytes of junk (ISO 32000-1 §7.5.2 readers accept up to 1024).
PDF_HEADER_WINDOW = 1024


def _setting(name: str, default: Any) -> Any:
    value = getattr(settings, name, None)
    if value in (None, ""):
        value = os.environ.get(name) or default
    return value


def soffice_path() -> str:
    configured = _setting("XASO_SOFFICE", "")
    found = configured if configured else shutil.which("soffice")
    if not found or not Path(found).exists():
        raise ConverterMissing(
            _(
                "Máy chủ chưa cài LibreOffice nên không chuyển được tệp DOCX sang PDF; hãy tải lên "
                "bản PDF hoặc báo quản trị hệ thống."
            )
        )
    return str(found)


# --- DOCX --------------------------------------------------------------------------------------


def check_docx(data: bytes) -> None:
    """Refuse what is not a readable DOCX, before LibreOffice sees it."""
    max_bytes = int(_setting("XASO_DOCX_MAX_BYTES", DEFAULT_MAX_BYTES))
    field = {"file": [_("Tệp không hợp lệ.")]}
    if not data:
        raise DocxInvalid(_("Tệp tải lên rỗng."), fields=field)
    if len(data) > max_bytes:
        raise DocxInvalid(
            _("Tệp DOCX quá lớn (tối đa %(size)s MB).") % {"size": max_bytes // (1024 * 1024)},
            fields=field,
        )
    if data.startswith(OLE2_MAGIC):
        raise DocxInvalid(
            _(
                "Tệp là định dạng Word cũ (.doc) hoặc đã đặt mật khẩu. Hãy mở bằng Word hoặc "
                "LibreOffice, bỏ mật khẩu và lưu lại dưới dạng .docx rồi tải lên lại."
            ),
            fields=field,
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        if data.startswith(b"PK"):
            raise DocxDamaged(
                _("Tệp DOCX bị hỏng (không đọc được phần nén). Hãy lưu lại tệp và tải lên lại."),
                fields=field,
            ) from None
        raise DocxInvalid(
            _("Tệp tải lên không phải văn bản Word định dạng .docx."), fields=field
        ) from None
    with archive:
        names = set(archive.namelist())
        if "[Content_Types].xml" not in names or "word/document.xml" not in names:
            raise DocxInvalid(
                _(
                    "Tệp nén này không phải văn bản Word .docx (thiếu phần nội dung văn bản "
                    "word/document.xml)."
                ),
                fields=field,
            )
        if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
            raise DocxInvalid(_("Nội dung tệp DOCX quá lớn sau khi giải nén."), fields=field)
        try:
            broken = archive.testzip()
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError):
            broken = "?"
        if broken is not None:
            raise DocxDamaged(
                _("Tệp DOCX bị hỏng (phần “%(part)s” không đọc được). Hãy lưu lại và tải lên lại.")
                % {"part": broken},
                fields=field,
            )
    try:
        import docx

        docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises lxml, KeyError, ValueError... on a bad part
        logger.info("unreadable DOCX: %s", exc)
        raise DocxDamaged(
            _("Tệp DOCX bị hỏng (nội dung văn bản không đọc được). Hãy lưu lại và tải lên lại."),
            fields=field,
        ) from None


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def docx_to_pdf(data: bytes, *, timeout: float | None = None) -> bytes:
    """The PDF of a DOCX, converted by LibreOffice headless in a private profile.

    Raises DocxInvalid / DocxDamaged for a bad file, ConversionTimeout when LibreOffice takes
    longer than ``timeout`` seconds (``XASO_DOCX_CONVERT_TIMEOUT``, default 120), ConversionFailed
    when it produces no readable PDF, ConverterMissing when it is not installed.
    """
    check_docx(data)
    program = soffice_path()
    limit = float(timeout if timeout is not None else _setting("XASO_DOCX_CONVERT_TIMEOUT", 120))
    base = _setting("XASO_CONVERT_TMP_DIR", None)
    folder = Path(tempfile.mkdtemp(prefix="xaso-docx-", dir=base))
    try:
        source = folder / "draft.docx"
        source.write_bytes(data)
        out = folder / "out"
        out.mkdir()
        command = [
            program,
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(out),
            str(source),
        ]
        env = {
            "HOME": str(folder),
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "TMPDIR": str(folder),
        }
        process = subprocess.Popen(  # noqa: S603 (fixed arguments, file in a private folder)
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=folder,
            start_new_session=True,  # its own process group, so a timeout kills every child
        )
        try:
            stdout, stderr = process.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            logger.warning("soffice conversion stopped after %s s", limit)
            raise ConversionTimeout(
                _(
                    "Chuyển tệp DOCX sang PDF quá thời gian cho phép (%(seconds)s giây). Hãy thử "
                    "lại, hoặc tự chuyển sang PDF rồi tải lên."
                )
                % {"seconds": f"{limit:g}"}
            ) from None
        result = out / "draft.pdf"
        if process.returncode != 0 or not result.is_file():
            logger.warning(
                "soffice conversion failed (exit %s): %s %s",
                process.returncode,
                stdout.decode(errors="replace")[-500:],
                stderr.decode(errors="replace")[-500:],
            )
            raise ConversionFailed(
                _(
                    "LibreOffice không chuyển được tệp DOCX này sang PDF. Hãy mở tệp, lưu lại "
                    "(hoặc tự xuất ra PDF) rồi tải lên lại."
                )
            )
        pdf = result.read_bytes()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    try:
        pdf_check(pdf)
    except (PdfInvalid, PdfDamaged, PdfEncrypted):
        raise ConversionFailed(
            _("LibreOffice tạo ra một tệp PDF không đọc được; hãy tự xuất PDF rồi tải lên.")
        ) from None
    return pdf


# --- PDF ---------------------------------------------------------------------------------------


def _count_pages(reader: Any) -> int:
    """Walk the page tree (ISO 32000-1 §7.7.3): every page object is read, so a broken
    reference anywhere in the tree is found now, not when the document is signed."""
    from pyhanko.pdf_utils.generic import DictionaryObject

    seen: set[int] = set()

    def walk(node: Any, depth: int) -> int:
        if depth > 64 or id(node) in seen or not isinstance(node, DictionaryObject):
            raise ValueError("malformed page tree")
        seen.add(id(node))
        kind = node.get("/Type")
        if kind == "/Page" or (kind is None and "/Kids" not in node):
            return 1
        return sum(walk(kid.get_object(), depth + 1) for kid in node["/Kids"])

    pages = walk(reader.root["/Pages"].get_object(), 0)
    return pages


def pdf_check(data: bytes) -> int:
    """The page count of a PDF fit to enter the workflow; refuses non-PDF (PdfInvalid), encrypted
    (PdfEncrypted) and damaged (PdfDamaged) files."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    field = {"file": [_("Tệp PDF không hợp lệ.")]}
    if not data or b"%PDF-" not in data[:PDF_HEADER_WINDOW]:
        raise PdfInvalid(_("Tệp tải lên không phải tệp PDF."), fields=field)
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        encrypted = reader.encrypted
    except Exception as exc:  # pyHanko raises several kinds on a broken file
        logger.info("unreadable PDF: %s", exc)
        raise PdfDamaged(
            _("Tệp PDF bị hỏng, không đọc được. Hãy xuất lại tệp PDF rồi tải lên."), fields=field
        ) from None
    if encrypted:
        raise PdfEncrypted(
            _(
                "Tệp PDF đã đặt mật khẩu hoặc bị mã hóa nên không thể vào sổ và ký số. Hãy tải "
                "lên bản không đặt mật khẩu."
            ),
            fields=field,
        )
    try:
        pages = _count_pages(reader)
    except Exception as exc:
        logger.info("unreadable PDF page tree: %s", exc)
        pages = 0
    if pages < 1:
        raise PdfDamaged(
            _("Tệp PDF bị hỏng hoặc không có trang nào. Hãy xuất lại tệp PDF rồi tải lên."),
            fields=field,
        )
    return pages
