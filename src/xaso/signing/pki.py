"""Certificates made with ``cryptography``: the installation's demo CA ("Xã Số Demo CA") and
one document-signing certificate per agency, whose subject carries the agency's Vietnamese name
as UTF8String (RFC 5280 §4.1.2.6; ``cryptography`` encodes every attribute but the country that
way). Real deployments import certificates issued by a licensed CA instead (``certificate_import``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Union

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from . import conf, keystore

PrivateKey = Union[rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey]  # noqa: UP007

DEMO_CA_NAME = "Xã Số Demo CA"
DEMO_CA_DIR = "demo-ca"
DEMO_CA_YEARS = 10
#: Demo agency certificates last two years, like the official-service certificates they stand for.
DEMO_CERT_DAYS = 730
RSA_BITS = 2048


@dataclass(frozen=True)
class CertificateFacts:
    """What the database keeps of a certificate (never the key)."""

    subject: str
    common_name: str
    issuer: str
    serial: str
    fingerprint: str
    valid_from: datetime
    valid_to: datetime


def facts(cert: x509.Certificate) -> CertificateFacts:
    cn = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return CertificateFacts(
        subject=cert.subject.rfc4514_string(),
        common_name=str(cn[0].value) if cn else cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        serial=f"{cert.serial_number:X}",
        fingerprint=hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest(),
        valid_from=cert.not_valid_before_utc,
        valid_to=cert.not_valid_after_utc,
    )


def _key_usage(*, sign_documents: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign_documents,
        content_commitment=sign_documents,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not sign_documents,
        crl_sign=not sign_documents,
        encipher_only=False,
        decipher_only=False,
    )


def new_key() -> rsa.RSAPrivateKey:
    # RSA 2048: what the licensed Vietnamese CAs issue and every validator (Adobe, NSS) accepts.
    return rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)


def _ca_paths() -> tuple[str, Path]:
    return f"{DEMO_CA_DIR}/ca.p12", conf.keys_dir() / DEMO_CA_DIR / "ca.pem"


def demo_ca_certificate() -> x509.Certificate | None:
    """The demo CA's certificate (public), or None before ``xaso demo`` made it."""
    _, pem = _ca_paths()
    if not pem.exists():
        return None
    return x509.load_pem_x509_certificate(pem.read_bytes())


def demo_ca_load_or_create(*, now: datetime | None = None) -> tuple[PrivateKey, x509.Certificate]:
    """The demo CA's key and certificate, made once per installation (its key stays in
    ``keys/demo-ca/ca.p12``; ``ca.pem`` is the public certificate to hand to validators)."""
    p12, pem = _ca_paths()
    if keystore.key_path(p12).exists():
        key, cert, _ = keystore.load_pkcs12(p12)
        return key, cert
    now = now or datetime.now(UTC)
    key = new_key()
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Xã Số"),
            x509.NameAttribute(NameOID.COMMON_NAME, DEMO_CA_NAME),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=365 * DEMO_CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(sign_documents=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    keystore.store_pkcs12(p12, key=key, cert=cert, chain=[], friendly_name=DEMO_CA_NAME)
    keystore.write_private(pem, cert.public_bytes(serialization.Encoding.PEM))
    pem.chmod(0o644)  # public: validators may read it
    return key, cert


def issue(
    *,
    ca_key: PrivateKey,
    ca_cert: x509.Certificate,
    organisation: str,
    agency_code: str,
    not_before: datetime,
    not_after: datetime,
    key: PrivateKey | None = None,
) -> tuple[PrivateKey, x509.Certificate]:
    """A document-signing certificate for an organisation: key usage digital signature and
    non-repudiation, no CA rights; the agency's electronic code (Decision 20/2020/QĐ-TTg) rides in
    the UID attribute the way licensed CAs put a tax code there."""
    key = key or new_key()
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.USER_ID, f"MCQ:{agency_code}"),
            x509.NameAttribute(NameOID.COMMON_NAME, organisation),
        ]
    )
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(min(not_after, ca_cert.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(sign_documents=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def issue_personal(
    *,
    ca_key: PrivateKey,
    ca_cert: x509.Certificate,
    full_name: str,
    title: str,
    organisation: str,
    agency_code: str,
    username: str,
    not_before: datetime,
    not_after: datetime,
) -> tuple[PrivateKey, x509.Certificate]:
    """A person's document-signing certificate (the signer's signature of Decree 30/2020/NĐ-CP
    Appendix I; personal official-service certificates of Decree 68/2024/NĐ-CP carry the holder's
    name, title and organisation): CN the full name, T the title, O the agency, the agency's code
    and the account in UID."""
    key = new_key()
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
    ]
    if title:
        attributes.append(x509.NameAttribute(NameOID.TITLE, title))
    attributes += [
        x509.NameAttribute(NameOID.USER_ID, f"MCQ:{agency_code}/{username}"),
        x509.NameAttribute(NameOID.COMMON_NAME, full_name),
    ]
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(attributes))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(min(not_after, ca_cert.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(sign_documents=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def suitable_for_signing(cert: x509.Certificate) -> bool:
    """Not a CA, and a key usage (if any) that allows signing documents."""
    try:
        if cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca:
            return False
    except x509.ExtensionNotFound:
        pass
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return True
    return bool(usage.digital_signature or usage.content_commitment)


def chain_pem(chain: list[x509.Certificate]) -> str:
    return "".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in chain)


def load_pem_chain(text: str) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(text.encode()) if text.strip() else []
