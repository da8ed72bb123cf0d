"""Background delivery to other nodes (django-tasks, STYLE.md §5): the task takes an outbox id,
calls one service, is safe to run twice (the row is claimed, the receiver is idempotent) and is
queued only after commit (``services._dispatch``)."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver_outbox(outbox_id: int) -> str:
    """One attempt to deliver outbox row ``outbox_id``; a failure queues the next attempt."""
    from .services import outbox_deliver_and_reschedule

    return str(outbox_deliver_and_reschedule(outbox_id=outbox_id).state)
