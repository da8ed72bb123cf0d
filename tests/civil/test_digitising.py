"""Số hóa sổ hộ tịch, one entry at a time: the paper's book number, number, page and date kept
(none allocated), the page's scan checked by content and kept once, the copying mistakes
refused with nothing written, the entry found by the search; over the API for each role, and
on the pages (the form stays open for the next entry of the page)."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.civil.test_digitising_urls import URLS
from tests.dossiers.world import bearer
from xaso.civil.digitising import services
from xaso.civil.digitising.models import DigitisedEntry, PageScan
from xaso.civil.errors import BookClosed, DatesInconsistent, RecordInvalid
from xaso.civil.models import CivilBook, CivilParty, CivilRecord
from xaso.civil.selectors import record_search_for
from xaso.civil.services import book_close
from xaso.core.errors import PermissionDenied
from xaso.core.models import AuditEntry

pytestmark = [pytest.mark.django_db, pytest.mark.urls(URLS)]

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def birth_1998(**over):
    data = {
        "book_number": "01",
        "entry_number": 37,
        "page": 12,
        "registered_on": date(1998, 3, 5),
        "registrar_name": "Hà Văn Lực",
        "signer_name": "Đinh Công Sơn",
        "signer_title": "Chủ tịch UBND xã",
        "child": {
            "family_name": "Nguyễn",
            "middle_name": "Thị",
            "given_name": "Hằng",
            "sex": "female",
            "date_of_birth": date(1998, 2, 14),
            "ethnicity": "Kinh",
            "nationality": "Việt Nam",
        },
        "mother": {"full_name": "Trần Thị Mai", "birth_year": 1975},
        "father": {"full_name": "Nguyễn Văn Đức", "birth_year": 1972},
        "declarant": {"full_name": "Nguyễn Văn Đức", "relationship": "father"},
        "place_of_birth": "Trạm Y tế xã Đông",
        "home_town": "xã Đông",
    }
    data.update(over)
    return data


def state() -> tuple[int, ...]:
    return (
        CivilBook.objects.count(),
        CivilRecord.objects.count(),
        CivilParty.objects.count(),
        DigitisedEntry.objects.count(),
        PageScan.objects.count(),
        AuditEntry.objects.count(),
    )


def refused(exc_type, **kw):
    before = state()
    with pytest.raises(exc_type) as info:
        services.civil_digitise_entry(**kw)
    assert state() == before
    return info.value


def test_an_old_entry_keeps_the_papers_number_page_and_date(w, media):
    scan = SimpleUploadedFile("trang-12.pdf", PDF, content_type="application/octet-stream")
    r = services.civil_digitise_entry(actor=w.officer, event="birth", data=birth_1998(), scan=scan)
    book = r.book
    assert (book.event, book.year, book.number, book.opened_on, book.closed_on) == (
        "birth",
        1998,
        "01",
        date(1998, 3, 5),
        None,
    )
    assert (book.last_number, book.last_registered_on) == (37, date(1998, 3, 5))
    assert (r.entry_number, r.page, r.registered_on, r.event_date, r.late) == (
        37,
        12,
        date(1998, 3, 5),
        date(1998, 2, 14),
        False,
    )
    assert (r.registrar, r.registrar_name, r.signer, r.signer_name, r.signer_title) == (
        w.officer,
        "Hà Văn Lực",
        None,
        "Đinh Công Sơn",
        "Chủ tịch UBND xã",
    )
    assert (r.procedure, r.fee_amount_vnd) == (None, None)
    assert r.content == {"note": "", "place_of_birth": "Trạm Y tế xã Đông", "home_town": "xã Đông"}
    parties = {p.role: p for p in r.parties.all()}
    assert sorted(parties) == ["child", "declarant", "father", "mother"]
    assert (parties["child"].full_name, parties["child"].name_folded) == (
        "Nguyễn Thị Hằng",
        "nguyen thi hang",
    )
    assert (parties["mother"].sex, parties["father"].sex, parties["mother"].birth_year) == (
        "female",
        "male",
        1975,
    )
    assert all(p.person_id is None for p in parties.values())
    mark = DigitisedEntry.objects.get(record=r)
    assert (mark.source, mark.batch, mark.entered_by, mark.scan.page) == (
        "form",
        None,
        w.officer,
        12,
    )
    assert (mark.scan.content_type, mark.scan.size) == ("application/pdf", len(PDF))
    assert mark.scan.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (media / mark.scan.file.name).read_bytes() == PDF
    [audit] = AuditEntry.objects.filter(action="civil.digitise")
    assert audit.changes["entry_number"] == 37 and audit.changes["book_number"] == "01"
    # Found like any entry: by name, parent, year of birth.
    assert [n.record for n in record_search_for(actor=w.officer, q="nguyen thi hang").items] == [r]
    assert [n.record for n in record_search_for(actor=w.officer, parent="tran thi mai").items] == [
        r
    ]
    assert [n.record for n in record_search_for(actor=w.officer, birth_year=1998).items] == [r]


def test_more_entries_of_the_page_share_its_scan_and_the_book(w):
    scan = SimpleUploadedFile("p.png", PNG)
    first = services.civil_digitise_entry(
        actor=w.officer, event="birth", data=birth_1998(), scan=scan
    )
    # Entries are copied in any order: an earlier number later, another page.
    second = services.civil_digitise_entry(
        actor=w.officer,
        event="birth",
        data=birth_1998(entry_number=36, registered_on=date(1998, 3, 4)),
    )
    third = services.civil_digitise_entry(
        actor=w.officer, event="birth", data=birth_1998(entry_number=40, page=13)
    )
    marks = {m.record_id: m for m in DigitisedEntry.objects.all()}
    assert marks[second.pk].scan == marks[first.pk].scan
    assert marks[third.pk].scan is None
    book = CivilBook.objects.get()
    assert (book.last_number, book.last_registered_on, book.opened_on) == (
        40,
        date(1998, 3, 5),
        date(1998, 3, 4),
    )
    # The scan of page 13 comes later: the entry already copied points to it.
    scan13 = services.page_scan_attach(
        actor=w.officer, book=book, page=13, upload=SimpleUploadedFile("p13.jpg", JPEG)
    )
    assert DigitisedEntry.objects.get(record=third).scan == scan13
    assert scan13.content_type == "image/jpeg"


def test_copying_mistakes_are_refused_and_nothing_is_written(w):
    services.civil_digitise_entry(actor=w.officer, event="birth", data=birth_1998())
    e = refused(
        Exception,
        actor=w.officer,
        event="birth",
        data=birth_1998(entry_number=37, page=12),
    )
    assert (e.code, e.fields) == (
        "entry_number_taken",
        {"entry_number": ["Số này đã có trong sổ."]},
    )
    e = refused(
        Exception,
        actor=w.officer,
        event="birth",
        data=birth_1998(book_number="02", entry_number=38),
    )
    assert e.code == "book_number_mismatch"
    assert (
        e.message == "Sổ đăng ký khai sinh 1998 của cơ quan là quyển số 01, không phải quyển số 02."
    )
    e = refused(
        RecordInvalid,
        actor=w.officer,
        event="birth",
        data=birth_1998(
            entry_number=0,
            page=None,
            child={**birth_1998()["child"], "given_name": "", "date_of_birth": date(1998, 4, 1)},
            mother={"full_name": "Trần Thị Mai", "birth_year": 1999},
        ),
    )
    assert e.fields == {  # every problem at once
        "entry_number": ["Số phải là một số từ 1 đến 1000000."],
        "page": ["Cần nhập trang số."],
        "child.given_name": ["Cần nhập tên."],
        "child.date_of_birth": ["Ngày 01/04/1998 sau ngày đăng ký 05/03/1998."],
        "mother.birth_year": ["Năm sinh của mẹ (1999) phải trước năm sinh của con (1998)."],
    }
    e = refused(
        DatesInconsistent,
        actor=w.officer,
        event="birth",
        data=birth_1998(child={**birth_1998()["child"], "date_of_birth": date(1998, 4, 1)}),
    )
    assert (e.code, list(e.fields)) == ("event_after_registration", ["child.date_of_birth"])
    e = refused(
        DatesInconsistent,
        actor=w.officer,
        event="birth",
        data=birth_1998(mother={"full_name": "Trần Thị Mai", "birth_year": 1999}),
    )
    assert e.code == "child_before_parent"
    e = refused(
        Exception,
        actor=w.officer,
        event="birth",
        data=birth_1998(child={**birth_1998()["child"], "id_number": "025098000101"}),
    )
    assert e.code == "pid_sex_mismatch"  # a man's number on a girl
    e = refused(
        RecordInvalid,
        actor=w.officer,
        event="death",
        data={"book_number": "01", "entry_number": 1, "page": 1, "registered_on": date(2030, 1, 1)},
    )
    assert e.fields["registered_on"] == ["Ngày đăng ký không thể sau hôm nay."]
    assert e.fields["deceased"] == ["Cần khai thông tin người này."]
    assert e.fields["date_of_death"] == ["Cần nhập ngày chết (dd/mm/yyyy)."]
    e = refused(
        DatesInconsistent,
        actor=w.officer,
        event="death",
        data={
            "book_number": "01",
            "entry_number": 1,
            "page": 1,
            "registered_on": date(1990, 5, 2),
            "deceased": {"full_name": "Lò Văn Páo", "sex": "male", "birth_year": 1991},
            "date_of_death": date(1990, 5, 1),
        },
    )
    assert e.code == "death_before_birth"
    e = refused(Exception, actor=w.officer, event="guardianship", data=birth_1998())
    assert e.code == "invalid_choice"


def test_a_closed_book_takes_no_old_entry(w):
    r = services.civil_digitise_entry(actor=w.officer, event="birth", data=birth_1998())
    book_close(actor=w.leader, book=r.book, closed_on=date(1998, 12, 31))
    e = refused(BookClosed, actor=w.officer, event="birth", data=birth_1998(entry_number=38))
    assert e.code == "book_closed"


def test_scans_are_checked_by_content_and_never_replaced(w):
    for name, content, code in (
        ("empty.pdf", b"", "attachment_empty"),
        ("fake.pdf", b"MZ\x90\x00 not a pdf", "attachment_type_unsupported"),
    ):
        e = refused(
            Exception,
            actor=w.officer,
            event="birth",
            data=birth_1998(),
            scan=SimpleUploadedFile(name, content),
        )
        assert e.code == code
    services.civil_digitise_entry(
        actor=w.officer, event="birth", data=birth_1998(), scan=SimpleUploadedFile("a.pdf", PDF)
    )
    e = refused(
        Exception,
        actor=w.officer,
        event="birth",
        data=birth_1998(entry_number=38),
        scan=SimpleUploadedFile("b.pdf", PDF),
    )
    assert e.code == "page_scan_exists"


def test_only_civil_status_officers_and_leaders_digitise(w):
    for who in (w.reception, w.land, w.clerk, w.admin, w.supervisor):
        refused(PermissionDenied, actor=who, event="birth", data=birth_1998())
    r = services.civil_digitise_entry(actor=w.leader, event="birth", data=birth_1998())
    assert r.registrar == w.leader
    # Another agency's book of the same year is its own.
    other = services.civil_digitise_entry(
        actor=w.officer_b, event="birth", data=birth_1998(book_number="03")
    )
    assert (other.book.agency, other.book.number, other.entry_number) == (w.b, "03", 37)


def test_deaths_and_marriages(w):
    d = services.civil_digitise_entry(
        actor=w.officer,
        event="death",
        data={
            "book_number": "1",
            "entry_number": 5,
            "page": 3,
            "registered_on": date(1985, 6, 20),
            "deceased": {
                "family_name": "Đặng",
                "middle_name": "Văn",
                "given_name": "Đức",
                "sex": "male",
                "birth_year": 1910,
            },
            "date_of_death": date(1985, 6, 12),
            "place_of_death": "Tại nhà",
            "cause": "Già yếu",
        },
    )
    assert (d.event_date, d.content["cause"], d.parties.get().role) == (
        date(1985, 6, 12),
        "Già yếu",
        "deceased",
    )
    m = services.civil_digitise_entry(
        actor=w.officer,
        event="marriage",
        data={
            "book_number": "01",
            "entry_number": 2,
            "page": 1,
            "registered_on": date(1979, 10, 10),
            "husband": {"full_name": "Lò Văn Páo", "birth_year": 1955},
            "wife": {"full_name": "Hà Thị Lan", "birth_year": 1958},
        },
    )
    assert {p.role: p.sex for p in m.parties.all()} == {"husband": "male", "wife": "female"}
    assert [n.record for n in record_search_for(actor=w.officer, q="dang van duc").items] == [d]
    assert [n.record for n in record_search_for(actor=w.officer, q="ha thi lan").items] == [m]


# --- API ----------------------------------------------------------------------------------------


def as_json(data):
    def convert(v):
        if isinstance(v, date):
            return v.isoformat()
        if isinstance(v, dict):
            return {k: convert(x) for k, x in v.items()}
        return v

    return json.dumps(convert(data))


def test_api_entry_then_scan_then_download(client, w):
    url = "/api/v1/civil/digitising/entries/birth"
    r = client.post(
        url, as_json(birth_1998()), content_type="application/json", **bearer(w.officer)
    )
    assert r.status_code == 201, r.content
    body = r.json()
    record = CivilRecord.objects.get()
    assert body["id"] == str(record.public_id)
    assert (body["entry_number"], body["page"], body["registered_on"], body["scan"]) == (
        37,
        12,
        "1998-03-05",
        None,
    )
    assert body["book"]["label"] == "Sổ đăng ký khai sinh 01/1998"
    again = client.post(
        url, as_json(birth_1998()), content_type="application/json", **bearer(w.officer)
    )
    assert (again.status_code, again.json()["code"]) == (409, "entry_number_taken")
    scan_url = f"/api/v1/civil/digitising/books/{body['book']['id']}/pages/12/scan"
    r = client.post(scan_url, {"file": SimpleUploadedFile("p.pdf", PDF)}, **bearer(w.officer))
    assert r.status_code == 201, r.content
    scan = r.json()
    assert (scan["page"], scan["content_type"], scan["size"]) == (12, "application/pdf", len(PDF))
    assert DigitisedEntry.objects.get().scan.public_id.hex == scan["id"].replace("-", "")
    r = client.post(scan_url, {"file": SimpleUploadedFile("p.pdf", PDF)}, **bearer(w.officer))
    assert (r.status_code, r.json()["code"]) == (409, "page_scan_exists")
    r = client.get(scan["url"], **bearer(w.leader))
    assert (r.status_code, r["Content-Type"], b"".join(r.streaming_content)) == (
        200,
        "application/pdf",
        PDF,
    )
    assert r["Cache-Control"] == "private, no-store"
    assert (
        AuditEntry.objects.filter(action="civil.scan_read", actor_username="chutich").count() == 1
    )


def test_api_refusals_by_role_and_agency(client, w):
    url = "/api/v1/civil/digitising/entries/birth"
    body = as_json(birth_1998())
    assert client.post(url, body, content_type="application/json").status_code == 401
    r = client.post(url, body, content_type="application/json", **bearer(w.reception))
    assert (r.status_code, r.json()["code"]) == (403, "permission_denied")
    r = client.post(
        "/api/v1/civil/digitising/entries/parentage",
        body,
        content_type="application/json",
        **bearer(w.officer),
    )
    assert r.status_code == 422
    assert CivilRecord.objects.count() == 0
    created = client.post(url, body, content_type="application/json", **bearer(w.officer)).json()
    scan_url = f"/api/v1/civil/digitising/books/{created['book']['id']}/pages/12/scan"
    r = client.post(scan_url, {"file": SimpleUploadedFile("p.pdf", PDF)}, **bearer(w.officer_b))
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    r = client.post(scan_url, {"file": SimpleUploadedFile("x.txt", b"hello")}, **bearer(w.officer))
    assert (r.status_code, r.json()["code"]) == (400, "attachment_type_unsupported")
    assert PageScan.objects.count() == 0


def test_api_templates(client, w):
    import io

    from openpyxl import load_workbook

    r = client.get("/api/v1/civil/digitising/templates/death.xlsx", **bearer(w.officer))
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.content)).active
    header = [c.value for c in sheet[1]]
    assert header[:6] == ["Quyển số", "Số", "Trang", "Ngày đăng ký", "Họ", "Chữ đệm"]
    assert "Ngày chết" in header and sheet[1][0].font.bold


# --- Pages -------------------------------------------------------------------------------------


def test_entry_page_writes_and_opens_the_next_entry(client, w):
    client.force_login(w.officer)
    page = client.get("/civil/digitising/entries/birth/")
    assert page.status_code == 200
    form = {
        "book_number": "01",
        "entry_number": "37",
        "page": "12",
        "registered_on": "05/03/1998",
        "child-family_name": "Nguyễn",
        "child-middle_name": "Thị",
        "child-given_name": "Hằng",
        "child-sex": "female",
        "child-date_of_birth": "14/02/1998",
        "mother-full_name": "Trần Thị Mai",
        "mother-birth_year": "1975",
        "place_of_birth": "Trạm Y tế xã Đông",
        "scan": SimpleUploadedFile("trang.pdf", PDF),
    }
    r = client.post("/civil/digitising/entries/birth/", form)
    assert r.status_code == 302
    record = CivilRecord.objects.get()
    assert r["Location"] == (
        "/civil/digitising/entries/birth/?book_number=01&entry_number=38&page=12"
        f"&registered_on=05%2F03%2F1998&last={record.public_id}"
    )
    nxt = client.get(r["Location"])
    assert nxt.context["form"].initial == {
        "book_number": "01",
        "entry_number": "38",
        "page": "12",
        "registered_on": "05/03/1998",
    }
    assert "Đã ghi Sổ đăng ký khai sinh 01/1998, số 37 (trang 12)." in nxt.content.decode()
    # The same number again: the refusal beside the field, nothing written.
    form["scan"] = SimpleUploadedFile("trang.pdf", PDF)
    r = client.post("/civil/digitising/entries/birth/", form)
    assert r.status_code == 400
    assert r.context["form"].errors["entry_number"] == ["Số này đã có trong sổ."]
    form.update({"entry_number": "39", "child-date_of_birth": "31/02/1998", "scan": ""})
    r = client.post("/civil/digitising/entries/birth/", form)
    assert r.status_code == 400
    people = {f.prefix: f for f in r.context["people"]}
    assert people["child"].errors["date_of_birth"] == [
        "Nhập ngày theo dạng dd/mm/yyyy, ví dụ 05/03/1998."
    ]
    assert CivilRecord.objects.count() == 1


def test_pages_are_for_civil_status_staff(client, w):
    client.force_login(w.reception)
    assert client.get("/civil/digitising/").status_code == 403
    assert client.get("/civil/digitising/entries/birth/").status_code == 403
    client.force_login(w.officer)
    assert client.get("/civil/digitising/").status_code == 200
    assert client.get("/civil/digitising/entries/adoption/").status_code == 404
    r = client.get("/civil/digitising/templates/birth.xlsx")
    assert (r.status_code, r["Content-Disposition"]) == (
        200,
        'attachment; filename="mau-so-birth.xlsx"',
    )


def test_marriage_page_and_the_scan_page(client, w):
    client.force_login(w.officer)
    assert client.get("/civil/digitising/entries/death/").status_code == 200
    form = {
        "book_number": "02",
        "entry_number": "4",
        "page": "2",
        "registered_on": "10/10/1979",
        "husband-full_name": "Lò Văn Páo",
        "husband-birth_year": "1955",
        "wife-full_name": "Hà Thị Lan",
        "wife-birth_year": "1958",
        "signer_name": "Cầm Văn Vui",
        "scan": SimpleUploadedFile("p2.png", PNG),
    }
    r = client.post("/civil/digitising/entries/marriage/", form)
    assert r.status_code == 302, r.context["form"].errors if r.context else r
    record = CivilRecord.objects.get()
    assert (record.event, record.book.number, record.signer_name) == (
        "marriage",
        "02",
        "Cầm Văn Vui",
    )
    scan = DigitisedEntry.objects.get(record=record).scan
    r = client.get(f"/civil/digitising/scans/{scan.public_id}/")
    assert (r.status_code, r["Content-Type"], b"".join(r.streaming_content)) == (
        200,
        "image/png",
        PNG,
    )
    assert AuditEntry.objects.filter(action="civil.scan_read").count() == 1
    client.force_login(w.officer_b)
    assert client.get(f"/civil/digitising/scans/{scan.public_id}/").status_code == 404
