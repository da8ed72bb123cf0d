"""Sending and receiving packages between agencies (liên thông văn bản điện tử): Decree
30/2020/NĐ-CP Art. 16-22 (electronic documents sent and received through the document-management
system), Decision 28/2018/QĐ-TTg (sending and receiving electronic documents between state
agencies) and the edXML packages of QCVN 102:2016/BTTTT.

Store-and-forward: a message is first an outbox row committed with the sender's data; only after
commit is it delivered — in-process to an agency of this node, over HTTP(S) to another node —
and retried with growing waits until the recipient's node answers. Exactly-once registration:
the recipient's inbox row (unique message_id + recipient) is written in the same transaction as
what the handler registers, so a redelivered or duplicated message is recognised and never handed
over twice.

The messages of one commit for agencies of this node (a directive to 150 communes) are delivered
together, in one transaction (``outbox_deliver_local``), with these same guarantees per recipient;
the sweep of due rows (``deliver_due``) batches the same way, and claims the rows for each other
node together.

Packages that leave for another node carry the sending node's XML signature (QCVN 102:2016
``DigitalSignature``, :mod:`.xmldsig`); a package received from another node is read only from
what that signature, checked against the node's pinned certificate, covers
(docs/adr/0005-edxml-signature.md).
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import uuid
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xaso.core.audit import AuditItem, audit_record, audit_record_many
from xaso.core.errors import Conflict, DomainError
from xaso.org.models import Agency

from . import conf, edxml, registry, xmldsig
from .edxml import DocumentPackage, Organization, StatusPackage, Trace
from .errors import (
    NodeUnknown,
    NodeUnreachable,
    NoHandler,
    PackageInvalid,
    RecipientUnknown,
    SenderNotLocal,
    SenderNotOnNode,
    SignatureMissing,
    XmlSignatureInvalid,
    XmlSignatureMissing,
)
from .models import (
    InboxMessage,
    InboxState,
    MessageKind,
    Node,
    OutboxMessage,
    OutboxState,
    Package,
    RemoteAgency,
)

if TYPE_CHECKING:
    from xaso.core.audit import Actor

log = logging.getLogger("xaso.exchange")

#: How long one delivery attempt may hold its row before another process may try again.
CLAIM_SECONDS = 120
STATUS_RANK = {s: i for i, s in enumerate(edxml.STATUSES)}


class MessageAlreadySent(Conflict):
    code = "exchange_message_already_sent"


# --- Where an agency lives ----------------------------------------------------------------------


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


# --- Sending ------------------------------------------------------------------------------------


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
        transaction.on_commit(partial(_dispatch, ids), robust=True)
        return rows


def exchange_send_status(*, status: StatusPackage) -> OutboxMessage:
    """Báo trạng thái văn bản đến (edXML Status) back to the sending agency: arrived, refused,
    registered, assigned, processing, completed."""
    with transaction.atomic():
        _require_local_sender(status.sender)
        (row,) = _store_statuses([status])
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


def _dispatch(ids: list[int]) -> None:
    """After commit: deliver rows for this node now, queue the others (and, unless configured
    off, try them at once in a background thread; the queued task is the durable path)."""
    local = list(
        OutboxMessage.objects.filter(pk__in=ids, node__isnull=True).values_list("pk", flat=True)
    )
    remote = [pk for pk in ids if pk not in set(local)]
    if local:
        try:
            outbox_deliver_local(outbox_ids=local)
        except Exception:  # the batch kept nothing; each row on its own records its failure
            log.exception("exchange: batched delivery of %s local rows failed", len(local))
            for pk in local:
                try:
                    outbox_deliver(outbox_id=pk)
                except Exception:  # recorded on the row; the sweep retries it
                    log.exception("exchange: local delivery of outbox %s failed", pk)
    for pk in remote:
        _enqueue(pk)
    if remote and conf.send_at_once():
        # Not a daemon: a command that sends and exits waits for the attempt to finish.
        threading.Thread(target=_deliver_in_thread, args=(remote,), daemon=False).start()


def _enqueue(outbox_id: int, run_after: object = None) -> None:
    from .tasks import deliver_outbox

    task = deliver_outbox
    if run_after is not None:
        task = task.using(run_after=run_after)  # type: ignore[arg-type]
    try:
        task.enqueue(outbox_id)
    except Exception:  # the row stays due; `xaso exchange deliver` sends it
        log.exception("exchange: could not queue outbox %s", outbox_id)


def _deliver_in_thread(ids: list[int]) -> None:
    try:
        for pk in ids:
            outbox_deliver_and_reschedule(outbox_id=pk)
    except Exception:
        log.exception("exchange: immediate delivery failed")
    finally:
        connection.close()


# --- Delivering ---------------------------------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    """Wait before attempt ``attempts + 1``: base, 2×base, 4×base … up to the maximum."""
    seconds = min(conf.retry_base() * (2 ** max(attempts - 1, 0)), conf.retry_max())
    return timedelta(seconds=seconds)


def _claim(outbox_id: int, *, force: bool) -> bool:
    now = timezone.now()
    rows = OutboxMessage.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
        pk=outbox_id,
        state__in=[OutboxState.PENDING, OutboxState.FAILED],
    )
    if not force:
        rows = rows.filter(next_attempt_at__lte=now)
    return rows.update(claimed_until=now + timedelta(seconds=CLAIM_SECONDS)) == 1


def outbox_deliver(*, outbox_id: int, force: bool = False) -> tuple[OutboxMessage, bool]:
    """One delivery attempt of a due outbox row; returns (row, attempted). A row another process
    is delivering, or already delivered, is left alone (attempted False)."""
    if not _claim(outbox_id, force=force):
        return OutboxMessage.objects.get(pk=outbox_id), False
    row = OutboxMessage.objects.select_related("node", "package").get(pk=outbox_id)
    try:
        if row.node_id is None:
            inbox = inbox_receive(
                payload=bytes(row.package.data), recipient_code=row.recipient_code, from_node=None
            )
            answer, reason = inbox.state, inbox.reason
        else:
            from . import transport

            assert row.node is not None
            answer, reason = transport.post_message(
                node=row.node, recipient_code=row.recipient_code, body=_outgoing(row.package)
            )
    except Exception as exc:  # noqa: BLE001 - any failure keeps the message for a retry
        now = timezone.now()
        row.attempts += 1
        row.state = OutboxState.FAILED
        row.next_attempt_at = now + backoff(row.attempts)
        row.last_error = _error_text(exc)
        row.claimed_until = None
        row.save(
            update_fields=["attempts", "state", "next_attempt_at", "last_error", "claimed_until"]
        )
        log.warning(
            "exchange: delivery of %s %s to %s failed (attempt %s): %s",
            row.kind,
            row.message_id,
            row.recipient_code,
            row.attempts,
            row.last_error,
        )
        return row, True
    row.attempts += 1
    row.state = OutboxState.DELIVERED
    row.delivered_at = timezone.now()
    row.answer = answer
    row.answer_reason = reason
    row.last_error = ""
    row.claimed_until = None
    row.save(
        update_fields=[
            "attempts",
            "state",
            "delivered_at",
            "answer",
            "answer_reason",
            "last_error",
            "claimed_until",
        ]
    )
    return row, True


def _outgoing(package: Package) -> bytes:
    """The bytes sent to another node: the stored package, signed. One stored before packages
    were signed (an outbox row older than the signature) is signed now, once, and kept so."""
    data = bytes(package.data)
    if xmldsig.is_signed(data):
        return data
    data = xmldsig.sign_bytes(data)
    Package.objects.filter(pk=package.pk).update(data=data)
    package.data = data
    return data


def outbox_deliver_and_reschedule(*, outbox_id: int, force: bool = False) -> OutboxMessage:
    """Deliver, and when this attempt failed queue the next one at its due time. Only the process
    that made the attempt queues the retry, so there is one chain of retries per row."""
    row, attempted = outbox_deliver(outbox_id=outbox_id, force=force)
    if row.node_id is None:
        return row
    if attempted and row.state == OutboxState.FAILED:
        _enqueue(row.pk, run_after=row.next_attempt_at)
    elif (
        not attempted
        and row.state != OutboxState.DELIVERED
        and row.claimed_until is not None
        and row.claimed_until > timezone.now()
    ):
        # Another process is sending it. Should that process die mid-way (a restarted web
        # worker), its claim runs out and this later attempt picks the row up.
        _enqueue(row.pk, run_after=row.claimed_until + timedelta(seconds=1))
    return row


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, DomainError):
        return f"{exc.code}: {exc.message}"[:2000]
    return f"{type(exc).__name__}: {exc}"[:2000]


#: Rows one transaction of a sweep takes for agencies of this node (a directive to 150 communes
#: is one or two).
SWEEP_BATCH = 100
#: Rows claimed at once for one other node. Their claim lasts CLAIM_SECONDS plus one request
#: timeout per row, so it outlives the slowest batch; a worker that dies mid-way leaves them to
#: the next sweep after at most that long.
SWEEP_REMOTE_BATCH = 20


def deliver_due(*, everything: bool = False) -> dict[str, int]:
    """Send every outbox row that is due (``xaso exchange deliver``; the worker or cron runs it).
    With ``everything``, also the rows still waiting out their backoff — after a peer node came
    back. Returns how many were delivered, failed (and wait for a retry) and skipped (another
    process holds them, or they were delivered meanwhile).

    In batches, grouped by destination: the rows for agencies of this node go through
    ``outbox_deliver_local`` (one transaction per ``SWEEP_BATCH``), the rows for each other node
    are claimed together and their outcomes written together (``_deliver_remote``); the HTTP
    requests stay one per recipient, as the endpoint takes them."""
    rows = OutboxMessage.objects.filter(state__in=[OutboxState.PENDING, OutboxState.FAILED])
    if not everything:
        rows = rows.filter(next_attempt_at__lte=timezone.now())
    local: list[int] = []
    remote: dict[int, list[int]] = {}
    for pk, node_id in rows.order_by("next_attempt_at", "pk").values_list("pk", "node_id"):
        if node_id is None:
            local.append(pk)
        else:
            remote.setdefault(node_id, []).append(pk)
    counts = {"delivered": 0, "failed": 0, "skipped": 0}

    def count(ids: list[int], taken: list[OutboxMessage]) -> None:
        for row in taken:
            counts["delivered" if row.state == OutboxState.DELIVERED else "failed"] += 1
        counts["skipped"] += len(ids) - len(taken)

    for start in range(0, len(local), SWEEP_BATCH):
        ids = local[start : start + SWEEP_BATCH]
        try:
            taken = outbox_deliver_local(outbox_ids=ids, force=everything)
        except Exception:  # the batch kept nothing; row by row records each failure
            log.exception("exchange: batched delivery of %s local rows failed", len(ids))
            taken = []
            for pk in ids:
                row, attempted = outbox_deliver(outbox_id=pk, force=everything)
                if attempted:
                    taken.append(row)
        count(ids, taken)
    if remote:
        for node in Node.objects.filter(pk__in=remote):
            for start in range(0, len(remote[node.pk]), SWEEP_REMOTE_BATCH):
                ids = remote[node.pk][start : start + SWEEP_REMOTE_BATCH]
                count(ids, _deliver_remote(node=node, outbox_ids=ids, force=everything))
    return counts


def _deliver_remote(*, node: Node, outbox_ids: list[int], force: bool) -> list[OutboxMessage]:
    """One attempt for each of ``outbox_ids`` (rows for ``node``) that is still due and not
    claimed elsewhere: claimed together, sent one request each, outcomes written together
    (one update per distinct answer, one for the failures). Returns the rows it took.

    When the node does not answer at all (``NodeUnreachable``), the rows not yet tried wait out
    their backoff like the failed one, without a request each: a node that is down costs a
    sweep one timeout, not one per message."""
    from . import transport

    now = timezone.now()
    with transaction.atomic():
        claimable = OutboxMessage.objects.select_for_update(skip_locked=True).filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
            pk__in=outbox_ids,
            node=node,
            state__in=[OutboxState.PENDING, OutboxState.FAILED],
        )
        if not force:
            claimable = claimable.filter(next_attempt_at__lte=now)
        rows = list(claimable.order_by("package_id", "pk"))
        OutboxMessage.objects.filter(pk__in=[row.pk for row in rows]).update(
            claimed_until=now + timedelta(seconds=CLAIM_SECONDS + len(rows) * conf.timeout())
        )
    delivered: dict[tuple[str, str], list[OutboxMessage]] = {}
    failed: list[tuple[OutboxMessage, BaseException]] = []
    down: NodeUnreachable | None = None
    body_of: tuple[int, bytes] | None = None  # rows come by package: one read each
    for row in rows:
        if down is not None:
            failed.append((row, down))
            continue
        try:
            if body_of is None or body_of[0] != row.package_id:
                body_of = (row.package_id, _outgoing(Package.objects.get(pk=row.package_id)))
            outcome = transport.post_message(
                node=node, recipient_code=row.recipient_code, body=body_of[1]
            )
        except NodeUnreachable as exc:
            down = exc
            failed.append((row, exc))
        except Exception as exc:  # noqa: BLE001 - this row waits for a retry, the others go on
            failed.append((row, exc))
        else:
            delivered.setdefault(outcome, []).append(row)
    done = timezone.now()
    for (answer, reason), group in delivered.items():
        OutboxMessage.objects.filter(pk__in=[row.pk for row in group]).update(
            attempts=F("attempts") + 1,
            state=OutboxState.DELIVERED,
            delivered_at=done,
            answer=answer,
            answer_reason=reason,
            last_error="",
            claimed_until=None,
        )
        for row in group:
            row.attempts += 1
            row.state = OutboxState.DELIVERED
            row.delivered_at = done
            row.answer, row.answer_reason = answer, reason
            row.last_error = ""
            row.claimed_until = None
    for row, error in failed:
        row.attempts += 1
        row.state = OutboxState.FAILED
        row.next_attempt_at = done + backoff(row.attempts)
        row.last_error = _error_text(error)
        row.claimed_until = None
    if failed:
        OutboxMessage.objects.bulk_update(
            [row for row, _exc in failed],
            ["attempts", "state", "next_attempt_at", "last_error", "claimed_until"],
        )
        log.warning(
            "exchange: delivery of %s message(s) to node %s failed: %s",
            len(failed),
            node.code,
            "; ".join(sorted({_error_text(error)[:200] for _row, error in failed})),
        )
    return rows


def outbox_retry(*, outbox: OutboxMessage, actor: Actor) -> OutboxMessage:
    """An administrator asks for an undelivered message to be sent again now."""
    with transaction.atomic():
        if outbox.state == OutboxState.DELIVERED:
            raise Conflict(_("Gói tin này đã được gửi thành công."))
        OutboxMessage.objects.filter(pk=outbox.pk).update(next_attempt_at=timezone.now())
        audit_record(actor=actor, action="exchange.retry", obj=outbox)
        transaction.on_commit(partial(_dispatch, [outbox.pk]), robust=True)
    outbox.refresh_from_db()
    return outbox


# --- Receiving ----------------------------------------------------------------------------------


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


# --- Same-node delivery in batches --------------------------------------------------------------


def outbox_deliver_local(*, outbox_ids: list[int], force: bool = False) -> list[OutboxMessage]:
    """Deliver the due rows among ``outbox_ids`` whose recipient lives on this node, together,
    in one transaction: a directive to 150 communes is one commit, not 150 × (claim, load,
    parse, register, answer, commit). Returns the rows it took (delivered or failed).

    The guarantees are those of ``outbox_deliver`` row by row:

    - the rows are locked (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite holds the
      database write lock from BEGIN IMMEDIATE), so no other process delivers them meanwhile,
      and a row another process has claimed is left to it;
    - each recipient's handler runs in its own savepoint: a DomainError refuses that recipient
      alone ("refused" goes back) and keeps nothing of its work; any other error undoes that
      recipient's work and leaves its row failed for a retry with backoff, the others go on;
    - the inbox rows (unique message_id + recipient) are written in the same transaction as
      what the handlers registered, so a redelivered message is recognised and registered
      once; should two copies race after all, the unique constraint fails the whole batch,
      which keeps nothing and is redone row by row by the caller;
    - the "arrived"/"refused" statuses go into the outbox like any other message; those for a
      sender of this node are delivered in the same transaction (their own inbox rows, handlers
      and audit entries included), the others after commit.
    """
    now = timezone.now()
    with transaction.atomic():
        due = OutboxMessage.objects.select_for_update(skip_locked=True).filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
            pk__in=outbox_ids,
            node__isnull=True,
            state__in=[OutboxState.PENDING, OutboxState.FAILED],
        )
        if not force:  # ``force``: also rows waiting out their backoff (``deliver_due --all``)
            due = due.filter(next_attempt_at__lte=now)
        rows = list(due.order_by("pk"))
        if not rows:
            return []
        parsed: dict[int, DocumentPackage | StatusPackage | DomainError] = {}
        blobs = Package.objects.filter(pk__in={row.package_id for row in rows})
        for package_pk, data in blobs.values_list("pk", "data"):
            try:  # one parse per package, however many recipients it has
                parsed[package_pk] = edxml.package_from_xml(bytes(data))
            except DomainError as exc:
                parsed[package_pk] = exc
        remote = _deliver_batch([(row, parsed[row.package_id]) for row in rows])
        if remote:
            transaction.on_commit(partial(_dispatch, remote), robust=True)
    return rows


def _deliver_batch(
    items: list[tuple[OutboxMessage, DocumentPackage | StatusPackage | DomainError]],
) -> list[int]:
    """Register a batch of same-node messages (see ``outbox_deliver_local``) inside the caller's
    transaction; returns the outbox ids of the statuses it produced for other nodes, to be
    dispatched after commit."""
    codes = {row.recipient_code for row, _pkg in items}
    agencies = {a.code: a for a in Agency.objects.filter(code__in=codes)}
    message_ids = {pkg.message_id for _row, pkg in items if not isinstance(pkg, DomainError)}
    known = {
        (i.message_id, i.recipient_code): i
        for i in InboxMessage.objects.filter(message_id__in=message_ids, recipient_code__in=codes)
    }
    answered: list[tuple[OutboxMessage, InboxMessage]] = []
    failed: list[tuple[OutboxMessage, BaseException]] = []
    waiting: list[_Item] = []
    for row, pkg in items:
        try:
            if isinstance(pkg, DomainError):
                raise pkg
            agency = _addressee(pkg, row.recipient_code, agencies.get(row.recipient_code))
        except Exception as exc:  # noqa: BLE001 - this row waits for a retry, the others go on
            failed.append((row, exc))
            continue
        inbox = known.get((pkg.message_id, row.recipient_code))
        if inbox is None:  # new here: its handler runs
            waiting.append(_Item(row, pkg, agency, _new_inbox(pkg, row.recipient_code, None)))
        else:  # redelivered: the first answer stands, nothing is handed over again
            answered.append((row, inbox))

    new: list[tuple[DocumentPackage | StatusPackage, InboxMessage]] = []
    answers: list[StatusPackage] = []
    for group in _handler_groups(waiting):
        if len(group) > 1 and _run_group(group):
            done = group
        else:  # one by one, each in its own savepoint: a refusal or a crash is that one's
            done = []
            for item in group:
                try:
                    _run_handlers(item.pkg, item.agency, item.inbox)
                except Exception as exc:  # noqa: BLE001 - retried later, the others go on
                    failed.append((item.row, exc))
                    continue
                done.append(item)
        for item in done:
            new.append((item.pkg, item.inbox))
            answered.append((item.row, item.inbox))
            if isinstance(item.pkg, DocumentPackage):
                answers.append(_answer(item.pkg, item.agency, item.inbox))

    InboxMessage.objects.bulk_create([inbox for _pkg, inbox in new])
    _apply_remote_statuses(
        [
            pkg
            for pkg, inbox in new
            if isinstance(pkg, StatusPackage) and inbox.state == InboxState.ACCEPTED
        ]
    )
    audit_record_many(actor=None, items=[_receipt_audit(pkg, inbox) for pkg, inbox in new])
    _mark_delivered(answered)
    for row, error in failed:
        _mark_failed(row, error)

    remote: list[int] = []
    if answers:
        status_rows = _store_statuses(answers)
        # What the sender's node reads is the package as stored (times to the second, as
        # edXML writes them), so the local ones are read back from their bytes too.
        local: list[tuple[OutboxMessage, DocumentPackage | StatusPackage | DomainError]] = [
            (row, edxml.status_from_xml(bytes(row.package.data)))
            for row in status_rows
            if row.node_id is None
        ]
        remote = [row.pk for row in status_rows if row.node_id is not None]
        if local:  # answers produce no answers: this recursion is one level deep
            remote += _deliver_batch(local)
    return remote


@dataclasses.dataclass
class _Item:
    """A message of a batch whose handler is still to run."""

    row: OutboxMessage
    pkg: DocumentPackage | StatusPackage
    agency: Agency
    inbox: InboxMessage


def _handler_groups(items: list[_Item]) -> list[list[_Item]]:
    """The messages a batch handler can take together: the documents of one kind whose handler
    has a batch variant, and all statuses; every other message on its own."""
    groups: dict[str, list[_Item]] = {}
    singles: list[list[_Item]] = []
    for item in items:
        if isinstance(item.pkg, StatusPackage):
            groups.setdefault("", []).append(item)
        elif registry.document_batch_handler(item.pkg.kind) is not None:
            groups.setdefault(item.pkg.kind, []).append(item)
        else:
            singles.append([item])
    return [*groups.values(), *singles]


def _run_group(group: list[_Item]) -> bool:
    """Hand a group to the batch handlers in one savepoint. False (and nothing kept) when any
    handler raised: the caller then goes one by one, so that only the messages a handler
    refuses on their own are refused."""
    try:
        with transaction.atomic():
            first = group[0].pkg
            if isinstance(first, StatusPackage):
                statuses = [item.pkg for item in group if isinstance(item.pkg, StatusPackage)]
                for handler, batch in registry.status_batch_handlers():
                    if batch is not None:
                        batch(statuses)
                    else:
                        for status in statuses:
                            handler(status)
            else:
                batch_handler = registry.document_batch_handler(first.kind)
                assert batch_handler is not None
                batch_handler(
                    [(item.pkg, item.agency) for item in group]  # type: ignore[misc]
                )
    except Exception as exc:  # noqa: BLE001 - the one-by-one path decides, row by row
        log.info("exchange: a batch of %s went one by one: %s", len(group), _error_text(exc))
        return False
    return True


def _mark_delivered(answered: list[tuple[OutboxMessage, InboxMessage]]) -> None:
    """One update per distinct answer (all "accepted" rows of a batch share one)."""
    now = timezone.now()
    groups: dict[tuple[str, str], list[OutboxMessage]] = {}
    for row, inbox in answered:
        groups.setdefault((inbox.state, inbox.reason), []).append(row)
    for (answer, reason), rows in groups.items():
        OutboxMessage.objects.filter(pk__in=[row.pk for row in rows]).update(
            attempts=F("attempts") + 1,
            state=OutboxState.DELIVERED,
            delivered_at=now,
            answer=answer,
            answer_reason=reason,
            last_error="",
            claimed_until=None,
        )
        for row in rows:
            row.attempts += 1
            row.state = OutboxState.DELIVERED
            row.delivered_at = now
            row.answer, row.answer_reason = answer, reason
            row.last_error = ""
            row.claimed_until = None


def _mark_failed(row: OutboxMessage, exc: BaseException) -> None:
    now = timezone.now()
    row.attempts += 1
    row.state = OutboxState.FAILED
    row.next_attempt_at = now + backoff(row.attempts)
    row.last_error = _error_text(exc)
    row.claimed_until = None
    row.save(update_fields=["attempts", "state", "next_attempt_at", "last_error", "claimed_until"])
    log.warning(
        "exchange: delivery of %s %s to %s failed (attempt %s): %s",
        row.kind,
        row.message_id,
        row.recipient_code,
        row.attempts,
        row.last_error,
    )


def node_message_receive(
    *, node_code: str, recipient_code: str, signature: str, body: bytes
) -> InboxMessage:
    """A message POSTed by another node: the node must be a known peer and its signature must
    verify against the certificate on file for it; else it is refused (logged and audited),
    nothing registered. Then ``inbox_receive``."""
    from . import nodes

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


def node_message_lookup(*, node_code: str, signature: str, message_id: str) -> list[InboxMessage]:
    """What this node recorded for a message sent from ``node_code`` (the sending node asks,
    signing the message id): one inbox row per recipient agency."""
    from . import nodes

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
