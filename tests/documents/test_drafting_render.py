"""The PDF of a draft in the Decree 30/2020/NĐ-CP layout, read back with poppler-utils."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata

import pytest

from tests.dossiers.documents.pdftools import _with_file, fonts, info, page_size_mm, text_lines
from xaso.documents.drafting.errors import DraftIncomplete, NotationInvalid
from xaso.documents.drafting.render import (
    DraftContent,
    render_document,
    render_document_html,
    render_document_pdf,
)

DECISION = DraftContent(
    superior_agency_name="Ủy ban nhân dân tỉnh Phú Thọ",
    agency_name="Ủy ban nhân dân xã Võ Miếu",
    agency_abbr="UBND",
    type_code="QĐ",
    number=5,
    place="Võ Miếu",
    date=dt.date(2026, 3, 5),
    title="Về việc thành lập Tổ công nghệ số cộng đồng",
    body=(
        "Căn cứ Luật Tổ chức chính quyền địa phương;\n"
        "Theo đề nghị của Văn phòng Ủy ban nhân dân xã.\n"
        "# QUYẾT ĐỊNH:\n"
        "Điều 1. Thành lập Tổ công nghệ số cộng đồng xã.\n"
        "- Bà Nguyễn Thị Hường, Tổ trưởng;\n"
        "\n"
        "Điều 2. Quyết định này có hiệu lực kể từ ngày ký."
    ),
    recipients=("Như Điều 2", "- Lưu: VT, VP."),
    signer_authority="TM. Ủy ban nhân dân",
    signer_position="Chủ tịch",
    signer_name="Đặng Quốc Việt",
    urgency="very_urgent",
)


def _text(pdf: bytes) -> str:
    return unicodedata.normalize(
        "NFC", _with_file(pdf, "pdftotext", "-layout", "-enc", "UTF-8", "{}", "-")
    )


def _cells(pdf: bytes) -> list[str]:
    return [cell for line in text_lines(pdf) for cell in line]


@pytest.fixture(scope="module")
def decision_pdf() -> bytes:
    return render_document_pdf(DECISION)


def test_every_part_of_the_layout_is_printed(decision_pdf):
    lines = text_lines(decision_pdf)
    assert lines[:4] == [
        ("ỦY BAN NHÂN DÂN TỈNH PHÚ THỌ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        ("ỦY BAN NHÂN DÂN XÃ VÕ MIẾU", "Độc lập - Tự do - Hạnh phúc"),
        ("Số: 05/QĐ-UBND", "Võ Miếu, ngày 05 tháng 3 năm 2026"),
        ("THƯỢNG KHẨN",),
    ]
    assert lines[4:13] == [
        ("QUYẾT ĐỊNH",),
        ("Về việc thành lập Tổ công nghệ số cộng đồng",),
        ("Căn cứ Luật Tổ chức chính quyền địa phương;",),
        ("Theo đề nghị của Văn phòng Ủy ban nhân dân xã.",),
        ("QUYẾT ĐỊNH:",),
        ("Điều 1. Thành lập Tổ công nghệ số cộng đồng xã.",),
        ("- Bà Nguyễn Thị Hường, Tổ trưởng;",),
        ("Điều 2. Quyết định này có hiệu lực kể từ ngày ký.",),
        ("Nơi nhận:", "TM. ỦY BAN NHÂN DÂN"),
    ]
    # The recipients' own dash and full stop are not doubled; the last one ends with ".".
    assert lines[13:16] == [("- Như Điều 2;", "CHỦ TỊCH"), ("- Lưu: VT, VP.",), ("Đặng Quốc Việt",)]
    assert len(lines) == 16


def test_text_is_nfc_vietnamese(decision_pdf):
    raw = _with_file(decision_pdf, "pdftotext", "-enc", "UTF-8", "{}", "-")
    assert unicodedata.is_normalized("NFC", raw)
    assert "Nguyễn Thị Hường" in raw


def test_a4_one_page_liberation_serif_embedded(decision_pdf):
    assert page_size_mm(decision_pdf) == (210.0, 297.0)
    assert info(decision_pdf)["Pages"] == "1"
    assert fonts(decision_pdf) == {
        ("Liberation-Serif", "yes"),
        ("Liberation-Serif-Bold", "yes"),
        ("Liberation-Serif-Italic", "yes"),
        ("Liberation-Serif-Bold-Italic", "yes"),
    }


def test_margins_follow_appendix_i(decision_pdf):
    """Left 30 mm, top 20 mm: the left edge of the body text and the header's top (pdftotext
    -bbox gives each word's box in points)."""
    bbox = _with_file(decision_pdf, "pdftotext", "-bbox", "-enc", "UTF-8", "{}", "-")
    words = re.findall(
        r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]+)<', bbox
    )
    to_mm = 25.4 / 72
    left = min(float(w[0]) for w in words) * to_mm
    top = min(float(w[1]) for w in words) * to_mm
    right = max(float(w[2]) for w in words) * to_mm
    assert 29.9 <= left < 32.0
    assert 19.9 <= top < 23.0
    assert right <= 210 - 15.0


def test_the_signature_box_lies_between_position_and_name(decision_pdf):
    rendered = render_document(DECISION)
    assert rendered.pages == 1
    assert rendered.stamp_page == 0
    x1, y1, x2, y2 = rendered.stamp_box
    bbox = _with_file(rendered.pdf, "pdftotext", "-bbox", "-enc", "UTF-8", "{}", "-")
    height = 297 * 72 / 25.4

    def y_of(word: str) -> float:
        found = re.search(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">' + word + "<", bbox)
        assert found is not None, word
        return height - float(found.group(2)), height - float(found.group(1))  # bottom, top

    position_bottom, _ = y_of("CHỦ")
    _, name_top = y_of("Việt")
    assert name_top < y1 < y2 < position_bottom
    assert 0 < x1 < x2 < 210 * 72 / 25.4
    assert abs((x2 - x1) - 70 * 72 / 25.4) <= 1  # 70 mm wide, 30 mm high
    assert abs((y2 - y1) - 30 * 72 / 25.4) <= 1


def test_unnumbered_undated_draft_leaves_the_blanks():
    draft = dataclasses.replace(DECISION, number=None, date=None, urgency="normal")
    pdf = render_document_pdf(draft)
    cells = _cells(pdf)
    assert re.search(r"Số: {3,}/QĐ-UBND", _text(pdf))
    assert "Số: 05/QĐ-UBND" not in cells
    year = dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=7))).year
    assert re.search(rf"Võ Miếu, ngày {{2,}}tháng {{2,}}năm {year}", _text(pdf))
    assert "THƯỢNG KHẨN" not in cells


def test_cong_van_has_vv_under_the_number_and_no_type_heading():
    letter = dataclasses.replace(
        DECISION,
        type_code="CV",
        unit_abbr="VP",
        number=15,
        date=dt.date(2026, 2, 9),
        title="triển khai dịch vụ công trực tuyến",
        body="Ủy ban nhân dân xã đề nghị các thôn thực hiện ngay.",
        addressees=("Trưởng các thôn",),
        urgency="normal",
        confidentiality="confidential",
    )
    lines = text_lines(render_document_pdf(letter))
    assert lines[2] == ("Số: 15/UBND-VP", "Võ Miếu, ngày 09 tháng 02 năm 2026")
    assert lines[3] == ("V/v triển khai dịch vụ công trực",)
    assert lines[4] == ("tuyến",)
    assert lines[5] == ("MẬT",)
    assert lines[6] == ("Kính gửi: Trưởng các thôn.",)
    assert ("CÔNG VĂN",) not in lines


def test_several_addressees_are_a_list():
    letter = dataclasses.replace(
        DECISION, type_code="CV", unit_abbr="VP", addressees=("Thôn Đồng", "Thôn Bãi")
    )
    lines = text_lines(render_document_pdf(letter))
    assert ("Kính gửi:",) in lines
    assert ("- Thôn Đồng;",) in lines
    assert ("- Thôn Bãi.",) in lines


def test_a_long_body_flows_onto_page_two_with_a_page_number():
    body = "\n".join(
        f"Điều {i}. Nội dung điều khoản thứ {i} của quy chế làm việc, được trình bày đủ dài để "
        "chiếm hai dòng trên trang giấy khổ A4 theo Nghị định 30/2020/NĐ-CP."
        for i in range(1, 21)
    )
    rendered = render_document(dataclasses.replace(DECISION, body=body))
    assert rendered.pages == 2
    assert info(rendered.pdf)["Pages"] == "2"
    first, second = _text(rendered.pdf).split("\f")[:2]
    assert first.split()[0] == "ỦY"  # no page number on the first page
    assert second.split()[0] == "2"  # page numbers from page 2, at the top
    assert "Điều 20." in second
    assert "Đặng Quốc Việt" in second
    assert rendered.stamp_page == 1


def test_markup_is_escaped_and_articles_bold():
    draft = dataclasses.replace(
        DECISION, body="Điều 1. Giữ nguyên <script>alert(1)</script> & **nhấn mạnh**."
    )
    html = render_document_html(draft)
    assert (
        "<strong>Điều 1.</strong> Giữ nguyên &lt;script&gt;alert(1)&lt;/script&gt; &amp; " in html
    )
    assert "<strong>nhấn mạnh</strong>." in html
    assert "<style>" not in html
    assert "@font-face" in render_document_html(draft, with_style=True)
    cells = _cells(render_document_pdf(draft))
    assert "Điều 1. Giữ nguyên <script>alert(1)</script> & nhấn mạnh." in cells


def test_decomposed_input_prints_nfc():
    draft = dataclasses.replace(
        DECISION, signer_name=unicodedata.normalize("NFD", "Đặng Quốc Việt")
    )
    assert "Đặng Quốc Việt" in _cells(render_document_pdf(draft))


def test_missing_parts_are_refused_with_their_fields():
    draft = dataclasses.replace(DECISION, title=" ", signer_name="", body="")
    with pytest.raises(DraftIncomplete) as caught:
        render_document_pdf(draft)
    assert caught.value.code == "draft_incomplete"
    assert (
        caught.value.message == "Văn bản còn thiếu: Trích yếu nội dung, Nội dung, Họ tên người ký."
    )
    assert set(caught.value.fields) == {"title", "body", "signer_name"}


def test_cong_van_without_unit_is_refused():
    with pytest.raises(NotationInvalid):
        render_document_pdf(dataclasses.replace(DECISION, type_code="CV", unit_abbr=None))
