"""/documents/incoming/: the incoming list (with the overdue filter), the paper registration
form, and a document's page with the register, assign, opinion and complete forms its reader
may use."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xaso.core.errors import DomainError
from xaso.org.models import Staff

from .. import permissions, selectors, services
from ..forms import AssignForm, CompleteForm, IncomingPaperForm, OpinionForm
from ..models import IncomingDocument, IncomingStatus, OutgoingStatus, SignatureState
from ..services.files import read_upload
from .common import (
    actor_of,
    apply_errors,
    done,
    filtered,
    paginated,
    require_reader,
    status_of,
)


@login_required
@require_GET
def incoming_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    require_reader(actor)
    overdue = request.GET.get("status", "") == "overdue"
    qs, filters = filtered(
        request,
        selectors.incoming_overdue_for(actor=actor)
        if overdue
        else selectors.incoming_list_for(actor=actor),
        {
            "status": ("status", () if overdue else IncomingStatus.values),
            "signature": ("signature_state", SignatureState.values),
        },
    )
    listing = paginated(request, qs, filters)
    rows = [(d, selectors.follow_up(d)) for d in listing.page]
    return render(
        request,
        "documents/incoming_list.html",
        {
            "page": listing.page,
            "query": listing.query,
            "rows": rows,
            **filters,
            "statuses": IncomingStatus.choices,
            "signature_states": SignatureState.choices,
            "can_register": permissions.can_register_incoming(actor),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def incoming_new(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    if not permissions.can_register_incoming(actor):
        raise DjangoPermissionDenied
    status = 200
    form = IncomingPaperForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            c = form.cleaned_data
            try:
                d = services.incoming_create_paper(
                    actor=actor,
                    sender_name=c["sender_name"],
                    doc_type=c["doc_type"],
                    subject=c["subject"],
                    scan_data=read_upload(c["file"], size=c["file"].size),
                    scan_name=c["file"].name or "",
                    code_number=c["code_number"],
                    code_notation=c["code_notation"],
                    promulgation_date=c["promulgation_date"],
                    signer_name=c["signer_name"],
                    urgency=c["urgency"],
                    confidentiality=c["confidentiality"],
                    cleared=form.cleaned_cleared(),
                )
            except DomainError as err:
                apply_errors(form, err)
                status = status_of(err)
            else:
                message = _("Đã vào sổ, số đến %(n)02d.") % {"n": d.incoming_number or 0}
                return done(request, "documents:incoming", d.public_id, message)
        else:
            status = 400
    return render(request, "documents/incoming_new.html", {"form": form}, status=status)


def _handlers(actor: Staff) -> list[tuple[str, str]]:
    staff = (
        Staff.objects.filter(
            agency_id=actor.agency_id,
            is_active=True,
            roles__role__in=sorted(permissions.READ_ROLES),
        )
        .distinct()
        .order_by("full_name")
    )
    return [(s.username, f"{s.full_name} ({s.username})") for s in staff]


def _replies(actor: Staff) -> list[tuple[str, str]]:
    issued = selectors.outgoing_list_for(actor=actor).filter(status=OutgoingStatus.ISSUED)[:200]
    return [(str(d.public_id), f"{d.number_notation} — {d.subject[:80]}") for d in issued]


def _page(
    request: HttpRequest,
    d: IncomingDocument,
    *,
    failed: str = "",
    form: forms.Form | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = actor_of(request)
    is_leader = permissions.can_act(actor, roles=permissions.ASSIGN_ROLES)
    handler_ids = {d.lead_handler_id, *(s.pk for s in d.co_handlers.all())}
    context: dict[str, Any] = {
        "d": d,
        "failed": failed,
        "progress": selectors.follow_up(d),
        "opinions": d.opinions.select_related("author"),
        "co_handlers": d.co_handlers.all(),
        "can_register": d.status == IncomingStatus.RECEIVED
        and permissions.can_register_incoming(actor),
        "assign_form": (form if failed == "assign" else AssignForm(handlers=_handlers(actor)))
        if is_leader and d.status in (IncomingStatus.REGISTERED, IncomingStatus.ASSIGNED)
        else None,
        "opinion_form": (form if failed == "opinion" else OpinionForm())
        if d.status == IncomingStatus.ASSIGNED and (is_leader or actor.pk in handler_ids)
        else None,
        "complete_form": (form if failed == "complete" else CompleteForm(replies=_replies(actor)))
        if d.status == IncomingStatus.ASSIGNED and (is_leader or actor.pk == d.lead_handler_id)
        else None,
    }
    return render(request, "documents/incoming_detail.html", context, status=status)


def _get(request: HttpRequest, public_id: str) -> IncomingDocument:
    actor = actor_of(request)
    require_reader(actor)
    return selectors.incoming_get_for(actor=actor, public_id=str(public_id))


def _done(request: HttpRequest, d: IncomingDocument, message: str) -> HttpResponse:
    return done(request, "documents:incoming", d.public_id, message)


@login_required
@require_GET
def incoming_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    return _page(request, _get(request, public_id))


@login_required
@require_POST
def incoming_register(request: HttpRequest, public_id: str) -> HttpResponse:
    d = _get(request, public_id)
    try:
        d = services.incoming_register(actor=actor_of(request), document=d)
    except DomainError as err:
        messages.error(request, err.message)
        return _page(request, d, status=status_of(err))
    return _done(request, d, _("Đã vào sổ, số đến %(n)02d.") % {"n": d.incoming_number or 0})


@login_required
@require_POST
def incoming_assign(request: HttpRequest, public_id: str) -> HttpResponse:
    d = _get(request, public_id)
    actor = actor_of(request)
    form = AssignForm(request.POST, handlers=_handlers(actor))
    if not form.is_valid():
        return _page(request, d, failed="assign", form=form, status=400)
    c = form.cleaned_data
    try:
        services.incoming_assign(
            actor=actor,
            document=d,
            lead=c["lead"],
            co_handlers=c["co_handlers"],
            deadline_days=c["deadline_days"],
            opinion=c["opinion"],
        )
    except DomainError as err:
        apply_errors(form, err)
        return _page(request, d, failed="assign", form=form, status=status_of(err))
    return _done(request, d, _("Đã phân công xử lý."))


@login_required
@require_POST
def incoming_opinion(request: HttpRequest, public_id: str) -> HttpResponse:
    d = _get(request, public_id)
    form = OpinionForm(request.POST)
    if not form.is_valid():
        return _page(request, d, failed="opinion", form=form, status=400)
    try:
        services.incoming_add_opinion(
            actor=actor_of(request), document=d, text=form.cleaned_data["text"]
        )
    except DomainError as err:
        apply_errors(form, err)
        return _page(request, d, failed="opinion", form=form, status=status_of(err))
    return _done(request, d, _("Đã ghi ý kiến xử lý."))


@login_required
@require_POST
def incoming_complete(request: HttpRequest, public_id: str) -> HttpResponse:
    d = _get(request, public_id)
    actor = actor_of(request)
    form = CompleteForm(request.POST, replies=_replies(actor))
    if not form.is_valid():
        return _page(request, d, failed="complete", form=form, status=400)
    reply_id = form.cleaned_data["reply"]
    try:
        reply = (
            selectors.outgoing_list_for(actor=actor).get(public_id=reply_id) if reply_id else None
        )
        services.incoming_complete(
            actor=actor, document=d, result=form.cleaned_data["result"], reply=reply
        )
    except DomainError as err:
        apply_errors(form, err)
        return _page(request, d, failed="complete", form=form, status=status_of(err))
    return _done(request, d, _("Đã kết thúc xử lý văn bản."))
