"""Form 05 (control sheet) and the tracking book: PDF text read back, Excel cells read back."""

import dataclasses
import datetime as dt
import io

from openpyxl import load_workbook

from tests.dossiers.documents import examples, pdftools
from xaso.dossiers.documents import (
    TRACKING_BOOK_COLUMNS,
    render_control_sheet,
    render_tracking_book_pdf,
    render_tracking_book_xlsx,
)

HEADER = [
    ("UBND XÃ THANH SƠN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
    ("TRUNG TÂM PHỤC VỤ HÀNH", "Độc lập - Tự do - Hạnh phúc"),
    ("CHÍNH CÔNG XÃ THANH SƠN",),
]


def test_control_sheet_text_reads_back_exactly():
    # Table cells wrap inside their columns, so a row spans several text lines.
    assert pdftools.text_lines(render_control_sheet(examples.control_sheet())) == [
        *HEADER,
        ("PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",),
        ("Mã hồ sơ: H38.12.34-261127-0007",),
        ("(Kèm theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả số: H38.12.34-261127-0007)",),
        ("Người nộp hồ sơ: Nguyễn Thị Hằng",),
        ("Thủ tục hành chính: Thủ tục đăng ký khai sinh",),
        ("Thời gian nhận hồ sơ: 09 giờ 15 phút, ngày 27/11/2026",),
        ("Thời gian hẹn trả kết quả: 15 giờ 30 phút, ngày 28/11/2026",),
        ("Cơ quan (bộ phận) giải quyết hồ sơ: UBND xã Thanh Sơn (công chức Tư pháp - Hộ tịch)",),
        ("Cơ quan phối hợp giải quyết hồ sơ: Không",),
        ("Thời gian", "Thời gian"),
        ("STT", "Bước xử lý", "Bên giao", "Bên nhận", "Hạn xử lý", "Kết quả"),
        ("nhận", "hoàn thành"),
        (
            "1",
            "Tiếp nhận,",
            "Nguyễn Thị",
            "Đặng Văn",
            "09 giờ 15",
            "11 giờ 15",
            "09 giờ 40",
            "Đúng hạn",
        ),
        ("chuyển hồ sơ", "Hằng", "Đức", "phút, ngày", "phút, ngày", "phút, ngày"),
        ("27/11/2026", "27/11/2026", "27/11/2026"),
        (
            "2",
            "Thẩm định,",
            "Đặng Văn",
            "Phạm Thu",
            "09 giờ 40",
            "09 giờ 40",
            "09 giờ 40",
            "Đúng hạn",
        ),
        ("dự thảo kết", "Đức", "Hương", "phút, ngày", "phút, ngày", "phút, ngày"),
        ("quả", "27/11/2026", "28/11/2026", "28/11/2026"),
        ("3", "Ký duyệt", "Phạm Thu", "Lê Quang", "09 giờ 40", "13 giờ 40", "14 giờ 10", "Quá hạn"),
        ("Chờ lãnh đạo Hương", "Vũ", "phút, ngày", "phút, ngày", "phút, ngày"),
        ("họp", "28/11/2026", "28/11/2026", "28/11/2026"),
        ("4", "Trả kết quả", "Lê Quang", "Trung tâm", "14 giờ 10", "15 giờ 30"),
        ("Vũ", "Phục vụ", "phút, ngày", "phút, ngày"),
        ("hành chính", "28/11/2026", "28/11/2026"),
        ("công",),
        ("Kết quả: Trước hạn, Đúng hạn hoặc Quá hạn so với thời hạn của từng bước.",),
    ]


def test_control_sheet_page_and_early_mark():
    sheet = examples.control_sheet()
    first = dataclasses.replace(sheet.hand_overs[0], deadline=examples.at(28, 11, 15))
    sheet = dataclasses.replace(sheet, hand_overs=(first,), receipt_number="0007/GTN")
    pdf = render_control_sheet(sheet)
    assert pdftools.page_size_mm(pdf) == (210.0, 297.0)
    assert pdftools.info(pdf)["Title"] == "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"
    lines = pdftools.text_lines(pdf)
    assert ("(Kèm theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả số: 0007/GTN)",) in lines
    row = ("1", "Tiếp nhận,", "Nguyễn Thị", "Đặng Văn", "09 giờ 15", "11 giờ 15", "09 giờ 40")
    assert (*row, "Trước hạn") in lines


def test_tracking_book_pdf_is_a4_landscape_and_reads_back():
    pdf = render_tracking_book_pdf(examples.tracking_book())
    assert pdftools.page_size_mm(pdf) == (297.0, 210.0)
    assert pdftools.info(pdf)["Title"] == "SỔ THEO DÕI HỒ SƠ"
    assert pdftools.fonts(pdf) == {("Liberation-Serif", "yes"), ("Liberation-Serif-Bold", "yes")}
    lines = pdftools.text_lines(pdf)
    assert lines[:5] == [
        ("UBND XÃ THANH SƠN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        ("TRUNG TÂM PHỤC VỤ HÀNH CHÍNH", "Độc lập - Tự do - Hạnh phúc"),
        ("CÔNG XÃ THANH SƠN",),
        ("SỔ THEO DÕI HỒ SƠ",),
        ("Quyển số: 03 - Từ ngày 01/11/2026 đến ngày 30/11/2026",),
    ]
    # The first text line of each dossier row, then the wrapped rest of its cells.
    assert lines[14:] == [
        (
            "1",
            "H38.12.34-261127-0007 Thủ tục đăng ký",
            "01",
            "Nguyễn Thị Hằng",
            "UBND xã",
            "09:15",
            "15:30",
            "09:40",
            "14:10",
            "15:05",
        ),
        (
            "khai sinh",
            "Xóm Đồng Chằm, xã",
            "Thanh Sơn",
            "27/11/2026",
            "28/11/2026",
            "27/11/2026",
            "28/11/2026",
            "28/11/2026",
        ),
        ("Thanh Sơn, tỉnh Phú",),
        ("Thọ",),
        ("0912 345 678",),
        (
            "2",
            "H38.12.34-261127-0008 Thủ tục chứng thực",
            "02",
            "Đặng Văn Đức",
            "UBND xã",
            "14:00",
            "16:00",
            "Trả qua",
        ),
        (
            "bản sao từ bản",
            "Khu Mỹ Á, xã Thanh",
            "Thanh Sơn",
            "27/11/2026",
            "27/11/2026",
            "bưu chính",
        ),
        ("chính", "Sơn"),
        ("0987 654 321",),
    ]


def test_empty_tracking_book_says_so():
    book = dataclasses.replace(examples.tracking_book(), rows=(), book_number="")
    lines = pdftools.text_lines(render_tracking_book_pdf(book))
    assert ("Từ ngày 01/11/2026 đến ngày 30/11/2026",) in lines
    assert lines[-1] == ("Không có hồ sơ trong kỳ.",)


def test_tracking_book_excel_cells():
    workbook = load_workbook(io.BytesIO(render_tracking_book_xlsx(examples.tracking_book())))
    assert workbook.sheetnames == ["Sổ theo dõi hồ sơ"]
    sheet = workbook["Sổ theo dõi hồ sơ"]
    assert sheet["A1"].value == "UBND XÃ THANH SƠN - TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG XÃ THANH SƠN"
    assert sheet["A2"].value == "SỔ THEO DÕI HỒ SƠ"
    assert sheet["A3"].value == "Quyển số: 03 - Từ ngày 01/11/2026 đến ngày 30/11/2026"
    assert tuple(cell.value for cell in sheet[5]) == TRACKING_BOOK_COLUMNS
    assert [cell.value for cell in sheet[6]] == [
        1,
        "H38.12.34-261127-0007",
        "Thủ tục đăng ký khai sinh",
        1,
        "Nguyễn Thị Hằng\nXóm Đồng Chằm, xã Thanh Sơn, tỉnh Phú Thọ\n0912 345 678",
        "UBND xã Thanh Sơn",
        dt.datetime(2026, 11, 27, 9, 15),
        dt.datetime(2026, 11, 28, 15, 30),
        dt.datetime(2026, 11, 27, 9, 40),
        dt.datetime(2026, 11, 28, 14, 10),
        dt.datetime(2026, 11, 28, 15, 5),
        None,
        None,
    ]
    assert [cell.value for cell in sheet[7]] == [
        2,
        "H38.12.34-261127-0008",
        "Thủ tục chứng thực bản sao từ bản chính",
        2,
        "Đặng Văn Đức\nKhu Mỹ Á, xã Thanh Sơn\n0987 654 321",
        "UBND xã Thanh Sơn",
        dt.datetime(2026, 11, 27, 14, 0),
        dt.datetime(2026, 11, 27, 16, 0),
        None,
        None,
        None,
        None,
        "Trả qua bưu chính",
    ]
    assert sheet.max_row == 7
    assert sheet["G6"].number_format == "dd/mm/yyyy hh:mm"
    assert sheet["A1"].font.name == "Times New Roman"
    assert sheet.freeze_panes == "A6"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.print_title_rows == "$5:$5"


def test_tracking_book_excel_shows_vietnam_wall_time_for_utc_input():
    row = dataclasses.replace(
        examples.tracking_book().rows[0],
        received_at=dt.datetime(2026, 11, 27, 20, 5, tzinfo=dt.UTC),
    )
    book = dataclasses.replace(examples.tracking_book(), rows=(row,))
    sheet = load_workbook(io.BytesIO(render_tracking_book_xlsx(book))).active
    assert sheet["G6"].value == dt.datetime(2026, 11, 28, 3, 5)
