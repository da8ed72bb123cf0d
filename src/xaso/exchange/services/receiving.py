"""Nhận gói tin: a package for an agency of this node is recorded once in the inbox (unique
message_id + recipient) and handed to its handler in the same transaction, so a redelivered or
duplicated message is never registered twice; "arrived" or "refused" goes back to the sender
(edXML Status, QCVN 102:2016). A status reported by a recipient moves the sender's outbox row
forward. From another node, only what the node's XML signature covers is read (QCVN 102:2016
``DigitalSignature``; docs/adr/0005-edxml-signature.md), and a refusal is logged and audited."""

from __future__ import annotations

import logging
import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xaso.core.audit import AuditItem, audit_record, audit_record_many
from xaso.core.errors import DomainError
from xaso.org.models import Agency

from .. import edxml, registry, xmldsig
from ..edxml import DocumentPackage, Organization, StatusPackage
from ..errors import (
    NoHandler,
    PackageInvalid,
    RecipientUnknown,
    SenderNotOnNode,
    XmlSignatureInvalid,
    XmlSignatureMissing,
)
from ..models import InboxMessage, InboxState, MessageKind, Node, OutboxMessage, RemoteAgency
from .sending import exchange_send_status

log = logging.getLogger("xaso.exchange")
STATUS_RANK = {s: i for i, s in enumerate(edxml.STATUSES)}


def inbox_receive(*, payload: bytes, recipient_code: str, from_node: Node | None) -> InboxMessage:
    """Nhận gói tin: record it once for the recipient agency of this node and hand it to its
    handler in the same transaction. A duplicate returns the first answer unchanged. A document
    handler's DomainError refuses the package (status "refused" goes back with the reason);
    "arrived" goes back otherwise. ``from_node`` None: sent from this node.

    From another node, the package's XML signature (QCVN 102:2016 ``DigitalSignature``) must
    verify against the certificate pinned for that node, and only what it covers is read
    (``xmldsig``); else it is refused — logged and audited like a bad request signature —
    and nothing is registered."""
    if from_node is None:
        pkg = edxml.package_from_xml(payload)
    else:
        try:
            pkg = xmldsig.package_from_signed_xml(payload, certificate_pem=from_node.certificate)
        except (XmlSignatureMissing, XmlSignatureInvalid) as exc:
            _reject(node_code=from_node.code, recipient_code=recipient_code, exc=exc, body=payload)
            raise
    agency = _addressee(pkg, recipient_code, Agency.objects.filter(code=recipient_code).first())
    if (
        from_node is not None
        and not RemoteAgency.objects.filter(code=pkg.sender.code, node=from_node).exists()
    ):
        raise SenderNotOnNode(
            _("Cơ quan gửi %(code)s không thuộc nút %(node)s.")
            % {"code": pkg.sender.code, "node": from_node.code}
        )

    existing = InboxMessage.objects.filter(
        message_id=pkg.message_id, recipient_code=recipient_code
    ).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        inbox = _new_inbox(pkg, recipient_code, from_node)
        try:
            with transaction.atomic():
                inbox.save(force_insert=True)
        except IntegrityError:
            # The same message arrived at the same moment through another path and was
            # recorded first: that copy is the one registered.
            return InboxMessage.objects.get(
                message_id=pkg.message_id, recipient_code=recipient_code
            )
        _run_handlers(pkg, agency, inbox)
        if isinstance(pkg, StatusPackage):
            if inbox.state == InboxState.ACCEPTED:
                _apply_remote_statuses([pkg])
        else:
            exchange_send_status(status=_answer(pkg, agency, inbox))
        audit_record_many(actor=None, items=[_receipt_audit(pkg, inbox)])
    return inbox


def _addressee(
    pkg: DocumentPackage | StatusPackage, recipient_code: str, agency: Agency | None
) -> Agency:
    """The agency of this node a package is for; refused when the package does not name it."""
    if isinstance(pkg, StatusPackage):
        addressed_to = [pkg.recipient.code]
    else:
        addressed_to = [r.code for r in pkg.recipients]
    if recipient_code not in addressed_to:
        raise PackageInvalid(
            _("Gói tin không gửi tới cơ quan %(code)s.") % {"code": recipient_code}
        )
    if agency is None:
        raise RecipientUnknown(
            _("Cơ quan %(code)s không thuộc nút này.") % {"code": recipient_code}
        )
    return agency


def _new_inbox(
    pkg: DocumentPackage | StatusPackage, recipient_code: str, from_node: Node | None
) -> InboxMessage:
    status = isinstance(pkg, StatusPackage)
    return InboxMessage(
        message_id=pkg.message_id,
        recipient_code=recipient_code,
        kind=MessageKind.STATUS if status else MessageKind.DOCUMENT,
        document_kind=pkg.status if isinstance(pkg, StatusPackage) else pkg.kind,
        sender_code=pkg.sender.code,
        subject=(pkg.document_message_id if isinstance(pkg, StatusPackage) else pkg.subject[:500]),
        from_node=from_node,
        state=InboxState.ACCEPTED,
    )


def _run_handlers(
    pkg: DocumentPackage | StatusPackage, agency: Agency, inbox: InboxMessage
) -> None:
    """Hand the package to its handler(s) in a savepoint. A DomainError refuses it for this
    recipient (``inbox`` says so) and undoes all the handler wrote; any other error propagates
    after the same undo — the message stays in the sender's outbox for a retry."""
    try:
        with transaction.atomic():
            if isinstance(pkg, StatusPackage):
                for status_handler in registry.status_handlers():
                    status_handler(pkg)
            else:
                handler = registry.document_handler(pkg.kind)
                if handler is None:
                    raise NoHandler(
                        _("Nút nhận không xử lý loại gói tin %(kind)s.") % {"kind": pkg.kind}
                    )
                handler(pkg, agency)
    except DomainError as exc:
        inbox.state = InboxState.REFUSED
        inbox.reason = exc.message
        if inbox.pk is not None:
            inbox.save(update_fields=["state", "reason"])


def _answer(pkg: DocumentPackage, agency: Agency, inbox: InboxMessage) -> StatusPackage:
    """The status that tells the sender whether its package arrived or was refused."""
    return StatusPackage(
        message_id=str(uuid.uuid4()),
        document_message_id=pkg.message_id,
        sender=Organization(code=agency.code, name=agency.name),
        recipient=pkg.sender,
        status="arrived" if inbox.state == InboxState.ACCEPTED else "refused",
        at=timezone.now(),
        comment=inbox.reason,
    )


def _receipt_audit(pkg: DocumentPackage | StatusPackage, inbox: InboxMessage) -> AuditItem:
    return AuditItem(
        action="exchange.receive" if inbox.state == InboxState.ACCEPTED else "exchange.refuse",
        obj=inbox,
        changes={"sender": pkg.sender.code, "reason": inbox.reason},
    )


def _apply_remote_statuses(statuses: list[StatusPackage]) -> None:
    """What a recipient reported moves the sender's document row forward (the newest status
    wins; of two at the same instant, the later step). One locked read and one update however
    many statuses."""
    if not statuses:
        return
    rows = {
        (row.message_id, row.recipient_code): row
        for row in OutboxMessage.objects.select_for_update().filter(
            message_id__in={s.document_message_id for s in statuses},
            recipient_code__in={s.sender.code for s in statuses},
            kind=MessageKind.DOCUMENT,
        )
    }
    changed: dict[int, OutboxMessage] = {}
    for status in statuses:
        row = rows.get((status.document_message_id, status.sender.code))
        if row is None:
            continue
        newer = row.remote_status_at is None or (
            (status.at, STATUS_RANK[status.status])
            >= (row.remote_status_at, STATUS_RANK.get(row.remote_status, -1))
        )
        if newer:
            row.remote_status = status.status
            row.remote_status_at = status.at
            changed[row.pk] = row
    if changed:
        OutboxMessage.objects.bulk_update(
            list(changed.values()), ["remote_status", "remote_status_at"]
        )


def _reject(*, node_code: str, recipient_code: str, exc: DomainError, body: bytes) -> None:
    """A message from another node refused before anything is registered: a warning in the
    log and an audit entry (``exchange.reject``) with the stable code."""
    cause = exc.__cause__
    log.warning(
        "exchange: refused a message from node %r for %r: %s%s",
        node_code[:64],
        recipient_code[:35],
        exc.code,
        f" ({type(cause).__name__}: {str(cause)[:200]})" if cause is not None else "",
    )
    audit_record(
        actor=None,
        action="exchange.reject",
        object_type="exchange.node",
        object_id=node_code[:64],
        object_repr=recipient_code[:35],
        changes={"code": exc.code, "bytes": len(body)},
    )
