"""A real SoftHSM2 (Debian's softhsm2) token store in a temporary folder, driven the way an
administrator prepares a USB token: ``softhsm2-util`` initialises tokens and imports keys
(PKCS#8), OpenSC's ``pkcs11-tool`` writes certificates. ``SOFTHSM2_CONF`` points the library at
the temporary configuration for this process and its children."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
PIN, SO_PIN = "246810", "97531"


class SoftHsm:
    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "tokens").mkdir(parents=True, exist_ok=True)
        self.conf = root / "softhsm2.conf"
        self.conf.write_text(
            f"directories.tokendir = {root / 'tokens'}\n"
            "objectstore.backend = file\nlog.level = ERROR\n"
        )
        self._n = 0

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "SOFTHSM2_CONF": str(self.conf)}

    def _run(self, *args: str) -> None:
        subprocess.run(args, check=True, capture_output=True, env=self.env)

    def init_token(self, label: str, *, pin: str = PIN) -> None:
        self._run(
            "softhsm2-util", "--init-token", "--free", "--label", label, "--pin", pin,
            "--so-pin", SO_PIN,
        )  # fmt: skip

    def delete_token(self, label: str) -> None:
        self._run("softhsm2-util", "--delete-token", "--token", label)

    def import_key(self, token: str, key, *, label: str, key_id: str, pin: str = PIN) -> None:
        self._n += 1
        path = self.root / f"key{self._n}.pem"
        path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        try:
            self._run(
                "softhsm2-util", "--import", str(path), "--token", token, "--label", label,
                "--id", key_id, "--pin", pin,
            )  # fmt: skip
        finally:
            path.unlink()

    def write_cert(
        self, token: str, cert: x509.Certificate, *, label: str, cert_id: str, pin: str = PIN
    ) -> None:
        self._n += 1
        path = self.root / f"cert{self._n}.der"
        path.write_bytes(cert.public_bytes(serialization.Encoding.DER))
        self._run(
            "pkcs11-tool", "--module", MODULE, "--token-label", token, "--login", "--pin", pin,
            "--write-object", str(path), "--type", "cert", "--label", label, "--id", cert_id,
        )  # fmt: skip

    def token_with(
        self,
        label: str,
        key,
        cert: x509.Certificate,
        *,
        key_label: str = "ky-so",
        key_id: str = "01",
    ) -> None:
        """A token holding one key and its certificate under the same label and ID."""
        self.init_token(label)
        self.import_key(label, key, label=key_label, key_id=key_id)
        self.write_cert(label, cert, label=key_label, cert_id=key_id)
