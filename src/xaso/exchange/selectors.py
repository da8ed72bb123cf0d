"""Reads of the exchange scoped to the actor: an agency sees the messages it sent and received,
nothing of other agencies (a message of another agency is a 404, like a missing one)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import InboxMessage, Node, OutboxMessage, OutboxState, RemoteAgency

if TYPE_CHECKING:
    from xaso.org.models import Staff

PAGE = 50


def outbox_list_for(*, actor: Staff) -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.filter(sender_code=actor.agency.code).select_related("node")


def outbox_undelivered_for(*, actor: Staff) -> QuerySet[OutboxMessage]:
    return (
        outbox_list_for(actor=actor)
        .exclude(state=OutboxState.DELIVERED)
        .order_by("next_attempt_at", "pk")
    )


def outbox_recent_for(*, actor: Staff) -> QuerySet[OutboxMessage]:
    return outbox_list_for(actor=actor).filter(state=OutboxState.DELIVERED)[:PAGE]


def outbox_get_for(*, actor: Staff, public_id: str) -> OutboxMessage:
    return get_object_or_404(outbox_list_for(actor=actor), public_id=public_id)


def inbox_recent_for(*, actor: Staff) -> QuerySet[InboxMessage]:
    return InboxMessage.objects.filter(recipient_code=actor.agency.code).select_related(
        "from_node"
    )[:PAGE]


def node_list() -> QuerySet[Node]:
    return Node.objects.order_by("-is_self", "code")


def remote_agency_list() -> QuerySet[RemoteAgency]:
    return RemoteAgency.objects.select_related("node").order_by("code")
