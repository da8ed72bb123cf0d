"""HTTPS between nodes: the client checks the peer's server certificate against
XASO_EXCHANGE_CA_FILE. The peer here is a small TLS server that speaks the endpoint's protocol
and checks the node signature with the real verification code."""

from __future__ import annotations

import ipaddress
import json
import ssl
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from xaso.exchange import directory, nodes, transport
from xaso.exchange.errors import DeliveryFailed

from .test_api import _peer_key

pytestmark = pytest.mark.django_db


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


@pytest.fixture
def tls(tmp_path):
    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("Test exchange CA"))
        .issuer_name(_name("Test exchange CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("127.0.0.1"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, cert_file, key_file = tmp_path / "ca.pem", tmp_path / "srv.pem", tmp_path / "srv.key"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_file, cert_file, key_file


@pytest.fixture
def peer_server(tls, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    nodes._key_cache.clear()
    me = directory.node_init(code="NODE-A", name="Nút huyện", base_url="http://127.0.0.1:9")
    seen: list[tuple[str, str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            node, recipient = self.headers["X-Xaso-Node"], self.headers["X-Xaso-Recipient"]
            nodes.verify(
                certificate_pem=me.certificate,
                node_code=node,
                recipient_code=recipient,
                body=body,
                signature=self.headers["X-Xaso-Signature"],
            )
            seen.append((self.path, node, recipient))
            answer = json.dumps({"state": "accepted", "reason": ""}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: object) -> None:
            pass

    _, cert_file, key_file = tls
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _, pem = _peer_key()
    node = directory.node_add(
        code="NODE-B",
        name="Nút xã",
        base_url=f"https://127.0.0.1:{server.server_address[1]}",
        certificate=pem,
    )
    yield node, seen
    server.shutdown()
    server.server_close()
    nodes._key_cache.clear()


def test_https_peer_checked_against_the_configured_ca(peer_server, tls, settings):
    node, seen = peer_server
    settings.XASO_EXCHANGE_CA_FILE = str(tls[0])
    answer = transport.post_message(node=node, recipient_code="H25.37.01", body=b"<edXML/>")
    assert answer == ("accepted", "")
    assert seen == [("/api/v1/exchange/messages", "NODE-A", "H25.37.01")]


def test_https_peer_with_an_unknown_ca_is_not_trusted(peer_server, settings):
    node, seen = peer_server
    settings.XASO_EXCHANGE_CA_FILE = None
    with pytest.raises(DeliveryFailed) as err:
        transport.post_message(node=node, recipient_code="H25.37.01", body=b"<edXML/>")
    assert "CERTIFICATE_VERIFY_FAILED" in str(err.value)
    assert seen == []
