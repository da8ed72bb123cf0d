"""Key material: the demo CA and agency certificates, the key store's file modes, PKCS#12
import with its Vietnamese refusals, permissions, and the console command."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import pkcs12
from django.core.management import CommandError, call_command

from tests import factories
from xaso.core.errors import Conflict, PermissionDenied
from xaso.core.models import AuditEntry
from xaso.signing import keystore, pki, services
from xaso.signing.errors import (
    CertificateExpired,
    CertificateNotYetValid,
    CertificateUnsuitable,
    Pkcs12Invalid,
)
from xaso.signing.models import SigningCertificate

from .conftest import make_ca, make_leaf, pkcs12_bytes

pytestmark = pytest.mark.django_db


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_demo_keys_made_once_with_private_files(fresh_data_dir, thach_khoan):
    lam_thao = factories.agency(code="H25.37.01", name="UBND thị trấn Lâm Thao")
    first = services.signing_demo_keys_ensure(agencies=[thach_khoan, lam_thao])
    again = services.signing_demo_keys_ensure(agencies=[thach_khoan, lam_thao])

    assert [c.pk for c in again] == [c.pk for c in first]
    assert SigningCertificate.objects.count() == 2
    keys = fresh_data_dir / "keys"
    assert _mode(keys) == 0o700
    assert _mode(keys / "agencies") == 0o700
    assert _mode(keys / "demo-ca") == 0o700
    assert _mode(keys / "demo-ca" / "ca.p12") == 0o600
    assert _mode(keys / "keystore.pass") == 0o600
    for cert in first:
        path = keys / cert.key_file
        assert _mode(path) == 0o600
        assert _mode(path.parent) == 0o700
        with pytest.raises(ValueError):  # encrypted: useless without the passphrase
            pkcs12.load_key_and_certificates(path.read_bytes(), None)
    assert AuditEntry.objects.filter(action="signing.certificate_issue_demo").count() == 2


def test_demo_certificate_subject_is_vietnamese_utf8(thach_khoan_cert):
    _key, cert, chain = keystore.load_pkcs12(thach_khoan_cert.key_file)
    parsed = asn1_x509.Certificate.load(cert.public_bytes(pki.serialization.Encoding.DER))
    attrs = {a["type"].native: a["value"] for rdn in parsed.subject.chosen for a in rdn}
    assert attrs["common_name"].name == "utf8_string"
    assert attrs["common_name"].native == "UBND xã Thạch Khoán"
    assert attrs["organization_name"].native == "UBND xã Thạch Khoán"
    assert parsed.issuer.native["common_name"] == "Xã Số Demo CA"
    assert parsed.key_usage_value.native == {"digital_signature", "non_repudiation"}
    assert parsed.ca is False
    assert [c.subject.rfc4514_string() for c in chain] == ["CN=Xã Số Demo CA,O=Xã Số,C=VN"]
    assert thach_khoan_cert.common_name == "UBND xã Thạch Khoán"
    assert thach_khoan_cert.issuer == "CN=Xã Số Demo CA,O=Xã Số,C=VN"
    assert thach_khoan_cert.valid_to - thach_khoan_cert.valid_from == timedelta(
        days=pki.DEMO_CERT_DAYS, minutes=5
    )


def test_renew_replaces_the_active_certificate(thach_khoan_cert):
    renewed = services.certificate_issue_demo(agency=thach_khoan_cert.agency, renew=True)
    thach_khoan_cert.refresh_from_db()
    assert renewed.pk != thach_khoan_cert.pk
    assert (renewed.is_active, thach_khoan_cert.is_active) == (True, False)
    entry = AuditEntry.objects.filter(action="signing.certificate_issue_demo").latest("seq")
    assert entry.changes["replaced"] == [thach_khoan_cert.serial]


def test_database_holds_no_key_material(thach_khoan_cert):
    row = SigningCertificate.objects.values().get(pk=thach_khoan_cert.pk)
    text = " ".join(str(v) for v in row.values())
    assert "PRIVATE" not in text
    assert row["key_file"].startswith("agencies/H25.38.21/") and row["key_file"].endswith(".p12")


def _foreign_p12(password: bytes = b"mat-khau", *, days_left: int = 365, start_days: int = -1):
    ca_key, ca_cert = make_ca()
    now = datetime.now(UTC)
    key, cert = make_leaf(
        ca_key,
        ca_cert,
        name="UBND xã Thạch Khoán",
        not_before=now + timedelta(days=start_days),
        not_after=now + timedelta(days=days_left),
    )
    return pkcs12_bytes(key, cert, [ca_cert], password), cert


def test_import_pkcs12_becomes_active(thach_khoan_cert):
    data, cert = _foreign_p12()
    imported = services.certificate_import(
        actor=None, agency=thach_khoan_cert.agency, data=data, password="mat-khau"
    )
    thach_khoan_cert.refresh_from_db()
    assert imported.is_active and not thach_khoan_cert.is_active
    assert imported.source == "imported"
    assert imported.serial == f"{cert.serial_number:X}"
    assert imported.issuer == "CN=Foreign Test CA"
    key, stored, chain = keystore.load_pkcs12(imported.key_file)
    assert stored == cert and [c.subject.rfc4514_string() for c in chain] == ["CN=Foreign Test CA"]
    with pytest.raises(Conflict):
        services.certificate_import(
            actor=None, agency=thach_khoan_cert.agency, data=data, password="mat-khau"
        )


def test_import_wrong_password_is_refused_in_vietnamese(fresh_data_dir, thach_khoan):
    data, _ = _foreign_p12()
    with pytest.raises(Pkcs12Invalid) as err:
        services.certificate_import(actor=None, agency=thach_khoan, data=data, password="sai")
    assert err.value.message == (
        "Không mở được tệp chứng thư số: mật khẩu không đúng hoặc tệp không phải PKCS#12 "
        "(.p12, .pfx)."
    )
    assert err.value.fields == {"password": ["Mật khẩu không đúng hoặc tệp hỏng."]}
    assert SigningCertificate.objects.count() == 0
    assert not (fresh_data_dir / "keys" / "agencies").exists()


def test_import_expired_certificate_is_refused(thach_khoan):
    data, cert = _foreign_p12(days_left=-2, start_days=-400)
    with pytest.raises(CertificateExpired) as err:
        services.certificate_import(actor=None, agency=thach_khoan, data=data, password="mat-khau")
    day = (cert.not_valid_after_utc + timedelta(hours=7)).strftime("%d/%m/%Y")
    assert err.value.message == f"Chứng thư số đã hết hạn từ ngày {day}; không thể dùng để ký."
    assert SigningCertificate.objects.count() == 0


def test_import_not_yet_valid_ca_and_garbage_are_refused(thach_khoan):
    data, _ = _foreign_p12(start_days=3, days_left=300)
    with pytest.raises(CertificateNotYetValid):
        services.certificate_import(actor=None, agency=thach_khoan, data=data, password="mat-khau")
    ca_key, ca_cert = make_ca("Some CA")
    with pytest.raises(CertificateUnsuitable):
        services.certificate_import(
            actor=None,
            agency=thach_khoan,
            data=pkcs12_bytes(ca_key, ca_cert, [], b"p"),
            password="p",
        )
    with pytest.raises(Pkcs12Invalid):
        services.certificate_import(
            actor=None, agency=thach_khoan, data=b"not a pkcs12", password="p"
        )
    with pytest.raises(Pkcs12Invalid):
        services.certificate_import(actor=None, agency=thach_khoan, data=b"", password="p")
    assert SigningCertificate.objects.count() == 0


def test_only_the_agencys_admin_may_import_or_issue(thach_khoan):
    data, _ = _foreign_p12()
    reception = factories.staff(agency_obj=thach_khoan, roles=("reception",))
    other_admin = factories.staff(roles=("admin",))
    for actor in (reception, other_admin):
        with pytest.raises(PermissionDenied):
            services.certificate_import(
                actor=actor, agency=thach_khoan, data=data, password="mat-khau"
            )
        with pytest.raises(PermissionDenied):
            services.certificate_issue_demo(actor=actor, agency=thach_khoan)
    assert SigningCertificate.objects.count() == 0
    admin = factories.staff(agency_obj=thach_khoan, roles=("admin",))
    made = services.certificate_import(
        actor=admin, agency=thach_khoan, data=data, password="mat-khau"
    )
    assert made.created_by == admin
    entry = AuditEntry.objects.get(action="signing.certificate_import")
    assert (entry.actor_username, entry.object_id) == (admin.username, str(made.public_id))


def test_console_issue_list_import(capsys, thach_khoan, tmp_path):
    call_command("signing", "issue-demo", "--agency", "H25.38.21")
    issued = capsys.readouterr().out
    cert = SigningCertificate.objects.get()
    assert issued.startswith(f"H25.38.21  UBND xã Thạch Khoán  số hiệu {cert.serial}")
    call_command("signing", "list")
    listing = capsys.readouterr().out.splitlines()
    assert listing[1].split()[:3] == ["H25.38.21", "đang", "dùng"]
    data, foreign = _foreign_p12(b"pw-123")
    (tmp_path / "k.p12").write_bytes(data)
    (tmp_path / "pw").write_text("pw-123\n")
    call_command(
        "signing",
        "import",
        "--agency",
        "H25.38.21",
        "--file",
        str(tmp_path / "k.p12"),
        "--password-file",
        str(tmp_path / "pw"),
    )
    assert SigningCertificate.objects.get(is_active=True).serial == f"{foreign.serial_number:X}"
    (tmp_path / "pw").write_text("wrong\n")
    with pytest.raises(CommandError, match="mật khẩu không đúng"):
        call_command(
            "signing",
            "import",
            "--agency",
            "H25.38.21",
            "--file",
            str(tmp_path / "k.p12"),
            "--password-file",
            str(tmp_path / "pw"),
        )
    with pytest.raises(CommandError, match="Không có cơ quan mã H00"):
        call_command("signing", "issue-demo", "--agency", "H00")


def test_demo_keys_never_replace_an_imported_certificate(thach_khoan):
    data, _ = _foreign_p12(days_left=10)  # closer to its end than DEMO_RENEW_BEFORE
    imported = services.certificate_import(
        actor=None, agency=thach_khoan, data=data, password="mat-khau"
    )
    assert services.signing_demo_keys_ensure(agencies=[thach_khoan]) == [imported]
    assert SigningCertificate.objects.count() == 1


def test_demo_certificate_near_its_end_is_renewed(thach_khoan_cert):
    from django.utils import timezone

    SigningCertificate.objects.filter(pk=thach_khoan_cert.pk).update(
        valid_to=timezone.now() + timedelta(days=5)
    )
    [renewed] = services.signing_demo_keys_ensure(agencies=[thach_khoan_cert.agency])
    assert renewed.pk != thach_khoan_cert.pk and renewed.is_active
