"""The certificates over the API: issuing a PDF for each role and across agencies (a refused call
writes nothing), the kinds and media, the count per entry, and the public verification by the
QR code's id (no login, rate-limited) with the file check."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.civil.test_certificates_support import (
    lines,
    register_birth,
    signing_fixture,  # noqa: F401  (the ``signing`` fixture)
)
from tests.civil.test_certificates_urls import URLS
from tests.dossiers.world import bearer
from xaso.civil.certificates.models import IssuedDocument
from xaso.core.models import AuditEntry
from xaso.signing.verify import verify_pdf

pytestmark = [pytest.mark.django_db, pytest.mark.urls(URLS)]


def _pdf_url(record) -> str:
    return f"/api/v1/civil/records/{record.public_id}/certificate.pdf"


def _state() -> tuple[int, int]:
    return IssuedDocument.objects.count(), AuditEntry.objects.count()


def test_issue_original_then_copy(client, signing):
    w = signing
    record = register_birth(w, signer=w.leader)
    first = client.get(_pdf_url(record), **bearer(w.officer))
    assert first.status_code == 200
    assert first["Content-Type"] == "application/pdf"
    assert first["Cache-Control"] == "private, no-store"
    doc = IssuedDocument.objects.get()
    assert (first["X-Verification-Code"], first["X-Document-Kind"], first["X-Issue-Number"]) == (
        doc.code,
        "original",
        "1",
    )
    assert first["Content-Disposition"] == (
        f'attachment; filename="giay-khai-sinh-ban-chinh-{doc.code}.pdf"'
    )
    assert hashlib.sha256(first.content).hexdigest() == doc.sha256
    assert verify_pdf(first.content).code == "valid"
    second = client.get(_pdf_url(record), **bearer(w.officer))
    assert (second["X-Document-Kind"], second["X-Issue-Number"]) == ("copy", "2")
    assert "(Bản sao)" in lines(second.content)
    audit = AuditEntry.objects.filter(action="civil.certificate_issue").order_by("seq")
    assert [e.changes["number"] for e in audit] == [1, 2]


@pytest.mark.parametrize(
    ("query", "kind", "signed"),
    [
        ({"kind": "extract"}, "extract", "valid"),
        ({"kind": "copy", "medium": "paper"}, "copy", "not_signed"),
        ({"medium": "paper"}, "original", "not_signed"),
    ],
)
def test_kind_and_medium(client, signing, query, kind, signed):
    w = signing
    record = register_birth(w)
    response = client.get(_pdf_url(record), {**query, "signer": "chutich"}, **bearer(w.officer))
    assert response.status_code == 200
    assert response["X-Document-Kind"] == kind
    assert verify_pdf(response.content).code == signed


def test_bad_options_are_refused_and_nothing_is_written(client, signing):
    w = signing
    record = register_birth(w, signer=w.leader)
    before = _state()
    bad = client.get(_pdf_url(record), {"kind": "duplicate"}, **bearer(w.officer))
    assert (bad.status_code, bad.json()["code"]) == (422, "validation_error")
    assert set(bad.json()["fields"]) == {"kind"}
    unknown_signer = client.get(_pdf_url(record), {"signer": "nobody"}, **bearer(w.officer))
    assert unknown_signer.status_code == 400
    assert unknown_signer.json() == {
        "code": "signer_invalid",
        "message": "Người ký phải là lãnh đạo đang công tác của cơ quan đăng ký.",
        "fields": {"signer": ["Người ký phải là lãnh đạo đang công tác của cơ quan đăng ký."]},
    }
    assert _state() == before
    client.get(_pdf_url(record), {"kind": "original"}, **bearer(w.officer))
    again = client.get(_pdf_url(record), {"kind": "original"}, **bearer(w.officer))
    assert (again.status_code, again.json()["code"]) == (409, "original_already_issued")
    assert IssuedDocument.objects.count() == 1


@pytest.mark.parametrize(
    "who", ["reception", "clerk", "admin", "land", "supervisor", "officer_b", "leader_b"]
)
def test_other_roles_and_agencies_get_404(client, signing, who):
    w = signing
    record = register_birth(w, signer=w.leader)
    before = _state()
    response = client.get(_pdf_url(record), **bearer(getattr(w, who)))
    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "message": "Không tìm thấy mục hộ tịch.",
        "fields": {},
    }
    listing = client.get(
        f"/api/v1/civil/records/{record.public_id}/certificates", **bearer(getattr(w, who))
    )
    assert listing.status_code == 404
    assert _state() == before


def test_leader_issues_and_signs(client, signing):
    w = signing
    record = register_birth(w)
    response = client.get(_pdf_url(record), **bearer(w.leader))
    assert response.status_code == 200
    assert "Người ký: Đinh Công Sơn – Chủ tịch UBND xã" in lines(response.content)


def test_without_login(client, signing):
    record = register_birth(signing, signer=signing.leader)
    response = client.get(_pdf_url(record))
    assert (response.status_code, response.json()["code"]) == (401, "unauthorized")


def test_the_documents_of_an_entry_are_listed_and_counted(client, signing):
    w = signing
    record = register_birth(w, signer=w.leader)
    for query in ({}, {}, {"kind": "extract", "medium": "paper"}):
        client.get(_pdf_url(record), query, **bearer(w.officer))
    body = client.get(
        f"/api/v1/civil/records/{record.public_id}/certificates", **bearer(w.officer)
    ).json()
    assert (body["record"], body["originals"], body["copies"]) == (str(record.public_id), 1, 2)
    assert [(i["number"], i["kind"], i["medium"], i["issued_by"]) for i in body["items"]] == [
        (1, "original", "electronic", "hotich"),
        (2, "copy", "electronic", "hotich"),
        (3, "extract", "paper", "hotich"),
    ]
    first = IssuedDocument.objects.get(number=1)
    assert body["items"][0]["code_printed"] == (
        f"{first.code[:4]}-{first.code[4:8]}-{first.code[8:12]}-{first.code[12:]}"
    )
    assert body["items"][0]["signer_title"] == "CHỦ TỊCH"


def test_public_verification_by_code(client, signing):
    w = signing
    record = register_birth(w, signer=w.leader)
    code = client.get(_pdf_url(record), **bearer(w.officer))["X-Verification-Code"]
    response = client.get(f"/api/v1/civil/certificates/{code.lower()}")
    assert response.status_code == 200
    body = response.json()
    issued_on = body.pop("issued_on")
    assert body == {
        "code": code,
        "title": "GIẤY KHAI SINH",
        "kind": "original",
        "kind_label": "Bản chính",
        "medium": "electronic",
        "signed": True,
        "agency": "UBND xã Đông",
        "book": "Sổ đăng ký khai sinh 01/2026",
        "entry_number": 1,
        "registered_on": "2026-03-10",
        "valid_until": None,
        "people": [
            {
                "role": "child",
                "full_name": "TRẦN THỊ HẰNG",
                "date_of_birth": "2026-03-01",
                "birth_year": 2026,
            }
        ],
        "amended_since": False,
        "signature_check_url": "/verify/",
    }
    assert issued_on == IssuedDocument.objects.get().facts["issued_on"]
    missing = client.get("/api/v1/civil/certificates/7K3MQ9TP2XWAHR4D")
    assert missing.status_code == 404
    assert missing.json()["message"] == "Không có giấy tờ hộ tịch nào mang mã xác minh này."


def test_public_file_match(client, signing):
    w = signing
    record = register_birth(w, signer=w.leader)
    issued = client.get(_pdf_url(record), **bearer(w.officer))
    code = issued["X-Verification-Code"]
    url = f"/api/v1/civil/certificates/{code}/match"
    same = client.post(url, {"file": SimpleUploadedFile("a.pdf", issued.content)})
    assert same.json() == {
        "code": code,
        "matches": True,
        "signed": True,
        "signature_check_url": "/verify/",
    }
    changed = client.post(url, {"file": SimpleUploadedFile("a.pdf", issued.content + b" ")})
    assert changed.json()["matches"] is False
    junk = client.post(url, {"file": SimpleUploadedFile("a.pdf", b"not a pdf")})
    assert (junk.status_code, junk.json()["code"]) == (400, "pdf_invalid")


def test_public_verification_is_rate_limited(client, signing, settings):
    settings.XASO_PUBLIC_LOOKUP_RATE = 3
    statuses = [
        client.get("/api/v1/civil/certificates/7K3MQ9TP2XWAHR4D").status_code for _ in range(4)
    ]
    assert statuses == [404, 404, 404, 429]
    throttled = client.get("/api/v1/civil/certificates/7K3MQ9TP2XWAHR4D")
    assert throttled.json()["code"] == "throttled"
