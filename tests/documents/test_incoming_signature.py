"""The arrival check of a received PDF's signatures is kept on the incoming document (Decree
30/2020/NĐ-CP Art. 21.1) — valid, signed by a CA not trusted here, not signed, or (paper scans)
not checked — with the signer and the time, in the single and the batch receive paths (the file
checked once per package); shown on the pages, in the API, and filterable."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.documents.world import World, bearer, draft_pdf, outgoing_in
from xaso.core.models import AuditEntry
from xaso.documents import services
from xaso.documents.models import IncomingDocument
from xaso.documents.services.receiving import document_received, documents_received
from xaso.exchange.edxml import Attachment, DocumentPackage, Organization

pytestmark = pytest.mark.django_db
UNTRUSTED = "Chứng thư số không do tổ chức cung cấp dịch vụ chứng thực được tin cậy cấp."


def _signed(world: World) -> bytes:
    doc = outgoing_in(world, "issued")
    with doc.signed_file.open("rb") as f:
        return f.read()


def _package(world: World, pdf: bytes, subject: str = "Về việc chuyển đổi số") -> DocumentPackage:
    return DocumentPackage(
        message_id=str(uuid.uuid4()),
        sender=Organization(code=world.a.code, name=world.a.name),
        recipients=[Organization(code=world.b.code, name=world.b.name)],
        code_number="01",
        code_notation="QĐ-UBND",
        place="Thạch Khoán",
        promulgation_date=timezone.localdate(),
        document_type="QĐ",
        document_type_name="Quyết định",
        subject=subject,
        attachments=[Attachment(name="qd.pdf", content_type="application/pdf", data=pdf)],
    )


def _signer_name(world: World) -> str:
    from xaso.signing.selectors import certificate_active_for

    cert = certificate_active_for(agency=world.a)
    assert cert is not None
    return cert.common_name


@pytest.fixture
def checks(monkeypatch) -> list[int]:
    """Counts the real verify_pdf's runs (the receive path imports it at each call)."""
    import xaso.signing.verify as verify

    real = verify.verify_pdf
    calls: list[int] = []

    def counting(pdf: bytes):
        calls.append(len(pdf))
        return real(pdf)

    monkeypatch.setattr(verify, "verify_pdf", counting)
    return calls


@pytest.mark.parametrize("batch", [False, True])
def test_a_valid_signature_is_kept_with_signer_and_time(world: World, batch, checks):
    pdf = _signed(world)
    before = timezone.now()
    package = _package(world, pdf)
    if batch:
        docs = documents_received([(package, world.b), (package, world.a)])
        assert len(checks) == 1  # once per package, not per recipient
    else:
        docs = [document_received(package, world.b)]
    for d in docs:
        d.refresh_from_db()
        assert d.signature_state == "valid"
        assert d.signature_signer == _signer_name(world)
        assert d.signature_note == ""
        assert d.signature_signed_at is not None
        assert before - timedelta(minutes=5) <= d.signature_signed_at <= timezone.now()
        assert (
            AuditEntry.objects.get(
                action="document.incoming_receive", object_id=str(d.public_id)
            ).changes["signature"]
            == "valid"
        )


@pytest.mark.parametrize("batch", [False, True])
def test_a_ca_not_trusted_here_is_taken_as_untrusted_with_the_reason(world: World, settings, batch):
    pdf = _signed(world)
    settings.XASO_SIGNING_TRUST_DEMO_CA = False
    package = _package(world, pdf)
    if batch:
        [d] = documents_received([(package, world.b)])
    else:
        d = document_received(package, world.b)
    d.refresh_from_db()
    assert d.signature_state == "untrusted"
    assert d.signature_signer == _signer_name(world)
    assert d.signature_signed_at is not None
    assert d.signature_note == UNTRUSTED
    assert d.get_signature_state_display() == "Chữ ký của tổ chức chưa được tin cậy"


@pytest.mark.parametrize("batch", [False, True])
def test_an_unsigned_file_is_taken_as_not_signed(world: World, batch):
    package = _package(world, draft_pdf())
    if batch:
        [d] = documents_received([(package, world.b)])
    else:
        d = document_received(package, world.b)
    d.refresh_from_db()
    assert (d.signature_state, d.signature_signer, d.signature_signed_at, d.signature_note) == (
        "not_signed",
        "",
        None,
        "",
    )


def test_batch_of_several_packages_checks_each_once(world: World, checks):
    signed, unsigned = _package(world, _signed(world)), _package(world, draft_pdf())
    docs = documents_received(
        [(signed, world.b), (unsigned, world.b), (signed, world.a), (unsigned, world.a)]
    )
    assert len(checks) == 2
    assert sorted((d.agency.code, d.signature_state) for d in docs) == [
        (world.a.code, "not_signed"),
        (world.a.code, "valid"),
        (world.b.code, "not_signed"),
        (world.b.code, "valid"),
    ]


def test_a_paper_scan_is_not_checked(world: World):
    d = services.incoming_create_paper(
        actor=world.clerk,
        sender_name="UBND tỉnh Phú Thọ",
        doc_type="CV",
        subject="Về việc rà soát hộ nghèo",
        scan_data=_signed(world),
        scan_name="scan.pdf",
    )
    d.refresh_from_db()
    assert (d.signature_state, d.signature_signer, d.signature_note) == ("not_checked", "", "")


def _three(world: World, settings) -> dict[str, IncomingDocument]:
    signed = _signed(world)
    valid = document_received(_package(world, signed, "Văn bản ký hợp lệ"), world.a)
    unsigned = document_received(_package(world, draft_pdf(), "Văn bản không ký"), world.a)
    settings.XASO_SIGNING_TRUST_DEMO_CA = False
    untrusted = document_received(_package(world, signed, "Văn bản CA lạ"), world.a)
    settings.XASO_SIGNING_TRUST_DEMO_CA = True
    return {"valid": valid, "not_signed": unsigned, "untrusted": untrusted}


def test_pages_show_the_badge_and_filter_by_it(world: World, client: Client, settings):
    docs = _three(world, settings)
    client.force_login(world.clerk)
    page = client.get(reverse("documents:incoming", args=[docs["valid"].public_id]))
    html = page.content.decode()
    assert 'data-state="valid"' in html and "✓ Chữ ký số hợp lệ" in html
    assert f"ký bởi {_signer_name(world)}" in html
    assert 'href="/verify/"' in html
    page = client.get(reverse("documents:incoming", args=[docs["untrusted"].public_id]))
    html = page.content.decode()
    assert "! Chữ ký của tổ chức chưa được tin cậy" in html and UNTRUSTED in html
    page = client.get(reverse("documents:incoming", args=[docs["not_signed"].public_id]))
    assert "✗ Không có chữ ký số" in page.content.decode()

    listing = client.get(reverse("documents:incoming_list"))
    assert [d.subject for d, _p in listing.context["rows"]] == [
        "Văn bản CA lạ",
        "Văn bản không ký",
        "Văn bản ký hợp lệ",
    ]
    assert listing.content.decode().count('data-testid="signature"') == 3
    for state, doc in docs.items():
        r = client.get(reverse("documents:incoming_list") + f"?signature={state}")
        assert [d.pk for d, _p in r.context["rows"]] == [doc.pk]
        assert f'<option value="{state}" selected>' in r.content.decode()
    r = client.get(reverse("documents:incoming_list") + "?signature=not_checked")
    assert r.context["rows"] == []
    r = client.get(reverse("documents:incoming_list") + "?signature=bogus")
    assert len(r.context["rows"]) == 3


def test_api_exposes_and_filters_the_signature(world: World, client: Client, settings):
    docs = _three(world, settings)
    auth = bearer(world.clerk)
    body = client.get(f"/api/v1/documents/{docs['untrusted'].public_id}", **auth).json()
    assert body["signature"]["state"] == "untrusted"
    assert body["signature"]["state_name"] == "Chữ ký của tổ chức chưa được tin cậy"
    assert body["signature"]["signer"] == _signer_name(world)
    assert body["signature"]["note"] == UNTRUSTED
    assert body["signature"]["signed_at"].endswith("+07:00")
    for state, doc in docs.items():
        r = client.get(f"/api/v1/documents/incoming?signature={state}", **auth)
        assert r.status_code == 200
        assert [i["id"] for i in r.json()["items"]] == [str(doc.public_id)]
        assert r.json()["count"] == 1
    unsigned = client.get(f"/api/v1/documents/{docs['not_signed'].public_id}", **auth).json()
    assert unsigned["signature"] == {
        "state": "not_signed",
        "state_name": "Không có chữ ký số",
        "signer": "",
        "signed_at": None,
        "note": "",
    }
    r = client.get("/api/v1/documents/incoming?signature=broken", **auth)
    assert r.status_code == 422 and r.json()["code"] == "validation_error"
