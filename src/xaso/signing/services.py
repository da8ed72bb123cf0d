"""Writes: issuing demo certificates and importing real ones. Every write is audited; keys are
written to the key store, never to the database."""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xaso.core.audit import audit_record
from xaso.core.errors import Conflict, PermissionDenied
from xaso.org.models import Agency, Staff

from . import images, keystore, permissions, pki
from .errors import (
    CertificateExpired,
    CertificateNotYetValid,
    CertificateUnsuitable,
    Pkcs12Invalid,
)
from .models import CertificateSource, ImageKind, SigningCertificate, StampImage

#: A demo certificate this close to its end is replaced by ``signing_demo_keys_ensure``.
DEMO_RENEW_BEFORE = timedelta(days=30)


def _date(value: datetime) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y")


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in ".-" else "_" for c in name)


def _key_file(agency: Agency, fingerprint: str, *, staff: Staff | None = None) -> str:
    if staff is not None:
        return f"agencies/{_safe(agency.code)}/staff/{_safe(staff.username)}/{fingerprint[:24]}.p12"
    return f"agencies/{_safe(agency.code)}/{fingerprint[:24]}.p12"


def _activate(
    *,
    agency: Agency,
    staff: Staff | None,
    actor: Staff | None,
    facts: pki.CertificateFacts,
    source: str,
    action: str,
    **key_fields: str,
) -> SigningCertificate:
    """Make the certificate the active one of the agency (``staff`` None) or of the person, in
    one transaction with its audit entry."""
    with transaction.atomic():
        mine = SigningCertificate.objects.select_for_update().filter(is_active=True)
        mine = (
            mine.filter(staff=staff)
            if staff is not None
            else mine.filter(agency=agency, staff__isnull=True)
        )
        previous = list(mine)
        SigningCertificate.objects.filter(pk__in=[p.pk for p in previous]).update(is_active=False)
        row = SigningCertificate.objects.create(
            agency=agency,
            staff=staff,
            subject=facts.subject[:500],
            common_name=facts.common_name[:255],
            issuer=facts.issuer[:500],
            serial=facts.serial[:64],
            fingerprint=facts.fingerprint,
            valid_from=facts.valid_from,
            valid_to=facts.valid_to,
            source=source,
            is_active=True,
            created_by=actor,
            **key_fields,
        )
        changes: dict[str, object] = {
            "agency": agency.code,
            "subject": facts.subject,
            "issuer": facts.issuer,
            "serial": facts.serial,
            "fingerprint": facts.fingerprint,
            "valid_from": facts.valid_from,
            "valid_to": facts.valid_to,
            "replaced": [p.serial for p in previous],
        }
        if staff is not None:
            changes["staff"] = staff.username
        for name in ("pkcs11_module", "pkcs11_token", "pkcs11_key_label", "pkcs11_key_id"):
            if key_fields.get(name):
                changes[name] = key_fields[name]
        if key_fields.get("pkcs11_pin_env"):
            changes["pin_source"] = f"env:{key_fields['pkcs11_pin_env']}"
        elif key_fields.get("pkcs11_pin_file"):
            changes["pin_source"] = "file"
        audit_record(actor=actor, action=action, obj=row, changes=changes)
    return row


def _refuse_known(fingerprint: str) -> None:
    if SigningCertificate.objects.filter(fingerprint=fingerprint).exists():
        raise Conflict(_("Chứng thư số này đã có trong hệ thống."))


def _save(
    *,
    agency: Agency,
    actor: Staff | None,
    key: pki.PrivateKey,
    cert: x509.Certificate,
    chain: list[x509.Certificate],
    source: str,
    action: str,
    staff: Staff | None = None,
) -> SigningCertificate:
    """Store the key, make the certificate the active one, audit. The key file is removed again
    when the database refuses the row."""
    f = pki.facts(cert)
    _refuse_known(f.fingerprint)
    relative = _key_file(agency, f.fingerprint, staff=staff)
    path = keystore.store_pkcs12(
        relative, key=key, cert=cert, chain=chain, friendly_name=f.common_name
    )
    try:
        return _activate(
            agency=agency,
            staff=staff,
            actor=actor,
            facts=f,
            source=source,
            action=action,
            key_file=relative,
        )
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def certificate_issue_demo(
    *, agency: Agency, actor: Staff | None = None, renew: bool = False
) -> SigningCertificate:
    """Issue the agency a certificate from the installation's demo CA. Idempotent: an agency
    keeps an imported certificate, or a demo one still good for ``DEMO_RENEW_BEFORE``, unless
    ``renew``."""
    if actor is not None:
        permissions.require_manage_certificates(actor, agency)
    now = timezone.now()
    current = SigningCertificate.objects.filter(
        agency=agency, staff__isnull=True, is_active=True
    ).first()
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


def certificate_issue_demo_personal(
    *, staff: Staff, actor: Staff | None = None, renew: bool = False
) -> SigningCertificate:
    """Issue a person (e.g. the leader who signs outgoing documents) a personal certificate from
    the demo CA: the signer's own signature of Decree 30/2020/NĐ-CP Appendix I. Idempotent like
    ``certificate_issue_demo``."""
    if actor is not None:
        permissions.require_manage_certificates(actor, staff.agency)
    now = timezone.now()
    current = SigningCertificate.objects.filter(staff=staff, is_active=True).first()
    keep = current is not None and (
        current.source != CertificateSource.DEMO or current.valid_to - DEMO_RENEW_BEFORE > now
    )
    if current is not None and keep and not renew:
        return current
    ca_key, ca_cert = pki.demo_ca_load_or_create()
    key, cert = pki.issue_personal(
        ca_key=ca_key,
        ca_cert=ca_cert,
        full_name=staff.full_name or staff.username,
        title=staff.title,
        organisation=staff.agency.name,
        agency_code=staff.agency.code,
        username=staff.username,
        not_before=now - timedelta(minutes=5),
        not_after=now + timedelta(days=pki.DEMO_CERT_DAYS),
    )
    return _save(
        agency=staff.agency,
        staff=staff,
        actor=actor,
        key=key,
        cert=cert,
        chain=[ca_cert],
        source=CertificateSource.DEMO,
        action="signing.certificate_issue_demo_personal",
    )


def signing_demo_keys_ensure(
    *, agencies: Iterable[Agency], leaders: bool = False
) -> list[SigningCertificate]:
    """``xaso demo``: the demo CA and one certificate per demo agency; with ``leaders`` also a
    demo seal image per agency and, for each active leader, a personal certificate and a demo
    signature image, so that the demo signs outgoing documents the Decree 30 way. Each is made
    once. Returns the agencies' certificates."""
    agency_list = list(agencies)
    made = [certificate_issue_demo(agency=a) for a in agency_list]
    if leaders:
        from . import selectors

        for agency in agency_list:
            if selectors.seal_image_for(agency=agency) is None:
                stamp_image_upload(
                    actor=None, agency=agency, data=images.demo_seal_png(agency.name)
                )
        people = Staff.objects.filter(
            agency__in=agency_list, is_active=True, roles__role="leader"
        ).select_related("agency")
        for person in people.distinct():
            certificate_issue_demo_personal(staff=person)
            if selectors.signature_image_for(staff=person) is None:
                stamp_image_upload(
                    actor=None,
                    agency=person.agency,
                    staff=person,
                    data=images.demo_signature_png(person.full_name or person.username),
                )
    return made


def certificate_import(
    *,
    actor: Staff | None,
    agency: Agency,
    data: bytes,
    password: str,
    staff: Staff | None = None,
) -> SigningCertificate:
    """Import a PKCS#12 (.p12/.pfx) issued by a licensed CA (chữ ký số chuyên dùng công vụ,
    Decree 68/2024/NĐ-CP) and make it the agency's active certificate, or with ``staff`` that
    person's own. ``actor`` None is the console. The key is re-encrypted under the key-store
    passphrase; the password given here is not kept."""
    if actor is not None:
        permissions.require_manage_certificates(actor, agency)
    if staff is not None and staff.agency_id != agency.pk:
        raise PermissionDenied(_("Người ký không thuộc cơ quan này."))
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
    _check_dates_and_usage(cert)
    return _save(
        agency=agency,
        actor=actor,
        key=key,
        cert=cert,
        chain=list(chain),
        source=CertificateSource.IMPORTED,
        action="signing.certificate_import",
        staff=staff,
    )


def _check_dates_and_usage(cert: x509.Certificate) -> None:
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


def certificate_import_pkcs11(
    *,
    actor: Staff | None,
    agency: Agency,
    module: str,
    token: str,
    key_label: str = "",
    key_id: str = "",
    pin: str | None = None,
    pin_env: str = "",
    staff: Staff | None = None,
) -> SigningCertificate:
    """Use a key on a PKCS#11 token (a USB token: the private key never leaves it) as the
    agency's (or, with ``staff``, that person's) active certificate. The certificate is read
    from the token next to the key, proven to match it by a test signature, checked for its
    validity period and usage. The PIN is either read from the environment variable ``pin_env``
    (only its name is kept) or given as ``pin`` and kept encrypted under the key-store
    passphrase; never in the database. Any refusal leaves nothing behind."""
    from . import tokens
    from .errors import TokenKeyMissing, TokenPinMissing

    if actor is not None:
        permissions.require_manage_certificates(actor, agency)
    if staff is not None and staff.agency_id != agency.pk:
        raise PermissionDenied(_("Người ký không thuộc cơ quan này."))
    key_label, key_id = key_label.strip(), key_id.strip().lower().removeprefix("0x")
    if not key_label and not key_id:
        raise TokenKeyMissing(
            _("Hãy nêu nhãn hoặc ID của khóa trên token."),
            fields={"key_label": [_("Trường này là bắt buộc.")]},
        )
    try:
        key_id_bytes = bytes.fromhex(key_id)
    except ValueError as exc:
        raise TokenKeyMissing(
            _("ID của khóa phải viết ở hệ 16."), fields={"key_id": [_("Sai định dạng.")]}
        ) from exc
    if pin_env:
        if pin is not None:
            raise TokenPinMissing(_("Chỉ nêu một nguồn mã PIN: biến môi trường hoặc mã PIN."))
        pin = os.environ.get(pin_env) or None
        if pin is None:
            raise TokenPinMissing(
                _("Chưa đặt biến môi trường %(var)s chứa mã PIN của token.") % {"var": pin_env}
            )
    if not pin:
        raise TokenPinMissing(
            _("Cần mã PIN của token."), fields={"pin": [_("Trường này là bắt buộc.")]}
        )
    ref = tokens.TokenKeyRef(
        module=tokens.check_module(module), token=token, key_label=key_label, key_id=key_id_bytes
    )
    cert, chain = tokens.read_key(ref, pin=pin)
    _check_dates_and_usage(cert)
    f = pki.facts(cert)
    _refuse_known(f.fingerprint)
    pin_file = ""
    written = None
    if not pin_env:
        owner = f"staff/{_safe(staff.username)}/" if staff is not None else ""
        pin_file = f"agencies/{_safe(agency.code)}/{owner}{f.fingerprint[:24]}.pin"
        written = keystore.store_pin(pin_file, pin)
    try:
        return _activate(
            agency=agency,
            staff=staff,
            actor=actor,
            facts=f,
            source=CertificateSource.PKCS11,
            action="signing.certificate_import_pkcs11",
            pkcs11_module=ref.module,
            pkcs11_token=token,
            pkcs11_key_label=key_label,
            pkcs11_key_id=key_id,
            pkcs11_pin_env=pin_env,
            pkcs11_pin_file=pin_file,
            chain_pem=pki.chain_pem(chain),
        )
    except BaseException:
        if written is not None:
            written.unlink(missing_ok=True)
        raise


def stamp_image_upload(
    *, actor: Staff | None, agency: Agency, data: bytes, staff: Staff | None = None
) -> StampImage:
    """Upload the agency's seal image (``staff`` None) or a person's signature image, the
    pictures Decree 30/2020/NĐ-CP Appendix I puts in visible signatures: a transparent PNG,
    checked by its content, replacing the previous one. The old file is removed after commit;
    the new one again when the database refuses the row."""
    if actor is not None and (staff is None or staff.pk != actor.pk):
        permissions.require_manage_certificates(actor, agency)
    if staff is not None and staff.agency_id != agency.pk:
        raise PermissionDenied(_("Người ký không thuộc cơ quan này."))
    checked = images.check_png(data)
    kind = ImageKind.SIGNATURE if staff is not None else ImageKind.SEAL
    owner = f"staff/{_safe(staff.username)}" if staff is not None else "seal"
    relative = f"{_safe(agency.code)}/{owner}-{checked.sha256[:24]}.png"
    path = images.image_path(relative)
    existed = path.exists()
    images.write_image(relative, checked.data)
    try:
        with transaction.atomic():
            query = StampImage.objects.select_for_update().filter(kind=kind, agency=agency)
            row = query.filter(staff=staff).first() if staff is not None else query.first()
            old_file = row.file if row is not None else ""
            if row is None:
                row = StampImage(kind=kind, agency=agency, staff=staff)
            row.file = relative
            row.sha256 = checked.sha256
            row.width, row.height, row.size = checked.width, checked.height, len(checked.data)
            row.uploaded_by = actor
            row.save()
            audit_record(
                actor=actor,
                action=f"signing.{kind}_image_upload",
                obj=row,
                changes={
                    "agency": agency.code,
                    "staff": staff.username if staff is not None else "",
                    "sha256": checked.sha256,
                    "width": checked.width,
                    "height": checked.height,
                },
            )
            if old_file and old_file != relative:
                transaction.on_commit(lambda: images.image_path(old_file).unlink(missing_ok=True))
    except BaseException:
        if not existed:
            path.unlink(missing_ok=True)
        raise
    return row
