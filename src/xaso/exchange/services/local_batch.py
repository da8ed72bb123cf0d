"""Same-node delivery in batches: the messages of one commit for agencies of this node (a
directive to 150 communes) are registered together, in one transaction, with the guarantees of
``inbox_receive`` per recipient — one inbox row per message and recipient, each handler's work
kept or undone on its own, "arrived"/"refused" sent back — in a few queries instead of a few per
commune."""

from __future__ import annotations

import dataclasses
import logging
from functools import partial

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from xaso.core.audit import audit_record_many
from xaso.core.errors import DomainError
from xaso.org.models import Agency

from .. import edxml, registry
from ..edxml import DocumentPackage, StatusPackage
from ..models import InboxMessage, InboxState, OutboxMessage, OutboxState, Package
from .attempts import _error_text, _mark_delivered, _mark_failed
from .receiving import (
    _addressee,
    _answer,
    _apply_remote_statuses,
    _new_inbox,
    _receipt_audit,
    _run_handlers,
)
from .sending import _store_statuses

log = logging.getLogger("xaso.exchange")


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
            from .delivery import _dispatch  # bound here: delivery imports this module

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
