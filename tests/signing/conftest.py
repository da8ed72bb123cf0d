"""Fixtures for the signing tests: a key store in a temporary data folder, agencies with demo
certificates, a Vietnamese PDF made by WeasyPrint, a foreign CA, and helpers that sign with
pyHanko directly (for certificates ``sign_pdf`` rightly refuses to use) and run poppler."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID

from tests import factories
from xaso.signing import keystore, pki, services

HTML = """<!doctype html><html lang="vi"><head><meta charset="utf-8"><style>
@page { size: A4; margin: 20mm 20mm 20mm 30mm }
body { font-family: "Times New Roman", serif; font-size: 13pt }
h1 { text-align: center; font-size: 16pt }
</style></head><body>
<p style="text-align:center"><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br>
Độc lập - Tự do - Hạnh phúc</p>
<h1>GIẤY KHAI SINH</h1>
<p>Họ, chữ đệm, tên: NGUYỄN THỊ HẰNG</p>
<p>Ngày, tháng, năm sinh: 05/02/2026 — ghi bằng chữ: ngày năm, tháng hai,
năm hai nghìn không trăm hai mươi sáu</p>
<p>Nơi sinh: Trạm Y tế xã Thạch Khoán, huyện Thanh Sơn, tỉnh Phú Thọ</p>
<p>Dân tộc: Mường · Quốc tịch: Việt Nam · Quê quán: xã Đông Cửu</p>
</body></html>"""


@pytest.fixture(scope="session")
def vietnamese_pdf() -> bytes:
    import weasyprint

    return bytes(weasyprint.HTML(string=HTML).write_pdf())


@pytest.fixture(scope="session")
def two_page_pdf() -> bytes:
    import weasyprint

    html = HTML.replace("</body>", '<p style="page-break-before:always">Trang hai</p></body>')
    return bytes(weasyprint.HTML(string=html).write_pdf())


@pytest.fixture(scope="session")
def session_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("signing-data")


@pytest.fixture(autouse=True)
def _data_dir(settings, session_data_dir):
    """Keys, the demo CA and the cut font under a temporary data folder shared by the session
    (making a CA and cutting the font once is enough); tests that look at the folder itself
    use ``fresh_data_dir``. Never the project's default trust settings."""
    settings.DATA_DIR = session_data_dir
    settings.XASO_SIGNING_TRUST_ROOTS = ""
    settings.XASO_SIGNING_TRUST_DEMO_CA = True
    settings.XASO_SIGNING_TSA_URL = ""
    settings.XASO_SIGNING_KEYSTORE_PASSPHRASE = None


@pytest.fixture
def fresh_data_dir(settings, tmp_path) -> Path:
    settings.DATA_DIR = tmp_path
    keystore.forget_signers()
    return tmp_path


@pytest.fixture
def thach_khoan(db):
    return factories.agency(code="H25.38.21", name="UBND xã Thạch Khoán")


@pytest.fixture
def thach_khoan_cert(thach_khoan):
    return services.certificate_issue_demo(agency=thach_khoan)


@pytest.fixture
def signed_pdf(vietnamese_pdf, thach_khoan_cert) -> bytes:
    from xaso.signing.sign import sign_pdf

    return sign_pdf(
        vietnamese_pdf,
        agency=thach_khoan_cert.agency,
        signer_name="Đinh Công Sơn",
        signer_title="Chủ tịch UBND xã",
        reason="Cấp giấy khai sinh",
        location="Thạch Khoán, Phú Thọ",
    )


def make_ca(name: str = "Foreign Test CA", *, days: int = 3650):
    key = pki.new_key()
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def make_leaf(ca_key, ca_cert, *, name: str, not_before: datetime, not_after: datetime):
    return pki.issue(
        ca_key=ca_key,
        ca_cert=ca_cert,
        organisation=name,
        agency_code="H99.01",
        not_before=not_before,
        not_after=not_after,
    )


def pkcs12_bytes(key, cert, chain, password: bytes) -> bytes:
    from cryptography.hazmat.primitives.serialization import pkcs12

    return pkcs12.serialize_key_and_certificates(
        b"test", key, cert, chain, serialization.BestAvailableEncryption(password)
    )


def sign_directly(pdf: bytes, key, cert, chain) -> bytes:
    """Sign with pyHanko itself, bypassing ``sign_pdf``'s checks (expired keys, foreign CAs)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata, PdfSigner

    signer = signers.SimpleSigner.load_pkcs12_data(
        pkcs12_bytes(key, cert, chain, b"x"), other_certs=[], passphrase=b"x"
    )
    meta = PdfSignatureMetadata(
        field_name="Direct", md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES
    )
    out = PdfSigner(meta, signer=signer).sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)))
    return out.getvalue()


def append_info_revision(pdf: bytes) -> bytes:
    """A well-formed incremental update that only retitles the document."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    writer.set_info(
        generic.DictionaryObject({generic.NameObject("/Title"): generic.TextStringObject("Đã sửa")})
    )
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def pdfsig(pdf: bytes, tmp_path: Path, nssdir: Path | None = None) -> str:
    path = tmp_path / "checked.pdf"
    path.write_bytes(pdf)
    # No -no-ocsp: poppler 22.12 then reports every chain as "Unknown issue"; the certificates
    # here carry no OCSP address, so nothing is fetched either way.
    cmd = ["pdfsig"]
    if nssdir is not None:
        cmd += ["-nssdir", str(nssdir)]
    done = subprocess.run([*cmd, str(path)], capture_output=True, text=True)
    return done.stdout + done.stderr


def nss_trusting(ca_pem: Path, tmp_path: Path) -> Path:
    """An NSS database (what pdfsig validates against) that trusts ``ca_pem``."""
    db = tmp_path / "nss"
    db.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{db}", "--empty-password"], check=True)
    subprocess.run(
        ["certutil", "-A", "-d", f"sql:{db}", "-n", "demo-ca", "-t", "C,C,C", "-i", str(ca_pem)],
        check=True,
    )
    return db


HAVE_CERTUTIL = shutil.which("certutil") is not None


@pytest.fixture(scope="session")
def softhsm(tmp_path_factory: pytest.TempPathFactory):
    """One SoftHSM2 store for the session (the library reads ``SOFTHSM2_CONF`` when first
    initialised in the process); each test makes its own tokens with unique labels."""
    import os

    from .softhsm import SoftHsm

    hsm = SoftHsm(tmp_path_factory.mktemp("softhsm"))
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(hsm.conf)
    yield hsm
    from xaso.signing import tokens

    tokens.forget_all()
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous


_token_seq = iter(range(1, 10_000))


@pytest.fixture
def token_label() -> str:
    """A token label unique in the session (a token's label is how the certificate finds it)."""
    return f"XaSo-{next(_token_seq):03d}"


def signature_png(width: int = 600, height: int = 250) -> bytes:
    """A handwritten-looking signature: blue strokes on a transparent background."""
    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    points = [(30 + i * 27, height // 2 + (45 if i % 2 else -45)) for i in range(20)]
    draw.line(points, fill=(20, 40, 160, 255), width=7, joint="curve")
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def seal_png(side: int = 470) -> bytes:
    """A round red seal on a transparent background."""
    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.ellipse((8, 8, side - 8, side - 8), outline=(210, 20, 20, 255), width=14)
    draw.ellipse((70, 70, side - 70, side - 70), outline=(210, 20, 20, 255), width=6)
    draw.regular_polygon((side // 2, side // 2, 60), 5, fill=(210, 20, 20, 255))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def leader(thach_khoan):
    from xaso.org.models import Staff

    person = factories.staff(agency_obj=thach_khoan, roles=("leader",), full_name="Đinh Công Sơn")
    Staff.objects.filter(pk=person.pk).update(title="Chủ tịch UBND xã")
    person.refresh_from_db()
    return person


@pytest.fixture
def leader_ready(leader, thach_khoan_cert):
    """The leader with a personal demo certificate and a signature image, the agency with its
    certificate and seal image: everything an outgoing document's two signatures need."""
    services.certificate_issue_demo_personal(staff=leader)
    services.stamp_image_upload(
        actor=None, agency=leader.agency, staff=leader, data=signature_png()
    )
    services.stamp_image_upload(actor=None, agency=leader.agency, data=seal_png())
    return leader
