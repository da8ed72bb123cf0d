"""Node identity: this node's key and certificate, and the signature every message between
nodes carries (the issue's "authenticated by the node's certificate"; QCVN 102:2016/BTTTT leaves
transport security to the connecting systems).

The key is an RSA 2048 key in ``XASO_DATA_DIR/keys/exchange/node.key`` (PKCS#8 PEM, encrypted with
the key-store passphrase of ``xaso.signing``, file mode 0600). It never enters the database or a
log. The certificate is self-signed: a peer pins it (``Node.certificate``) when the two nodes'
administrators exchange ``xaso exchange export-node`` output.

What is signed (RSA-PSS, SHA-256, salt length = digest length) is a short text binding the
sending node, the recipient agency and the body's SHA-256::

    xaso-exchange-v1\\n<sender node code>\\n<recipient agency code>\\n<sha256 hex of the body>

so a captured signature cannot be replayed for another recipient or another body.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from . import conf
from .errors import NodeInvalid, NodeNotInitialised, SignatureInvalid

if TYPE_CHECKING:
    from cryptography import x509

KEY_FILE = "node.key"
CERT_FILE = "node.pem"
CERT_YEARS = 5
SIGNATURE_CONTEXT = b"xaso-exchange-v1"

_lock = threading.Lock()
_key_cache: dict[Path, Any] = {}


def key_path() -> Path:
    return conf.node_dir() / KEY_FILE


def certificate_path() -> Path:
    return conf.node_dir() / CERT_FILE


def signed_bytes(*, node_code: str, recipient_code: str, body: bytes) -> bytes:
    digest = hashlib.sha256(body).hexdigest()
    return b"\n".join(
        [SIGNATURE_CONTEXT, node_code.encode(), recipient_code.encode(), digest.encode()]
    )


def generate(*, code: str, name: str) -> bytes:
    """Make this node's key (written 0600 under keys/exchange; an existing key is never
    replaced) and self-signed certificate; return the certificate (PEM)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    from xaso.signing import keystore

    if key_path().exists():
        raise NodeInvalid(
            _("Nút này đã có khóa (%(path)s); không tạo lại để khỏi mất liên thông.")
            % {"path": key_path()}
        )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, name),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Xã Số exchange node"),
            x509.NameAttribute(NameOID.COMMON_NAME, code),
        ]
    )
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=365 * CERT_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(keystore.passphrase()),
    )
    keystore.ensure_private_dir(conf.node_dir())
    keystore.write_private(key_path(), pem)
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    keystore.write_private(certificate_path(), cert_pem)
    certificate_path().chmod(0o644)  # public
    return cert_pem


def _private_key() -> Any:
    from cryptography.hazmat.primitives import serialization

    from xaso.signing import keystore

    path = key_path()
    with _lock:
        cached = _key_cache.get(path)
        if cached is not None:
            return cached
        if not path.exists():
            raise NodeNotInitialised(
                _("Nút chưa có khóa: chạy `xaso exchange init-node` trước khi liên thông.")
            )
        key = serialization.load_pem_private_key(path.read_bytes(), keystore.passphrase())
        _key_cache[path] = key
        return key


def signing_identity() -> tuple[Any, str]:
    """This node's private key and certificate (PEM): what signs its edXML packages
    (``xmldsig``), the same key that signs its requests."""
    key = _private_key()
    path = certificate_path()  # 1 KB, read each time: it follows the key's file, never stale
    if not path.exists():
        raise NodeNotInitialised(
            _("Nút chưa có chứng thư số: chạy `xaso exchange init-node` trước khi liên thông.")
        )
    return key, path.read_text()


def sign(*, node_code: str, recipient_code: str, body: bytes) -> str:
    """The base64 RSA-PSS signature of this node over the message (header value)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    key = _private_key()
    signature = key.sign(
        signed_bytes(node_code=node_code, recipient_code=recipient_code, body=body),
        padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH),
        hashes.SHA256(),
    )
    return base64.b64encode(signature).decode("ascii")


def load_certificate(pem: str | bytes) -> x509.Certificate:
    from cryptography import x509

    data = pem.encode() if isinstance(pem, str) else pem
    try:
        return x509.load_pem_x509_certificate(data)
    except ValueError as exc:
        raise NodeInvalid(_("Chứng thư số của nút không đọc được (cần dạng PEM).")) from exc


def verify(
    *, certificate_pem: str, node_code: str, recipient_code: str, body: bytes, signature: str
) -> None:
    """Check a message's signature against the certificate on file for its node; raise
    SignatureInvalid when it does not verify or the certificate is outside its validity."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    cert = load_certificate(certificate_pem)
    now = datetime.now(UTC)
    if not (cert.not_valid_before_utc <= now <= cert.not_valid_after_utc):
        raise SignatureInvalid(_("Chứng thư số của nút gửi đã hết hạn hoặc chưa có hiệu lực."))
    public_key = cert.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise SignatureInvalid(_("Chứng thư số của nút gửi không dùng khóa RSA."))
    try:
        raw = base64.b64decode(signature.encode("ascii"), validate=True)
        public_key.verify(
            raw,
            signed_bytes(node_code=node_code, recipient_code=recipient_code, body=body),
            padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH),
            hashes.SHA256(),
        )
    except (InvalidSignature, binascii.Error, UnicodeEncodeError, ValueError) as exc:
        raise SignatureInvalid(_("Chữ ký của nút gửi không đúng.")) from exc


def fingerprint(pem: str) -> str:
    from cryptography.hazmat.primitives import hashes

    return load_certificate(pem).fingerprint(hashes.SHA256()).hex()
