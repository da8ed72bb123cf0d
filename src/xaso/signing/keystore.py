"""Private keys on disk: PKCS#12 files under ``XASO_DATA_DIR/keys`` in mode 0600 (folders 0700),
encrypted with the key-store passphrase; and the per-process cache of loaded signers.

The database only names the file. A copy of the database (a backup, a report export) therefore
never carries a key, and a stray copy of one ``.p12`` file is useless without the passphrase,
which production keeps outside the data folder (``XASO_SIGNING_KEYSTORE_PASSPHRASE``).
"""

from __future__ import annotations

import os
import secrets
import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from . import conf

if TYPE_CHECKING:
    from cryptography import x509
    from pyhanko.sign.signers import SimpleSigner

    from .pki import PrivateKey

_lock = threading.Lock()


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` and every folder between it and ``keys/`` with mode 0700."""
    root = conf.keys_dir()
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    for folder in [path, *path.parents]:
        os.chmod(folder, 0o700)
        if folder == root or root not in folder.parents:
            break
    return path


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` so that no other user can ever read it: the file is created 0600 (not
    chmod-ed after the fact), then renamed into place."""
    ensure_private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def passphrase() -> bytes:
    """The key-store passphrase: from the environment, else generated once into
    ``keys/keystore.pass`` (0600)."""
    configured = conf.keystore_passphrase_env()
    if configured:
        return configured.encode()
    path = conf.keys_dir() / "keystore.pass"
    with _lock:
        if not path.exists():
            try:
                ensure_private_dir(path.parent)
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another process made it first
                pass
            else:
                with os.fdopen(fd, "w") as fh:
                    fh.write(secrets.token_urlsafe(32))
    return path.read_text().strip().encode()


def key_path(relative: str) -> Path:
    """The absolute path of a key file named in the database; refuses names leaving keys/."""
    root = conf.keys_dir().resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise ValueError(f"key file outside the key store: {relative!r}")
    return path


def store_pkcs12(
    relative: str,
    *,
    key: PrivateKey,
    cert: x509.Certificate,
    chain: list[x509.Certificate],
    friendly_name: str,
) -> Path:
    """Save key, certificate and chain as one PKCS#12 under the key-store passphrase."""
    data = pkcs12.serialize_key_and_certificates(
        friendly_name.encode(),
        key,
        cert,
        chain or None,
        serialization.BestAvailableEncryption(passphrase()),
    )
    path = key_path(relative)
    write_private(path, data)
    return path


def load_pkcs12(relative: str) -> tuple[Any, x509.Certificate, list[x509.Certificate]]:
    path = key_path(relative)
    key, cert, chain = pkcs12.load_key_and_certificates(path.read_bytes(), passphrase())
    if key is None or cert is None:
        raise ValueError(f"{relative}: no key or certificate in the PKCS#12 file")
    return key, cert, list(chain)


def signer_for(relative: str) -> SimpleSigner:
    """The pyHanko signer of a stored key, loaded once per process (decrypting a PKCS#12 and
    checking an RSA key take ≈ 50 ms each)."""
    return _signer_for(str(key_path(relative)), passphrase())


@lru_cache(maxsize=128)
def _signer_for(path: str, secret: bytes) -> SimpleSigner:
    from .signer import CachedKeySigner

    return CachedKeySigner.from_pkcs12(Path(path).read_bytes(), secret)


def forget_signers() -> None:
    _signer_for.cache_clear()


#: Encrypted PIN file: magic, scrypt salt, AES-GCM nonce, then the ciphertext with its tag.
PIN_MAGIC = b"XASOPIN1"


def _pin_key(salt: bytes) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return Scrypt(salt=salt, length=32, n=2**14, r=8, p=1).derive(passphrase())


def store_pin(relative: str, pin: str) -> Path:
    """Keep a token's PIN under the key-store passphrase (AES-256-GCM, key from scrypt), 0600."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    sealed = AESGCM(_pin_key(salt)).encrypt(nonce, pin.encode(), PIN_MAGIC)
    path = key_path(relative)
    write_private(path, PIN_MAGIC + salt + nonce + sealed)
    return path


def load_pin(relative: str) -> str:
    """The PIN kept by ``store_pin``; ``ValueError`` when the file is not one or the key-store
    passphrase does not open it."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    data = key_path(relative).read_bytes()
    if not data.startswith(PIN_MAGIC) or len(data) < len(PIN_MAGIC) + 28 + 16:
        raise ValueError(f"{relative}: not a PIN file")
    body = data[len(PIN_MAGIC) :]
    salt, nonce, sealed = body[:16], body[16:28], body[28:]
    try:
        return AESGCM(_pin_key(salt)).decrypt(nonce, sealed, PIN_MAGIC).decode()
    except InvalidTag as exc:
        raise ValueError(f"{relative}: the key-store passphrase does not open it") from exc
