"""The forms as PDFs: every event's document rendered from a real register entry, read back with
pdftotext (Vietnamese compared exactly), pdfinfo/pdffonts (A4, Liberation Serif embedded) and
zbarimg (the QR code opens the verification page); amendments applied and noted on later copies.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.civil.test_certificates_support import (
    CODE,
    correct_child_name,
    forms_fixture,  # noqa: F401  (the ``forms`` fixture)
    lines,
    register_birth,
    register_death,
    register_marriage,
    render_record,
    text,
)
from tests.civil.world import FATHER, PID_CHILD, CivilWorld
from tests.dossiers.documents.pdftools import decode_qr, fonts, info, page_size_mm, text_lines
from xaso.civil import services
from xaso.civil.certificates.content import SignerBlock, Table, document_title, signer_block

pytestmark = pytest.mark.django_db

VERIFY_URL = f"https://xaso.example.vn/civil/certificates/verify/{CODE}/"
HEADER = [
    "UBND XÃ ĐÔNG",
    "Số: 1",
    "Quyển số: 01/2026",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
]
FOOTER = [
    "Mã xác minh: 7K3M-Q9TP-2XWA-HR4D",
    "https://xaso.example.vn/civil/certificates/verify/",
    "7K3MQ9TP2XWAHR4D/",
    "Đinh Công Sơn",
]


def test_birth_certificate_original_reads_exactly(forms: CivilWorld):
    record = register_birth(forms, child={**_child(), "id_number": PID_CHILD})
    _sheet, pdf = render_record(record)
    assert lines(pdf) == [
        *HEADER,
        "Đông, ngày 10 tháng 3 năm 2026",
        "GIẤY KHAI SINH",
        "Họ, chữ đệm, tên: TRẦN THỊ HẰNG",
        "Ngày, tháng, năm sinh: 01/03/2026",
        "Ghi bằng chữ: Ngày một tháng ba năm hai nghìn không trăm hai mươi sáu",
        "Giới tính: Nữ Dân tộc: Kinh Quốc tịch: Việt Nam",
        "Nơi sinh: Trạm Y tế xã Đông",
        "Quê quán: xã Đông, tỉnh Thử Nghiệm",
        "Số định danh cá nhân: 025326000101",
        "Họ, chữ đệm, tên người mẹ: TRẦN THỊ MỸ",
        "Năm sinh: 1996 Dân tộc: Kinh Quốc tịch: Việt Nam",
        "Nơi cư trú: Thôn Đông, xã Đông",
        "Họ, chữ đệm, tên người cha:",
        "Năm sinh: Dân tộc: Quốc tịch:",
        "Nơi cư trú:",
        "Người đi khai sinh: Trần Thị Mỹ Quan hệ với người được khai sinh: Mẹ",
        "Nơi đăng ký khai sinh: UBND xã Đông",
        "Ngày, tháng, năm đăng ký: 10/03/2026",
        "CHỦ TỊCH",
        *FOOTER,
    ]


def test_birth_certificate_is_one_a4_page_in_liberation_serif_with_a_qr_code(forms):
    _sheet, pdf = render_record(register_birth(forms))
    assert page_size_mm(pdf) == (210.0, 297.0)
    assert info(pdf)["Pages"] == "1"
    assert info(pdf)["Title"] == "GIẤY KHAI SINH"
    assert fonts(pdf) == {
        ("Liberation-Serif", "yes"),
        ("Liberation-Serif-Bold", "yes"),
        ("Liberation-Serif-Italic", "yes"),
    }
    assert decode_qr(pdf) == [VERIFY_URL]


def test_birth_with_father_prints_his_details(forms):
    record = register_birth(
        forms, father=dict(FATHER), father_basis="marriage_elsewhere", parents_marriage="Xã Tây"
    )
    _sheet, pdf = render_record(record)
    body = lines(pdf)
    i = body.index("Họ, chữ đệm, tên người cha: NGUYỄN VĂN ĐẠT")
    assert body[i + 1 : i + 3] == [
        "Năm sinh: 1994 Dân tộc: Kinh Quốc tịch: Việt Nam",
        "Nơi cư trú: Thôn Đông, xã Đông",
    ]


def test_a_later_copy_shows_the_correction_and_notes_it(forms):
    record = register_birth(forms)
    correct_child_name(forms, record, date(2026, 5, 12))
    original_sheet, original = render_record(record, kind="original")
    sheet, pdf = render_record(record, kind="copy", issued_on=date(2026, 6, 1))
    body = lines(pdf)
    assert body[5:9] == [
        "Đông, ngày 01 tháng 6 năm 2026",
        "GIẤY KHAI SINH",
        "(Bản sao)",
        "Họ, chữ đệm, tên: TRẦN THỊ HẰNG NGA",
    ]
    start = body.index("Ghi chú:")
    assert " ".join(body[start + 1 : start + 3]) == (
        "- Ngày 12/05/2026: cải chính tên của người được khai sinh từ «Hằng» thành «Hằng Nga» "
        "(Sổ đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch, xác định lại dân tộc "
        "01/2026, số 1)."
    )
    assert body[start + 3] == (
        "Bản sao được cấp từ Sổ đăng ký khai sinh, quyển số 01/2026, số 1, đăng ký ngày 10/03/2026."
    )
    # The original issued after the correction shows the current name too, dated on the day of
    # registration, without the copy line.
    assert "Họ, chữ đệm, tên: TRẦN THỊ HẰNG NGA" in lines(original)
    assert "Đông, ngày 10 tháng 3 năm 2026" in lines(original)
    assert not any(x.startswith("Bản sao được cấp") for x in lines(original))
    assert (original_sheet.facts["amendments"], sheet.facts["amendments"]) == (1, 1)


def test_extract_of_a_birth_is_the_register_extract(forms):
    record = register_birth(forms)
    sheet, pdf = render_record(record, kind="extract")
    assert (sheet.title, sheet.subtitle) == ("TRÍCH LỤC KHAI SINH", "(Bản sao)")
    assert lines(pdf)[6:8] == ["TRÍCH LỤC KHAI SINH", "(Bản sao)"]


def test_death_extract(forms):
    record = register_death(forms)
    _sheet, pdf = render_record(record)
    body = lines(pdf)
    start = body.index("TRÍCH LỤC KHAI TỬ")
    assert body[start : start + 18] == [
        "TRÍCH LỤC KHAI TỬ",
        "(Bản chính)",
        "Họ, chữ đệm, tên: LÒ PÁO",
        "Ngày, tháng, năm sinh: 01/07/1945",
        "Giới tính: Nam Dân tộc: Thái Quốc tịch: Việt Nam",
        "Số định danh cá nhân: 025045000606",
        "Nơi cư trú cuối cùng: Bản Lầm, xã Đông",
        "Đã chết vào lúc: 22 giờ 15 phút, ngày 03/05/2026",
        "Ghi bằng chữ: Ngày ba tháng năm năm hai nghìn không trăm hai mươi sáu",
        "Nơi chết: Tại nhà, bản Lầm",
        "Nguyên nhân chết: Già yếu",
        "Giấy báo tử hoặc giấy tờ thay thế:",
        "Người đi khai tử: Lò Văn Ún Quan hệ với người chết: Con",
        "Nơi đăng ký khai tử: UBND xã Đông",
        "Ngày, tháng, năm đăng ký: 08/05/2026",
        "CHỦ TỊCH",
        "Mã xác minh: 7K3M-Q9TP-2XWA-HR4D",
        "https://xaso.example.vn/civil/certificates/verify/",
    ]
    copy_sheet, _copy = render_record(record, kind="copy")
    assert (copy_sheet.title, copy_sheet.subtitle) == ("TRÍCH LỤC KHAI TỬ", "(Bản sao)")


def test_marriage_certificate_side_by_side(forms):
    record = register_marriage(forms)
    _sheet, pdf = render_record(record)
    rows = text_lines(pdf)
    assert ("GIẤY CHỨNG NHẬN KẾT HÔN",) in rows
    assert ("Bên chồng", "Bên vợ") in rows
    assert ("Họ, chữ đệm, tên", "LÊ VĂN TOÀN", "HÀ THỊ NGỌC") in rows
    assert ("Ngày, tháng, năm sinh", "17/05/1998", "29/02/2000") in rows
    assert ("Dân tộc", "Kinh", "Mường") in rows
    assert ("Nơi cư trú", "Thôn Tây, xã Đông", "Bản Mới, xã Đông") in rows
    assert ("Giấy tờ tùy thân", "Số định danh cá nhân", "Số định danh cá nhân") in rows
    assert ("025098000404", "025300000505") in rows
    assert ("Chữ ký của chồng", "Chữ ký của vợ") in rows
    assert "Ngày, tháng, năm đăng ký: 02/04/2026" in lines(pdf)


def test_divorce_is_noted_on_a_later_marriage_extract(forms):
    record = register_marriage(forms)
    services.civil_note_divorce(
        actor=forms.officer,
        marriage=record,
        decided_on=date(2026, 9, 1),
        authority="Tòa án nhân dân khu vực 1",
        decision="Bản án số 12/2026/HNGĐ-ST",
    )
    sheet, pdf = render_record(record, kind="extract", issued_on=date(2026, 10, 2))
    assert (sheet.title, sheet.subtitle) == ("TRÍCH LỤC KẾT HÔN", "(Bản sao)")
    body = lines(pdf)
    start = body.index("Ghi chú:")
    assert " ".join(body[start + 1 : start + 3]) == (
        "- Ngày 01/09/2026: ghi chú ly hôn theo Bản án số 12/2026/HNGĐ-ST — Tòa án nhân dân khu "
        "vực 1."
    )
    rows = text_lines(pdf)
    # The parties signed the original at the handover: a copy says so.
    signatures = rows.index(("Chữ ký của chồng", "Chữ ký của vợ"))
    assert rows[signatures + 1] == ("(Đã ký)", "(Đã ký)")


def test_marital_status_confirmation(forms):
    record = services.civil_register_marital_status(
        actor=forms.officer,
        person={
            "family_name": "Hà",
            "middle_name": "Thị",
            "given_name": "Ngọc",
            "sex": "female",
            "date_of_birth": date(2000, 2, 29),
            "ethnicity": "Mường",
            "nationality": "Việt Nam",
            "residence": "Bản Mới, xã Đông",
        },
        declared_status="single",
        purpose="Bổ sung hồ sơ vay vốn",
        registered_on=date(2026, 6, 3),
    )
    sheet, pdf = render_record(record)
    body = lines(pdf)
    start = body.index("GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN")
    assert body[start : start + 11] == [
        "GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN",
        "UBND xã Đông xác nhận:",
        "Họ, chữ đệm, tên: HÀ THỊ NGỌC",
        "Ngày, tháng, năm sinh: 29/02/2000",
        "Giới tính: Nữ Dân tộc: Mường Quốc tịch: Việt Nam",
        "Số định danh cá nhân:",
        "Nơi cư trú: Bản Mới, xã Đông",
        "Tình trạng hôn nhân: Chưa đăng ký kết hôn với ai",
        "Giấy này được cấp để: Bổ sung hồ sơ vay vốn",
        "Giấy này có giá trị sử dụng đến ngày: 03/12/2026",
        "CHỦ TỊCH",
    ]
    assert sheet.facts["valid_until"] == "2026-12-03"
    with pytest.raises(ValueError):
        render_record(record, kind="copy")


def test_parentage_extract(forms):
    record = services.civil_register_parentage(
        actor=forms.officer,
        parent={
            "full_name": "Đặng Văn Đạt",
            "birth_year": 1994,
            "nationality": "Việt Nam",
            "residence": "Thôn Đông, xã Đông",
        },
        child={
            "full_name": "Trần Minh Khôi",
            "date_of_birth": date(2020, 8, 5),
            "nationality": "Việt Nam",
            "residence": "Thôn Đông, xã Đông",
        },
        recognized_as="father",
        registered_on=date(2026, 6, 4),
    )
    _sheet, pdf = render_record(record)
    body = lines(pdf)
    assert body[body.index("TRÍCH LỤC ĐĂNG KÝ NHẬN CHA, MẸ, CON") + 1] == "(Bản chính)"
    i = body.index("Thông tin người cha")
    assert body[i + 1 : i + 3] == ["Họ, chữ đệm, tên: ĐẶNG VĂN ĐẠT", "Ngày, tháng, năm sinh: 1994"]
    j = body.index("Thông tin người con")
    assert body[j + 1 : j + 3] == [
        "Họ, chữ đệm, tên: TRẦN MINH KHÔI",
        "Ngày, tháng, năm sinh: 05/08/2020",
    ]
    assert "Quan hệ được công nhận: Cha - con" in body


def _guardianship(w: CivilWorld):
    return services.civil_register_guardianship(
        actor=w.officer,
        ward={
            "full_name": "Lường Văn Sinh",
            "date_of_birth": date(2015, 1, 20),
            "nationality": "Việt Nam",
            "residence": "Bản Lầm, xã Đông",
        },
        guardian={
            "full_name": "Lường Thị Nhung",
            "date_of_birth": date(1980, 10, 2),
            "nationality": "Việt Nam",
            "residence": "Bản Lầm, xã Đông",
        },
        basis="appointed",
        appointment_document="Quyết định số 45/QĐ-UBND ngày 01/06/2026",
        registered_on=date(2026, 6, 5),
    )


def test_guardianship_extracts(forms):
    appointment = _guardianship(forms)
    _sheet, pdf = render_record(appointment)
    body = lines(pdf)
    assert "TRÍCH LỤC ĐĂNG KÝ GIÁM HỘ" in body
    assert body[body.index("Người giám hộ") + 1] == "Họ, chữ đệm, tên: LƯỜNG THỊ NHUNG"
    assert body[body.index("Người được giám hộ") + 1] == "Họ, chữ đệm, tên: LƯỜNG VĂN SINH"
    assert "Hình thức giám hộ: Giám hộ cử" in body
    assert "Văn bản cử người giám hộ: Quyết định số 45/QĐ-UBND ngày 01/06/2026" in body
    ended = services.civil_register_guardianship_termination(
        actor=forms.officer,
        appointment=appointment,
        reason="parents_able",
        registered_on=date(2026, 7, 1),
    )
    _sheet, pdf = render_record(ended)
    body = lines(pdf)
    assert "TRÍCH LỤC ĐĂNG KÝ CHẤM DỨT GIÁM HỘ" in body
    assert "Việc giám hộ đã đăng ký: Sổ đăng ký giám hộ 01/2026, số 1" in body
    reason = "Cha, mẹ của người được giám hộ đã đủ điều kiện thực hiện quyền, nghĩa vụ của mình"
    assert " ".join(body).count(f"Lý do chấm dứt: {reason}") == 1


def test_change_extract_lists_each_value_before_and_after(forms):
    birth = register_birth(forms)
    change = correct_child_name(forms, birth, date(2026, 5, 12))
    sheet, pdf = render_record(change)
    assert (sheet.title, sheet.subtitle) == ("TRÍCH LỤC CẢI CHÍNH HỘ TỊCH", "(Bản chính)")
    rows = text_lines(pdf)
    assert ("Nội dung", "Trước khi cải chính", "Sau khi cải chính") in rows
    assert ("Tên (người được khai sinh)", "Hằng", "Hằng Nga") in rows
    body = lines(pdf)
    assert "Việc hộ tịch được cải chính: Sổ đăng ký khai sinh 01/2026, số 1" in body
    assert "Lý do: Ghi sai tên khi đăng ký" in body
    # The person as the corrected entry now reads.
    assert body[body.index("TRÍCH LỤC CẢI CHÍNH HỘ TỊCH") + 2] == (
        "Họ, chữ đệm, tên: TRẦN THỊ HẰNG NGA"
    )


def test_foreign_marriage_extract(forms):
    record = services.civil_register_foreign_record(
        actor=forms.officer,
        variant="marriage",
        foreign_authority="Tòa thị chính Seoul",
        country="Hàn Quốc",
        foreign_document="Giấy chứng nhận kết hôn số 2025-778",
        event_date=date(2025, 11, 20),
        husband={
            "full_name": "Kim Min Jun",
            "date_of_birth": date(1990, 3, 3),
            "nationality": "Hàn Quốc",
        },
        wife={
            "full_name": "Phạm Thị Lan",
            "date_of_birth": date(1995, 6, 6),
            "nationality": "Việt Nam",
        },
        registered_on=date(2026, 6, 6),
    )
    _sheet, pdf = render_record(record)
    body = lines(pdf)
    assert "TRÍCH LỤC GHI VÀO SỔ HỘ TỊCH VIỆC KẾT HÔN" in body
    assert ("Họ, chữ đệm, tên", "KIM MIN JUN", "PHẠM THỊ LAN") in text_lines(pdf)
    assert "Cơ quan đã giải quyết: Tòa thị chính Seoul" in body
    assert "Nước: Hàn Quốc" in body
    assert "Ngày xảy ra sự kiện: 20/11/2025 Nơi xảy ra sự kiện:" in body


def test_info_confirmation_lists_the_entries(forms):
    birth = register_birth(forms)
    death = register_death(forms)
    record = services.civil_register_info_confirmation(
        actor=forms.officer,
        requester={"full_name": "Trần Thị Mỹ", "relationship": "self"},
        records=[birth, death],
        purpose="Giải quyết chế độ bảo hiểm",
        registered_on=date(2026, 6, 7),
    )
    sheet, pdf = render_record(record)
    body = lines(pdf)
    start = body.index("GIẤY XÁC NHẬN THÔNG TIN HỘ TỊCH")
    assert body[start + 1] == "UBND xã Đông xác nhận các thông tin hộ tịch sau đây đã được đăng ký:"
    [table] = [part for part in sheet.parts if isinstance(part, Table)]
    assert table.headings == ("Loại việc", "Sổ, số", "Ngày đăng ký", "Người được đăng ký")
    assert table.rows == (
        (
            "Khai sinh",
            "Sổ đăng ký khai sinh 01/2026, số 1",
            "10/03/2026",
            "TRẦN THỊ HẰNG (01/03/2026)",
        ),
        ("Khai tử", "Sổ đăng ký khai tử 01/2026, số 1", "08/05/2026", "LÒ PÁO (01/07/1945)"),
    )
    rows = text_lines(pdf)
    assert ("Loại việc", "Sổ, số", "Ngày đăng ký", "Người được đăng ký") in rows
    assert (
        "Khai tử",
        "Sổ đăng ký khai tử 01/2026, số 1",
        "08/05/2026",
        "LÒ PÁO (01/07/1945)",
    ) in rows
    assert "Mục đích sử dụng: Giải quyết chế độ bảo hiểm" in body


def test_re_registered_birth_prints_the_certificate_with_a_note(forms):
    record = services.civil_register_re_registration(
        actor=forms.officer,
        event="birth",
        original_registered_on=date(1990, 4, 2),
        original_place="UBND xã Đông Cửu",
        original_number="15",
        details={
            "child": {
                "family_name": "Nguyễn",
                "middle_name": "Văn",
                "given_name": "An",
                "sex": "male",
                "date_of_birth": date(1990, 3, 15),
                "ethnicity": "Kinh",
                "nationality": "Việt Nam",
            },
            "mother": {
                "full_name": "Lê Thị Hoa",
                "birth_year": 1965,
                "ethnicity": "Kinh",
                "nationality": "Việt Nam",
                "residence": "Thôn Đông",
            },
            "father": {
                "full_name": "Nguyễn Văn Bình",
                "birth_year": 1962,
                "ethnicity": "Kinh",
                "nationality": "Việt Nam",
                "residence": "Thôn Đông",
            },
            "father_basis": "marriage_elsewhere",
            "parents_marriage": "UBND xã Đông Cửu, 1988",
            "declarant": {"full_name": "Nguyễn Văn An", "relationship": "authorised"},
            "place_of_birth": "Xã Đông Cửu",
            "home_town": "Xã Đông Cửu",
        },
        registered_on=date(2026, 6, 8),
    )
    sheet, pdf = render_record(record)
    assert sheet.title == "GIẤY KHAI SINH"
    body = lines(pdf)
    assert "Ghi bằng chữ: Ngày mười lăm tháng ba năm một nghìn chín trăm chín mươi" in body
    assert body[body.index("Ghi chú:") + 1] == (
        "- Đăng ký lại (đã đăng ký tại UBND xã Đông Cửu, ngày 02/04/1990, số 15)."
    )


def test_forms_are_vietnamese_whatever_the_ui_language(forms):
    from django.utils import translation

    record = register_birth(forms)
    with translation.override("en"):
        _sheet, pdf = render_record(record, kind="copy")
    assert "GIẤY KHAI SINH" in text(pdf)


@pytest.mark.parametrize(
    ("title", "block"),
    [
        ("Chủ tịch UBND xã", SignerBlock("", "CHỦ TỊCH", "A")),
        ("Phó Chủ tịch UBND xã", SignerBlock("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "A")),
        ("phó chủ tịch ủy ban nhân dân", SignerBlock("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "A")),
        ("Giám đốc Trung tâm", SignerBlock("", "GIÁM ĐỐC TRUNG TÂM", "A")),
    ],
)
def test_signer_block(title, block):
    assert signer_block("A", title) == block


def test_vice_chairman_signs_for_the_chairman(forms):
    _sheet, pdf = render_record(
        register_birth(forms), signer=("Hoàng Thị Lan", "Phó Chủ tịch UBND xã")
    )
    body = lines(pdf)
    i = body.index("KT. CHỦ TỊCH")
    assert body[i + 1] == "PHÓ CHỦ TỊCH"
    assert body[-1] == "Hoàng Thị Lan"


def test_titles_of_each_kind(forms):
    birth = register_birth(forms)
    assert [document_title(birth, k) for k in ("original", "copy", "extract")] == [
        "GIẤY KHAI SINH",
        "GIẤY KHAI SINH",
        "TRÍCH LỤC KHAI SINH",
    ]


def _child() -> dict:
    from tests.civil.world import CHILD

    return dict(CHILD)
