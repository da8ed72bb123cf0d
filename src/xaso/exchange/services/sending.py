"""Gửi văn bản điện tử (Decree 30/2020/NĐ-CP Art. 16-22; Decision 28/2018/QĐ-TTg): a package
and the statuses that answer one (edXML Status, QCVN 102:2016) become outbox rows committed with
the caller's transaction, one per recipient, with the package stored once. Packages that leave
this node are signed here (XML-DSig, :mod:`xaso.exchange.xmldsig`). Delivery starts after commit
(``delivery._dispatch``)."""

from __future__ import annotations

import dataclasses
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xaso.core.audit import audit_record
from xaso.core.errors import Conflict
from xaso.org.models import Agency

from .. import edxml, xmldsig
from ..edxml import DocumentPackage, Organization, StatusPackage, Trace
from ..errors import PackageInvalid, RecipientUnknown, SenderNotLocal
from ..models import MessageKind, Node, OutboxMessage, Package, RemoteAgency


class MessageAlreadySent(Conflict):
    code = "exchange_message_already_sent"


def agency_locate(code: str) -> Node | None:
    """None for an agency of this node, else the node it lives on; RecipientUnknown otherwise."""
    if Agency.objects.filter(code=code).exists():
        return None
    remote = RemoteAgency.objects.select_related("node").filter(code=code).first()
    if remote is None:
        raise RecipientUnknown(
            _("Không có cơ quan mã %(code)s trong danh bạ liên thông.") % {"code": code}
        )
    return remote.node


def _require_local_sender(org: Organization) -> None:
    if not Agency.objects.filter(code=org.code).exists():
        raise SenderNotLocal(_("Cơ quan gửi %(code)s không thuộc nút này.") % {"code": org.code})


def exchange_send(*, package: DocumentPackage) -> list[OutboxMessage]:
    """Gửi văn bản điện tử: one outbox row per recipient, committed with the caller's
    transaction; delivered after commit (same node at once, other nodes over HTTP with retries).
    The sending agency is added to the edXML trace list (TraceHeaderList)."""
    with transaction.atomic():
        _require_local_sender(package.sender)
        if not package.recipients:
            raise PackageInvalid(_("Văn bản gửi đi phải có ít nhất một nơi nhận."))
        codes = [r.code for r in package.recipients]
        if len(set(codes)) != len(codes):
            raise PackageInvalid(_("Một nơi nhận được ghi hai lần."))
        nodes = {r.code: agency_locate(r.code) for r in package.recipients}
        now = timezone.now()
        if not any(t.organ_code == package.sender.code for t in package.traces):
            package = dataclasses.replace(
                package, traces=[*package.traces, Trace(organ_code=package.sender.code, at=now)]
            )
        # Signed (XML-DSig) when it leaves this node; the same bytes serve local recipients.
        signer = xmldsig.sign if any(node is not None for node in nodes.values()) else None
        stored = _store(
            package.message_id,
            MessageKind.DOCUMENT,
            edxml.document_to_xml(package, signer=signer),
        )
        rows = OutboxMessage.objects.bulk_create(
            [
                OutboxMessage(
                    message_id=package.message_id,
                    kind=MessageKind.DOCUMENT,
                    document_kind=package.kind,
                    sender_code=package.sender.code,
                    recipient_code=r.code,
                    recipient_name=r.name[:255],
                    subject=package.subject[:500],
                    node=nodes[r.code],
                    package=stored,
                    next_attempt_at=now,
                )
                for r in package.recipients
            ]
        )
        if any(row.pk is None for row in rows):  # backends without RETURNING
            rows = list(OutboxMessage.objects.filter(message_id=package.message_id))
        audit_record(
            actor=None,
            action="exchange.send",
            object_type="exchange.package",
            object_id=package.message_id,
            object_repr=package.subject[:200],
            changes={"sender": package.sender.code, "recipients": codes, "kind": package.kind},
        )
        ids = [row.pk for row in rows]
        from .delivery import _dispatch  # bound here: delivery imports this module

        transaction.on_commit(partial(_dispatch, ids), robust=True)
        return rows


def exchange_send_status(*, status: StatusPackage) -> OutboxMessage:
    """Báo trạng thái văn bản đến (edXML Status) back to the sending agency: arrived, refused,
    registered, assigned, processing, completed."""
    with transaction.atomic():
        _require_local_sender(status.sender)
        (row,) = _store_statuses([status])
        from .delivery import _dispatch  # bound here: delivery imports this module

        transaction.on_commit(partial(_dispatch, [row.pk]), robust=True)
        return row


def _store_statuses(statuses: list[StatusPackage]) -> list[OutboxMessage]:
    """The outbox rows (and their packages) of status messages from agencies of this node, in
    a few queries however many there are: a directive to 150 communes sends 150 "arrived" back
    at once. The caller dispatches them."""
    codes = {s.recipient.code for s in statuses}
    local = set(Agency.objects.filter(code__in=codes).values_list("code", flat=True))
    remote = {
        ra.code: ra.node
        for ra in RemoteAgency.objects.select_related("node").filter(code__in=codes - local)
    }
    unknown = sorted(codes - local - set(remote))
    if unknown:
        raise RecipientUnknown(
            _("Không có cơ quan mã %(code)s trong danh bạ liên thông.") % {"code": unknown[0]}
        )
    try:
        with transaction.atomic():
            packages = Package.objects.bulk_create(
                [
                    Package(
                        message_id=s.message_id,
                        kind=MessageKind.STATUS,
                        data=edxml.status_to_xml(
                            s, signer=xmldsig.sign if s.recipient.code in remote else None
                        ),
                    )
                    for s in statuses
                ]
            )
    except IntegrityError as exc:
        raise MessageAlreadySent(
            _("Gói tin %(id)s đã được gửi; mỗi lần gửi cần mã mới.")
            % {"id": ", ".join(s.message_id for s in statuses)[:200]}
        ) from exc
    now = timezone.now()
    rows = OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(
                message_id=s.message_id,
                kind=MessageKind.STATUS,
                document_kind=s.status,
                sender_code=s.sender.code,
                recipient_code=s.recipient.code,
                recipient_name=s.recipient.name[:255],
                subject=s.document_message_id,
                node=remote.get(s.recipient.code),
                package=package,
                next_attempt_at=now,
            )
            for s, package in zip(statuses, packages, strict=True)
        ]
    )
    if any(row.pk is None for row in rows):  # backends without RETURNING
        by_id = {
            r.message_id: r
            for r in OutboxMessage.objects.filter(message_id__in=[s.message_id for s in statuses])
        }
        rows = [by_id[s.message_id] for s in statuses]
    return rows


def _store(message_id: str, kind: str, data: bytes) -> Package:
    try:
        with transaction.atomic():
            return Package.objects.create(message_id=message_id, kind=kind, data=data)
    except IntegrityError as exc:
        raise MessageAlreadySent(
            _("Gói tin %(id)s đã được gửi; mỗi lần gửi cần mã mới.") % {"id": message_id}
        ) from exc
