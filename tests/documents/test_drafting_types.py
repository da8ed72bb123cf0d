"""Document types, number and notation, place and date of Decree 30/2020/NĐ-CP (vn-rules §5.1)."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest

from xaso.documents.drafting.errors import DocumentTypeUnknown, NotationInvalid
from xaso.documents.drafting.types import (
    CONFIDENTIALITY_MARKS,
    DOCUMENT_TYPE_CHOICES,
    DOCUMENT_TYPES,
    URGENCY_MARKS,
    Confidentiality,
    Urgency,
    confidentiality_mark,
    confidentiality_rank,
    date_words,
    document_type,
    is_cleared,
    notation,
    number_line,
    number_notation,
    place_date_line,
    urgency_mark,
    urgency_rank,
)

#: vn-rules.md §5.1, Appendix III in its order (GN/TTh, the majority reading).
APPENDIX_III = [
    ("Nghị quyết", "NQ"),
    ("Quyết định", "QĐ"),
    ("Chỉ thị", "CT"),
    ("Quy chế", "QC"),
    ("Quy định", "QyĐ"),
    ("Thông cáo", "TC"),
    ("Thông báo", "TB"),
    ("Hướng dẫn", "HD"),
    ("Chương trình", "CTr"),
    ("Kế hoạch", "KH"),
    ("Phương án", "PA"),
    ("Đề án", "ĐA"),
    ("Dự án", "DA"),
    ("Báo cáo", "BC"),
    ("Biên bản", "BB"),
    ("Tờ trình", "TTr"),
    ("Hợp đồng", "HĐ"),
    ("Công văn", ""),
    ("Công điện", "CĐ"),
    ("Bản ghi nhớ", "GN"),
    ("Bản thỏa thuận", "TTh"),
    ("Giấy ủy quyền", "GUQ"),
    ("Giấy mời", "GM"),
    ("Giấy giới thiệu", "GGT"),
    ("Giấy nghỉ phép", "GNP"),
    ("Phiếu gửi", "PG"),
    ("Phiếu chuyển", "PC"),
    ("Phiếu báo", "PB"),
    ("Thư công", ""),
]


def test_the_29_types_of_appendix_iii_with_their_abbreviations():
    assert [(t.name, t.abbreviation) for t in DOCUMENT_TYPES] == APPENDIX_III
    assert len({t.code for t in DOCUMENT_TYPES}) == 29
    assert [t.code for t in DOCUMENT_TYPES if t.letter_style] == ["CV", "THU"]
    for item in DOCUMENT_TYPES:
        assert unicodedata.is_normalized("NFC", item.name + item.abbreviation)
        assert len(item.code) <= 4


def test_choices_list_code_and_name():
    assert DOCUMENT_TYPE_CHOICES[1] == ("QĐ", "Quyết định")
    assert DOCUMENT_TYPE_CHOICES[17] == ("CV", "Công văn")
    assert len(DOCUMENT_TYPE_CHOICES) == 29


def test_document_type_lookup_accepts_decomposed_input_and_refuses_unknown():
    assert document_type(unicodedata.normalize("NFD", "QĐ")).name == "Quyết định"
    assert document_type(" QyĐ ").heading == "QUY ĐỊNH"
    with pytest.raises(DocumentTypeUnknown) as caught:
        document_type("XX")
    assert caught.value.code == "document_type_unknown"
    assert "“XX”" in caught.value.message
    assert caught.value.fields == {"type_code": ["Loại văn bản không hợp lệ."]}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((5, "QĐ", "UBND", None), "05/QĐ-UBND"),
        ((1, "NQ", "HĐND", None), "01/NQ-HĐND"),
        ((9, "TTr", "UBND", ""), "09/TTr-UBND"),
        ((10, "KH", "UBND", None), "10/KH-UBND"),
        ((3857, "QĐ", "UBND", None), "3857/QĐ-UBND"),
        ((15, "CV", "UBND", "VP"), "15/UBND-VP"),
        ((5, "CV", "UBND", "VP"), "05/UBND-VP"),
        ((7, "KH", "UBND", "VP"), "07/KH-UBND-VP"),
        ((2, "THU", "UBND", "VP"), "02/UBND-VP"),
        ((4, "QyĐ", "UBND", None), "04/QyĐ-UBND"),
    ],
)
def test_number_notation(args, expected):
    assert number_notation(*args) == expected


def test_normative_documents_carry_the_year():
    assert number_notation(12, "QĐ", "UBND", None, year=2025) == "12/2025/QĐ-UBND"


@pytest.mark.parametrize("number", [0, -1, True, 1.0, "5"])
def test_number_must_be_a_positive_integer(number):
    with pytest.raises(NotationInvalid) as caught:
        number_notation(number, "QĐ", "UBND", None)
    assert caught.value.fields == {"number": ["Số không hợp lệ."]}


def test_cong_van_needs_the_drafting_unit():
    with pytest.raises(NotationInvalid) as caught:
        number_notation(5, "CV", "UBND", None)
    assert caught.value.fields == {"unit_abbr": ["Cần chữ viết tắt tên đơn vị soạn thảo."]}
    assert "công văn" in caught.value.message


@pytest.mark.parametrize(
    ("agency", "unit", "field"),
    [
        ("", None, "agency_abbr"),
        ("UB ND", None, "agency_abbr"),
        ("UBND/X", None, "agency_abbr"),
        ("UBND", "V-P", "unit_abbr"),
        ("UBND", "V P", "unit_abbr"),
    ],
)
def test_abbreviations_must_be_one_word(agency, unit, field):
    with pytest.raises(NotationInvalid) as caught:
        notation("QĐ", agency, unit)
    assert list(caught.value.fields) == [field]


def test_number_notation_is_nfc_whatever_the_input():
    text = number_notation(5, "QĐ", unicodedata.normalize("NFD", "HĐND"), None)
    assert text == "05/QĐ-HĐND"
    assert unicodedata.is_normalized("NFC", text)


def test_number_line_numbered_and_blank_for_a_draft():
    assert number_line(5, "QĐ", "UBND") == "Số: 05/QĐ-UBND"
    assert number_line(None, "QĐ", "UBND") == "Số:" + "\u00a0" * 6 + "/QĐ-UBND"
    assert number_line(None, "CV", "UBND", "VP") == "Số:" + "\u00a0" * 6 + "/UBND-VP"
    assert number_line(None, "QĐ", "UBND", year=2026) == "Số:" + "\u00a0" * 6 + "/2026/QĐ-UBND"


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2026, 3, 5), "Thạch Khoán, ngày 05 tháng 3 năm 2026"),
        (dt.date(2026, 2, 5), "Thạch Khoán, ngày 05 tháng 02 năm 2026"),
        (dt.date(2026, 1, 31), "Thạch Khoán, ngày 31 tháng 01 năm 2026"),
        (dt.date(2026, 12, 9), "Thạch Khoán, ngày 09 tháng 12 năm 2026"),
        (dt.date(2026, 10, 10), "Thạch Khoán, ngày 10 tháng 10 năm 2026"),
        (dt.date(2026, 9, 28), "Thạch Khoán, ngày 28 tháng 9 năm 2026"),
    ],
)
def test_place_date_line_leading_zeros_for_days_below_10_and_months_1_2(day, expected):
    assert place_date_line("Thạch Khoán", day) == expected


def test_place_date_line_reads_aware_datetimes_in_vietnam_time():
    moment = dt.datetime(2026, 2, 28, 18, 0, tzinfo=dt.UTC)  # 01:00 on 1 March in Hà Nội
    assert place_date_line("Võ Miếu", moment) == "Võ Miếu, ngày 01 tháng 3 năm 2026"
    with pytest.raises(ValueError, match="naive"):
        date_words(dt.datetime(2026, 3, 1, 8, 0))


def test_place_date_line_is_nfc_and_needs_a_place():
    line = place_date_line(unicodedata.normalize("NFD", " Thạch Khoán "), dt.date(2026, 3, 5))
    assert line == "Thạch Khoán, ngày 05 tháng 3 năm 2026"
    assert unicodedata.is_normalized("NFC", line)
    with pytest.raises(NotationInvalid) as caught:
        place_date_line("  ", dt.date(2026, 3, 5))
    assert caught.value.fields == {"place": ["Cần địa danh."]}


def test_urgency_and_confidentiality_marks_and_ranks():
    assert [urgency_mark(level) for level in Urgency] == ["", "KHẨN", "THƯỢNG KHẨN", "HỎA TỐC"]
    assert [confidentiality_mark(level) for level in Confidentiality] == [
        "",
        "MẬT",
        "TỐI MẬT",
        "TUYỆT MẬT",
    ]
    assert set(URGENCY_MARKS) == set(Urgency)
    assert set(CONFIDENTIALITY_MARKS) == set(Confidentiality)
    assert [str(label) for label in Urgency.labels] == ["Thường", "Khẩn", "Thượng khẩn", "Hỏa tốc"]
    assert urgency_rank("flash") == 3
    assert urgency_rank("normal") == 0
    assert confidentiality_rank("secret") == 2
    with pytest.raises(ValueError):
        urgency_rank("rat_khan")


@pytest.mark.parametrize(
    ("clearance", "level", "allowed"),
    [
        ("normal", "normal", True),
        ("normal", "confidential", False),
        ("confidential", "confidential", True),
        ("confidential", "secret", False),
        ("secret", "confidential", True),
        ("top_secret", "top_secret", True),
        ("secret", "top_secret", False),
    ],
)
def test_is_cleared(clearance, level, allowed):
    assert is_cleared(clearance, level) is allowed


def test_values_match_the_documents_models():
    """A stored outgoing document's type, urgency and confidentiality pass straight in."""
    from xaso.documents import models

    assert set(models.DocumentType.values) <= {t.code for t in DOCUMENT_TYPES}
    assert models.Urgency.values == Urgency.values
    assert models.Confidentiality.values == Confidentiality.values
