"""Writes of official documents: outgoing (drafting, approval, numbering, signing, issuing),
incoming (registration, assignment, handling, completion) and sending over the exchange."""

from .compose import outgoing_compose
from .incoming import (
    incoming_add_opinion,
    incoming_assign,
    incoming_complete,
    incoming_create_paper,
    incoming_register,
)
from .outgoing import (
    ACTIONS,
    outgoing_act,
    outgoing_add_version,
    outgoing_approve,
    outgoing_comment,
    outgoing_create,
    outgoing_issue,
    outgoing_number,
    outgoing_return,
    outgoing_review,
    outgoing_sign,
    outgoing_submit,
)
from .sending import document_send

__all__ = [
    "ACTIONS",
    "document_send",
    "incoming_add_opinion",
    "incoming_assign",
    "incoming_complete",
    "incoming_create_paper",
    "incoming_register",
    "outgoing_act",
    "outgoing_add_version",
    "outgoing_approve",
    "outgoing_comment",
    "outgoing_compose",
    "outgoing_create",
    "outgoing_issue",
    "outgoing_number",
    "outgoing_return",
    "outgoing_review",
    "outgoing_sign",
    "outgoing_submit",
]
