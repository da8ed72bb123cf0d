"""The XML digital signature of edXML packages between nodes (QCVN 102:2016/BTTTT
``DigitalSignature``): written by the sending node, checked by the receiving one against the
certificate it pinned; a package without it, with a broken one, one by another key, a changed
byte, or a wrapped signature is refused with its code, logged and audited, nothing registered."""

from __future__ import annotations

import base64
import copy
from functools import partial

import pytest
from lxml import etree
from signxml import XMLSigner, methods
from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod

from tests import factories
from xaso.core.models import AuditEntry
from xaso.exchange import directory, edxml, services, xmldsig
from xaso.exchange.edxml import Organization, StatusPackage, document_to_xml, status_to_xml
from xaso.exchange.errors import PackageInvalid, XmlSignatureInvalid, XmlSignatureMissing
from xaso.exchange.models import InboxMessage, OutboxMessage, Package

from .conftest import DISTRICT, make_package, node_signature, peer_key, signed_xml

pytestmark = pytest.mark.django_db

URL = "/api/v1/exchange/messages"
NS = {"edXML": edxml.NS, "ds": xmldsig.DS}
SUBJECT = "Về việc kiện toàn Ban chỉ đạo chuyển đổi số xã Thạch Khoán"


def _post(client, body: bytes, key, recipient: str = "H25.37.01"):
    """POST as NODE-A: the request signature is always good, so only the package's XML
    signature decides."""
    return client.post(
        URL,
        data=body,
        content_type="application/xml",
        headers={
            "X-Xaso-Node": "NODE-A",
            "X-Xaso-Recipient": recipient,
            "X-Xaso-Signature": node_signature(key, "NODE-A", recipient, body),
        },
    )


def _package(commune):
    return make_package(DISTRICT, [Organization(commune.code, commune.name)])


def test_sign_and_verify_round_trip(peer):
    node, key, commune, _calls = peer
    p = _package(commune)
    body = signed_xml(key, node, p)
    assert xmldsig.is_signed(body)
    assert xmldsig.package_from_signed_xml(body, certificate_pem=node.certificate) == p
    # A status message the same way.
    status = StatusPackage(
        message_id="7b1f6c1e-1d7a-4a53-9a0b-8d2e9c7f0a11",
        document_message_id=p.message_id,
        sender=DISTRICT,
        recipient=Organization(commune.code, commune.name),
        status="registered",
        at=p.traces[0].at,
        staff_name="Trần Thị Lan",
        comment="Đã vào sổ văn bản đến số 12",
    )
    data = status_to_xml(
        status, signer=partial(xmldsig.sign, key=key, certificate_pem=node.certificate)
    )
    assert xmldsig.package_from_signed_xml(data, certificate_pem=node.certificate) == status


def test_signature_sits_in_the_header_and_covers_the_whole_package(peer):
    node, key, commune, _calls = peer
    root = etree.fromstring(signed_xml(key, node, _package(commune)))
    header = root.find("edXML:edXMLEnvelope/edXML:edXMLHeader", NS)
    tags = [etree.QName(child).localname for child in header]
    assert tags == ["MessageHeader", "TraceHeaderList", "DigitalSignature", "Exchange"]
    [signature] = root.findall(".//ds:Signature", NS)
    assert signature.getparent().tag == f"{{{edxml.NS}}}DigitalSignature"
    [reference] = signature.findall("ds:SignedInfo/ds:Reference", NS)
    assert reference.get("URI") == ""
    transforms = [t.get("Algorithm") for t in reference.findall("ds:Transforms/ds:Transform", NS)]
    assert transforms[0] == "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
    method = signature.find("ds:SignedInfo/ds:SignatureMethod", NS).get("Algorithm")
    assert method == "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    assert signature.find("ds:KeyInfo/ds:X509Data/ds:X509Certificate", NS) is not None
    assert signature.find("ds:Object", NS) is None


def _tampered_subject(body: bytes, key, node) -> bytes:
    assert SUBJECT.encode() in body
    return body.replace(SUBJECT.encode(), "Về việc giải thể Ban chỉ đạo".encode())


def _tampered_attachment(body: bytes, key, node) -> bytes:
    data = b"%PDF-1.7\n" + bytes(range(256)) * 4  # make_package's attachment
    changed = bytearray(data)
    changed[500] ^= 0x01
    old, new = base64.b64encode(data), base64.b64encode(bytes(changed))
    assert body.count(old) == 1 and old != new
    return body.replace(old, new)


def _signature_removed(body: bytes, key, node) -> bytes:
    root = etree.fromstring(body)
    holder = root.find("edXML:edXMLEnvelope/edXML:edXMLHeader/edXML:DigitalSignature", NS)
    holder.getparent().remove(holder)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _signature_value_broken(body: bytes, key, node) -> bytes:
    root = etree.fromstring(body)
    value = root.find(".//ds:SignatureValue", NS)
    raw = bytearray(base64.b64decode(value.text))
    raw[10] ^= 0xFF
    value.text = base64.b64encode(bytes(raw)).decode()
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _signed_by_an_unknown_key(body: bytes, key, node) -> bytes:
    other_key, other_cert = peer_key()  # a certificate in NODE-A's name, not the pinned one
    p = edxml.document_from_xml(body)
    return document_to_xml(
        p, signer=partial(xmldsig.sign, key=other_key, certificate_pem=other_cert)
    )


def _forged_header(root):
    """A copy of the package's header with another subject."""
    forged = copy.deepcopy(root.find("edXML:edXMLEnvelope/edXML:edXMLHeader", NS))
    forged.find("edXML:MessageHeader/edXML:Subject", NS).text = "Gói tin giả mạo"
    forged.remove(forged.find("edXML:DigitalSignature", NS))
    return forged


def _wrapped_in_the_signature(body: bytes, key, node) -> bytes:
    """A forged header inside the ds:Signature (a ds:Object): the one part an enveloped
    signature does not cover."""
    root = etree.fromstring(body)
    signature = root.find(".//ds:Signature", NS)
    obj = etree.SubElement(signature, f"{{{xmldsig.DS}}}Object")
    obj.append(_forged_header(root))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _wrapped_before_the_header(body: bytes, key, node) -> bytes:
    """A forged header placed before the signed one, for a reader that takes the first."""
    root = etree.fromstring(body)
    envelope = root.find("edXML:edXMLEnvelope", NS)
    envelope.insert(0, _forged_header(root))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _signature_over_the_header_only(body: bytes, key, node) -> bytes:
    """NODE-A's own key signs only the MessageHeader (a reference to its Id); the attachment
    outside what is signed is then swapped: a good signature that does not cover the package."""
    root = etree.fromstring(body)
    header = root.find("edXML:edXMLEnvelope/edXML:edXMLHeader", NS)
    header.remove(header.find("edXML:DigitalSignature", NS))
    header.find("edXML:MessageHeader", NS).set("Id", "mh")
    holder = etree.Element(f"{{{edxml.NS}}}DigitalSignature")
    placeholder = etree.SubElement(holder, f"{{{xmldsig.DS}}}Signature", nsmap={"ds": xmldsig.DS})
    placeholder.set("Id", "placeholder")
    header.find("edXML:TraceHeaderList", NS).addnext(holder)
    signed = XMLSigner(
        method=methods.enveloped,
        signature_algorithm=SignatureMethod.RSA_SHA256,
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=CanonicalizationMethod.CANONICAL_XML_1_1,
    ).sign(root, key=key, cert=node.certificate, reference_uri="#mh")
    out = etree.tostring(signed, xml_declaration=True, encoding="UTF-8")
    return _tampered_attachment(out, key, node)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (_tampered_subject, "exchange_xml_signature_invalid"),
        (_tampered_attachment, "exchange_xml_signature_invalid"),
        (_signature_removed, "exchange_xml_signature_missing"),
        (_signature_value_broken, "exchange_xml_signature_invalid"),
        (_signed_by_an_unknown_key, "exchange_xml_signature_invalid"),
        (_wrapped_in_the_signature, "exchange_xml_signature_invalid"),
        (_wrapped_before_the_header, "exchange_xml_signature_invalid"),
        (_signature_over_the_header_only, "exchange_xml_signature_invalid"),
    ],
)
def test_a_package_whose_xml_signature_fails_is_refused_and_nothing_registered(
    client, peer, caplog, change, code
):
    node, key, commune, calls = peer
    body = change(signed_xml(key, node, _package(commune)), key, node)
    response = _post(client, body, key)
    assert (response.status_code, response.json()["code"]) == (403, code), response.content
    assert response.json()["message"]
    assert InboxMessage.objects.count() == 0
    assert OutboxMessage.objects.count() == 0  # no "arrived" or "refused" goes back
    assert calls == []
    [audit] = AuditEntry.objects.filter(action="exchange.reject")
    assert (audit.object_id, audit.changes["code"]) == ("NODE-A", code)
    assert f"refused a message from node 'NODE-A' for 'H25.37.01': {code}" in caplog.text


def test_the_untouched_package_is_accepted(client, peer):
    node, key, commune, calls = peer
    p = _package(commune)
    response = _post(client, signed_xml(key, node, p), key)
    assert (response.status_code, response.json()["state"]) == (200, "accepted")
    assert calls == [p.message_id]


def test_verified_root_refusals_at_the_service(peer):
    node, key, commune, _calls = peer
    p = _package(commune)
    with pytest.raises(XmlSignatureMissing):
        xmldsig.verified_root(document_to_xml(p), certificate_pem=node.certificate)
    with pytest.raises(PackageInvalid):  # not XML at all: the package's own error
        xmldsig.verified_root(b"<edXML", certificate_pem=node.certificate)
    body = signed_xml(key, node, p)
    _other_key, other_cert = peer_key()
    with pytest.raises(XmlSignatureInvalid):
        xmldsig.verified_root(body, certificate_pem=other_cert)
    # Through inbox_receive from a node, the same refusal; nothing registered.
    with pytest.raises(XmlSignatureInvalid):
        services.inbox_receive(
            payload=_tampered_subject(body, key, node), recipient_code=commune.code, from_node=node
        )
    assert InboxMessage.objects.count() == 0


@pytest.fixture
def this_node(data_dir):
    """This node initialised (its key on disk), with a district here and a commune on NODE-B."""
    directory.node_init(code="NODE-A", name="Nút huyện", base_url="http://127.0.0.1:9")
    district = factories.agency(code=DISTRICT.code, name=DISTRICT.name)
    local = factories.agency(code="H25.37.99", name="Phòng Văn hóa - Thông tin", parent=district)
    _key, cert = peer_key()
    directory.node_add(
        code="NODE-B", name="Nút xã", base_url="http://127.0.0.1:9", certificate=cert
    )
    directory.remote_agency_add(code="H25.37.01", name="UBND xã Thạch Khoán", node_code="NODE-B")
    return district, local


def test_packages_leaving_the_node_are_signed_by_it_local_ones_are_not(this_node):
    from xaso.exchange import nodes

    district, local = this_node
    _key, own_cert = nodes.signing_identity()
    remote = make_package(
        Organization(district.code, district.name),
        [Organization("H25.37.01", "UBND xã Thạch Khoán"), Organization(local.code, local.name)],
    )
    services.exchange_send(package=remote)
    data = bytes(Package.objects.get(message_id=remote.message_id).data)
    assert xmldsig.is_signed(data)
    back = xmldsig.package_from_signed_xml(data, certificate_pem=own_cert)
    assert back.message_id == remote.message_id
    here = make_package(
        Organization(district.code, district.name), [Organization(local.code, local.name)]
    )
    services.exchange_send(package=here)
    assert not xmldsig.is_signed(bytes(Package.objects.get(message_id=here.message_id).data))
    # Status messages for another node are signed too.
    [status_row] = services._store_statuses(
        [
            StatusPackage(
                message_id="0f7c2f0e-55a4-4a8e-9d59-2a0a3b1c9e01",
                document_message_id=remote.message_id,
                sender=Organization(district.code, district.name),
                recipient=Organization("H25.37.01", "UBND xã Thạch Khoán"),
                status="arrived",
                at=remote.traces[0].at,
            )
        ]
    )
    status_data = bytes(status_row.package.data)
    assert xmldsig.package_from_signed_xml(status_data, certificate_pem=own_cert).status == (
        "arrived"
    )


def test_a_package_stored_unsigned_is_signed_when_it_is_sent(this_node):
    """Outbox rows written before packages were signed: signed once, at their next attempt."""
    from xaso.exchange import nodes

    district, _local = this_node
    _key, own_cert = nodes.signing_identity()
    p = make_package(
        Organization(district.code, district.name), [Organization("H25.37.01", "UBND xã")]
    )
    [row] = services.exchange_send(package=p)
    Package.objects.filter(pk=row.package_id).update(data=document_to_xml(p))  # as before
    package = Package.objects.get(pk=row.package_id)
    assert not xmldsig.is_signed(bytes(package.data))
    sent = services._outgoing(package)
    assert xmldsig.package_from_signed_xml(sent, certificate_pem=own_cert) == p
    assert bytes(Package.objects.get(pk=row.package_id).data) == sent
