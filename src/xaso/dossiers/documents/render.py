"""One function per official document: frozen values in, PDF bytes out (vn-rules.md §1.6).

Each builds the template context from the shared header and wording helpers and hands it to
pdf.render_pdf; none of them touches the database. The receipt is A5 (Circular 01/2018 prints forms
01-05 on A5); the notices, the control sheet and the tracking book are A4, the book in landscape.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from xaso.dossiers.documents.pdf import header_context, qr_data_uri, render_pdf
from xaso.dossiers.documents.slips import (
    ApologyLetter,
    ControlSheet,
    ReceiptSlip,
    RefusalNotice,
    StopNotice,
    SupplementRequest,
    TrackingBook,
    TrackingBookRow,
)
from xaso.dossiers.documents.wording import short_date, short_time, time_words

RECEIPT_TITLE = "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"
SUPPLEMENT_TITLE = "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"
REFUSAL_TITLE = "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"
APOLOGY_TITLE = "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"
STOP_TITLE = "THÔNG BÁO"
CONTROL_SHEET_TITLE = "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"
TRACKING_BOOK_TITLE = "SỔ THEO DÕI HỒ SƠ"

TRACKING_BOOK_COLUMNS = (
    "STT",
    "Mã hồ sơ",
    "Tên thủ tục hành chính",
    "Số lượng hồ sơ (bộ)",
    "Tên, địa chỉ, số điện thoại người nộp",
    "Cơ quan chủ trì giải quyết",
    "Ngày, giờ nhận hồ sơ",
    "Ngày, giờ hẹn trả kết quả",
    "Ngày chuyển hồ sơ đến cơ quan giải quyết",
    "Ngày nhận kết quả từ cơ quan giải quyết",
    "Ngày trả kết quả",
    "Người nhận kết quả ký",
    "Ghi chú",
)

# Percentages of the landscape page width, in column order: the code and the applicant need room.
TRACKING_BOOK_WIDTHS = (3, 13, 11, 5, 13, 9, 7, 7, 7, 7, 7, 5, 6)


def _count(value: int) -> str:
    """Counts below 10 keep a leading zero, as the forms print them ("01 bộ")."""
    return f"{value:02d}"


def render_receipt(slip: ReceiptSlip) -> bytes:
    """Form 01: Giấy tiếp nhận hồ sơ và hẹn trả kết quả, A5, with the status-page QR code."""
    return render_pdf(
        "dossiers/documents/receipt.html",
        {
            **header_context(slip.issuer, dated=slip.received_at),
            "title": RECEIPT_TITLE,
            "s": slip,
            "set_count": _count(slip.set_count),
            "received": time_words(slip.received_at),
            "due": time_words(slip.due_at),
            "qr": qr_data_uri(slip.lookup_url),
        },
        page="A5",
    )


def render_supplement_request(request: SupplementRequest) -> bytes:
    """Form 02: Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ, A4."""
    return render_pdf(
        "dossiers/documents/supplement.html",
        {
            **header_context(request.issuer, dated=request.issued_at),
            "title": SUPPLEMENT_TITLE,
            "s": request,
            "received_day": short_date(request.received_at),
        },
        page="A4",
    )


def render_refusal(notice: RefusalNotice) -> bytes:
    """Form 03: Phiếu từ chối tiếp nhận giải quyết hồ sơ, A4."""
    return render_pdf(
        "dossiers/documents/refusal.html",
        {
            **header_context(notice.issuer, dated=notice.issued_at),
            "title": REFUSAL_TITLE,
            "s": notice,
        },
        page="A4",
    )


def render_apology(letter: ApologyLetter) -> bytes:
    """Phiếu xin lỗi và hẹn lại ngày trả kết quả, A4: the old and the new appointment."""
    return render_pdf(
        "dossiers/documents/apology.html",
        {
            **header_context(letter.issuer, dated=letter.issued_at),
            "title": APOLOGY_TITLE,
            "s": letter,
            "number": letter.number,
            "received_day": short_date(letter.received_at),
            "old_due": time_words(letter.old_due_at),
            "new_due": time_words(letter.new_due_at),
            "signer_title": letter.signer_title.upper(),
        },
        page="A4",
    )


def render_stop_notice(notice: StopNotice) -> bytes:
    """Thông báo dừng giải quyết hồ sơ (Decree 118/2025 Art 21), A4."""
    return render_pdf(
        "dossiers/documents/stop_notice.html",
        {
            **header_context(notice.issuer, dated=notice.issued_at),
            "title": STOP_TITLE,
            "s": notice,
            "number": notice.number,
            "received_day": short_date(notice.received_at),
            "requested_day": short_date(notice.requested_at),
            "signer_title": notice.signer_title.upper(),
        },
        page="A4",
    )


def _maybe(moment: dt.datetime | None) -> str:
    return time_words(moment) if moment is not None else ""


def render_control_sheet(sheet: ControlSheet) -> bytes:
    """Form 05: Phiếu kiểm soát quá trình giải quyết hồ sơ, A4, one row per hand-over."""
    rows = [
        {
            "step": hand_over.step,
            "note": hand_over.note,
            "from_name": hand_over.from_name,
            "to_name": hand_over.to_name,
            "received": time_words(hand_over.received_at),
            "deadline": _maybe(hand_over.deadline),
            "done": _maybe(hand_over.done_at),
            "result": hand_over.result.label if hand_over.result is not None else "",
        }
        for hand_over in sheet.hand_overs
    ]
    return render_pdf(
        "dossiers/documents/control_sheet.html",
        {
            **header_context(sheet.issuer),
            "title": CONTROL_SHEET_TITLE,
            "s": sheet,
            "receipt_number": sheet.receipt_number or sheet.dossier_code,
            "received": time_words(sheet.received_at),
            "due": time_words(sheet.due_at),
            "rows": rows,
        },
        page="A4",
    )


def _short(moment: dt.datetime | None) -> str:
    return short_time(moment) if moment is not None else ""


def tracking_book_cells(number: int, row: TrackingBookRow) -> tuple[str, ...]:
    """The printed cells of one book row, in TRACKING_BOOK_COLUMNS order (the PDF's text)."""
    applicant = "\n".join(
        part for part in (row.applicant_name, row.applicant_address, row.applicant_phone) if part
    )
    return (
        str(number),
        row.dossier_code,
        row.procedure_name,
        _count(row.set_count),
        applicant,
        row.handling_agency,
        short_time(row.received_at),
        short_time(row.due_at),
        _short(row.transferred_at),
        _short(row.result_received_at),
        _short(row.returned_at),
        "",
        row.note,
    )


def render_tracking_book_pdf(book: TrackingBook) -> bytes:
    """Sổ theo dõi hồ sơ for a period as a printable register, A4 landscape."""
    return render_pdf(
        "dossiers/documents/tracking_book.html",
        {
            **header_context(book.issuer),
            "title": TRACKING_BOOK_TITLE,
            "book": book,
            "period_start": short_date(book.period_start),
            "period_end": short_date(book.period_end),
            "columns": list(zip(TRACKING_BOOK_COLUMNS, TRACKING_BOOK_WIDTHS, strict=True)),
            "rows": [tracking_book_cells(n, row) for n, row in enumerate(book.rows, start=1)],
        },
        page="A4 landscape",
    )


@functools.singledispatch
def render_document(document: Any) -> bytes:
    """Render any of the document values above to PDF (the API's documents/{kind}.pdf)."""
    raise TypeError(f"no renderer for {type(document).__name__}")


render_document.register(ReceiptSlip, render_receipt)
render_document.register(SupplementRequest, render_supplement_request)
render_document.register(RefusalNotice, render_refusal)
render_document.register(ApologyLetter, render_apology)
render_document.register(StopNotice, render_stop_notice)
render_document.register(ControlSheet, render_control_sheet)
render_document.register(TrackingBook, render_tracking_book_pdf)
