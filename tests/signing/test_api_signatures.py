"""Issue 5's public ``POST /api/v1/signatures/verify`` (a one-byte change and an appended
revision both reported, an unsigned PDF said so, the per-address limit shared with
``POST /api/v1/verify``) and the signature/seal image uploads over the API and the pages."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests import factories
from xaso.signing.models import StampImage
from xaso.signing.sign import sign_pdf_personal_and_seal

from .conftest import append_info_revision, seal_png, signature_png

pytestmark = pytest.mark.django_db

URL = "/api/v1/signatures/verify"


def _pdf(data: bytes, name: str = "van-ban.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def _png(data: bytes, name: str = "anh.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/png")


def _flip_one_byte(pdf: bytes) -> bytes:
    """One byte in the middle of the signed original document."""
    start = pdf.index(b"/ByteRange")
    first_range_end = int(pdf[start:].split(b"[", 1)[1].split()[1])
    flipped = bytearray(pdf)
    flipped[first_range_end // 2] ^= 0x01
    return bytes(flipped)


def test_valid_signature(client, signed_pdf):
    response = client.post(URL, {"file": _pdf(signed_pdf)})
    assert response.status_code == 200
    data = response.json()
    assert (data["code"], data["signed"], data["modified_after_signing"]) == ("valid", True, False)
    [sig] = data["signatures"]
    assert set(sig) >= {
        "signer",
        "signed_at",
        "intact",
        "trusted",
        "covers_whole_file",
        "timestamp",
    }
    assert (sig["signer"], sig["intact"], sig["trusted"], sig["covers_whole_file"]) == (
        "UBND xã Thạch Khoán",
        True,
        True,
        True,
    )
    assert sig["signed_at"].endswith("+07:00") and sig["timestamp"] is None
    assert sig["problems"] == [] and data["problems"] == []


def test_one_byte_change_is_reported(client, signed_pdf):
    data = client.post(URL, {"file": _pdf(_flip_one_byte(signed_pdf))}).json()
    assert data["code"] == "invalid"
    [sig] = data["signatures"]  # the file still reads: the digest no longer matches
    assert (sig["intact"], sig["trusted"]) == (False, False)
    assert [p["code"] for p in data["problems"]] == ["content_changed"]


def test_appended_revision_is_reported(client, signed_pdf):
    data = client.post(URL, {"file": _pdf(append_info_revision(signed_pdf))}).json()
    assert (data["code"], data["modified_after_signing"]) == ("invalid", True)
    [sig] = data["signatures"]
    assert (sig["intact"], sig["covers_whole_file"]) == (True, False)
    assert [p["code"] for p in data["problems"]] == ["modified_after_signing"]


def test_two_signatures_of_an_outgoing_document(client, leader_ready, two_page_pdf):
    signed = sign_pdf_personal_and_seal(
        two_page_pdf, staff=leader_ready, reason="Ban hành", location="Thạch Khoán"
    )
    data = client.post(URL, {"file": _pdf(signed)}).json()
    assert (data["code"], data["modified_after_signing"]) == ("valid", False)
    assert [(s["signer"], s["covers_whole_file"]) for s in data["signatures"]] == [
        ("Đinh Công Sơn", False),
        ("UBND xã Thạch Khoán", True),
    ]
    data = client.post(URL, {"file": _pdf(append_info_revision(signed))}).json()
    assert (data["code"], data["modified_after_signing"]) == ("invalid", True)


def test_unsigned_pdf_says_so(client, vietnamese_pdf):
    response = client.post(URL, {"file": _pdf(vietnamese_pdf)})
    assert response.status_code == 200
    data = response.json()
    assert (data["code"], data["signed"], data["signatures"], data["modified_after_signing"]) == (
        "not_signed",
        False,
        [],
        False,
    )
    assert data["problems"] == [
        {"code": "not_signed", "message": "Tệp PDF này không có chữ ký số."}
    ]


def test_errors_have_stable_codes(client, settings, signed_pdf):
    response = client.post(URL, {"file": _pdf(b"GIF89a not a pdf")})
    assert (response.status_code, response.json()["code"]) == (400, "pdf_invalid")
    response = client.post(URL, {})
    assert (response.status_code, response.json()["code"]) == (422, "validation_error")
    settings.XASO_VERIFY_MAX_BYTES = 100
    response = client.post(URL, {"file": _pdf(signed_pdf)})
    assert (response.status_code, response.json()["code"]) == (413, "file_too_large")


def test_rate_limit_is_shared_with_the_old_endpoint(client, settings, vietnamese_pdf):
    settings.XASO_PUBLIC_LOOKUP_RATE = 2
    assert client.post(URL, {"file": _pdf(vietnamese_pdf)}).status_code == 200
    assert client.post("/api/v1/verify", {"file": _pdf(vietnamese_pdf)}).status_code == 200
    response = client.post(URL, {"file": _pdf(vietnamese_pdf)})
    assert (response.status_code, response.json()["code"]) == (429, "throttled")
    assert (
        client.post(URL, {"file": _pdf(vietnamese_pdf)}, REMOTE_ADDR="10.0.0.7").status_code == 200
    )


def _bearer(client, staff) -> dict[str, str]:
    response = client.post(
        "/api/v1/auth/token",
        {"username": staff.username, "password": factories.PASSWORD},
        content_type="application/json",
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['token']}"}


def test_seal_upload_over_the_api(client, leader):
    admin = factories.staff(agency_obj=leader.agency, roles=("admin",))
    reception = factories.staff(agency_obj=leader.agency, roles=("reception",))
    url = "/api/v1/signing/images/seal"
    denied = client.post(url, {"file": _png(seal_png())}, **_bearer(client, reception))
    assert (denied.status_code, denied.json()["code"]) == (403, "permission_denied")
    assert client.post(url, {"file": _png(seal_png())}).status_code == 401
    auth = _bearer(client, admin)
    bad = client.post(url, {"file": _png(b"\x89PNG\r\n\x1a\n broken")}, **auth)
    assert (bad.status_code, bad.json()["code"]) == (400, "image_invalid")
    assert bad.json()["message"] == "Tệp PNG bị hỏng, không đọc được."
    assert StampImage.objects.count() == 0
    done = client.post(url, {"file": _png(seal_png())}, **auth)
    assert done.status_code == 201
    body = done.json()
    assert (body["kind"], body["agency"], body["staff"], body["width"]) == (
        "seal",
        "H25.38.21",
        None,
        470,
    )
    listed = client.get("/api/v1/signing/images", **auth).json()
    assert [r["id"] for r in listed] == [body["id"]]


def test_signature_upload_over_the_api(client, leader, settings):
    admin = factories.staff(agency_obj=leader.agency, roles=("admin",))
    url = "/api/v1/signing/images/signature"
    own = client.post(url, {"file": _png(signature_png())}, **_bearer(client, leader))
    assert own.status_code == 201 and own.json()["staff"] == str(leader.public_id)
    auth = _bearer(client, admin)
    for_leader = client.post(
        url, {"file": _png(signature_png(500, 200)), "staff": str(leader.public_id)}, **auth
    )
    assert for_leader.status_code == 201 and for_leader.json()["width"] == 500
    stranger = factories.staff(roles=("leader",))
    missing = client.post(
        url, {"file": _png(signature_png()), "staff": str(stranger.public_id)}, **auth
    )
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    settings.XASO_SIGNING_IMAGE_MAX_BYTES = 1000
    big = client.post(url, {"file": _png(signature_png())}, **auth)
    assert (big.status_code, big.json()["code"]) == (413, "file_too_large")
    assert StampImage.objects.count() == 1


@pytest.fixture
def image_pages(settings):
    settings.ROOT_URLCONF = "tests.signing.urls"


def test_image_page_for_the_admin(client, leader, image_pages):
    admin = factories.staff(agency_obj=leader.agency, roles=("admin",))
    client.force_login(admin)
    page = client.get("/signing/images/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Con dấu của cơ quan" in body and "Chưa có ảnh con dấu." in body
    refused = client.post("/signing/images/", {"kind": "seal", "file": _png(b"not an image")})
    assert refused.status_code == 400
    assert "Ảnh chữ ký, con dấu phải là tệp PNG (nền trong suốt)." in refused.content.decode()
    assert StampImage.objects.count() == 0
    done = client.post("/signing/images/", {"kind": "seal", "file": _png(seal_png())})
    assert (done.status_code, done["Location"]) == (302, "/signing/images/")
    seal = StampImage.objects.get()
    picture = client.get(f"/signing/images/{seal.public_id}.png")
    assert (picture.status_code, picture["Content-Type"]) == (200, "image/png")
    assert picture.content == seal_png()
    done = client.post(
        "/signing/images/",
        {"kind": "signature", "staff": str(leader.public_id), "file": _png(signature_png())},
    )
    assert done.status_code == 302
    assert StampImage.objects.get(kind="signature").staff == leader


def test_image_page_for_a_signer(client, leader, image_pages):
    client.force_login(leader)
    body = client.get("/signing/images/").content.decode()
    assert "Con dấu của cơ quan" not in body and "Ảnh chữ ký" in body
    refused = client.post("/signing/images/", {"kind": "seal", "file": _png(seal_png())})
    assert refused.status_code == 403
    assert StampImage.objects.count() == 0
    done = client.post("/signing/images/", {"kind": "signature", "file": _png(signature_png())})
    assert done.status_code == 302
    row = StampImage.objects.get()
    assert (row.kind, row.staff) == ("signature", leader)
    outsider = factories.staff(roles=("admin",))
    client.force_login(outsider)
    assert client.get(f"/signing/images/{row.public_id}.png").status_code == 404
