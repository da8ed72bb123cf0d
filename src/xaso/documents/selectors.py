"""Reads of official documents, already scoped to the actor: another agency's documents, and
confidential ones the actor is not cleared for, do not exist (404), exactly like missing ones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from xaso.org.models import Agency, Staff

from . import permissions
from .models import (
    Confidentiality,
    IncomingDocument,
    IncomingStatus,
    OutgoingDocument,
    Recipient,
)


def _cleared(model: type[OutgoingDocument] | type[IncomingDocument], actor: Staff) -> Exists:
    through = model.cleared.through
    column = "outgoingdocument_id" if model is OutgoingDocument else "incomingdocument_id"
    return Exists(through.objects.filter(**{column: OuterRef("pk"), "staff_id": actor.pk}))


def outgoing_list_for(*, actor: Staff) -> QuerySet[OutgoingDocument]:
    """The agency's outgoing documents the actor may see, newest first."""
    if not permissions.can_list(actor):
        return OutgoingDocument.objects.none()
    return (
        OutgoingDocument.objects.filter(agency_id=actor.agency_id)
        .filter(
            Q(confidentiality=Confidentiality.NORMAL)
            | Q(created_by_id=actor.pk)
            | _cleared(OutgoingDocument, actor)
        )
        .select_related("created_by", "register", "signer")
    )


def outgoing_get_for(*, actor: Staff, public_id: str) -> OutgoingDocument:
    return get_object_or_404(
        outgoing_list_for(actor=actor).select_related("agency", "agency__unit"),
        public_id=public_id,
    )


def incoming_list_for(*, actor: Staff) -> QuerySet[IncomingDocument]:
    """The agency's incoming documents the actor may see, newest arrival first."""
    if not permissions.can_list(actor):
        return IncomingDocument.objects.none()
    return (
        IncomingDocument.objects.filter(agency_id=actor.agency_id)
        .filter(
            Q(confidentiality=Confidentiality.NORMAL)
            | Q(lead_handler_id=actor.pk)
            | _cleared(IncomingDocument, actor)
        )
        .select_related("register", "lead_handler", "reply")
    )


def incoming_get_for(*, actor: Staff, public_id: str) -> IncomingDocument:
    return get_object_or_404(
        incoming_list_for(actor=actor).select_related("agency"), public_id=public_id
    )


def codes_below(*, agency: Agency) -> list[str]:
    """Every agency below ``agency`` (this node and the directory's other nodes), by code."""
    from .exchange_glue import codes_below as below

    return below(agency)


def recipients_of(document: OutgoingDocument) -> QuerySet[Recipient]:
    return Recipient.objects.filter(document=document).order_by("agency_code")


def outgoing_register_rows(*, actor: Staff, year: int) -> QuerySet[OutgoingDocument]:
    """Sổ đăng ký văn bản đi of ``year``: the numbered documents in number order."""
    return (
        outgoing_list_for(actor=actor)
        .filter(register__year=year, register__series="", number__isnull=False)
        .select_related("signer")
        .prefetch_related("recipients")
        .order_by("number")
    )


def incoming_register_rows(*, actor: Staff, year: int) -> QuerySet[IncomingDocument]:
    """Sổ đăng ký văn bản đến of ``year``: the registered documents in số đến order."""
    return (
        incoming_list_for(actor=actor)
        .filter(register__year=year, register__series="", incoming_number__isnull=False)
        .prefetch_related("co_handlers")
        .order_by("incoming_number")
    )


@dataclass(frozen=True)
class FollowUp:
    """Progress of an incoming document in the follow-up book."""

    label: str
    overdue: bool


def follow_up(document: IncomingDocument, *, now: datetime | None = None) -> FollowUp:
    """Tiến độ: overdue when assigned and past its deadline, or completed after it."""
    now = now or timezone.now()
    due = document.due_at
    if document.status == IncomingStatus.COMPLETED:
        late = bool(due and document.completed_at and document.completed_at > due)
        return FollowUp(_("Hoàn thành quá hạn") if late else _("Hoàn thành đúng hạn"), late)
    if document.status == IncomingStatus.ASSIGNED:
        late = bool(due and now > due)
        return FollowUp(_("Quá hạn") if late else _("Đang xử lý trong hạn"), late)
    return FollowUp(_("Chưa phân công"), False)


def incoming_overdue_for(
    *, actor: Staff, now: datetime | None = None
) -> QuerySet[IncomingDocument]:
    """Assigned documents past their deadline, the most overdue first."""
    return (
        incoming_list_for(actor=actor)
        .filter(status=IncomingStatus.ASSIGNED, due_at__lt=now or timezone.now())
        .order_by("due_at")
    )
