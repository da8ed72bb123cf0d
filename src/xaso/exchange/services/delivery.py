"""Delivering outbox rows (store-and-forward): after commit, rows for agencies of this node are
delivered at once, the others queued (and tried at once in a thread) for their node over
HTTP(S). Each attempt first claims its row, so that one process delivers it; a failure waits
out a growing backoff, and the sweep of due rows (``deliver_due``, ``xaso exchange deliver``)
sends what is left, batched by destination."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xaso.core.audit import audit_record
from xaso.core.errors import Conflict

from .. import conf, xmldsig
from ..errors import NodeUnreachable
from ..models import Node, OutboxMessage, OutboxState, Package
from .attempts import _error_text, _mark_answered, backoff
from .local_batch import outbox_deliver_local
from .receiving import inbox_receive

if TYPE_CHECKING:
    from xaso.core.audit import Actor

log = logging.getLogger("xaso.exchange")

#: How long one delivery attempt may hold its row before another process may try again.
CLAIM_SECONDS = 120


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
    from ..tasks import deliver_outbox

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
            from .. import transport

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
    from .. import transport

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
    _mark_answered(delivered)
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
