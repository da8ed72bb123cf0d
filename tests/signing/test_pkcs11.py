"""Keys on PKCS#11 tokens, tested with a real SoftHSM2 token the way a USB token is used: the
certificate is read from the token, proven to match the key, activated; the token signs (the key
never leaves it); the result validates in pyHanko and in poppler's pdfsig. Every refusal (wrong
PIN, missing token, key/certificate mismatch, missing key, expired certificate, unknown module)
leaves no row, no audit entry and no PIN file behind; the PIN is in no row and no log line."""

from __future__ import annotations

import logging
import stat
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command

from tests import factories
from xaso.core.models import AuditEntry
from xaso.signing import keystore, pki, services, tokens
from xaso.signing.errors import (
    CertificateExpired,
    CertificateKeyMismatch,
    Pkcs11ModuleInvalid,
    TokenKeyMissing,
    TokenPinInvalid,
    TokenPinMissing,
    TokenUnavailable,
)
from xaso.signing.models import SigningCertificate
from xaso.signing.sign import sign_pdf
from xaso.signing.verify import verify_pdf

from .conftest import pdfsig
from .softhsm import MODULE, PIN

pytestmark = pytest.mark.django_db

SIGNER = {
    "signer_name": "Đinh Công Sơn",
    "signer_title": "Chủ tịch UBND xã",
    "reason": "Ban hành văn bản",
    "location": "Thạch Khoán, Phú Thọ",
}


def _demo_issued(name: str, code: str, *, days: int = 30, start_days: int = -1):
    ca_key, ca_cert = pki.demo_ca_load_or_create()
    now = datetime.now(UTC)
    return pki.issue(
        ca_key=ca_key,
        ca_cert=ca_cert,
        organisation=name,
        agency_code=code,
        not_before=now + timedelta(days=start_days),
        not_after=now + timedelta(days=days),
    )


@pytest.fixture
def agency_token(softhsm, token_label, thach_khoan):
    """A token holding the agency's key and its certificate from the demo CA."""
    key, cert = _demo_issued(thach_khoan.name, thach_khoan.code)
    softhsm.token_with(token_label, key, cert)
    return token_label, cert


def _import(agency, token: str, **kwargs):
    args = {"module": MODULE, "token": token, "key_label": "ky-so", "pin": PIN}
    args.update(kwargs)
    return services.certificate_import_pkcs11(actor=None, agency=agency, **args)


@pytest.fixture
def new_key_files(settings):
    """Files added under ``keys/agencies`` since the test began (the data folder is shared by
    the session)."""
    root = settings.DATA_DIR / "keys" / "agencies"
    before = set(root.rglob("*")) if root.exists() else set()

    def added() -> set:
        now = set(root.rglob("*")) if root.exists() else set()
        return {p for p in now - before if p.is_file()}

    return added


def _nothing_written(new_key_files) -> None:
    assert SigningCertificate.objects.count() == 0
    assert not AuditEntry.objects.filter(action__startswith="signing.").exists()
    assert new_key_files() == set()


def test_import_reads_the_certificate_and_keeps_the_pin_encrypted(
    agency_token, thach_khoan, settings, caplog
):
    token, cert = agency_token
    caplog.set_level(logging.DEBUG)
    row = _import(thach_khoan, token)
    assert (row.source, row.is_active, row.key_file, row.staff) == ("pkcs11", True, "", None)
    assert (row.pkcs11_module, row.pkcs11_token, row.pkcs11_key_label) == (MODULE, token, "ky-so")
    assert row.fingerprint == pki.facts(cert).fingerprint
    assert row.common_name == "UBND xã Thạch Khoán"
    assert pki.load_pem_chain(row.chain_pem) == [pki.demo_ca_certificate()]
    # The PIN: encrypted in a 0600 file under keys/, not in the database, not in any log.
    pin_path = keystore.key_path(row.pkcs11_pin_file)
    assert stat.S_IMODE(pin_path.stat().st_mode) == 0o600
    assert PIN.encode() not in pin_path.read_bytes()
    assert keystore.load_pin(row.pkcs11_pin_file) == PIN
    values = SigningCertificate.objects.filter(pk=row.pk).values().get()
    assert not any(PIN in str(v) for v in values.values())
    entry = AuditEntry.objects.get(action="signing.certificate_import_pkcs11")
    assert PIN not in str(entry.changes) and entry.changes["pin_source"] == "file"
    assert entry.changes["pkcs11_token"] == token
    assert PIN not in caplog.text


def test_token_signs_and_the_signature_validates(
    agency_token, thach_khoan, vietnamese_pdf, tmp_path, caplog
):
    token, cert = agency_token
    _import(thach_khoan, token)
    caplog.set_level(logging.DEBUG)
    signed = sign_pdf(vietnamese_pdf, agency=thach_khoan, **SIGNER)
    again = sign_pdf(vietnamese_pdf, agency=thach_khoan, **SIGNER)  # the kept session
    for pdf in (signed, again):
        result = verify_pdf(pdf)
        assert result.code == "valid", result.problems
        [sig] = result.signatures
        assert (sig.signer, sig.serial) == ("UBND xã Thạch Khoán", f"{cert.serial_number:X}")
        assert (sig.intact, sig.trusted, sig.covers_whole_file) == (True, True, True)
    out = pdfsig(signed, tmp_path)
    assert "Signer Certificate Common Name: UBND xã Thạch Khoán" in out
    assert "Signature Validation: Signature is Valid." in out
    assert "Total document signed" in out
    assert PIN not in caplog.text


def test_pin_from_an_environment_variable(
    agency_token, thach_khoan, vietnamese_pdf, monkeypatch, new_key_files, capsys
):
    token, _cert = agency_token
    monkeypatch.setenv("XASO_TEST_TOKEN_PIN", PIN)
    call_command(
        "signing", "import-pkcs11", "--agency", thach_khoan.code, "--module", MODULE,
        "--token", token, "--key-label", "ky-so", "--pin-env", "XASO_TEST_TOKEN_PIN",
    )  # fmt: skip
    row = SigningCertificate.objects.get()
    assert (row.pkcs11_pin_env, row.pkcs11_pin_file) == ("XASO_TEST_TOKEN_PIN", "")
    assert f"token {token}" in capsys.readouterr().out
    call_command("signing", "list")
    assert f"UBND xã Thạch Khoán / {row.serial} [token {token}]" in capsys.readouterr().out
    assert new_key_files() == set()
    assert verify_pdf(sign_pdf(vietnamese_pdf, agency=thach_khoan, **SIGNER)).valid
    # Without the variable, the next login has no PIN: refused before the token is asked.
    tokens.forget_all()
    monkeypatch.delenv("XASO_TEST_TOKEN_PIN")
    with pytest.raises(TokenPinMissing) as err:
        sign_pdf(vietnamese_pdf, agency=thach_khoan, **SIGNER)
    assert err.value.message == (
        f"Chưa đặt biến môi trường XASO_TEST_TOKEN_PIN chứa mã PIN của token {token}."
    )


def test_command_reads_the_pin_from_a_file_and_looks_keys_up_by_id(
    agency_token, thach_khoan, tmp_path
):
    token, _cert = agency_token
    pin_file = tmp_path / "pin.txt"
    pin_file.write_text(PIN + "\n")
    call_command(
        "signing", "import-pkcs11", "--agency", thach_khoan.code, "--module", MODULE,
        "--token", token, "--key-id", "01", "--pin-file", str(pin_file),
    )  # fmt: skip
    row = SigningCertificate.objects.get()
    assert (row.pkcs11_key_label, row.pkcs11_key_id) == ("", "01")
    assert keystore.load_pin(row.pkcs11_pin_file) == PIN


def test_wrong_pin_is_refused_and_nothing_is_written(agency_token, thach_khoan, new_key_files):
    token, _cert = agency_token
    with pytest.raises(TokenPinInvalid) as err:
        _import(thach_khoan, token, pin="000000")
    assert err.value.message == f"Mã PIN của token {token} không đúng."
    assert err.value.code == "token_pin_invalid"
    _nothing_written(new_key_files)


def test_wrong_pin_is_refused_even_while_a_session_is_open(
    agency_token, thach_khoan, vietnamese_pdf, settings
):
    """PKCS#11 keeps the login per token: a new login would otherwise say "already logged in"
    whatever the PIN. Checking a PIN always starts from a logged-out token."""
    token, _cert = agency_token
    _import(thach_khoan, token)
    sign_pdf(vietnamese_pdf, agency=thach_khoan, **SIGNER)  # leaves a logged-in session
    other = factories.agency(name="UBND xã Văn Miếu")
    with pytest.raises(TokenPinInvalid):
        _import(other, token, pin="111111")
    assert SigningCertificate.objects.filter(agency=other).count() == 0


def test_missing_token(softhsm, thach_khoan, new_key_files):
    with pytest.raises(TokenUnavailable) as err:
        _import(thach_khoan, "Khong-Co-Token")
    assert err.value.message == (
        "Không tìm thấy thiết bị ký số (token) Khong-Co-Token; hãy cắm token và thử lại."
    )
    assert err.value.status == 503
    _nothing_written(new_key_files)


def test_token_removed_after_import(agency_token, thach_khoan, vietnamese_pdf, softhsm, settings):
    """The token unplugged (deleted): signing says so instead of failing obscurely."""
    token, _cert = agency_token
    _import(thach_khoan, token)
    sign_pdf(vietnamese_pdf, agency=thach_khoan, **SIGNER)  # a kept session
    softhsm.delete_token(token)
    with pytest.raises(TokenUnavailable) as err:
        sign_pdf(vietnamese_pdf, agency=thach_khoan, **SIGNER)
    assert err.value.code == "token_unavailable"


def test_certificate_of_another_key_is_refused(softhsm, token_label, thach_khoan, new_key_files):
    key, _cert = _demo_issued(thach_khoan.name, thach_khoan.code)
    _other_key, other_cert = _demo_issued(thach_khoan.name, thach_khoan.code)
    softhsm.init_token(token_label)
    softhsm.import_key(token_label, key, label="ky-so", key_id="01")
    softhsm.write_cert(token_label, other_cert, label="ky-so", cert_id="01")
    with pytest.raises(CertificateKeyMismatch) as err:
        _import(thach_khoan, token_label)
    assert err.value.message == (
        f"Chứng thư số trên token {token_label} không khớp với khóa bí mật ky-so."
    )
    _nothing_written(new_key_files)


def test_missing_key_and_missing_certificate(softhsm, token_label, thach_khoan, new_key_files):
    key, _cert = _demo_issued(thach_khoan.name, thach_khoan.code)
    softhsm.init_token(token_label)
    softhsm.import_key(token_label, key, label="ky-so", key_id="01")
    with pytest.raises(TokenKeyMissing) as err:
        _import(thach_khoan, token_label, key_label="khong-co")
    assert err.value.message == f"Không có khóa bí mật khong-co trên token {token_label}."
    with pytest.raises(TokenKeyMissing) as err:
        _import(thach_khoan, token_label)  # the key is there, its certificate is not
    assert err.value.message == (
        f"Không có chứng thư số đi kèm khóa ky-so trên token {token_label}."
    )
    with pytest.raises(TokenKeyMissing):
        _import(thach_khoan, token_label, key_label="", key_id="zz")
    _nothing_written(new_key_files)


def test_expired_certificate_on_the_token(softhsm, token_label, thach_khoan, new_key_files):
    key, cert = _demo_issued(thach_khoan.name, thach_khoan.code, days=-1, start_days=-30)
    softhsm.token_with(token_label, key, cert)
    with pytest.raises(CertificateExpired):
        _import(thach_khoan, token_label)
    _nothing_written(new_key_files)


def test_unknown_module_and_the_module_allow_list(thach_khoan, settings, new_key_files, tmp_path):
    with pytest.raises(Pkcs11ModuleInvalid) as err:
        _import(thach_khoan, "x", module=str(tmp_path / "libnothing.so"))
    assert err.value.message == f"Không có thư viện PKCS#11 {tmp_path / 'libnothing.so'}."
    settings.XASO_SIGNING_PKCS11_MODULES = "/opt/vendor/libtoken.so"
    with pytest.raises(Pkcs11ModuleInvalid):
        _import(thach_khoan, "x")
    _nothing_written(new_key_files)


def test_command_refusals_are_vietnamese(agency_token, thach_khoan, monkeypatch):
    token, _cert = agency_token
    monkeypatch.setenv("XASO_TEST_WRONG_PIN", "13579")
    with pytest.raises(CommandError, match=f"Mã PIN của token {token} không đúng."):
        call_command(
            "signing", "import-pkcs11", "--agency", thach_khoan.code, "--module", MODULE,
            "--token", token, "--key-label", "ky-so", "--pin-env", "XASO_TEST_WRONG_PIN",
        )  # fmt: skip
    with pytest.raises(CommandError, match="Chưa đặt biến môi trường XASO_TEST_UNSET"):
        call_command(
            "signing", "import-pkcs11", "--agency", thach_khoan.code, "--module", MODULE,
            "--token", token, "--key-label", "ky-so", "--pin-env", "XASO_TEST_UNSET",
        )  # fmt: skip
    assert SigningCertificate.objects.count() == 0


def test_a_person_signs_with_a_token(softhsm, token_label, thach_khoan, vietnamese_pdf):
    leader = factories.staff(agency_obj=thach_khoan, roles=("leader",), full_name="Đinh Công Sơn")
    ca_key, ca_cert = pki.demo_ca_load_or_create()
    now = datetime.now(UTC)
    key, cert = pki.issue_personal(
        ca_key=ca_key,
        ca_cert=ca_cert,
        full_name=leader.full_name,
        title="Chủ tịch",
        organisation=thach_khoan.name,
        agency_code=thach_khoan.code,
        username=leader.username,
        not_before=now - timedelta(days=1),
        not_after=now + timedelta(days=30),
    )
    softhsm.token_with(token_label, key, cert, key_label="lanh-dao", key_id="0a0b")
    row = _import(thach_khoan, token_label, key_label="lanh-dao", staff=leader)
    assert row.staff == leader
    signed = sign_pdf(vietnamese_pdf, agency=thach_khoan, signer_staff=leader, **SIGNER)
    [sig] = verify_pdf(signed).signatures
    assert (sig.signer, sig.organisation, sig.trusted) == ("Đinh Công Sơn", thach_khoan.name, True)


def test_token_now_holding_another_certificate_is_refused(
    softhsm, token_label, thach_khoan, vietnamese_pdf
):
    """The row names the certificate by its fingerprint: a token re-initialised with another
    key under the same labels does not sign in its place."""
    key, cert = _demo_issued(thach_khoan.name, thach_khoan.code)
    softhsm.token_with(token_label, key, cert)
    _import(thach_khoan, token_label)
    tokens.forget_all()
    softhsm.delete_token(token_label)
    key2, cert2 = _demo_issued(thach_khoan.name, thach_khoan.code)
    softhsm.token_with(token_label, key2, cert2)
    with pytest.raises(CertificateKeyMismatch) as err:
        sign_pdf(vietnamese_pdf, agency=thach_khoan, **SIGNER)
    assert err.value.message == (
        f"Token {token_label} đang chứa chứng thư số khác với chứng thư đã đăng ký."
    )


def test_concurrent_signatures_share_one_token_session(agency_token, thach_khoan):
    """Web workers' threads sign at the same time: the token's session is used under a lock and
    one login serves them all; every signature value verifies with the certificate's key. (The
    threads use the token only: SQLite's in-memory test database is not shared across them.)"""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    token, cert = agency_token
    row = _import(thach_khoan, token)
    tokens.forget_all()

    def one(i: int) -> tuple[bytes, bytes]:
        data = f"văn bản số {i}".encode()
        with tokens.signer(row) as signer:
            return data, asyncio.run(signer.async_sign_raw(data, "sha256"))

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(one, range(12)))
    for data, signature in results:
        cert.public_key().verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
    assert [k for k in tokens._sessions if k[1] == token] == [(MODULE, token)]


def test_token_signature_with_a_time_stamp(agency_token, thach_khoan, vietnamese_pdf, settings):
    from .tsa import LocalTsa

    token, _cert = agency_token
    _import(thach_khoan, token)
    tsa = LocalTsa()
    try:
        settings.XASO_SIGNING_TSA_URL = tsa.url
        signed = sign_pdf(vietnamese_pdf, agency=thach_khoan, **SIGNER)
    finally:
        tsa.stop()
    result = verify_pdf(signed)
    assert result.code == "valid", result.problems
    [sig] = result.signatures
    assert sig.timestamp is not None and sig.timestamp_trusted is True
