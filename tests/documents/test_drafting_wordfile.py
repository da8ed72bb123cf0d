"""The editable DOCX of a draft: read back with python-docx, and through the real LibreOffice to
PDF (what an official gets after editing it and uploading it back)."""

from __future__ import annotations

import dataclasses
import io
import unicodedata

import docx
import pytest

from tests.documents.test_drafting_render import DECISION
from tests.dossiers.documents.pdftools import _with_file, info, page_size_mm
from xaso.documents.drafting.convert import docx_to_pdf, pdf_check
from xaso.documents.drafting.errors import DraftIncomplete
from xaso.documents.drafting.wordfile import render_docx_from_template

DRAFT = dataclasses.replace(
    DECISION, body=DECISION.body + "\nMột đoạn có **chữ đậm** và *chữ nghiêng* ở giữa."
)


@pytest.fixture(scope="module")
def word_bytes() -> bytes:
    return render_docx_from_template(DRAFT)


def _flat_pdf_text(pdf: bytes) -> str:
    text = _with_file(pdf, "pdftotext", "-layout", "-enc", "UTF-8", "{}", "-")
    return " ".join(unicodedata.normalize("NFC", text).split())


def test_page_margins_and_font(word_bytes):
    document = docx.Document(io.BytesIO(word_bytes))
    section = document.sections[0]
    sizes = [
        round(value.mm, 1)  # stored in twentieths of a point
        for value in (
            section.page_width,
            section.page_height,
            section.top_margin,
            section.bottom_margin,
            section.left_margin,
            section.right_margin,
        )
    ]
    assert sizes == [210.0, 297.0, 20.0, 20.0, 30.0, 15.0]
    assert document.styles["Normal"].font.name == "Times New Roman"
    fonts = {run.font.name for p in document.paragraphs for run in p.runs}
    assert fonts == {"Times New Roman"}
    assert section.different_first_page_header_footer is True
    assert 'w:instrText xml:space="preserve"> PAGE </w:instrText>' in section.header._element.xml


def test_header_and_closing_tables(word_bytes):
    document = docx.Document(io.BytesIO(word_bytes))
    header, closing = document.tables
    cells = [[cell.text for cell in row.cells] for row in header.rows]
    assert cells == [
        [
            "ỦY BAN NHÂN DÂN TỈNH PHÚ THỌ\nỦY BAN NHÂN DÂN XÃ VÕ MIẾU\n",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n",
        ],
        ["Số: 05/QĐ-UBND\nTHƯỢNG KHẨN", "Võ Miếu, ngày 05 tháng 3 năm 2026"],
    ]
    motto = header.rows[0].cells[1].paragraphs
    assert [run.font.bold for run in motto[0].runs + motto[1].runs] == [True, True]
    assert header.rows[1].cells[1].paragraphs[0].runs[0].font.italic is True
    recipients, signer = closing.rows[0].cells
    assert recipients.text == "Nơi nhận:\n- Như Điều 2;\n- Lưu: VT, VP."
    assert signer.text == "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\nĐặng Quốc Việt"
    label = recipients.paragraphs[0].runs[0].font
    assert (label.bold, label.italic, label.size.pt) == (True, True, 12)
    assert recipients.paragraphs[1].runs[0].font.size.pt == 11


def test_body_runs_keep_bold_and_italic(word_bytes):
    document = docx.Document(io.BytesIO(word_bytes))
    texts = [p.text for p in document.paragraphs if p.text]
    assert texts == [
        "QUYẾT ĐỊNH",
        "Về việc thành lập Tổ công nghệ số cộng đồng",
        "Căn cứ Luật Tổ chức chính quyền địa phương;",
        "Theo đề nghị của Văn phòng Ủy ban nhân dân xã.",
        "QUYẾT ĐỊNH:",
        "Điều 1. Thành lập Tổ công nghệ số cộng đồng xã.",
        "- Bà Nguyễn Thị Hường, Tổ trưởng;",
        "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.",
        "Một đoạn có chữ đậm và chữ nghiêng ở giữa.",
    ]
    by_text = {p.text: p for p in document.paragraphs}
    article = by_text["Điều 1. Thành lập Tổ công nghệ số cộng đồng xã."]
    assert [(r.text, r.font.bold) for r in article.runs] == [
        ("Điều 1. ", True),
        ("Thành lập Tổ công nghệ số cộng đồng xã.", False),
    ]
    assert round(article.paragraph_format.first_line_indent.mm, 1) == 10.0
    assert article.alignment == 3  # justified
    assert all(r.font.italic for r in by_text["Căn cứ Luật Tổ chức chính quyền địa phương;"].runs)
    mixed = by_text["Một đoạn có chữ đậm và chữ nghiêng ở giữa."]
    assert [(r.text, r.font.bold, r.font.italic) for r in mixed.runs] == [
        ("Một đoạn có ", False, False),
        ("chữ đậm", True, False),
        (" và ", False, False),
        ("chữ nghiêng", False, True),
        (" ở giữa.", False, False),
    ]


@pytest.mark.usefixtures("libreoffice")
def test_libreoffice_prints_it_in_the_same_layout(word_bytes):
    pdf = docx_to_pdf(word_bytes)
    assert page_size_mm(pdf) == (210.0, 297.0)
    assert pdf_check(pdf) == 1
    text = _flat_pdf_text(pdf)
    parts = [
        "ỦY BAN NHÂN DÂN TỈNH PHÚ THỌ",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "ỦY BAN NHÂN DÂN XÃ VÕ MIẾU",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 05/QĐ-UBND",
        "Võ Miếu, ngày 05 tháng 3 năm 2026",
        "THƯỢNG KHẨN",
        "QUYẾT ĐỊNH Về việc thành lập Tổ công nghệ số cộng đồng",
        "Điều 1. Thành lập Tổ công nghệ số cộng đồng xã.",
        "Một đoạn có chữ đậm và chữ nghiêng ở giữa.",
        "Nơi nhận:",
        "TM. ỦY BAN NHÂN DÂN",
        "- Như Điều 2;",
        "CHỦ TỊCH",
        "- Lưu: VT, VP.",
        "Đặng Quốc Việt",
    ]
    positions = [text.find(part) for part in parts]
    assert -1 not in positions, [p for p, at in zip(parts, positions, strict=True) if at < 0]
    assert positions == sorted(positions)
    names = _with_file(pdf, "pdffonts")
    assert "LiberationSerif-Bold " in names
    assert "LiberationSerif-Italic " in names


@pytest.mark.usefixtures("libreoffice")
def test_cong_van_and_page_numbers_from_page_two():
    body = "\n".join(
        f"Đoạn {i}: nội dung công văn được trình bày đủ dài để chiếm hai dòng trên trang giấy "
        "khổ A4 theo Nghị định 30/2020/NĐ-CP về công tác văn thư."
        for i in range(1, 21)
    )
    letter = dataclasses.replace(
        DECISION,
        type_code="CV",
        unit_abbr="VP",
        title="triển khai dịch vụ công trực tuyến",
        addressees=("Trưởng các thôn",),
        body=body,
        urgency="normal",
    )
    pdf = docx_to_pdf(render_docx_from_template(letter))
    assert info(pdf)["Pages"] == "2"
    first, second = _with_file(pdf, "pdftotext", "-layout", "-enc", "UTF-8", "{}", "-").split("\f")[
        :2
    ]
    flat_first = " ".join(first.split())
    assert "Số: 05/UBND-VP" in flat_first
    assert "V/v triển khai dịch vụ công trực tuyến" in flat_first
    assert "Kính gửi: Trưởng các thôn." in flat_first
    assert "CÔNG VĂN" not in flat_first
    assert first.split()[0] == "ỦY"
    assert second.split()[0] == "2"
    assert "Đặng Quốc Việt" in second


def test_an_incomplete_draft_is_refused():
    with pytest.raises(DraftIncomplete):
        render_docx_from_template(dataclasses.replace(DECISION, signer_name=""))
