"""The endpoints other nodes call: a message POSTed for an agency of this node, accepted only
from a known peer whose request signature verifies against the certificate on file for it, and
the lookup of what this node recorded for a message a peer sent."""

from __future__ import annotations

from django.utils.translation import gettext as _

from xaso.core.errors import DomainError

from ..errors import NodeUnknown, SignatureMissing
from ..models import InboxMessage, Node
from .receiving import _reject, inbox_receive


def node_message_receive(
    *, node_code: str, recipient_code: str, signature: str, body: bytes
) -> InboxMessage:
    """A message POSTed by another node: the node must be a known peer and its signature must
    verify against the certificate on file for it; else it is refused (logged and audited),
    nothing registered. Then ``inbox_receive``."""
    from .. import nodes

    try:
        if not node_code or not signature:
            raise SignatureMissing(
                _("Thiếu chữ ký của nút gửi (tiêu đề X-Xaso-Node, X-Xaso-Signature).")
            )
        node = Node.objects.filter(code=node_code, is_self=False, is_active=True).first()
        if node is None:
            raise NodeUnknown(_("Nút %(code)s không có trong danh bạ.") % {"code": node_code})
        nodes.verify(
            certificate_pem=node.certificate,
            node_code=node_code,
            recipient_code=recipient_code,
            body=body,
            signature=signature,
        )
    except DomainError as exc:
        _reject(node_code=node_code, recipient_code=recipient_code, exc=exc, body=body)
        raise
    return inbox_receive(payload=body, recipient_code=recipient_code, from_node=node)


def node_message_lookup(*, node_code: str, signature: str, message_id: str) -> list[InboxMessage]:
    """What this node recorded for a message sent from ``node_code`` (the sending node asks,
    signing the message id): one inbox row per recipient agency."""
    from .. import nodes

    node = Node.objects.filter(code=node_code, is_self=False, is_active=True).first()
    if not signature:
        raise SignatureMissing(_("Thiếu chữ ký của nút hỏi."))
    if node is None:
        raise NodeUnknown(_("Nút %(code)s không có trong danh bạ.") % {"code": node_code})
    nodes.verify(
        certificate_pem=node.certificate,
        node_code=node_code,
        recipient_code="",
        body=message_id.encode(),
        signature=signature,
    )
    return list(
        InboxMessage.objects.filter(message_id=message_id, from_node=node).order_by(
            "recipient_code"
        )
    )
