"""A local RFC 3161 time-stamping authority for the tests: HTTP in front of OpenSSL's own TSA
(``openssl ts -reply``), an implementation independent of pyHanko. Its certificate is issued by
the installation's demo CA with the critical timeStamping extended key usage RFC 3161 requires."""

from __future__ import annotations

import subprocess
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from xaso.signing import pki

CONFIG = """[ tsa ]
default_tsa = tsa_config1
[ tsa_config1 ]
dir = {dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
certs = $dir/chain.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


class LocalTsa:
    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="xaso-tsa-"))
        ca_key, ca_cert = pki.demo_ca_load_or_create()
        key = pki.new_key()
        now = datetime.now(UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Xã Số Demo TSA")]))
            .issuer_name(ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
            )
            .sign(ca_key, hashes.SHA256())
        )
        pem = serialization.Encoding.PEM
        (self.dir / "tsa.pem").write_bytes(cert.public_bytes(pem))
        (self.dir / "chain.pem").write_bytes(ca_cert.public_bytes(pem))
        (self.dir / "tsa.key").write_bytes(
            key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        )
        (self.dir / "serial").write_text("01\n")
        (self.dir / "tsa.cnf").write_text(CONFIG.format(dir=self.dir))
        self.requests = 0
        tsa = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                query = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                tsa.requests += 1
                done = subprocess.run(
                    [
                        "openssl",
                        "ts",
                        "-reply",
                        "-config",
                        str(tsa.dir / "tsa.cnf"),
                        "-queryfile",
                        "/dev/stdin",
                        "-out",
                        "/dev/stdout",
                    ],
                    input=query,
                    capture_output=True,
                )
                self.send_response(200 if done.returncode == 0 else 500)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(done.stdout)))
                self.end_headers()
                self.wfile.write(done.stdout)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
