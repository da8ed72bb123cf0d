"""sign_pdf: a WeasyPrint certificate signed with the agency's key, checked by pyHanko and by
poppler's pdfsig; the visible stamp read back with pdftotext."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories
from xaso.signing import pki
from xaso.signing.errors import (
    CertificateExpired,
    CertificateMissing,
    PdfInvalid,
    SigningFailed,
    StampPlacementInvalid,
)
from xaso.signing.models import SigningCertificate
from xaso.signing.sign import StampPlacement, sign_pdf
from xaso.signing.verify import verify_pdf

from .conftest import HAVE_CERTUTIL, nss_trusting, pdf_text, pdfsig

pytestmark = pytest.mark.django_db

SIGNER = {
    "signer_name": "Đinh Công Sơn",
    "signer_title": "Chủ tịch UBND xã",
    "reason": "Cấp giấy khai sinh",
    "location": "Thạch Khoán, Phú Thọ",
}


def test_signed_pdf_validates_in_pyhanko(vietnamese_pdf, signed_pdf, thach_khoan_cert):
    assert signed_pdf.startswith(vietnamese_pdf)  # an incremental update: the original is kept
    result = verify_pdf(signed_pdf)
    assert (result.code, result.valid, result.modified_after_signing) == ("valid", True, False)
    assert result.problems == []
    [sig] = result.signatures
    assert (sig.signer, sig.organisation, sig.issuer) == (
        "UBND xã Thạch Khoán",
        "UBND xã Thạch Khoán",
        "Xã Số Demo CA",
    )
    assert (sig.intact, sig.valid, sig.trusted, sig.covers_whole_file) == (True, True, True, True)
    assert sig.serial == thach_khoan_cert.serial
    assert (sig.reason, sig.location) == ("Cấp giấy khai sinh", "Thạch Khoán, Phú Thọ")
    assert sig.timestamp is None  # B-B: no TSA configured
    assert abs(sig.signed_at - timezone.now()) < timedelta(minutes=1)


def test_signed_pdf_validates_in_pdfsig(signed_pdf, tmp_path):
    out = pdfsig(signed_pdf, tmp_path)
    assert "Signer Certificate Common Name: UBND xã Thạch Khoán" in out
    assert "Signature Type: ETSI.CAdES.detached" in out
    assert "Signing Hash Algorithm: SHA-256" in out
    assert "Total document signed" in out
    assert "Signature Validation: Signature is Valid." in out
    # pdfsig trusts only its NSS database: the demo CA is unknown to it.
    assert "Certificate Validation: Certificate issuer isn't Trusted." in out


@pytest.mark.skipif(not HAVE_CERTUTIL, reason="certutil (libnss3-tools) is not installed")
def test_pdfsig_trusts_the_chain_once_given_the_demo_ca(signed_pdf, tmp_path, settings):
    nssdir = nss_trusting(settings.DATA_DIR / "keys" / "demo-ca" / "ca.pem", tmp_path)
    out = pdfsig(signed_pdf, tmp_path, nssdir)
    assert "Signature Validation: Signature is Valid." in out
    assert "Certificate Validation: Certificate is Trusted." in out


def test_stamp_text_reads_back_in_vietnamese(signed_pdf):
    text = pdf_text(signed_pdf)
    [sig] = verify_pdf(signed_pdf).signatures
    when = timezone.localtime(sig.signed_at).strftime("%d/%m/%Y %H:%M")
    assert "Ký bởi: UBND xã Thạch Khoán" in text
    assert "Người ký: Đinh Công Sơn – Chủ tịch UBND xã" in text
    # The stamp shows the signature's own signing time, in Vietnam time.
    assert f"Ký ngày: {when}" in text
    assert "GIẤY KHAI SINH" in text and "NGUYỄN THỊ HẰNG" in text


def test_stamp_font_is_embedded_as_a_noto_serif_subset(signed_pdf, tmp_path):
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed_pdf)
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    stamp = [line for line in listing.splitlines() if "NotoSerif-Regular" in line]
    assert len(stamp) == 1, listing
    name, *_rest, emb, sub, uni, _obj, _gen = stamp[0].split()
    assert re.fullmatch(r"[A-Z]{6}\+NotoSerif-Regular-Identity-H", name)
    assert (emb, sub, uni) == ("yes", "yes", "yes")


def test_invisible_signature_has_no_stamp(vietnamese_pdf, thach_khoan_cert):
    signed = sign_pdf(vietnamese_pdf, agency=thach_khoan_cert.agency, visible_stamp=False, **SIGNER)
    assert verify_pdf(signed).code == "valid"
    assert "Ký bởi" not in pdf_text(signed)


def test_stamp_on_a_chosen_page(two_page_pdf, thach_khoan_cert):
    signed = sign_pdf(
        two_page_pdf,
        agency=thach_khoan_cert.agency,
        placement=StampPlacement(page=0, box=(350, 700, 570, 780)),
        **SIGNER,
    )
    assert verify_pdf(signed).valid
    pages = pdf_text(signed).split("\f")
    assert "Ký bởi: UBND xã Thạch Khoán" in pages[0]
    assert "Ký bởi" not in pages[1]


@pytest.mark.parametrize(
    ("placement", "message"),
    [
        (StampPlacement(page=2), "Tài liệu có 1 trang; không có trang số 3 để đặt dấu chữ ký."),
        (StampPlacement(page=-2), "Tài liệu có 1 trang; không có trang số -2 để đặt dấu chữ ký."),
        (StampPlacement(box=(500, 40, 700, 100)), "Khung dấu chữ ký nằm ngoài trang."),
        (
            StampPlacement(box=(300, 40, 350, 100)),
            "Khung dấu chữ ký quá nhỏ (tối thiểu 120 × 36 điểm).",
        ),
    ],
)
def test_bad_placement_is_refused(vietnamese_pdf, thach_khoan_cert, placement, message):
    with pytest.raises(StampPlacementInvalid) as err:
        sign_pdf(vietnamese_pdf, agency=thach_khoan_cert.agency, placement=placement, **SIGNER)
    assert err.value.message == message


def test_agency_without_certificate(vietnamese_pdf):
    agency = factories.agency(name="UBND xã Văn Miếu")
    with pytest.raises(CertificateMissing) as err:
        sign_pdf(vietnamese_pdf, agency=agency, **SIGNER)
    assert err.value.message == "UBND xã Văn Miếu chưa có chứng thư số để ký."


def test_expired_certificate_is_not_used(vietnamese_pdf, thach_khoan_cert):
    SigningCertificate.objects.filter(pk=thach_khoan_cert.pk).update(
        valid_from=timezone.now() - timedelta(days=800), valid_to=timezone.now() - timedelta(days=1)
    )
    with pytest.raises(CertificateExpired):
        sign_pdf(vietnamese_pdf, agency=thach_khoan_cert.agency, **SIGNER)


def test_not_a_pdf(thach_khoan_cert):
    with pytest.raises(PdfInvalid):
        sign_pdf(b"<html>", agency=thach_khoan_cert.agency, **SIGNER)


def test_demo_ca_is_the_issuer(thach_khoan_cert):
    ca = pki.demo_ca_certificate()
    assert ca is not None and ca.subject.rfc4514_string() == thach_khoan_cert.issuer


@pytest.mark.skipif(shutil.which("openssl") is None, reason="the openssl command is not installed")
def test_b_t_with_a_local_time_stamping_authority(vietnamese_pdf, thach_khoan_cert, settings):
    from .tsa import LocalTsa

    tsa = LocalTsa()
    try:
        settings.XASO_SIGNING_TSA_URL = tsa.url
        signed = sign_pdf(vietnamese_pdf, agency=thach_khoan_cert.agency, **SIGNER)
    finally:
        tsa.stop()
    assert tsa.requests == 1
    result = verify_pdf(signed)
    assert result.code == "valid", result.problems
    [sig] = result.signatures
    assert sig.timestamp is not None and sig.timestamp_trusted is True
    assert abs(sig.timestamp - sig.signed_at) < timedelta(minutes=1)


def test_unreachable_time_stamping_authority_refuses_to_sign(
    vietnamese_pdf, thach_khoan_cert, settings
):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.XASO_SIGNING_TSA_URL = f"http://127.0.0.1:{port}/"
    settings.XASO_SIGNING_TSA_TIMEOUT = 2
    with pytest.raises(SigningFailed) as err:
        sign_pdf(vietnamese_pdf, agency=thach_khoan_cert.agency, **SIGNER)
    assert err.value.message == (
        "Không lấy được dấu thời gian từ máy chủ cấp dấu thời gian (TSA); chưa ký."
    )


def test_reserved_space_is_even_whatever_the_certificate_sizes():
    from types import SimpleNamespace

    from xaso.signing.sign import _bytes_reserved

    def cert(n: int) -> SimpleNamespace:
        return SimpleNamespace(dump=lambda: b"x" * n)

    for sizes in [(801,), (800,), (801, 900), (1, 2, 3)]:
        signer = SimpleNamespace(cert_registry=[cert(n) for n in sizes], signing_cert=cert(733))
        for timestamped in (False, True):
            assert _bytes_reserved(signer, timestamped=timestamped) % 2 == 0


def test_font_program_is_made_once_per_glyph_set(vietnamese_pdf, thach_khoan_cert, tmp_path):
    """The embedded subset is written by fontTools once per signer's glyph set, then reused:
    the same bytes in every PDF, the digits of any signing time included."""
    from xaso.signing import fonts

    fonts.subset_program_cache_clear()
    first = sign_pdf(vietnamese_pdf, agency=thach_khoan_cert.agency, **SIGNER)
    second = sign_pdf(vietnamese_pdf, agency=thach_khoan_cert.agency, **SIGNER)
    assert len(fonts._programs) == 1
    [program] = fonts._programs.values()

    def embedded(pdf: bytes) -> bytes:
        import io

        from pyhanko.pdf_utils.reader import PdfFileReader

        reader = PdfFileReader(io.BytesIO(pdf))
        widget = reader.root["/AcroForm"]["/Fields"][0].get_object()
        font = next(iter(widget["/AP"]["/N"]["/Resources"]["/Font"].values())).get_object()
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        return bytes(descriptor["/FontFile2"].get_object().data)

    assert embedded(first) == embedded(second) == program
    other = SIGNER | {"signer_name": "Hoàng Văn Thắng"}
    sign_pdf(vietnamese_pdf, agency=thach_khoan_cert.agency, **other)
    assert len(fonts._programs) == 2
