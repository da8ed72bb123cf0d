"""A pyHanko ``SimpleSigner`` that keeps its private key loaded.

``SimpleSigner.sign_raw`` turns the stored key into a ``cryptography`` key on every call, and
OpenSSL 3 checks an RSA key's consistency each time it is loaded: ≈ 45 ms, twice per signature
(pyHanko signs once more to size the signature container). Loading it once per process takes
that off every signature. The signing itself is still ``cryptography``'s, with pyHanko choosing
the mechanism; any mechanism other than RSA PKCS#1 v1.5 and ECDSA goes to pyHanko unchanged.
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric.ec import ECDSA, EllipticCurvePrivateKey
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import load_der_private_key
from pyhanko.sign.general import get_pyca_cryptography_hash
from pyhanko.sign.signers import SimpleSigner


class CachedKeySigner(SimpleSigner):
    _private_key: Any = None

    @classmethod
    def from_pkcs12(cls, data: bytes, passphrase: bytes) -> CachedKeySigner:
        loaded = SimpleSigner.load_pkcs12_data(data, other_certs=[], passphrase=passphrase)
        return cls(
            signing_cert=loaded.signing_cert,
            signing_key=loaded.signing_key,
            cert_registry=loaded.cert_registry,
        )

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        if mechanism not in ("rsassa_pkcs1v15", "ecdsa"):
            return super().sign_raw(data, digest_algorithm)
        if self._private_key is None:
            self._private_key = load_der_private_key(self.signing_key.dump(), password=None)
        key = self._private_key
        hash_algo = get_pyca_cryptography_hash(digest_algorithm)
        if mechanism == "rsassa_pkcs1v15" and isinstance(key, RSAPrivateKey):
            return key.sign(data, PKCS1v15(), hash_algo)
        if mechanism == "ecdsa" and isinstance(key, EllipticCurvePrivateKey):
            return key.sign(data, ECDSA(hash_algo))
        return super().sign_raw(data, digest_algorithm)
