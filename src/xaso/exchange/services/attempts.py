"""What one delivery attempt leaves on its outbox rows: delivered with the recipient's answer,
or failed with the error and the wait before the next attempt (growing backoff, so that a
recipient's node that is down is not flooded). Shared by the single, the swept and the
same-node batched deliveries."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from xaso.core.errors import DomainError

from .. import conf
from ..models import InboxMessage, OutboxMessage, OutboxState

log = logging.getLogger("xaso.exchange")


def backoff(attempts: int) -> timedelta:
    """Wait before attempt ``attempts + 1``: base, 2×base, 4×base … up to the maximum."""
    seconds = min(conf.retry_base() * (2 ** max(attempts - 1, 0)), conf.retry_max())
    return timedelta(seconds=seconds)


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, DomainError):
        return f"{exc.code}: {exc.message}"[:2000]
    return f"{type(exc).__name__}: {exc}"[:2000]


def _mark_delivered(answered: list[tuple[OutboxMessage, InboxMessage]]) -> None:
    """One update per distinct answer (all "accepted" rows of a batch share one)."""
    groups: dict[tuple[str, str], list[OutboxMessage]] = {}
    for row, inbox in answered:
        groups.setdefault((inbox.state, inbox.reason), []).append(row)
    _mark_answered(groups)


def _mark_answered(groups: dict[tuple[str, str], list[OutboxMessage]]) -> None:
    """Rows delivered, grouped by the recipient's answer (state, reason): one update a group,
    and the row objects in hand made to match."""
    now = timezone.now()
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
