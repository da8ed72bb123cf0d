"""Writes: issuing demo certificates and importing real ones. Every write is audited; keys are
written to the key store, never to the database."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xaso.core.audit import audit_record
from xaso.core.errors import Conflict
from xaso.org.models import Agency, Staff

from . import keystore, permissions, pki
from .errors import (
    CertificateExpired,
    CertificateNotYetValid,
    CertificateUnsuitable,
    Pkcs12Invalid,
)
from .models import CertificateSource, SigningCertificate

#: A demo certificate this close to its end is replaced by ``signing_demo_keys_ensure``.
DEMO_RENEW_BEFORE = timedelta(days=30)


def _date(value: datetime) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y")


def _key_file(agency: Agency, fingerprint: str) -> str:
    safe_code = "".join(c if c.isalnum() or c in ".-" else "_" for c in agency.code)
    return f"agencies/{safe_code}/{fingerprint[:24]}.p12"


def _save(
    *,
    agency: Agency,
    actor: Staff | None,
    key: pki.PrivateKey,
    cert: x509.Certificate,
    chain: list[x509.Certificate],
    source: str,
    action: str,
) -> SigningCertificate:
    """Store the key, make the certificate the agency's active one, audit. The key file is
    removed again when the database refuses the row."""
    f = pki.facts(cert)
    if SigningCertificate.objects.filter(fingerprint=f.fingerprint).exists():
        raise Conflict(_("Chứng thư số này đã có trong hệ thống."))
    relative = _key_file(agency, f.fingerprint)
    path = keystore.store_pkcs12(
        relative, key=key, cert=cert, chain=chain, friendly_name=f.common_name
    )
    try:
        with transaction.atomic():
            previous = list(
                SigningCertificate.objects.select_for_update().filter(agency=agency, is_active=True)
            )
            SigningCertificate.objects.filter(pk__in=[p.pk for p in previous]).update(
                is_active=False
            )
            row = SigningCertificate.objects.create(
                agency=agency,
                subject=f.subject[:500],
                common_name=f.common_name[:255],
                issuer=f.issuer[:500],
                serial=f.serial[:64],
                fingerprint=f.fingerprint,
                valid_from=f.valid_from,
                valid_to=f.valid_to,
                source=source,
                key_file=relative,
                is_active=True,
                created_by=actor,
            )
            audit_record(
                actor=actor,
                action=action,
                obj=row,
                changes={
                    "agency": agency.code,
                    "subject": f.subject,
                    "issuer": f.issuer,
                    "serial": f.serial,
                    "fingerprint": f.fingerprint,
                    "valid_from": f.valid_from,
                    "valid_to": f.valid_to,
                    "replaced": [p.serial for p in previous],
                },
            )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return row


def certificate_issue_demo(
    *, agency: Agency, actor: Staff | None = None, renew: bool = False
) -> SigningCertificate:
    """Issue the agency a certificate from the installation's demo CA. Idempotent: an agency
    keeps an imported certificate, or a demo one still good for ``DEMO_RENEW_BEFORE``, unless
    ``renew``."""
    if actor is not None:
        permissions.require_manage_certificates(actor, agency)
    now = timezone.now()
    current = SigningCertificate.objects.filter(agency=agency, is_active=True).first()
    # A certificate from a real CA is never replaced by a demo one behind the admin's back.
    keep = current is not None and (
        current.source != CertificateSource.DEMO or current.valid_to - DEMO_RENEW_BEFORE > now
    )
    if current is not None and keep and not renew:
        return current
    ca_key, ca_cert = pki.demo_ca_load_or_create()
    key, cert = pki.issue(
        ca_key=ca_key,
        ca_cert=ca_cert,
        organisation=agency.name,
        agency_code=agency.code,
        not_before=now - timedelta(minutes=5),
        not_after=now + timedelta(days=pki.DEMO_CERT_DAYS),
    )
    return _save(
        agency=agency,
        actor=actor,
        key=key,
        cert=cert,
        chain=[ca_cert],
        source=CertificateSource.DEMO,
        action="signing.certificate_issue_demo",
    )


def signing_demo_keys_ensure(*, agencies: Iterable[Agency]) -> list[SigningCertificate]:
    """``xaso demo``: the demo CA and one certificate per demo agency, made once."""
    return [certificate_issue_demo(agency=a) for a in agencies]


def certificate_import(
    *, actor: Staff | None, agency: Agency, data: bytes, password: str
) -> SigningCertificate:
    """Import a PKCS#12 (.p12/.pfx) issued by a licensed CA (chữ ký số chuyên dùng công vụ,
    Decree 68/2024/NĐ-CP) and make it the agency's active certificate. ``actor`` None is the
    console. The key is re-encrypted under the key-store passphrase; the password given here is
    not kept."""
    if actor is not None:
        permissions.require_manage_certificates(actor, agency)
    if not data:
        raise Pkcs12Invalid(_("Tệp chứng thư số rỗng."), fields={"file": [_("Tệp rỗng.")]})
    try:
        key, cert, chain = pkcs12.load_key_and_certificates(data, password.encode() or None)
    except ValueError as exc:
        raise Pkcs12Invalid(
            _(
                "Không mở được tệp chứng thư số: mật khẩu không đúng hoặc tệp không phải "
                "PKCS#12 (.p12, .pfx)."
            ),
            fields={"password": [_("Mật khẩu không đúng hoặc tệp hỏng.")]},
        ) from exc
    if key is None or cert is None:
        raise Pkcs12Invalid(
            _("Tệp PKCS#12 không chứa khóa bí mật và chứng thư số của người ký."),
            fields={"file": [_("Thiếu khóa hoặc chứng thư.")]},
        )
    if not isinstance(key, pki.rsa.RSAPrivateKey | pki.ec.EllipticCurvePrivateKey):
        raise CertificateUnsuitable(_("Chỉ hỗ trợ khóa RSA hoặc ECDSA."))
    if key.public_key() != cert.public_key():
        raise Pkcs12Invalid(_("Khóa bí mật không khớp với chứng thư số trong tệp."))
    now = datetime.now(UTC)
    if cert.not_valid_after_utc <= now:
        raise CertificateExpired(
            _("Chứng thư số đã hết hạn từ ngày %(date)s; không thể dùng để ký.")
            % {"date": _date(cert.not_valid_after_utc)},
            fields={"file": [_("Chứng thư số đã hết hạn.")]},
        )
    if cert.not_valid_before_utc > now:
        raise CertificateNotYetValid(
            _("Chứng thư số chỉ có hiệu lực từ ngày %(date)s.")
            % {"date": _date(cert.not_valid_before_utc)},
            fields={"file": [_("Chứng thư số chưa có hiệu lực.")]},
        )
    if not pki.suitable_for_signing(cert):
        raise CertificateUnsuitable(
            _("Chứng thư số này không dùng để ký văn bản (chứng thư của CA hoặc sai mục đích).")
        )
    return _save(
        agency=agency,
        actor=actor,
        key=key,
        cert=cert,
        chain=list(chain),
        source=CertificateSource.IMPORTED,
        action="signing.certificate_import",
    )
