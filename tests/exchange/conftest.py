"""Fixtures of the exchange tests: a clean handler registry around each test, packages with
Vietnamese text, and a peer node whose key the test holds (to sign requests and packages as
that node would)."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, date, datetime, timedelta
from functools import partial

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from tests import factories
from xaso.exchange import directory, nodes, registry, xmldsig
from xaso.exchange.edxml import Attachment, DocumentPackage, Organization, Trace, document_to_xml
from xaso.exchange.models import Node

DISTRICT = Organization("H25.37", "UBND huyện Thanh Sơn")


@pytest.fixture(autouse=True)
def _exchange_settings(settings):
    # Tests drive delivery themselves; no background thread racing the test's connection.
    settings.XASO_EXCHANGE_SEND_AT_ONCE = False


@pytest.fixture(autouse=True)
def clean_registry():
    saved_docs = dict(registry._document_handlers)
    saved_status = list(registry._status_handlers)
    registry._document_handlers.clear()
    registry._status_handlers.clear()
    yield
    registry._document_handlers.clear()
    registry._document_handlers.update(saved_docs)
    registry._status_handlers[:] = saved_status


def make_package(
    sender: Organization, recipients: list[Organization], **overrides: object
) -> DocumentPackage:
    values: dict[str, object] = {
        "message_id": str(uuid.uuid4()),
        "sender": sender,
        "recipients": recipients,
        "code_number": "05",
        "code_notation": "QĐ-UBND",
        "place": "Thạch Khoán",
        "promulgation_date": date(2026, 11, 27),
        "document_type": "QĐ",
        "document_type_name": "Quyết định",
        "subject": "Về việc kiện toàn Ban chỉ đạo chuyển đổi số xã Thạch Khoán",
        "summary": "Kiện toàn Ban chỉ đạo; giao Văn phòng HĐND-UBND theo dõi, đôn đốc.",
        "signer_name": "Nguyễn Văn Hùng",
        "signer_position": "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH",
        "urgency": "urgent",
        "due_date": date(2026, 12, 5),
        "attachments": [
            Attachment(
                name="05-QĐ-UBND.signed.pdf",
                content_type="application/pdf",
                data=b"%PDF-1.7\n" + bytes(range(256)) * 4,
                description="Bản ký số",
            )
        ],
        "traces": [Trace(organ_code=sender.code, at=datetime(2026, 11, 27, 2, 30, tzinfo=UTC))],
        "extra": {"ghi_chu": "Văn bản điện tử"},
    }
    values.update(overrides)
    return DocumentPackage(**values)  # type: ignore[arg-type]


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    nodes._key_cache.clear()
    yield tmp_path
    nodes._key_cache.clear()


def peer_key() -> tuple[rsa.RSAPrivateKey, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "NODE-A")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return key, cert.public_bytes(serialization.Encoding.PEM).decode()


def signed_xml(key: rsa.RSAPrivateKey, node: Node, package: DocumentPackage) -> bytes:
    """The package as the peer node writes it: signed (XML-DSig) with its key."""
    return document_to_xml(
        package, signer=partial(xmldsig.sign, key=key, certificate_pem=node.certificate)
    )


def node_signature(key: rsa.RSAPrivateKey, node: str, recipient: str, body: bytes) -> str:
    return base64.b64encode(
        key.sign(
            nodes.signed_bytes(node_code=node, recipient_code=recipient, body=body),
            padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH),
            hashes.SHA256(),
        )
    ).decode()


@pytest.fixture
def peer(data_dir):
    """This node (NODE-B) with the commune; a peer NODE-A with the district, whose key the test
    holds."""
    directory.node_init(code="NODE-B", name="Nút xã", base_url="http://127.0.0.1:9")
    commune = factories.agency(code="H25.37.01", name="UBND xã Thạch Khoán")
    key, cert = peer_key()
    node = directory.node_add(
        code="NODE-A", name="Nút huyện", base_url="http://127.0.0.1:9", certificate=cert
    )
    directory.remote_agency_add(code=DISTRICT.code, name=DISTRICT.name, node_code="NODE-A")
    calls: list[str] = []
    registry.register_document_handler("document", lambda p, a: calls.append(p.message_id))
    return node, key, commune, calls
