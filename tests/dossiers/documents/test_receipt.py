"""Form 01, read back by poppler and zbar: the text, the A5 page, the fonts and the QR code."""

import dataclasses
import subprocess
import sys

from PIL import Image

from tests.dossiers.documents import examples, pdftools
from xaso.dossiers.documents import qr_code, render_receipt

LIBERATION = {
    ("Liberation-Serif", "yes"),
    ("Liberation-Serif-Bold", "yes"),
    ("Liberation-Serif-Italic", "yes"),
}


def test_receipt_text_reads_back_exactly():
    assert pdftools.text_lines(render_receipt(examples.receipt())) == [
        ("UBND XÃ THANH SƠN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        ("TRUNG TÂM PHỤC VỤ HÀNH", "Độc lập - Tự do - Hạnh phúc"),
        ("CHÍNH CÔNG XÃ THANH SƠN", "Thanh Sơn, ngày 27 tháng 11 năm 2026"),
        ("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",),
        ("Mã hồ sơ: H38.12.34-261127-0007",),
        ("Trung tâm Phục vụ hành chính công xã Thanh Sơn tiếp nhận hồ sơ của:",),
        ("Ông/Bà: Nguyễn Thị Hằng",),
        ("Địa chỉ: Xóm Đồng Chằm, xã Thanh Sơn, tỉnh Phú Thọ",),
        ("Số điện thoại: 0912 345 678; Email: hang.nguyen@example.vn",),
        ("Nội dung yêu cầu giải quyết: Thủ tục đăng ký khai sinh",),
        ("Hình thức nộp hồ sơ: Trực tiếp tại Bộ phận Một cửa",),
        ("1. Thành phần hồ sơ nộp gồm:",),
        ("Bản",),  # the heading "Bản chính" wraps in its narrow column
        ("STT", "Tên giấy tờ", "Bản sao"),
        ("chính",),
        ("1", "Tờ khai đăng ký khai sinh", "1", "0"),
        ("2", "Giấy chứng sinh", "1", "0"),
        ("3", "Giấy chứng nhận kết hôn của cha, mẹ", "0", "1"),
        ("2. Số lượng hồ sơ: 01 bộ",),
        ("3. Thời gian giải quyết hồ sơ theo quy định: 01 ngày làm việc",),
        ("4. Thời gian nhận hồ sơ: 09 giờ 15 phút, ngày 27/11/2026",),
        ("5. Thời gian trả kết quả giải quyết hồ sơ: 15 giờ 30 phút, ngày 28/11/2026",),
        ("6. Đăng ký nhận kết quả tại: Bộ phận Một cửa",),
        ("Vào Sổ theo dõi hồ sơ, Quyển số: 03, Số thứ tự: 0007",),
        ("Tra cứu tình trạng hồ sơ: https://xaso.thanhson.gov.vn/tra-cuu/",),
        ("H38.12.34-261127-0007",),
        ("NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ"),
        ("(Ký và ghi rõ họ tên)", "(Ký và ghi rõ họ tên)"),
        ("Nguyễn Thị Hằng", "Đặng Văn Đức"),
        (
            "Giấy này được lập thành 02 liên: 01 liên giao người nộp hồ sơ, 01 liên chuyển kèm"
            " Phiếu kiểm",
        ),
        ("soát quá trình giải quyết hồ sơ.",),
    ]


def test_receipt_is_one_a5_page_in_liberation_serif():
    pdf = render_receipt(examples.receipt())
    info = pdftools.info(pdf)
    assert info["Pages"] == "1"
    assert info["Title"] == "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"
    assert pdftools.page_size_mm(pdf) == (148.0, 210.0)
    assert pdftools.fonts(pdf) == LIBERATION


def test_receipt_qr_code_opens_the_status_page():
    assert pdftools.decode_qr(render_receipt(examples.receipt())) == [examples.URL]


def test_receipt_qr_image_is_exactly_the_symbol_for_the_url():
    (path,) = pdftools.images(render_receipt(examples.receipt()))
    image = Image.open(path).convert("L")
    matrix = qr_code(examples.URL).get_matrix()  # with its 4-module quiet zone
    modules = len(matrix)
    assert image.size == (modules * 4, modules * 4)  # 4 px a module
    printed = [
        [image.getpixel((column * 4 + 2, row * 4 + 2)) < 128 for column in range(modules)]
        for row in range(modules)
    ]
    assert printed == matrix


def test_receipt_without_email_or_book_entry_and_with_markup_in_names():
    slip = dataclasses.replace(
        examples.receipt(),
        applicant_name="Hợp tác xã <Đồng Tâm> & Cộng sự",
        applicant_email="",
        book_number="",
        entry_number="",
        channel="post",
        set_count=2,
        processing_time="Trong ngày (trước 15 giờ)",
    )
    lines = pdftools.text_lines(render_receipt(slip))
    assert ("Ông/Bà: Hợp tác xã <Đồng Tâm> & Cộng sự",) in lines
    assert ("Số điện thoại: 0912 345 678",) in lines
    assert ("Hình thức nộp hồ sơ: Qua dịch vụ bưu chính công ích",) in lines
    assert ("2. Số lượng hồ sơ: 02 bộ",) in lines
    assert ("3. Thời gian giải quyết hồ sơ theo quy định: Trong ngày (trước 15 giờ)",) in lines
    assert ("Vào Sổ theo dõi hồ sơ, Quyển số: ......, Số thứ tự: ......",) in lines
    assert ("Hợp tác xã <Đồng Tâm> & Cộng sự", "Đặng Văn Đức") in lines


def test_importing_the_package_does_not_load_weasyprint():
    code = (
        "import sys, xaso.dossiers.documents as d; "
        "print(sorted(m for m in ('weasyprint', 'qrcode', 'openpyxl') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout == "[]\n"
