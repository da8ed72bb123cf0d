"""What goes wrong in the exchange between agencies, each with a stable code (QCVN 102:2016/BTTTT
packages, node authentication, the directory of agencies)."""

from __future__ import annotations

from xaso.core.errors import Conflict, DomainError, InvalidInput, NotFound


class PackageInvalid(InvalidInput):
    """Not an edXML package this node can read: malformed XML, a DTD or entity, a missing or
    wrong element."""

    code = "exchange_package_invalid"


class PackageTooLarge(InvalidInput):
    code = "exchange_package_too_large"
    status = 413


class RecipientUnknown(NotFound):
    """An electronic agency code that is neither a local agency nor in the directory."""

    code = "exchange_recipient_unknown"


class SenderNotLocal(InvalidInput):
    """Packages leave only from an agency that lives on this node."""

    code = "exchange_sender_not_local"


class NoHandler(DomainError):
    """The receiving node does not handle this kind of package; the package is refused."""

    code = "exchange_no_handler"
    status = 422


class NodeUnknown(DomainError):
    """The sending node is not in this node's list of peers."""

    code = "exchange_node_unknown"
    status = 403


class SignatureMissing(DomainError):
    code = "exchange_signature_missing"
    status = 401


class SignatureInvalid(DomainError):
    """The node signature does not verify against the certificate on file for the sender."""

    code = "exchange_signature_invalid"
    status = 403


class XmlSignatureMissing(DomainError):
    """A package from another node without its XML signature (XML-DSig, ``ds:Signature`` in
    ``edXMLHeader/DigitalSignature``, QCVN 102:2016/BTTTT): the sending node signs every package."""

    code = "exchange_xml_signature_missing"
    status = 403


class XmlSignatureInvalid(DomainError):
    """The package's XML signature does not verify against the certificate on file for the
    sending node: a changed byte, another key, a signature that does not cover the whole package
    or carries unsigned content of its own."""

    code = "exchange_xml_signature_invalid"
    status = 403


class SenderNotOnNode(DomainError):
    """The package claims to come from an agency the directory places on another node."""

    code = "exchange_sender_not_on_node"
    status = 403


class NodeNotInitialised(Conflict):
    """This node has no key and certificate yet (``xaso exchange init-node``)."""

    code = "exchange_node_not_initialised"


class NodeInvalid(InvalidInput):
    code = "exchange_node_invalid"


class DeliveryFailed(Exception):
    """A peer node could not be reached or answered with an error; the message stays in the
    outbox and is retried. Not a DomainError: nothing is wrong with the caller's request."""


class NodeUnreachable(DeliveryFailed):
    """The peer node did not answer at all (connection refused, timeout, TLS failure): the
    other messages for that node in the same sweep wait out their backoff without an attempt."""
