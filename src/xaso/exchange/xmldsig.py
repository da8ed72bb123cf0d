"""The digital signature of edXML packages between nodes (QCVN 102:2016/BTTTT ``DigitalSignature``,
an XML-DSig signature; the issue's "the package is signed by the sending node").

Where and what (see also the layout in :mod:`.edxml` and docs/adr/0005-edxml-signature.md):

- the ``ds:Signature`` sits in ``edXMLEnvelope/edXMLHeader/DigitalSignature``, where the standard
  places the package's signature, after ``TraceHeaderList``;
- it is *enveloped* and covers the whole document: one Reference, ``URI=""``, transforms
  enveloped-signature + C14N 1.1, digest SHA-256, signature RSA-SHA256 (PKCS#1 v1.5, the
  algorithm XML-DSig names), made with the node's own key (``nodes``, the key that signs the
  HTTP request) and carrying the node's certificate in ``KeyInfo/X509Data``. A changed byte
  anywhere — subject, trace, manifest, an attachment's base64 outside the envelope — breaks it;
- the receiving node checks it against the certificate it pinned for the sending node
  (``Node.certificate``), never against the certificate the package carries.

Signature wrapping: what is read from a verified package is what signxml returns as signed (the
canonical form of the document minus the signature), never the bytes received; and the
signature must be the one at the standard's place, cover the whole document (``URI=""``, so the
signed root is the ``edXML`` root) and carry no ``ds:Object`` — the one part of a package an
enveloped signature leaves unsigned is the ``ds:Signature`` itself, and nothing in it is read.

signxml and lxml (≈ 10 MB together) are imported by the first package signed or checked, not at
start-up: web workers that never exchange do not carry them.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from . import edxml
from .errors import XmlSignatureInvalid, XmlSignatureMissing

DS = "http://www.w3.org/2000/09/xmldsig#"
#: What a package with a signature contains, as bytes: only an element can start with "<" (a
#: text or attribute holding it is written "&lt;"), and Xã Số writes the prefix ``ds``.
MARK = b"<ds:Signature "
#: Where the ``ds:Signature`` must be (an ElementPath prefix, as signxml's ``location`` takes it).
_LOCATION = "./" + "".join(
    f"{{{edxml.NS}}}{tag}/" for tag in ("edXMLEnvelope", "edXMLHeader", "DigitalSignature")
)


def _algorithms() -> tuple[Any, Any, Any]:
    from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod

    return (
        SignatureMethod.RSA_SHA256,
        DigestAlgorithm.SHA256,
        CanonicalizationMethod.CANONICAL_XML_1_1,
    )


def sign(root: Any, *, key: Any = None, certificate_pem: str | None = None) -> Any:
    """Sign a package tree (the ``signer`` of :func:`.edxml.document_to_xml` and
    :func:`.edxml.status_to_xml`) with this node's key and certificate, or with ``key`` and
    ``certificate_pem`` when given; return the root of the signed tree."""
    from signxml import XMLSigner, methods

    from . import nodes

    if key is None or certificate_pem is None:
        key, certificate_pem = nodes.signing_identity()
    etree = edxml._etree()
    header = root.find(f"{{{edxml.NS}}}edXMLEnvelope/{{{edxml.NS}}}edXMLHeader")
    holder = etree.Element(f"{{{edxml.NS}}}DigitalSignature")
    placeholder = etree.SubElement(holder, f"{{{DS}}}Signature", nsmap={"ds": DS})
    placeholder.set("Id", "placeholder")  # signxml puts the signature here
    traces = header.find(f"{{{edxml.NS}}}TraceHeaderList")
    anchor = traces if traces is not None else header.find(f"{{{edxml.NS}}}Status")
    anchor.addnext(holder)
    method, digest, c14n = _algorithms()
    signer = XMLSigner(
        method=methods.enveloped,
        signature_algorithm=method,
        digest_algorithm=digest,
        c14n_algorithm=c14n,
    )
    signer._parser = edxml.parser()  # attachments are text nodes beyond lxml's default limit
    return signer.sign(root, key=key, cert=certificate_pem)


def is_signed(data: bytes) -> bool:
    """Whether stored package bytes already carry a signature (packages written before the
    signature existed are signed when they are sent)."""
    return MARK in data


def sign_bytes(data: bytes) -> bytes:
    """An unsigned stored package, signed by this node."""
    return bytes(
        edxml._etree().tostring(sign(edxml._parse(data)), xml_declaration=True, encoding="UTF-8")
    )


def verified_root(data: bytes, *, certificate_pem: str) -> Any:
    """The signed content of a package from another node, checked against that node's pinned
    certificate: the root of what the signature covers, to be read instead of ``data``.
    XmlSignatureMissing without a signature, XmlSignatureInvalid for any other failure."""
    from signxml import SignatureConfiguration, XMLVerifier
    from signxml.exceptions import SignXMLException

    etree = edxml._etree()
    root = edxml._parse(data)  # PackageInvalid for what is not edXML at all
    found = root.findall(f".//{{{DS}}}Signature")
    if not found:
        raise XmlSignatureMissing(
            _("Gói tin không có chữ ký số XML (DigitalSignature) của nút gửi.")
        )
    placed = root.findall(f"{_LOCATION}{{{DS}}}Signature")
    if len(found) != 1 or len(placed) != 1:
        raise XmlSignatureInvalid(
            _("Chữ ký số XML của gói tin không nằm đúng chỗ (edXMLHeader/DigitalSignature).")
        )
    if placed[0].find(f"{{{DS}}}Object") is not None:
        raise XmlSignatureInvalid(_("Chữ ký số XML của gói tin mang nội dung không được ký."))
    method, digest, _c14n = _algorithms()
    config = SignatureConfiguration(
        location=_LOCATION,
        expect_references=1,
        signature_methods=frozenset({method}),
        digest_algorithms=frozenset({digest}),
    )
    try:
        result = XMLVerifier().verify(
            bytes(data), x509_cert=certificate_pem, parser=edxml.parser(), expect_config=config
        )
    except (SignXMLException, etree.LxmlError, ValueError) as exc:
        raise XmlSignatureInvalid(
            _("Chữ ký số XML của gói tin không đúng với chứng thư số của nút gửi.")
        ) from exc
    if isinstance(result, list):  # expect_references=1 returns one result
        raise XmlSignatureInvalid(_("Chữ ký số XML của gói tin có nhiều tham chiếu."))
    signed = result.signed_xml
    if signed is None or signed.tag != f"{{{edxml.NS}}}edXML":
        # A reference to a part of the document: the rest would be unsigned.
        raise XmlSignatureInvalid(_("Chữ ký số XML của gói tin không bao trùm toàn bộ gói tin."))
    return signed


def package_from_signed_xml(
    data: bytes, *, certificate_pem: str
) -> edxml.DocumentPackage | edxml.StatusPackage:
    """A package from another node, read from what its verified signature covers."""
    return edxml.package_from_root(verified_root(data, certificate_pem=certificate_pem))
