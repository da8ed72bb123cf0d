"""Forms 02 and 03, the apology and the stop notice: A4, Liberation Serif, exact Vietnamese text."""

import dataclasses

import pytest

from tests.dossiers.documents import examples, pdftools
from xaso.dossiers.documents import (
    render_apology,
    render_refusal,
    render_stop_notice,
    render_supplement_request,
)

HEADER = [
    ("UBND XÃ THANH SƠN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
    ("TRUNG TÂM PHỤC VỤ HÀNH", "Độc lập - Tự do - Hạnh phúc"),
    ("CHÍNH CÔNG XÃ THANH SƠN",),
]

SUPPLEMENT = [
    *HEADER,
    ("Thanh Sơn, ngày 27 tháng 11 năm 2026",),
    ("PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",),
    ("Mã hồ sơ: H38.12.34-261127-0007",),
    ("Kính gửi: Ông/Bà Nguyễn Thị Hằng",),
    ("Địa chỉ: Xóm Đồng Chằm, xã Thanh Sơn, tỉnh Phú Thọ",),
    ("Ngày 27/11/2026, Trung tâm Phục vụ hành chính công xã Thanh Sơn tiếp nhận hồ sơ đề",),
    ("nghị giải quyết thủ tục hành chính: Thủ tục đăng ký khai sinh.",),
    ("Sau khi kiểm tra, hồ sơ chưa đầy đủ, hợp lệ. Đề nghị Ông/Bà bổ sung, hoàn thiện hồ sơ",),
    ("gồm những nội dung sau:",),
    ("STT", "Nội dung bổ sung, hoàn thiện", "Lý do"),
    ("1", "Giấy chứng sinh (bản chính)", "Bản đã nộp là bản chụp, không rõ dấu"),
    ("2", "Văn bản ủy quyền", "Người nộp không phải cha, mẹ của trẻ"),
    ("Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, Ông/Bà liên hệ với Đặng Văn Đức,",),
    ("số điện thoại 0210 3812 345 để được hướng dẫn.",),
    ("NGƯỜI HƯỚNG DẪN",),
    ("(Ký và ghi rõ họ tên)",),
    ("Đặng Văn Đức",),
]

REFUSAL = [
    *HEADER,
    ("Thanh Sơn, ngày 27 tháng 11 năm 2026",),
    ("PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",),
    ("Mã hồ sơ: H38.12.34-261127-0007",),
    ("Kính gửi: Ông/Bà Nguyễn Thị Hằng",),
    ("Địa chỉ: Xóm Đồng Chằm, xã Thanh Sơn, tỉnh Phú Thọ",),
    ("Trung tâm Phục vụ hành chính công xã Thanh Sơn tiếp nhận hồ sơ đề nghị giải quyết thủ",),
    ("tục hành chính: Thủ tục đăng ký khai sinh.",),
    ("Sau khi xem xét, căn cứ Điều 13 Luật Hộ tịch năm 2014, Trung tâm Phục vụ hành chính",),
    ("công xã Thanh Sơn không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:",),
    ("Trẻ đã được đăng ký khai sinh tại UBND xã Đồng Lương ngày 14/10/2026.",),
    ("Xin thông báo để Ông/Bà được biết và thực hiện./.",),
    ("NGƯỜI TIẾP NHẬN",),
    ("(Ký và ghi rõ họ tên)",),
    ("Đặng Văn Đức",),
]

APOLOGY = [
    *HEADER,
    ("Thanh Sơn, ngày 28 tháng 11 năm 2026",),
    ("Số: 12/TB-TTPVHCC",),
    ("PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",),
    ("Mã hồ sơ: H38.12.34-261127-0007",),
    ("Kính gửi: Ông/Bà Nguyễn Thị Hằng",),
    ("Ngày 27/11/2026, Trung tâm Phục vụ hành chính công xã Thanh Sơn tiếp nhận giải quyết",),
    ("hồ sơ của Ông/Bà, thủ tục hành chính: Thủ tục đăng ký khai sinh.",),
    ("Thời gian hẹn trả kết quả giải quyết hồ sơ: 15 giờ 30 phút, ngày 28/11/2026.",),
    ("Tuy nhiên đến nay, Trung tâm Phục vụ hành chính công xã Thanh Sơn chưa trả kết quả",),
    ("giải quyết hồ sơ cho Ông/Bà.",),
    ("Lý do: Cần xác minh thông tin nơi sinh với Trạm Y tế xã Đồng Lương.",),
    ("Sự chậm trễ này đã gây phiền hà cho Ông/Bà. Trung tâm Phục vụ hành chính công xã",),
    ("Thanh Sơn xin lỗi Ông/Bà và hẹn lại thời gian trả kết quả vào: 10 giờ 00 phút, ngày",),
    ("02/12/2026.",),
    ("Xin trân trọng cảm ơn!",),
    ("GIÁM ĐỐC",),
    ("(Ký, ghi rõ họ tên và đóng dấu)",),
    ("Lê Quang Vũ",),
]

STOP = [
    *HEADER,
    ("Thanh Sơn, ngày 28 tháng 11 năm 2026",),
    ("Số: 13/TB-TTPVHCC",),
    ("THÔNG BÁO",),
    ("Về việc dừng giải quyết hồ sơ",),
    ("Kính gửi: Ông/Bà Nguyễn Thị Hằng",),
    ("Địa chỉ: Xóm Đồng Chằm, xã Thanh Sơn, tỉnh Phú Thọ",),
    ("Ngày 27/11/2026, Trung tâm Phục vụ hành chính công xã Thanh Sơn tiếp nhận hồ sơ mã",),
    ("số H38.12.34-261127-0007 đề nghị giải quyết thủ tục hành chính: Thủ tục đăng ký khai",),
    ("sinh.",),
    ("Ngày 28/11/2026, Ông/Bà có yêu cầu dừng giải quyết hồ sơ với lý do: gia đình chuyển",),
    ("nơi cư trú, sẽ đăng ký tại nơi ở mới.",),
    ("Căn cứ Điều 21 Nghị định số 118/2025/NĐ-CP ngày 09/6/2025 của Chính phủ, Trung",),
    ("tâm Phục vụ hành chính công xã Thanh Sơn thông báo dừng giải quyết hồ sơ nêu trên",),
    ("theo yêu cầu của Ông/Bà.",),
    ("Xin thông báo để Ông/Bà được biết./.",),
    ("GIÁM ĐỐC",),
    ("(Ký, ghi rõ họ tên và đóng dấu)",),
    ("Lê Quang Vũ",),
]

CASES = {
    "supplement": (render_supplement_request, examples.supplement, SUPPLEMENT),
    "refusal": (render_refusal, examples.refusal, REFUSAL),
    "apology": (render_apology, examples.apology, APOLOGY),
    "stop": (render_stop_notice, examples.stop_notice, STOP),
}
TITLES = {
    "supplement": "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
    "refusal": "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
    "apology": "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
    "stop": "THÔNG BÁO",
}


@pytest.mark.parametrize("kind", CASES)
def test_notice_text_reads_back_exactly(kind):
    render, example, expected = CASES[kind]
    assert pdftools.text_lines(render(example())) == expected


@pytest.mark.parametrize("kind", CASES)
def test_notice_is_one_a4_page_in_liberation_serif(kind):
    render, example, _ = CASES[kind]
    pdf = render(example())
    info = pdftools.info(pdf)
    assert info["Pages"] == "1"
    assert info["Title"] == TITLES[kind]
    assert pdftools.page_size_mm(pdf) == (210.0, 297.0)
    assert pdftools.fonts(pdf) == {
        ("Liberation-Serif", "yes"),
        ("Liberation-Serif-Bold", "yes"),
        ("Liberation-Serif-Italic", "yes"),
    }


def test_refusal_without_code_or_legal_basis_and_stop_without_reason():
    refusal = dataclasses.replace(examples.refusal(), dossier_code="", legal_basis="")
    lines = pdftools.text_lines(render_refusal(refusal))
    assert not any(line[0].startswith("Mã hồ sơ") for line in lines)
    assert (
        "Sau khi xem xét, Trung tâm Phục vụ hành chính công xã Thanh Sơn không tiếp nhận,",
    ) in (lines)
    stop = dataclasses.replace(examples.stop_notice(), reason="", number="")
    lines = pdftools.text_lines(render_stop_notice(stop))
    assert ("Ngày 28/11/2026, Ông/Bà có yêu cầu dừng giải quyết hồ sơ.",) in lines
    assert not any(line[0].startswith("Số:") for line in lines)
