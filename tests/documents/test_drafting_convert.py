"""Uploaded drafts: DOCX → PDF with the real LibreOffice (/usr/bin/soffice), PDFs checked with
pyHanko's reader; read back with poppler-utils."""

from __future__ import annotations

import io
import os
import threading
import unicodedata
import zipfile
from pathlib import Path

import docx
import pytest

from tests.dossiers.documents.pdftools import _with_file
from xaso.documents.drafting.convert import docx_to_pdf, pdf_check
from xaso.documents.drafting.errors import (
    ConversionFailed,
    ConversionTimeout,
    ConverterMissing,
    DocxDamaged,
    DocxInvalid,
    PdfDamaged,
    PdfEncrypted,
    PdfInvalid,
)

pytestmark = pytest.mark.usefixtures("libreoffice")


def _docx(*paragraphs: str, page_break: bool = False) -> bytes:
    document = docx.Document()
    document.add_heading("QUYẾT ĐỊNH", level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    if page_break:
        document.add_page_break()
        document.add_paragraph("Trang thứ hai của văn bản.")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Nơi nhận:"
    table.rows[0].cells[1].text = "CHỦ TỊCH"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _pdf_text(pdf: bytes) -> str:
    return _with_file(pdf, "pdftotext", "-enc", "UTF-8", "{}", "-")


@pytest.fixture
def work_dir(settings, tmp_path):
    """The folder the converter makes its private folders in: it must be empty after each call."""
    folder = tmp_path / "convert"
    folder.mkdir()
    settings.XASO_CONVERT_TMP_DIR = str(folder)
    return folder


def _processes_under(folder: Path) -> list[int]:
    """Processes whose command line names ``folder`` (the private LibreOffice profile)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if str(folder).encode() in cmdline:
            found.append(int(entry.name))
    return found


def test_docx_with_vietnamese_converts_and_leaves_nothing_behind(work_dir):
    data = _docx(
        "Ủy ban nhân dân xã Thạch Khoán quyết định thành lập Tổ công nghệ số cộng đồng.",
        # Decomposed (NFD) as some old editors save it: the PDF text still reads in NFC.
        unicodedata.normalize("NFD", "Điều 1. Bà Nguyễn Thị Hường làm Tổ trưởng."),
    )
    pdf = docx_to_pdf(data)
    assert pdf.startswith(b"%PDF-")
    assert pdf_check(pdf) == 1
    text = " ".join(unicodedata.normalize("NFC", _pdf_text(pdf)).split())
    assert "Ủy ban nhân dân xã Thạch Khoán quyết định thành lập Tổ công nghệ số cộng đồng." in text
    assert "Điều 1. Bà Nguyễn Thị Hường làm Tổ trưởng." in text
    assert "QUYẾT ĐỊNH" in text
    assert "Nơi nhận:" in text
    assert list(work_dir.iterdir()) == []
    assert _processes_under(work_dir) == []


def test_page_count_of_a_converted_two_page_docx(work_dir):
    pdf = docx_to_pdf(_docx("Trang một.", page_break=True))
    assert pdf_check(pdf) == 2
    assert "Trang thứ hai của văn bản." in _pdf_text(pdf)
    assert list(work_dir.iterdir()) == []


def test_two_conversions_at_once_each_in_its_own_profile(work_dir):
    results: dict[int, bytes | BaseException] = {}

    def convert(index: int) -> None:
        try:
            results[index] = docx_to_pdf(_docx(f"Văn bản số {index} của xã Võ Miếu."))
        except BaseException as exc:  # reported below
            results[index] = exc

    threads = [threading.Thread(target=convert, args=(i,)) for i in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for index in (1, 2):
        pdf = results[index]
        assert isinstance(pdf, bytes), pdf
        assert f"Văn bản số {index} của xã Võ Miếu." in _pdf_text(pdf)
    assert list(work_dir.iterdir()) == []


def test_timeout_stops_libreoffice_and_cleans_up(work_dir):
    with pytest.raises(ConversionTimeout) as caught:
        docx_to_pdf(_docx("Văn bản chờ quá lâu."), timeout=0.2)
    assert caught.value.code == "conversion_timeout"
    assert caught.value.status == 504
    assert caught.value.message.startswith(
        "Chuyển tệp DOCX sang PDF quá thời gian cho phép (0.2 giây)."
    )
    assert list(work_dir.iterdir()) == []
    assert _processes_under(work_dir) == []


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _corrupt_member(data: bytes, name: str) -> bytes:
    """Flip bytes inside the compressed data of one member (its CRC no longer matches)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(name)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    middle = start + info.compress_size // 2
    damaged = bytearray(data)
    for i in range(middle, middle + 8):
        damaged[i] ^= 0xFF
    return bytes(damaged)


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        (b"", DocxInvalid, "Tệp tải lên rỗng."),
        (
            b"Quyet dinh so 05 - van ban thuan",
            DocxInvalid,
            "Tệp tải lên không phải văn bản Word định dạng .docx.",
        ),
        (
            b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n",
            DocxInvalid,
            "Tệp tải lên không phải văn bản Word định dạng .docx.",
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512,
            DocxInvalid,
            "Tệp là định dạng Word cũ (.doc) hoặc đã đặt mật khẩu. Hãy mở bằng Word hoặc "
            "LibreOffice, bỏ mật khẩu và lưu lại dưới dạng .docx rồi tải lên lại.",
        ),
        (
            _zip({"hello.txt": b"xin chao"}),
            DocxInvalid,
            "Tệp nén này không phải văn bản Word .docx (thiếu phần nội dung văn bản "
            "word/document.xml).",
        ),
        (
            b"PK\x03\x04" + b"\x00" * 40,
            DocxDamaged,
            "Tệp DOCX bị hỏng (không đọc được phần nén). Hãy lưu lại tệp và tải lên lại.",
        ),
    ],
)
def test_files_that_are_not_docx_are_refused(work_dir, data, error, message):
    with pytest.raises(error) as caught:
        docx_to_pdf(data)
    assert type(caught.value) is error
    assert caught.value.message == message
    assert caught.value.fields == {"file": ["Tệp không hợp lệ."]}
    assert list(work_dir.iterdir()) == []


def test_damaged_docx_member_is_refused(work_dir):
    data = _corrupt_member(_docx("Nội dung " * 400), "word/document.xml")
    with pytest.raises(DocxDamaged) as caught:
        docx_to_pdf(data)
    assert caught.value.message == (
        "Tệp DOCX bị hỏng (phần “word/document.xml” không đọc được). Hãy lưu lại và tải lên lại."
    )
    assert list(work_dir.iterdir()) == []


def test_docx_with_broken_xml_is_refused(work_dir):
    with zipfile.ZipFile(io.BytesIO(_docx("Nội dung"))) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["word/document.xml"] = parts["word/document.xml"][:200]
    with pytest.raises(DocxDamaged) as caught:
        docx_to_pdf(_zip(parts))
    assert caught.value.code == "docx_damaged"
    assert "nội dung văn bản không đọc được" in caught.value.message
    assert list(work_dir.iterdir()) == []


def test_too_large_docx_is_refused(settings, work_dir):
    settings.XASO_DOCX_MAX_BYTES = 1024 * 1024
    with pytest.raises(DocxInvalid) as caught:
        docx_to_pdf(b"PK" + b"\0" * (1024 * 1024))
    assert caught.value.message == "Tệp DOCX quá lớn (tối đa 1 MB)."


def test_missing_libreoffice_is_reported(settings, work_dir):
    settings.XASO_SOFFICE = "/nonexistent/soffice"
    with pytest.raises(ConverterMissing) as caught:
        docx_to_pdf(_docx("Nội dung"))
    assert caught.value.status == 503
    assert caught.value.message.startswith("Máy chủ chưa cài LibreOffice")


def test_a_converter_that_produces_nothing_is_a_failed_conversion(settings, work_dir):
    """/bin/false stands for a LibreOffice that exits without writing the PDF (what soffice does
    when a second instance finds the profile locked)."""
    settings.XASO_SOFFICE = "/bin/false"
    with pytest.raises(ConversionFailed) as caught:
        docx_to_pdf(_docx("Nội dung"))
    assert type(caught.value) is ConversionFailed
    assert caught.value.code == "conversion_failed"
    assert list(work_dir.iterdir()) == []


# --- pdf_check -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_pdf() -> bytes:
    from tests.documents.test_drafting_render import DECISION
    from xaso.documents.drafting.render import render_document_pdf

    return render_document_pdf(DECISION)


def test_pdf_check_counts_pages(sample_pdf):
    assert pdf_check(sample_pdf) == 1
    # Junk before the header shifts every offset: pyHanko, which signs the file later, cannot
    # read it, so the file is refused now as damaged, not as "not a PDF".
    with pytest.raises(PdfDamaged):
        pdf_check(b"\n\n" + sample_pdf)


@pytest.mark.parametrize("data", [b"", b"hello", b"PK\x03\x04", b" " * 2000 + b"%PDF-1.7"])
def test_pdf_check_refuses_what_is_not_pdf(data):
    with pytest.raises(PdfInvalid) as caught:
        pdf_check(data)
    assert caught.value.message == "Tệp tải lên không phải tệp PDF."
    assert caught.value.code == "pdf_invalid"


def test_pdf_check_refuses_a_truncated_pdf(sample_pdf):
    with pytest.raises(PdfDamaged) as caught:
        pdf_check(sample_pdf[: len(sample_pdf) // 2])
    assert caught.value.code == "pdf_damaged"
    assert caught.value.message.startswith("Tệp PDF bị hỏng")


def test_pdf_check_refuses_a_broken_page_tree(sample_pdf):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.pdf_utils.writer import copy_into_new_writer

    writer = copy_into_new_writer(PdfFileReader(io.BytesIO(sample_pdf)))
    pages = writer.root["/Pages"]
    pages["/Kids"] = generic.ArrayObject([generic.IndirectObject(9999, 0, writer)])
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(PdfDamaged):
        pdf_check(buffer.getvalue())


@pytest.mark.parametrize("user_password", ["", "bi-mat"])
def test_pdf_check_refuses_encrypted_pdfs(sample_pdf, user_password):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.pdf_utils.writer import copy_into_new_writer

    writer = copy_into_new_writer(PdfFileReader(io.BytesIO(sample_pdf)))
    writer.encrypt("chu-so-huu", user_password)
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(PdfEncrypted) as caught:
        pdf_check(buffer.getvalue())
    assert caught.value.message.startswith("Tệp PDF đã đặt mật khẩu hoặc bị mã hóa")


def test_nothing_left_in_the_system_temp_folder_by_default(settings):
    """Without XASO_CONVERT_TMP_DIR the private folders go to the system's temp folder, and go."""
    settings.XASO_CONVERT_TMP_DIR = None
    import tempfile

    before = {p.name for p in Path(tempfile.gettempdir()).glob("xaso-docx-*")}
    assert "Nơi nhận:" in _pdf_text(docx_to_pdf(_docx("Nội dung")))
    after = {p.name for p in Path(tempfile.gettempdir()).glob("xaso-docx-*")}
    assert after - before == set()
    assert os.path.isdir(tempfile.gettempdir())
