"""Writes on dossiers: the code allocator, the intake, the workflow actions, attachments.

Every change of a dossier's status goes through ``workflow._transition`` and its one table."""

from __future__ import annotations

from .actions import (
    dossier_apologize,
    dossier_approve,
    dossier_assign,
    dossier_forward,
    dossier_mark_ready,
    dossier_receive_supplement,
    dossier_refuse,
    dossier_request_supplement,
    dossier_return_result,
    dossier_transfer,
    dossier_withdraw,
)
from .attachments import dossier_attach
from .codes import SEQUENCE_MIN_DIGITS, dossier_code_format, dossier_code_next
from .intake import dossier_receive

__all__ = [
    "SEQUENCE_MIN_DIGITS",
    "dossier_apologize",
    "dossier_approve",
    "dossier_assign",
    "dossier_attach",
    "dossier_code_format",
    "dossier_code_next",
    "dossier_forward",
    "dossier_mark_ready",
    "dossier_receive",
    "dossier_receive_supplement",
    "dossier_refuse",
    "dossier_request_supplement",
    "dossier_return_result",
    "dossier_transfer",
    "dossier_withdraw",
]
