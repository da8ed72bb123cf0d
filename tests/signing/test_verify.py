"""verify_pdf: tampering (a flipped byte, an appended revision), expired and foreign
certificates, configured trust roots, several signatures; pdfsig agrees where it can tell."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import serialization

from tests import factories
from xaso.signing import pki, services
from xaso.signing.errors import PdfInvalid
from xaso.signing.sign import StampPlacement, sign_pdf
from xaso.signing.verify import verify_pdf

from .conftest import append_info_revision, make_ca, make_leaf, pdfsig, sign_directly

pytestmark = pytest.mark.django_db


def _codes(result) -> list[str]:
    return [p.code for p in result.problems]


def _flip_inside_signed_content(pdf: bytes) -> bytes:
    """Change one letter of the page's visible text stream... which WeasyPrint compresses, so flip
    a byte in the middle of the first signed range instead (the original document)."""
    start = pdf.index(b"/ByteRange")
    first_range_end = int(pdf[start:].split(b"[", 1)[1].split()[1])
    at = first_range_end // 2
    flipped = bytearray(pdf)
    flipped[at] ^= 0x01
    return bytes(flipped)


def test_flipped_byte_fails(signed_pdf, tmp_path):
    tampered = _flip_inside_signed_content(signed_pdf)
    result = verify_pdf(tampered)
    assert result.code == "invalid"
    assert "content_changed" in _codes(result) or "pdf_damaged" in _codes(result)
    if result.signatures:
        assert result.signatures[0].intact is False
    out = pdfsig(tampered, tmp_path)
    assert "Signature is Valid." not in out


def test_flipped_byte_in_the_signature_value_fails(signed_pdf):
    """The CMS ends with the signer's signature value (B-B has no unsigned attributes), before
    the zero padding of the reserved space: change a hex digit there."""
    start = signed_pdf.index(b"/Contents <") + len(b"/Contents <")
    end = signed_pdf.index(b">", start)
    used_end = start + len(signed_pdf[start:end].rstrip(b"0"))
    at = used_end - 20
    flipped = bytearray(signed_pdf)
    # Another hex digit, not the same one in the other case (pyHanko writes upper case).
    flipped[at] = ord("1") if flipped[at] != ord("1") else ord("2")
    result = verify_pdf(bytes(flipped))
    assert result.code == "invalid"
    assert _codes(result) == ["signature_invalid"]
    assert result.signatures[0].intact is True  # the document digest still matches


def test_appended_revision_is_a_change_after_signing(signed_pdf, tmp_path):
    """An update that only edits the Info dictionary: pyHanko still calls the signature intact
    and valid, the file is nevertheless no longer what was signed."""
    updated = append_info_revision(signed_pdf)
    assert updated.startswith(signed_pdf)

    result = verify_pdf(updated)
    assert result.code == "invalid"
    assert result.modified_after_signing is True
    assert _codes(result) == ["modified_after_signing"]
    [sig] = result.signatures
    assert (sig.intact, sig.valid, sig.trusted, sig.covers_whole_file) == (True, True, True, False)
    assert "Not total document signed" in pdfsig(updated, tmp_path)


def test_appended_bytes_without_a_revision(signed_pdf):
    result = verify_pdf(signed_pdf + b"\n% trailing junk\n")
    assert result.code == "invalid"
    assert result.modified_after_signing is True


def test_expired_certificate_fails(vietnamese_pdf):
    ca_key, ca_cert = pki.demo_ca_load_or_create()
    now = datetime.now(UTC)
    key, cert = make_leaf(
        ca_key,
        ca_cert,
        name="UBND xã Thạch Khoán",
        not_before=now - timedelta(days=400),
        not_after=now - timedelta(days=1),
    )
    result = verify_pdf(sign_directly(vietnamese_pdf, key, cert, [ca_cert]))
    assert result.code == "invalid"
    assert _codes(result) == ["certificate_expired"]
    [sig] = result.signatures
    assert (sig.intact, sig.valid, sig.trusted) == (True, True, False)
    assert result.problems[0].message == (
        "Chứng thư số của người ký đã hết hạn (hoặc hết hạn trước thời điểm kiểm tra)."
    )


def _foreign_signed(pdf: bytes):
    ca_key, ca_cert = make_ca("Foreign Test CA")
    now = datetime.now(UTC)
    key, cert = make_leaf(
        ca_key,
        ca_cert,
        name="UBND xã Thạch Khoán",  # the same name, another issuer
        not_before=now - timedelta(days=1),
        not_after=now + timedelta(days=30),
    )
    return sign_directly(pdf, key, cert, [ca_cert]), ca_cert


def test_foreign_certificate_fails(vietnamese_pdf):
    signed, _ = _foreign_signed(vietnamese_pdf)
    result = verify_pdf(signed)
    assert result.code == "invalid"
    assert _codes(result) == ["certificate_untrusted"]
    assert result.signatures[0].signer == "UBND xã Thạch Khoán"
    assert result.signatures[0].issuer == "Foreign Test CA"


def test_configured_trust_root_is_trusted(vietnamese_pdf, settings, tmp_path):
    signed, foreign_ca = _foreign_signed(vietnamese_pdf)
    root = tmp_path / "roots.pem"
    root.write_bytes(foreign_ca.public_bytes(serialization.Encoding.PEM))
    settings.XASO_SIGNING_TRUST_ROOTS = str(root)
    assert verify_pdf(signed).code == "valid"


def test_demo_ca_can_be_distrusted(signed_pdf, settings):
    settings.XASO_SIGNING_TRUST_DEMO_CA = False
    assert _codes(verify_pdf(signed_pdf)) == ["certificate_untrusted"]


def test_two_signatures_both_valid(signed_pdf, thach_khoan_cert):
    province = factories.agency(code="H25", name="UBND tỉnh Phú Thọ")
    services.certificate_issue_demo(agency=province)
    twice = sign_pdf(
        signed_pdf,
        agency=province,
        signer_name="Hoàng Văn Thắng",
        signer_title="Chuyên viên",
        reason="Sao y",
        location="Phú Thọ",
        placement=StampPlacement(box=(40, 40, 280, 100)),
    )
    result = verify_pdf(twice)
    assert result.code == "valid", result.problems
    first, second = result.signatures
    assert (first.signer, first.covers_whole_file) == ("UBND xã Thạch Khoán", False)
    assert (second.signer, second.covers_whole_file) == ("UBND tỉnh Phú Thọ", True)


def test_unsigned_pdf(vietnamese_pdf):
    result = verify_pdf(vietnamese_pdf)
    assert (result.code, result.signed, result.signatures) == ("not_signed", False, [])
    assert result.problems[0].message == "Tệp PDF này không có chữ ký số."


def test_not_a_pdf_and_a_damaged_pdf():
    with pytest.raises(PdfInvalid):
        verify_pdf(b"PK\x03\x04 a zip file")
    result = verify_pdf(b"%PDF-1.7\n garbage without any object")
    assert result.code in {"invalid", "not_signed"}
    assert result.valid is False
