"""A register book printed (WeasyPrint, A4 landscape, Liberation Serif, the event's columns,
amendments in the notes, the closing of a closed book) and exported to Excel; read back with
poppler and openpyxl."""

from __future__ import annotations

import unicodedata
from datetime import date
from io import BytesIO

from tests.civil.world import CHILD, birth, death, leader_titled, marriage
from tests.dossiers.documents.pdftools import fonts, info, page_size_mm, text_lines
from xaso.civil import books_export, services
from xaso.civil.models import CivilBook
from xaso.core.models import AuditEntry


def _text(pdf: bytes) -> str:
    return unicodedata.normalize("NFC", " ".join(" ".join(line) for line in text_lines(pdf)))


def _book(event: str) -> CivilBook:
    return CivilBook.objects.select_related("agency").get(event=event)


def test_birth_book_as_printed(w):
    born = services.civil_register_birth(actor=w.officer, **birth())
    services.civil_register_birth(
        actor=w.officer,
        **birth(child={**CHILD, "given_name": "Đào", "date_of_birth": date(2026, 1, 1)}),
    )
    services.civil_register_change(
        actor=w.officer,
        target=born,
        kind="correction",
        changes=[{"role": "child", "field": "middle_name", "value": "Thanh"}],
        reason="Ghi sai",
        requester={"full_name": "Trần Thị Mỹ", "relationship": "mother"},
        registered_on=date(2026, 4, 1),
    )
    pdf = books_export.book_pdf(_book("birth"))
    assert pdf[:5] == b"%PDF-"
    assert page_size_mm(pdf) == (297.0, 210.0)  # A4 landscape
    assert {name for name, _embedded in fonts(pdf)} == {
        "Liberation-Serif",
        "Liberation-Serif-Bold",
        "Liberation-Serif-Italic",
    }
    assert all(embedded == "yes" for _name, embedded in fonts(pdf))
    text = _text(pdf)
    assert "SỔ ĐĂNG KÝ KHAI SINH" in text
    assert "UBND xã Đông" in text
    # The entry as written; the correction in the notes.
    assert "Trần Thị Hằng" in text and "Trần Thị Đào" in text
    assert "Cải chính ngày" in text and "«Thanh»" in text
    sheet = books_export.book_sheet(_book("birth"))
    assert [row[-1] for row in sheet.rows] == [
        "Cải chính ngày 01/04/2026 (Sổ đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch, "
        "xác định lại dân tộc 01/2026, số 1): Người được đăng ký khai sinh — Chữ đệm "
        "«Thị» → «Thanh».",
        "Đăng ký quá hạn.",
    ]
    assert sheet.rows[0][2].startswith("Trần Thị Hằng; nữ; sinh ngày 01/03/2026")
    assert "Sổ đang mở: 2 mục đến ngày in." in text
    assert info(pdf)["Pages"] == "1"


def test_closed_book_ends_with_its_closing(w):
    leader_titled(w)
    services.civil_register_death(
        actor=w.officer,
        **death(date_of_death=date(2025, 5, 3), registered_on=date(2025, 5, 8)),
    )
    book = _book("death")
    services.book_close(actor=w.leader, book=book, closed_on=date(2025, 12, 31))
    row = books_export.book_sheet(_book("death")).rows[0]
    assert row[2].startswith("Lò Páo; nam; sinh ngày 01/07/1945; dân tộc Thái")
    assert row[3:6] == ["22:15 03/05/2025; Tại nhà, bản Lầm", "Già yếu", "Lò Văn Ún; con"]
    pdf = books_export.book_pdf(_book("death"))
    text = _text(pdf)
    assert "SỔ ĐĂNG KÝ KHAI TỬ" in text and "Lò Páo" in text and "Già yếu" in text
    assert "Sổ này có 1 trang, ghi 1 mục (từ số 1 đến số 1)." in text
    assert "Khóa sổ ngày 31/12/2025." in text
    assert "Người khóa sổ: Chủ tịch UBND xã, Đinh Công Sơn." in text


def test_marriage_and_other_books_have_their_columns(w):
    married = services.civil_register_marriage(actor=w.officer, **marriage())
    services.civil_register_extract_copy(
        actor=w.officer,
        source=married,
        requester={"full_name": "Hà Thị Ngọc", "relationship": "self"},
        copies=3,
        purpose="Làm thủ tục nhà đất",
        registered_on=date(2026, 4, 3),
    )
    marriage_text = _text(books_export.book_pdf(_book("marriage")))
    assert "Bên chồng" in marriage_text and "Bên vợ" in marriage_text
    assert "Lê Văn Toàn" in marriage_text and "Hà Thị Ngọc" in marriage_text
    sheet = books_export.book_sheet(_book("extract_copy"))
    assert [str(c.title) for c in sheet.columns] == [
        "Số / trang",
        "Ngày đăng ký",
        "Loại việc",
        "Người trong việc hộ tịch",
        "Nội dung",
        "Ghi chú",
    ]
    assert sum(c.width for c in sheet.columns) == 100
    row = sheet.rows[0]
    assert row[:3] == ["1 / 1", "03/04/2026", "Cấp bản sao trích lục hộ tịch"]
    assert row[3].startswith("Người yêu cầu: Hà Thị Ngọc")
    assert "Số bản sao: 3" in row[4] and "Mục đích sử dụng: Làm thủ tục nhà đất" in row[4]
    assert "Mục hộ tịch được cấp bản sao: Sổ đăng ký kết hôn 01/2026, số 1" in row[4]


def test_every_event_has_columns_of_full_width():
    from xaso.civil.models import Event

    for event in Event.values:
        assert sum(c.width for c in books_export.columns_for(event)) == 100, event


def test_excel_export(w):
    from openpyxl import load_workbook

    services.civil_register_birth(actor=w.officer, **birth())
    data = books_export.book_xlsx(_book("birth"))
    wb = load_workbook(BytesIO(data))
    ws = wb.active
    assert ws.title == "Sổ 2026"
    assert (ws["A1"].value, ws["A2"].value) == ("UBND xã Đông", "SỔ ĐĂNG KÝ KHAI SINH")
    assert ws["A3"].value == "Năm 2026 — Quyển số 01 — mở ngày 10/03/2026"
    assert [c.value for c in ws[5]][:3] == [
        "Số / trang",
        "Ngày đăng ký",
        "Người được đăng ký khai sinh",
    ]
    row = [c.value for c in ws[6]]
    assert row[:2] == ["1 / 1", "10/03/2026"]
    assert row[2].startswith("Trần Thị Hằng; nữ; sinh ngày 01/03/2026; dân tộc Kinh")
    assert row[4].startswith("Trần Thị Mỹ; nữ; sinh năm 1996")
    assert ws["A8"].value == "Sổ đang mở: 1 mục đến ngày in."


def test_export_is_audited_and_scoped(w):
    import pytest

    from xaso.core.errors import NotFound

    services.civil_register_birth(actor=w.officer, **birth())
    book = _book("birth")
    with pytest.raises(NotFound):
        books_export.book_export_for(actor=w.officer_b, public_id=book.public_id, fmt="xlsx")
    with pytest.raises(NotFound):
        books_export.book_export_for(actor=w.reception, public_id=book.public_id, fmt="pdf")
    assert not AuditEntry.objects.filter(action="civil.book_export").exists()
    found, content = books_export.book_export_for(
        actor=w.leader, public_id=book.public_id, fmt="pdf"
    )
    assert (found.pk, content[:5]) == (book.pk, b"%PDF-")
    entry = AuditEntry.objects.get(action="civil.book_export")
    assert (entry.actor_id, entry.changes) == (
        w.leader.pk,
        {"format": "pdf", "entries": 1, "closed": False},
    )
    assert books_export.file_name(found, "pdf") == "so-birth-H98.01-2026.pdf"


def test_a_large_book_is_printed_in_parts(w, monkeypatch):
    import pytest

    for name in ("An", "Bình", "Chi"):
        services.civil_register_birth(
            actor=w.officer, **birth(child={**CHILD, "given_name": name}), confirm_duplicate=True
        )
    monkeypatch.setattr(books_export, "PDF_MAX_ENTRIES", 2)
    book = _book("birth")
    assert books_export.book_parts(book) == [(1, 2), (3, 3)]
    with pytest.raises(books_export.BookTooLarge) as refused:
        books_export.book_pdf(book)
    assert refused.value.message == "Sổ có 3 mục: in từng phần, mỗi phần tối đa 2 mục."
    for bad in ((0, 1), (2, 1), (1, 3)):
        with pytest.raises(books_export.PartInvalid):
            books_export.book_pdf(book, bad)
    first = _text(books_export.book_pdf(book, (1, 2)))
    assert "từ mục số 1 đến số 2" in first
    assert "Trần Thị An" in first and "Trần Thị Bình" in first and "Trần Thị Chi" not in first
    assert "Phần từ mục số 1 đến số 2; sổ có 3 mục." in first
    last = _text(books_export.book_pdf(book, (3, 4)))
    assert "Trần Thị Chi" in last and "Trần Thị An" not in last
    assert "Sổ đang mở: 3 mục đến ngày in." in last
