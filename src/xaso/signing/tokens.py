"""PKCS#11 tokens (thiết bị lưu khóa bí mật: USB tokens, HSMs) as key stores.

A certificate on a token is named by the module (the vendor's PKCS#11 library), the token label
and the key's label and/or ID; the private key never leaves the token: pyHanko's
``PKCS11Signer`` asks the token to sign the digest. The PIN comes from an environment variable
or from a file encrypted under the key-store passphrase (``keystore.store_pin``); it is never
stored in the database nor logged.

Logging in to a token is slow (SoftHSM2 derives a key from the PIN: ≈ 250 ms), and PKCS#11 keeps
the login per application and token, so each process keeps one logged-in session per token and
uses it under a lock (a session is not safe for concurrent use). A token unplugged and plugged
back, or replaced, shows up as a PKCS#11 error: the session is dropped and opened again once.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from . import conf, keystore
from .errors import (
    CertificateKeyMismatch,
    Pkcs11ModuleInvalid,
    TokenKeyMissing,
    TokenPinInvalid,
    TokenPinMissing,
    TokenUnavailable,
)

if TYPE_CHECKING:
    from cryptography import x509
    from pyhanko.sign.pkcs11 import PKCS11Signer

    from .models import SigningCertificate

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TokenKeyRef:
    """Where a key is: module path, token label, key label and/or CKA_ID."""

    module: str
    token: str
    key_label: str = ""
    key_id: bytes = b""

    @property
    def name(self) -> str:
        """For messages and logs (no secret in it)."""
        key = self.key_label or self.key_id.hex()
        return f"{self.token}/{key}"


@dataclass
class _Open:
    pin_digest: bytes
    session: Any
    signer: PKCS11Signer | None = None


_lock = threading.RLock()
_sessions: dict[tuple[str, str], _Open] = {}
_token_locks: dict[tuple[str, str], threading.RLock] = {}


def check_module(module: str) -> str:
    """The module path, refused unless it is an existing file (and listed in
    ``XASO_SIGNING_PKCS11_MODULES`` when that is set)."""
    path = Path(module)
    allowed = conf.pkcs11_modules()
    if allowed and str(path) not in allowed:
        raise Pkcs11ModuleInvalid(
            _("Thư viện PKCS#11 %(path)s không nằm trong danh sách được phép.") % {"path": module},
            fields={"module": [_("Không được phép.")]},
        )
    if not path.is_file():
        raise Pkcs11ModuleInvalid(
            _("Không có thư viện PKCS#11 %(path)s.") % {"path": module},
            fields={"module": [_("Không có tệp này.")]},
        )
    return str(path)


def _lib(module: str) -> Any:
    import pkcs11

    try:
        return pkcs11.lib(module)
    except (RuntimeError, OSError) as exc:
        raise Pkcs11ModuleInvalid(
            _("Không nạp được thư viện PKCS#11 %(path)s.") % {"path": module}
        ) from exc


def _find_token(module: str, label: str) -> Any:
    import pkcs11

    lib = _lib(module)
    for attempt in (0, 1):
        try:
            tokens = [s.get_token() for s in lib.get_slots(token_present=True)]
        except pkcs11.PKCS11Error:
            tokens = []
        for token in tokens:
            if token.label == label:
                return token
        if attempt == 0:
            # A token plugged in after the module was initialised is only seen after
            # C_Finalize/C_Initialize, which ends every session on that module.
            _forget_module(module)
            lib.reinitialize()
    raise TokenUnavailable(
        _("Không tìm thấy thiết bị ký số (token) %(token)s; hãy cắm token và thử lại.")
        % {"token": label}
    )


def _login(ref: TokenKeyRef, pin: str) -> Any:
    import pkcs11

    token = _find_token(ref.module, ref.token)
    try:
        return token.open(user_pin=pin)
    except pkcs11.PinLocked as exc:
        raise TokenPinInvalid(
            _("Token %(token)s đã bị khóa do nhập sai mã PIN nhiều lần.") % {"token": ref.token},
            fields={"pin": [_("Token đã bị khóa.")]},
        ) from exc
    except (pkcs11.PinIncorrect, pkcs11.PinInvalid, pkcs11.PinLenRange) as exc:
        raise TokenPinInvalid(
            _("Mã PIN của token %(token)s không đúng.") % {"token": ref.token},
            fields={"pin": [_("Mã PIN không đúng.")]},
        ) from exc
    except pkcs11.PKCS11Error as exc:
        raise TokenUnavailable(
            _("Không mở được token %(token)s (%(error)s).")
            % {"token": ref.token, "error": type(exc).__name__}
        ) from exc


def _close(opened: _Open) -> None:
    try:
        opened.session.close()
    except Exception as exc:  # a token already gone: nothing left to close
        logger.debug("closing a PKCS#11 session: %s", type(exc).__name__)


def _forget_module(module: str) -> None:
    with _lock:
        for key in [k for k in _sessions if k[0] == module]:
            _close(_sessions.pop(key))


def forget_token(module: str, token: str) -> None:
    """Drop the cached session of a token (logging out when it was the last one)."""
    with _lock:
        opened = _sessions.pop((module, token), None)
        if opened is not None:
            _close(opened)


def forget_all() -> None:
    with _lock:
        for key in list(_sessions):
            _close(_sessions.pop(key))


def _private_key(session: Any, ref: TokenKeyRef) -> Any:
    import pkcs11
    from pkcs11 import Attribute, ObjectClass

    query: dict[Any, Any] = {Attribute.CLASS: ObjectClass.PRIVATE_KEY}
    if ref.key_label:
        query[Attribute.LABEL] = ref.key_label
    if ref.key_id:
        query[Attribute.ID] = ref.key_id
    try:
        keys = list(session.get_objects(query))
    except pkcs11.PKCS11Error as exc:
        raise TokenUnavailable(_("Không đọc được token %(token)s.") % {"token": ref.token}) from exc
    if len(keys) != 1:
        raise TokenKeyMissing(
            (
                _("Không có khóa bí mật %(key)s trên token %(token)s.")
                if not keys
                else _("Có nhiều khóa bí mật %(key)s trên token %(token)s; hãy nêu cả nhãn và ID.")
            )
            % {"key": ref.key_label or ref.key_id.hex(), "token": ref.token},
            fields={"key_label": [_("Không tìm thấy khóa.")]},
        )
    return keys[0]


def _certificates(session: Any) -> list[tuple[Any, x509.Certificate]]:
    from cryptography import x509 as cx509
    from pkcs11 import Attribute, ObjectClass

    found = []
    for obj in session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE}):
        try:
            found.append((obj, cx509.load_der_x509_certificate(obj[Attribute.VALUE])))
        except ValueError:
            continue
    return found


def _signer_certificate(session: Any, key: Any, ref: TokenKeyRef) -> x509.Certificate:
    """The certificate stored next to the key: the same label, else the same CKA_ID."""
    import pkcs11
    from pkcs11 import Attribute

    def attribute(obj: Any, name: Any, default: Any) -> Any:
        try:
            return obj[name]
        except (KeyError, pkcs11.PKCS11Error):
            return default

    certs = _certificates(session)
    label = attribute(key, Attribute.LABEL, "")
    key_id = bytes(attribute(key, Attribute.ID, b""))
    by_label = [c for obj, c in certs if label and attribute(obj, Attribute.LABEL, "") == label]
    by_id = [c for obj, c in certs if key_id and bytes(attribute(obj, Attribute.ID, b"")) == key_id]
    for candidates in (by_label, by_id):
        if len(candidates) == 1:
            return candidates[0]
    raise TokenKeyMissing(
        _("Không có chứng thư số đi kèm khóa %(key)s trên token %(token)s.")
        % {"key": ref.key_label or ref.key_id.hex(), "token": ref.token},
        fields={"key_label": [_("Thiếu chứng thư số.")]},
    )


def _prove_key(key: Any, cert: x509.Certificate, ref: TokenKeyRef) -> None:
    """Sign a random challenge on the token and check it with the certificate's public key:
    the certificate belongs to the key only if that verifies."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
    from pkcs11 import KeyType, Mechanism

    challenge = secrets.token_bytes(32)
    public = cert.public_key()
    try:
        if key.key_type == KeyType.RSA and isinstance(public, rsa.RSAPublicKey):
            signature = key.sign(challenge, mechanism=Mechanism.SHA256_RSA_PKCS)
            public.verify(signature, challenge, padding.PKCS1v15(), hashes.SHA256())
            return
        if key.key_type == KeyType.EC and isinstance(public, ec.EllipticCurvePublicKey):
            from pkcs11.util.ec import encode_ecdsa_signature

            raw = key.sign(challenge, mechanism=Mechanism.ECDSA_SHA256)
            public.verify(encode_ecdsa_signature(raw), challenge, ec.ECDSA(hashes.SHA256()))
            return
    except InvalidSignature:
        pass
    raise CertificateKeyMismatch(
        _("Chứng thư số trên token %(token)s không khớp với khóa bí mật %(key)s.")
        % {"token": ref.token, "key": ref.key_label or ref.key_id.hex()},
        fields={"key_label": [_("Khóa và chứng thư không khớp.")]},
    )


def _chain(session: Any, cert: x509.Certificate) -> list[x509.Certificate]:
    """The issuers of ``cert`` found on the token, then the demo CA when it issued the last."""
    from . import pki

    pool = [c for _obj, c in _certificates(session) if c != cert]
    demo = pki.demo_ca_certificate()
    if demo is not None:
        pool.append(demo)
    chain: list[x509.Certificate] = []
    current = cert
    while current.issuer != current.subject and len(chain) < 8:
        issuer = next((c for c in pool if c.subject == current.issuer and c not in chain), None)
        if issuer is None:
            break
        chain.append(issuer)
        current = issuer
    return chain


def read_key(ref: TokenKeyRef, *, pin: str) -> tuple[x509.Certificate, list[x509.Certificate]]:
    """Log in with ``pin`` (a fresh login: a cached session would accept any PIN), find the key
    and its certificate, prove that they match, and return the certificate and its chain."""
    check_module(ref.module)
    with _token_lock(ref):
        forget_token(ref.module, ref.token)
        session = _login(ref, pin)
        try:
            key = _private_key(session, ref)
            cert = _signer_certificate(session, key, ref)
            _prove_key(key, cert, ref)
            return cert, _chain(session, cert)
        finally:
            session.close()


def _token_lock(ref: TokenKeyRef) -> threading.RLock:
    with _lock:
        return _token_locks.setdefault((ref.module, ref.token), threading.RLock())


def ref_of(cert: SigningCertificate) -> TokenKeyRef:
    return TokenKeyRef(
        module=cert.pkcs11_module,
        token=cert.pkcs11_token,
        key_label=cert.pkcs11_key_label,
        key_id=bytes.fromhex(cert.pkcs11_key_id) if cert.pkcs11_key_id else b"",
    )


def pin_of(cert: SigningCertificate) -> str:
    """The PIN of a token certificate: its environment variable, else its encrypted file."""
    if cert.pkcs11_pin_env:
        pin = os.environ.get(cert.pkcs11_pin_env)
        if not pin:
            raise TokenPinMissing(
                _("Chưa đặt biến môi trường %(var)s chứa mã PIN của token %(token)s.")
                % {"var": cert.pkcs11_pin_env, "token": cert.pkcs11_token}
            )
        return pin
    path = keystore.key_path(cert.pkcs11_pin_file)
    try:
        return _load_pin(cert.pkcs11_pin_file, path.stat().st_mtime_ns, keystore.passphrase())
    except (OSError, ValueError) as exc:
        logger.error("PIN file of token %s unusable: %s", cert.pkcs11_token, exc)
        raise TokenPinMissing(
            _("Không đọc được mã PIN đã lưu của token %(token)s.") % {"token": cert.pkcs11_token}
        ) from exc


@lru_cache(maxsize=32)
def _load_pin(relative: str, _mtime: int, _passphrase: bytes) -> str:
    # Keyed on the file's mtime and the passphrase: scrypt takes ≈ 50 ms, once per process.
    return keystore.load_pin(relative)


@contextmanager
def signer(cert: SigningCertificate) -> Iterator[PKCS11Signer]:
    """The pyHanko signer of a token certificate, held under the token's lock for the whole
    signature. Raises ``TokenUnavailable``/``TokenPinInvalid``/``TokenPinMissing``/
    ``CertificateKeyMismatch`` (the token now holds another certificate)."""
    import pkcs11

    ref = ref_of(cert)
    pin = pin_of(cert)
    digest = hashlib.sha256(pin.encode()).digest()
    with _token_lock(ref):
        opened = _sessions.get((ref.module, ref.token))
        if opened is not None and opened.pin_digest != digest:
            forget_token(ref.module, ref.token)
            opened = None
        if opened is None:
            check_module(ref.module)
            opened = _Open(pin_digest=digest, session=_login(ref, pin))
            with _lock:
                _sessions[(ref.module, ref.token)] = opened
        try:
            if opened.signer is None or _signer_key(opened.signer) != ref:
                opened.signer = _make_signer(opened.session, ref, cert)
            yield opened.signer
        except pkcs11.PKCS11Error:
            forget_token(ref.module, ref.token)
            raise


def _signer_key(signer: Any) -> TokenKeyRef | None:
    return getattr(signer, "_xaso_ref", None)


def _make_signer(session: Any, ref: TokenKeyRef, row: SigningCertificate) -> PKCS11Signer:
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization
    from pyhanko.sign.pkcs11 import PKCS11Signer

    from . import pki

    key = _private_key(session, ref)
    cert = _signer_certificate(session, key, ref)
    if pki.facts(cert).fingerprint != row.fingerprint:
        raise CertificateKeyMismatch(
            _("Token %(token)s đang chứa chứng thư số khác với chứng thư đã đăng ký.")
            % {"token": ref.token}
        )
    der = serialization.Encoding.DER
    chain = [
        asn1_x509.Certificate.load(c.public_bytes(der)) for c in pki.load_pem_chain(row.chain_pem)
    ]
    made = PKCS11Signer(
        session,
        key_label=ref.key_label or None,
        key_id=ref.key_id or None,
        signing_cert=asn1_x509.Certificate.load(cert.public_bytes(der)),
        ca_chain=chain,
        other_certs_to_pull=(),
    )
    made._xaso_ref = ref  # type: ignore[attr-defined]
    return made
