"""The pages: what the QR code opens (public, rate-limited, the facts the document printed and
nothing more, a file checked against the one issued), and the staff form that issues a document
from a record page."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.civil.test_certificates_support import (
    correct_child_name,
    register_birth,
    signing_fixture,  # noqa: F401  (the ``signing`` fixture)
)
from tests.civil.test_certificates_urls import URLS
from tests.civil.world import PID_MOTHER
from xaso.civil.certificates.models import IssuedDocument
from xaso.civil.certificates.services import certificate_issue

pytestmark = [pytest.mark.django_db, pytest.mark.urls(URLS)]


def _page(code: str) -> str:
    return f"/civil/certificates/verify/{code}/"


@pytest.fixture
def issued(signing):
    w = signing
    record = register_birth(w, signer=w.leader)
    return w, record, certificate_issue(actor=w.officer, record=record)


def test_the_qr_page_shows_what_the_document_printed(client, issued):
    _w, _record, done = issued
    response = client.get(_page(done.document.code))
    assert response.status_code == 200
    html = response.content.decode()
    code = done.document.code
    assert f"<code>{code[:4]}-{code[4:8]}-{code[8:12]}-{code[12:]}</code>" in html
    assert '<h2 id="h-doc">GIẤY KHAI SINH</h2>' in html
    assert "Giấy tờ này đã được cấp từ Sổ hộ tịch." in html
    assert "Bản chính · bản điện tử có chữ ký số" in html
    assert "Sổ đăng ký khai sinh 01/2026, số 1" in html
    assert '<dd data-testid="person">TRẦN THỊ HẰNG (sinh ngày 01/03/2026)</dd>' in html
    assert 'href="/verify/"' in html
    # Nothing the page does not need: no ID number, no address, no parent.
    for private in (PID_MOTHER, "Thôn Đông", "TRẦN THỊ MỸ", "Trần Thị Mỹ"):
        assert private not in html
    assert 'data-testid="amended"' not in html


def test_typed_codes_are_forgiven_and_the_search_form_redirects(client, issued):
    _w, _record, done = issued
    code = done.document.code
    typed = f"{code[:4]}-{code[4:8]}-{code[8:12]}-{code[12:]}".lower()
    assert client.get(_page(typed)).status_code == 200
    response = client.get("/civil/certificates/verify/", {"code": typed})
    assert (response.status_code, response["Location"]) == (302, _page(code))
    bad = client.get("/civil/certificates/verify/", {"code": "12345"})
    assert bad.status_code == 200
    assert "Mã xác minh gồm 16 chữ và số, ví dụ 7K3M-Q9TP-2XWA-HR4D." in bad.content.decode()


def test_an_unknown_code(client, issued):
    response = client.get(_page("7K3MQ9TP2XWAHR4D"))
    assert response.status_code == 404
    assert "Không có giấy tờ hộ tịch nào mang mã xác minh này." in response.content.decode()


def test_a_file_is_checked_against_the_one_issued(client, issued):
    _w, _record, done = issued
    url = _page(done.document.code)
    same = client.post(url, {"file": SimpleUploadedFile("gks.pdf", done.pdf, "application/pdf")})
    assert same.status_code == 200
    assert 'data-matches="yes"' in same.content.decode()
    changed = done.pdf.replace(b"TRAN", b"TRAM") + b"%"
    other = client.post(url, {"file": SimpleUploadedFile("gks.pdf", changed, "application/pdf")})
    assert 'data-matches="no"' in other.content.decode()
    junk = client.post(url, {"file": SimpleUploadedFile("x.pdf", b"hello", "application/pdf")})
    assert junk.status_code == 400
    assert "Tệp tải lên không phải tệp PDF." in junk.content.decode()


def test_an_amended_entry_is_flagged_on_older_documents(client, issued):
    w, record, done = issued
    from datetime import date

    correct_child_name(w, record, date(2026, 5, 12))
    html = client.get(_page(done.document.code)).content.decode()
    assert 'data-testid="amended"' in html
    # The page still shows what the document printed.
    assert "TRẦN THỊ HẰNG (sinh ngày 01/03/2026)" in html


def test_the_page_is_rate_limited(client, issued, settings):
    _w, _record, done = issued
    settings.XASO_PUBLIC_LOOKUP_RATE = 2
    codes = [client.get(_page(done.document.code)).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert "Tra cứu quá nhiều lần" in client.get(_page(done.document.code)).content.decode()


def _issue_url(record) -> str:
    return f"/civil/certificates/records/{record.public_id}/certificate.pdf"


def test_staff_issue_a_document_from_the_record_page(signing):
    w = signing
    record = register_birth(w, signer=w.leader)
    client = Client(enforce_csrf_checks=True)
    client.force_login(w.officer)
    page = client.get("/civil/certificates/verify/")
    token = page.cookies["csrftoken"].value
    response = client.post(
        _issue_url(record),
        {"medium": "paper", "kind": "", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    document = IssuedDocument.objects.get()
    assert response["X-Verification-Code"] == document.code
    assert response["Content-Disposition"] == (
        f'attachment; filename="giay-khai-sinh-ban-chinh-{document.code}.pdf"'
    )
    assert (document.kind, document.medium, document.issued_by) == ("original", "paper", w.officer)
    assert client.post(_issue_url(record), {"medium": "paper"}).status_code == 403  # no token
    assert client.get(_issue_url(record)).status_code == 405
    assert IssuedDocument.objects.count() == 1


def test_staff_page_refusals(signing, client):
    w = signing
    record = register_birth(w)
    assert client.post(_issue_url(record), {"medium": "paper"}).status_code == 302  # log in first
    client.force_login(w.reception)
    refused = client.post(_issue_url(record), {"medium": "paper"})
    assert refused.status_code == 404
    assert "Không tìm thấy mục hộ tịch." in refused.content.decode()
    client.force_login(w.officer)
    unsigned = client.post(_issue_url(record), {"medium": "paper"})
    assert unsigned.status_code == 400
    assert 'data-code="signer_required"' in unsigned.content.decode()
    bad = client.post(_issue_url(record), {"medium": "fax"})
    assert bad.status_code == 400
    ok = client.post(_issue_url(record), {"medium": "paper", "signer": w.leader.username})
    assert ok.status_code == 200
    assert IssuedDocument.objects.count() == 1
