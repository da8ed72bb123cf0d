"""The documents API: each kind's PDF and its applicability (409), agency scoping (404), bearer
token or session (401 without either), and the tracking book as Excel (cells read back) and PDF."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from openpyxl import load_workbook

from tests.dossiers.documents import pdftools
from tests.dossiers.test_slips import BINH, CENTRE, book_dossiers, name_world
from tests.dossiers.world import APPLICANT, MARITAL, PID, World, bearer, drive, vn
from xaso.core.models import AuditEntry
from xaso.dossiers import services
from xaso.dossiers.documents import time_words
from xaso.dossiers.documents.excel import DATETIME_FORMAT, HEADER_ROW
from xaso.dossiers.models import Status

KINDS = ("receipt", "supplement", "refusal", "apology", "stop", "control_sheet")
MARITAL_NAME = "Thủ tục cấp Giấy xác nhận tình trạng hôn nhân"
NOT_FOUND = {"code": "not_found", "message": "Không tìm thấy hồ sơ.", "fields": {}}


@pytest.fixture
def w(world: World) -> World:
    return name_world(world)


def url(code: str, kind: str) -> str:
    return f"/api/v1/dossiers/{code}/documents/{kind}.pdf"


def test_receipt_of_an_intake_over_the_api(client, w, settings):
    settings.XASO_PUBLIC_BASE_URL = "https://xaso.dong.gov.vn"
    body = {
        "procedure": MARITAL,
        "channel": "counter",
        "applicant": {**APPLICANT, "id_number": PID, "personal_id": None},
        "checklist": [{"document": 1, "originals": 1}],
    }
    del body["applicant"]["personal_id"]
    r = client.post(
        "/api/v1/dossiers", json.dumps(body), content_type="application/json", **bearer(w.reception)
    )
    assert r.status_code == 201, r.content
    code, due = r.json()["code"], dt.datetime.fromisoformat(r.json()["due_at"])
    r = client.get(url(code, "receipt"), **bearer(w.reception))
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"] == f'inline; filename="{code}-receipt.pdf"'
    assert r["Cache-Control"] == "private, no-store"
    text = pdftools.text_lines(r.content)
    assert (f"Mã hồ sơ: {code}",) in text
    assert ("Nội dung yêu cầu giải quyết: Thủ tục cấp Giấy xác nhận tình",) in text
    assert ("trạng hôn nhân",) in text
    assert (f"Ông/Bà: {BINH}",) in text
    assert (f"5. Thời gian trả kết quả giải quyết hồ sơ: {time_words(due)}",) in text
    lookup = f"https://xaso.dong.gov.vn/lookup/{code}/"
    assert pdftools.decode_qr(r.content) == [lookup]


def test_receipt_appointment_wording(client, w):
    d = drive(w, Status.RECEIVED)
    text = pdftools.text_lines(client.get(url(d.code, "receipt"), **bearer(w.specialist)).content)
    assert ("5. Thời gian trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 15/09/2026",) in text
    assert ("4. Thời gian nhận hồ sơ: 10 giờ 00 phút, ngày 10/09/2026",) in text


#: Which documents each status's dossier (as ``drive`` makes it) has.
APPLIES = {
    Status.RECEIVED: {"receipt", "control_sheet"},
    Status.IN_PROCESSING: {"receipt", "control_sheet"},
    Status.AWAITING_SUPPLEMENT: {"receipt", "control_sheet", "supplement"},
    Status.APPROVED: {"receipt", "control_sheet"},
    Status.RESULT_READY: {"receipt", "control_sheet"},
    Status.RETURNED: {"receipt", "control_sheet"},
    Status.REFUSED: {"receipt", "control_sheet", "refusal"},
    Status.WITHDRAWN: {"receipt", "control_sheet", "stop"},
    Status.TRANSFERRED: {"receipt", "control_sheet"},
}


@pytest.mark.parametrize("status", list(APPLIES))
def test_which_documents_apply(client, w, status):
    d = drive(w, status)
    auth = bearer(w.all_a)
    for kind in KINDS:
        before = AuditEntry.objects.count()
        r = client.get(url(d.code, kind), **auth)
        if kind in APPLIES[status]:
            assert (r.status_code, r["Content-Type"]) == (200, "application/pdf"), (kind, r.content)
            assert r.content.startswith(b"%PDF-")
            entry = AuditEntry.objects.get(seq=AuditEntry.objects.order_by("-seq")[0].seq)
            assert AuditEntry.objects.count() == before + 1
            assert (entry.action, entry.changes["document"]) == ("person.read", kind)
        else:
            assert r.status_code == 409, (kind, r.content)
            assert r.json()["code"] == "document_not_applicable"
            assert r.json()["fields"] == {}
            assert AuditEntry.objects.count() == before


def test_apology_applies_once_apologized(client, w):
    d = drive(w, Status.IN_PROCESSING)
    assert client.get(url(d.code, "apology"), **bearer(w.leader)).status_code == 409
    services.dossier_apologize(
        actor=w.leader,
        dossier=d,
        new_due_at=vn(2026, 9, 18, 16),
        reason="Cần xác minh thêm",
        at=vn(2026, 9, 15, 15),
    )
    r = client.get(url(d.code, "apology"), **bearer(w.leader))
    assert r.status_code == 200
    assert pdftools.text_lines(r.content) == [
        ("UBND XÃ ĐÔNG", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        ("TRUNG TÂM PHỤC VỤ HÀNH", "Độc lập - Tự do - Hạnh phúc"),
        ("CHÍNH CÔNG XÃ ĐÔNG",),
        ("Đông, ngày 15 tháng 9 năm 2026",),
        ("PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",),
        (f"Mã hồ sơ: {d.code}",),
        ("Kính gửi: Ông/Bà Nguyễn Văn Bình",),
        ("Ngày 10/09/2026, Trung tâm Phục vụ hành chính công xã Đông tiếp nhận giải quyết hồ",),
        ("sơ của Ông/Bà, thủ tục hành chính: Thủ tục cấp Giấy xác nhận tình trạng hôn nhân.",),
        ("Thời gian hẹn trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 15/09/2026.",),
        ("Tuy nhiên đến nay, Trung tâm Phục vụ hành chính công xã Đông chưa trả kết quả giải",),
        ("quyết hồ sơ cho Ông/Bà.",),
        ("Lý do: Cần xác minh thêm",),
        ("Sự chậm trễ này đã gây phiền hà cho Ông/Bà. Trung tâm Phục vụ hành chính công xã",),
        ("Đông xin lỗi Ông/Bà và hẹn lại thời gian trả kết quả vào: 16 giờ 00 phút, ngày",),
        ("18/09/2026.",),
        ("Xin trân trọng cảm ơn!",),
        ("GIÁM ĐỐC",),
        ("(Ký, ghi rõ họ tên và đóng dấu)",),
        ("Lê Quang Vũ",),
    ]


def test_refusal_text(client, w):
    d = drive(w, Status.REFUSED)
    r = client.get(url(d.code, "refusal"), **bearer(w.reception))
    assert r["Content-Disposition"] == f'inline; filename="{d.code}-refusal.pdf"'
    text = " ".join(" ".join(line) for line in pdftools.text_lines(r.content))
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text
    assert "Không thuộc thẩm quyền" in text and BINH in text


def test_documents_are_scoped_to_the_dossiers_agencies(client, w):
    d = drive(w, Status.REFUSED)
    before = AuditEntry.objects.count()
    for staff in (w.reception_b, w.reception_c, w.supervisor, w.admin):
        for kind in ("receipt", "refusal"):
            r = client.get(url(d.code, kind), **bearer(staff))
            assert (r.status_code, r.json()) == (404, NOT_FOUND), staff.username
    r = client.get(url("H98.01-260910-9999", "receipt"), **bearer(w.reception))
    assert (r.status_code, r.json()) == (404, NOT_FOUND)
    assert AuditEntry.objects.count() == before


def test_routed_dossier_documents_for_both_agencies(client, w):
    d = services.dossier_receive(
        actor=w.reception,
        procedure_code=MARITAL,
        channel="counter",
        applicant=APPLICANT,
        competent_agency=w.b,
        received_at=vn(2026, 9, 10, 10),
    )
    for staff in (w.reception, w.specialist_b):
        assert client.get(url(d.code, "control_sheet"), **bearer(staff)).status_code == 200
    assert client.get(url(d.code, "receipt"), **bearer(w.reception_c)).status_code == 404


def test_authentication_required(client, w):
    d = drive(w, Status.RECEIVED)
    unauthorized = {
        "code": "unauthorized",
        "message": "Cần đăng nhập (gửi Authorization: Bearer <token>).",
        "fields": {},
    }
    r = client.get(url(d.code, "receipt"))
    assert (r.status_code, r.json()) == (401, unauthorized)
    r = client.get(url(d.code, "receipt"), HTTP_AUTHORIZATION="Bearer not-a-token")
    assert (r.status_code, r.json()) == (401, unauthorized)
    r = client.get("/api/v1/tracking-book.xlsx?from=2026-09-10&to=2026-09-10")
    assert (r.status_code, r.json()) == (401, unauthorized)


def test_session_login_works_without_a_token(client, w):
    d = drive(w, Status.RECEIVED)
    client.force_login(w.reception)
    r = client.get(url(d.code, "receipt"))
    assert (r.status_code, r["Content-Type"]) == (200, "application/pdf")
    r = client.get("/api/v1/tracking-book.pdf?from=2026-09-10&to=2026-09-10")
    assert (r.status_code, r["Content-Type"]) == (200, "application/pdf")
    client.logout()
    assert client.get(url(d.code, "receipt")).status_code == 401
    client.force_login(w.supervisor)
    assert client.get(url(d.code, "receipt")).status_code == 404


def test_session_with_csrf_checks_enforced(w):
    """Browsers send no CSRF token with a link; a GET must not need one."""
    from django.test import Client

    d = drive(w, Status.RECEIVED)
    client = Client(enforce_csrf_checks=True)
    client.force_login(w.reception)
    assert client.get(url(d.code, "control_sheet")).status_code == 200


def test_unknown_kind_is_a_validation_error(client, w):
    d = drive(w, Status.RECEIVED)
    r = client.get(url(d.code, "birth_certificate"), **bearer(w.reception))
    assert (r.status_code, r.json()["code"]) == (422, "validation_error")


# --- the tracking book ------------------------------------------------------------------------


def wall(*args: int) -> dt.datetime:
    return dt.datetime(*args)  # noqa: DTZ001 (Excel cells hold Vietnam wall time)


def test_tracking_book_excel_cells(client, w):
    book_dossiers(w)
    r = client.get("/api/v1/tracking-book.xlsx?from=2026-09-10&to=2026-09-14", **bearer(w.leader))
    assert r.status_code == 200, r.content
    assert r["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert r["Content-Disposition"] == (
        'attachment; filename="so-theo-doi-ho-so-20260910-20260914.xlsx"'
    )
    sheet = load_workbook(io.BytesIO(r.content)).active
    rows = [
        [cell.value for cell in row]
        for row in sheet.iter_rows(min_row=HEADER_ROW + 1, max_row=sheet.max_row)
    ]
    person = f"{BINH}\n{APPLICANT['address']}\n{APPLICANT['phone']}"
    birth = "Thủ tục đăng ký khai sinh"
    assert rows == [
        [
            1,
            "H98.01-260910-0001",
            MARITAL_NAME,
            1,
            person,
            CENTRE,
            wall(2026, 9, 10, 10),
            wall(2026, 9, 15, 17),
            wall(2026, 9, 10, 16),
            wall(2026, 9, 16, 8),
            wall(2026, 9, 16, 9),
            None,
            None,
        ],
        [
            2,
            "H98.01-260911-0001",
            MARITAL_NAME,
            1,
            person,
            CENTRE,
            wall(2026, 9, 11, 14, 5),
            wall(2026, 9, 16, 17),
            None,
            None,
            None,
            None,
            "Từ chối giải quyết",
        ],
        [
            3,
            "H98.01-260914-0001",
            birth,
            1,
            f"Lò Thị Sương\n{APPLICANT['address']}",
            "UBND xã Tây",
            wall(2026, 9, 14, 16, 45),
            wall(2026, 9, 15, 17),
            None,
            None,
            None,
            None,
            None,
        ],
    ]
    assert sheet.cell(HEADER_ROW + 1, 7).number_format == DATETIME_FORMAT


def test_tracking_book_pdf(client, w):
    book_dossiers(w)
    r = client.get("/api/v1/tracking-book.pdf?from=2026-09-10&to=2026-09-14", **bearer(w.reception))
    assert r.status_code == 200
    assert r["Content-Disposition"] == (
        'inline; filename="so-theo-doi-ho-so-20260910-20260914.pdf"'
    )
    text = " ".join(" ".join(line) for line in pdftools.text_lines(r.content))
    assert "SỔ THEO DÕI HỒ SƠ" in text
    for code in ("H98.01-260910-0001", "H98.01-260911-0001", "H98.01-260914-0001"):
        assert code in text
    assert "H98.01-260909-0001" not in text and "H98.02-260911-0001" not in text


def test_tracking_book_refusals(client, w):
    path = "/api/v1/tracking-book.xlsx"
    before = AuditEntry.objects.count()
    for staff in (w.specialist, w.clerk, w.supervisor):
        r = client.get(f"{path}?from=2026-09-10&to=2026-09-14", **bearer(staff))
        assert (r.status_code, r.json()["code"]) == (403, "permission_denied")
    r = client.get(f"{path}?from=2026-09-14&to=2026-09-10", **bearer(w.reception))
    assert (r.status_code, r.json()) == (
        400,
        {
            "code": "invalid_input",
            "message": "Ngày kết thúc phải từ ngày bắt đầu trở đi.",
            "fields": {"to": ["Phải từ ngày bắt đầu trở đi."]},
        },
    )
    r = client.get(f"{path}?from=2026-09-14", **bearer(w.reception))
    assert (r.status_code, r.json()["code"], r.json()["fields"]) == (
        422,
        "validation_error",
        {"to": ["Trường này là bắt buộc."]},
    )
    assert AuditEntry.objects.count() == before
