"""Realistic values for the one-stop documents: a birth registration at Thanh Sơn commune."""

from __future__ import annotations

import datetime as dt

from xaso.dossiers.documents import (
    ApologyLetter,
    Channel,
    ControlSheet,
    HandOver,
    Issuer,
    ReceiptSlip,
    RefusalNotice,
    StopNotice,
    SubmittedDocument,
    SupplementItem,
    SupplementRequest,
    TrackingBook,
    TrackingBookRow,
)
from xaso.dossiers.documents.wording import VIETNAM

CODE = "H38.12.34-261127-0007"
URL = "https://xaso.thanhson.gov.vn/tra-cuu/H38.12.34-261127-0007"
PROCEDURE = "Thủ tục đăng ký khai sinh"
APPLICANT = "Nguyễn Thị Hằng"
ADDRESS = "Xóm Đồng Chằm, xã Thanh Sơn, tỉnh Phú Thọ"
OFFICER = "Đặng Văn Đức"
LEADER = "Lê Quang Vũ"

ISSUER = Issuer(
    name="Trung tâm Phục vụ hành chính công xã Thanh Sơn",
    parent_name="UBND xã Thanh Sơn",
    place="Thanh Sơn",
)


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=VIETNAM)


RECEIVED = at(27, 9, 15)
DUE = at(28, 15, 30)


def receipt() -> ReceiptSlip:
    return ReceiptSlip(
        issuer=ISSUER,
        dossier_code=CODE,
        procedure_name=PROCEDURE,
        applicant_name=APPLICANT,
        applicant_address=ADDRESS,
        applicant_phone="0912 345 678",
        applicant_email="hang.nguyen@example.vn",
        documents=[
            ("Tờ khai đăng ký khai sinh", 1, 0),
            SubmittedDocument("Giấy chứng sinh", 1, 0),
            ("Giấy chứng nhận kết hôn của cha, mẹ", 0, 1),
        ],
        received_at=RECEIVED,
        due_at=DUE,
        channel=Channel.COUNTER,
        officer_name=OFFICER,
        lookup_url=URL,
        processing_time="01 ngày làm việc",
        book_number="03",
        entry_number="0007",
    )


def supplement() -> SupplementRequest:
    return SupplementRequest(
        issuer=ISSUER,
        dossier_code=CODE,
        procedure_name=PROCEDURE,
        applicant_name=APPLICANT,
        applicant_address=ADDRESS,
        received_at=RECEIVED,
        items=[
            SupplementItem("Giấy chứng sinh (bản chính)", "Bản đã nộp là bản chụp, không rõ dấu"),
            ("Văn bản ủy quyền", "Người nộp không phải cha, mẹ của trẻ"),
        ],
        officer_name=OFFICER,
        contact_phone="0210 3812 345",
        issued_at=at(27, 10, 5),
    )


def refusal() -> RefusalNotice:
    return RefusalNotice(
        issuer=ISSUER,
        dossier_code=CODE,
        procedure_name=PROCEDURE,
        applicant_name=APPLICANT,
        applicant_address=ADDRESS,
        reason="Trẻ đã được đăng ký khai sinh tại UBND xã Đồng Lương ngày 14/10/2026.",
        legal_basis="Điều 13 Luật Hộ tịch năm 2014",
        officer_name=OFFICER,
        issued_at=at(27, 10, 5),
    )


def apology() -> ApologyLetter:
    return ApologyLetter(
        issuer=ISSUER,
        dossier_code=CODE,
        procedure_name=PROCEDURE,
        applicant_name=APPLICANT,
        received_at=RECEIVED,
        old_due_at=DUE,
        new_due_at=at(2, 10, 0, month=12),
        reason="Cần xác minh thông tin nơi sinh với Trạm Y tế xã Đồng Lương.",
        signer_title="Giám đốc",
        signer_name=LEADER,
        issued_at=at(28, 14, 0),
        number="12/TB-TTPVHCC",
    )


def stop_notice() -> StopNotice:
    return StopNotice(
        issuer=ISSUER,
        dossier_code=CODE,
        procedure_name=PROCEDURE,
        applicant_name=APPLICANT,
        applicant_address=ADDRESS,
        received_at=RECEIVED,
        requested_at=at(28, 8, 30),
        reason="gia đình chuyển nơi cư trú, sẽ đăng ký tại nơi ở mới.",
        signer_title="Giám đốc",
        signer_name=LEADER,
        issued_at=at(28, 9, 0),
        number="13/TB-TTPVHCC",
    )


def control_sheet() -> ControlSheet:
    return ControlSheet(
        issuer=ISSUER,
        dossier_code=CODE,
        procedure_name=PROCEDURE,
        applicant_name=APPLICANT,
        received_at=RECEIVED,
        due_at=DUE,
        handling_agency="UBND xã Thanh Sơn (công chức Tư pháp - Hộ tịch)",
        hand_overs=[
            HandOver(
                step="Tiếp nhận, chuyển hồ sơ",
                from_name="Nguyễn Thị Hằng",
                to_name="Đặng Văn Đức",
                received_at=RECEIVED,
                deadline=at(27, 11, 15),
                done_at=at(27, 9, 40),
            ),
            HandOver(
                step="Thẩm định, dự thảo kết quả",
                from_name="Đặng Văn Đức",
                to_name="Phạm Thu Hương",
                received_at=at(27, 9, 40),
                deadline=at(28, 9, 40),
                done_at=at(28, 9, 40),
            ),
            HandOver(
                step="Ký duyệt",
                from_name="Phạm Thu Hương",
                to_name="Lê Quang Vũ",
                received_at=at(28, 9, 40),
                deadline=at(28, 13, 40),
                done_at=at(28, 14, 10),
                note="Chờ lãnh đạo họp",
            ),
            HandOver(
                step="Trả kết quả",
                from_name="Lê Quang Vũ",
                to_name="Trung tâm Phục vụ hành chính công",
                received_at=at(28, 14, 10),
                deadline=at(28, 15, 30),
            ),
        ],
    )


def tracking_book() -> TrackingBook:
    return TrackingBook(
        issuer=ISSUER,
        period_start=dt.date(2026, 11, 1),
        period_end=dt.date(2026, 11, 30),
        book_number="03",
        rows=[
            TrackingBookRow(
                dossier_code=CODE,
                procedure_name=PROCEDURE,
                applicant_name=APPLICANT,
                applicant_address=ADDRESS,
                applicant_phone="0912 345 678",
                handling_agency="UBND xã Thanh Sơn",
                received_at=RECEIVED,
                due_at=DUE,
                transferred_at=at(27, 9, 40),
                result_received_at=at(28, 14, 10),
                returned_at=at(28, 15, 5),
            ),
            TrackingBookRow(
                dossier_code="H38.12.34-261127-0008",
                procedure_name="Thủ tục chứng thực bản sao từ bản chính",
                applicant_name="Đặng Văn Đức",
                applicant_address="Khu Mỹ Á, xã Thanh Sơn",
                applicant_phone="0987 654 321",
                handling_agency="UBND xã Thanh Sơn",
                received_at=at(27, 14, 0),
                due_at=at(27, 16, 0),
                set_count=2,
                note="Trả qua bưu chính",
            ),
        ],
    )
