"""The public verification page and the JSON API: no login, Vietnamese answers, stable codes,
size and content checks, the per-address limit; the certificate endpoints for administrators."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests import factories
from xaso.signing.models import SigningCertificate

from .conftest import append_info_revision, pkcs12_bytes

pytestmark = pytest.mark.django_db


def _pdf(data: bytes, name: str = "giay-khai-sinh.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def test_page_without_login(client):
    response = client.get("/verify/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Kiểm tra chữ ký số trên tệp PDF" in body
    assert 'enctype="multipart/form-data"' in body


def test_page_shows_a_valid_signature(client, signed_pdf):
    response = client.post("/verify/", {"file": _pdf(signed_pdf)})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-code="valid"' in body
    assert "Chữ ký số hợp lệ. Tệp không bị thay đổi sau khi ký." in body
    assert '<dd data-testid="signer">UBND xã Thạch Khoán</dd>' in body
    assert "giay-khai-sinh.pdf" in body


def test_page_shows_a_change_after_signing(client, signed_pdf):
    response = client.post("/verify/", {"file": _pdf(append_info_revision(signed_pdf))})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-code="invalid"' in body
    assert "Chữ ký số KHÔNG hợp lệ hoặc tệp đã bị thay đổi." in body
    assert '<li data-code="modified_after_signing">' in body


def test_page_refuses_what_is_not_a_pdf(client):
    response = client.post("/verify/", {"file": _pdf(b"\x89PNG\r\n\x1a\n....", "anh.pdf")})
    assert response.status_code == 400
    assert "Tệp tải lên không phải tệp PDF." in response.content.decode()
    response = client.post("/verify/", {})
    assert response.status_code == 400
    assert "Hãy chọn một tệp PDF." in response.content.decode()


def test_page_refuses_a_large_file(client, settings, signed_pdf):
    settings.XASO_VERIFY_MAX_BYTES = 1024
    response = client.post("/verify/", {"file": _pdf(signed_pdf)})
    assert response.status_code == 413
    assert "Tệp quá lớn" in response.content.decode()


def test_api_valid(client, signed_pdf, thach_khoan_cert):
    response = client.post("/api/v1/verify", {"file": _pdf(signed_pdf)})
    assert response.status_code == 200
    data = response.json()
    assert {k: data[k] for k in ("code", "valid", "signed", "modified_after_signing")} == {
        "code": "valid",
        "valid": True,
        "signed": True,
        "modified_after_signing": False,
    }
    assert data["problems"] == []
    [sig] = data["signatures"]
    assert sig["signer"] == "UBND xã Thạch Khoán"
    assert sig["serial"] == thach_khoan_cert.serial
    assert (sig["intact"], sig["trusted"], sig["covers_whole_file"]) == (True, True, True)
    assert sig["signed_at"].endswith("+07:00")
    assert sig["timestamp"] is None


def test_api_unsigned_and_modified(client, vietnamese_pdf, signed_pdf):
    data = client.post("/api/v1/verify", {"file": _pdf(vietnamese_pdf)}).json()
    assert (data["code"], data["signed"], data["signatures"]) == ("not_signed", False, [])
    data = client.post("/api/v1/verify", {"file": _pdf(signed_pdf + b"\n")}).json()
    assert data["code"] == "invalid" and data["modified_after_signing"] is True
    assert [p["code"] for p in data["problems"]] == ["modified_after_signing"]


def test_api_errors_have_stable_codes(client, settings, signed_pdf):
    response = client.post("/api/v1/verify", {"file": _pdf(b"hello")})
    assert (response.status_code, response.json()["code"]) == (400, "pdf_invalid")
    settings.XASO_VERIFY_MAX_BYTES = 100
    response = client.post("/api/v1/verify", {"file": _pdf(signed_pdf)})
    assert (response.status_code, response.json()["code"]) == (413, "file_too_large")
    response = client.post("/api/v1/verify", {})
    assert (response.status_code, response.json()["code"]) == (422, "validation_error")


def test_rate_limit_per_address(client, settings, vietnamese_pdf):
    settings.XASO_PUBLIC_LOOKUP_RATE = 2
    for _ in range(2):
        assert client.post("/api/v1/verify", {"file": _pdf(vietnamese_pdf)}).status_code == 200
    response = client.post("/api/v1/verify", {"file": _pdf(vietnamese_pdf)})
    assert (response.status_code, response.json()["code"]) == (429, "throttled")
    response = client.post("/verify/", {"file": _pdf(vietnamese_pdf)})
    assert response.status_code == 429
    assert "Kiểm tra quá nhiều lần" in response.content.decode()
    other = client.post("/api/v1/verify", {"file": _pdf(vietnamese_pdf)}, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200


def _bearer(client, staff) -> dict[str, str]:
    response = client.post(
        "/api/v1/auth/token",
        {"username": staff.username, "password": factories.PASSWORD},
        content_type="application/json",
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['token']}"}


def test_certificates_for_the_agency_admin(client, thach_khoan_cert):
    admin = factories.staff(agency_obj=thach_khoan_cert.agency, roles=("admin",))
    response = client.get("/api/v1/signing/certificates", **_bearer(client, admin))
    assert response.status_code == 200
    [row] = response.json()
    assert (row["id"], row["agency"], row["common_name"], row["active"]) == (
        str(thach_khoan_cert.public_id),
        "H25.38.21",
        "UBND xã Thạch Khoán",
        True,
    )
    assert (row["staff"], row["token"]) == (None, None)


def test_certificates_refused_to_others(client, thach_khoan_cert):
    reception = factories.staff(agency_obj=thach_khoan_cert.agency, roles=("reception",))
    response = client.get("/api/v1/signing/certificates", **_bearer(client, reception))
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert client.get("/api/v1/signing/certificates").status_code == 401


def test_import_over_the_api(client, thach_khoan):
    from datetime import UTC, datetime, timedelta

    from .conftest import make_ca, make_leaf

    ca_key, ca_cert = make_ca()
    now = datetime.now(UTC)
    key, cert = make_leaf(
        ca_key,
        ca_cert,
        name="UBND xã Thạch Khoán",
        not_before=now,
        not_after=now + timedelta(days=9),
    )
    data = pkcs12_bytes(key, cert, [ca_cert], b"dung")
    admin = factories.staff(agency_obj=thach_khoan, roles=("admin",))
    auth = _bearer(client, admin)
    wrong = client.post(
        "/api/v1/signing/certificates",
        {"file": SimpleUploadedFile("k.p12", data), "password": "sai"},
        **auth,
    )
    assert (wrong.status_code, wrong.json()["code"]) == (400, "pkcs12_invalid")
    assert SigningCertificate.objects.count() == 0
    done = client.post(
        "/api/v1/signing/certificates",
        {"file": SimpleUploadedFile("k.p12", data), "password": "dung"},
        **auth,
    )
    assert done.status_code == 201
    assert done.json()["serial"] == f"{cert.serial_number:X}"
    assert SigningCertificate.objects.get().source == "imported"
