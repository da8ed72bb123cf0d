"""/documents/ and /documents/outgoing/: the outgoing list, the draft form, and a document's page
with the actions its reader may take, its versions and comments, sending and the recipients'
statuses (refreshable with htmx)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xaso.core.errors import DomainError

from .. import permissions, selectors, services
from ..forms import ActionForm, CommentForm, ComposeForm, OutgoingForm, SendForm, VersionForm
from ..models import OutgoingDocument, OutgoingStatus
from ..services.files import read_upload
from ..services.outgoing import ACTION_LABELS, actions_allowed
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
def outgoing_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    require_reader(actor)
    qs, filters = filtered(
        request,
        selectors.outgoing_list_for(actor=actor),
        {"status": ("status", OutgoingStatus.values)},
    )
    listing = paginated(request, qs, filters)
    return render(
        request,
        "documents/outgoing_list.html",
        {
            "page": listing.page,
            "query": listing.query,
            **filters,
            "statuses": OutgoingStatus.choices,
            "can_draft": permissions.can_draft(actor),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def outgoing_new(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    if not permissions.can_draft(actor):
        raise DjangoPermissionDenied
    status = 200
    form = OutgoingForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                d = services.outgoing_create(
                    actor=actor,
                    doc_type=form.cleaned_data["doc_type"],
                    subject=form.cleaned_data["subject"],
                    file_data=read_upload(upload, size=upload.size),
                    file_name=upload.name or "",
                    urgency=form.cleaned_data["urgency"],
                    confidentiality=form.cleaned_data["confidentiality"],
                    cleared=form.cleaned_cleared(),
                    drafting_unit=form.cleaned_data["drafting_unit"],
                    recipients_text=form.cleaned_data["recipients_text"],
                    place=form.cleaned_data["place"],
                    copies=form.cleaned_data["copies"],
                )
            except DomainError as err:
                apply_errors(form, err)
                status = status_of(err)
            else:
                return done(request, "documents:outgoing", d.public_id, _("Đã lưu dự thảo."))
        else:
            status = 400
    return render(request, "documents/outgoing_new.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def outgoing_compose(request: HttpRequest) -> HttpResponse:
    """Soạn văn bản theo thể thức Nghị định 30: the fields of the layout, rendered to PDF."""
    actor = actor_of(request)
    if not permissions.can_draft(actor):
        raise DjangoPermissionDenied
    status = 200
    initial = {"place": actor.agency.unit.name, "signer_position": "", "copies": 1}
    form = ComposeForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                d = services.outgoing_compose(actor=actor, **form.values())  # type: ignore[arg-type]
            except DomainError as err:
                apply_errors(form, err)
                status = status_of(err)
            else:
                return done(request, "documents:outgoing", d.public_id, _("Đã lưu dự thảo."))
        else:
            status = 400
    return render(request, "documents/outgoing_compose.html", {"form": form}, status=status)


def _page(
    request: HttpRequest,
    d: OutgoingDocument,
    *,
    failed: str = "",
    form: forms.Form | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = actor_of(request)
    actions = [
        {
            "name": a,
            "label": ACTION_LABELS[a],
            "form": form if failed == a and form is not None else ActionForm(prefix=a),
        }
        for a in actions_allowed(actor, d)
    ]
    context: dict[str, Any] = {
        "d": d,
        "actions": actions,
        "failed": failed,
        "versions": d.versions.select_related("uploaded_by"),
        "comments": d.comments.select_related("author"),
        "recipients": selectors.recipients_of(d),
        "version_form": (form if failed == "version" else VersionForm())
        if d.status == OutgoingStatus.DRAFT and permissions.can_draft(actor)
        else None,
        "comment_form": (form if failed == "comment" else CommentForm())
        if d.status != OutgoingStatus.ISSUED
        else None,
        "send_form": (form if failed == "send" else SendForm())
        if d.status == OutgoingStatus.ISSUED
        and permissions.can_send(actor, d)
        and not d.is_restricted
        else None,
        "has_pdf": bool(d.signed_file) or any(v.is_pdf for v in d.versions.all()),
    }
    return render(request, "documents/outgoing_detail.html", context, status=status)


@login_required
@require_GET
def outgoing_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = actor_of(request)
    require_reader(actor)
    return _page(request, selectors.outgoing_get_for(actor=actor, public_id=str(public_id)))


@login_required
@require_GET
def outgoing_recipients(request: HttpRequest, public_id: str) -> HttpResponse:
    """The recipients' statuses alone (htmx refresh of the detail page's table)."""
    actor = actor_of(request)
    require_reader(actor)
    d = selectors.outgoing_get_for(actor=actor, public_id=str(public_id))
    return render(
        request, "documents/_recipients.html", {"d": d, "recipients": selectors.recipients_of(d)}
    )


def _done(request: HttpRequest, d: OutgoingDocument, message: str) -> HttpResponse:
    return done(request, "documents:outgoing", d.public_id, message)


@login_required
@require_POST
def outgoing_act(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    actor = actor_of(request)
    require_reader(actor)
    d = selectors.outgoing_get_for(actor=actor, public_id=str(public_id))
    form = ActionForm(request.POST, prefix=action)
    if not form.is_valid():
        return _page(request, d, failed=action, form=form, status=400)
    try:
        services.outgoing_act(
            actor=actor, document=d, action=action, comment=form.cleaned_data["comment"]
        )
    except DomainError as err:
        apply_errors(form, err)
        return _page(request, d, failed=action, form=form, status=status_of(err))
    label = ACTION_LABELS.get(action, action)
    return _done(request, d, _("Đã thực hiện: %(action)s.") % {"action": label})


@login_required
@require_POST
def outgoing_version(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = actor_of(request)
    require_reader(actor)
    d = selectors.outgoing_get_for(actor=actor, public_id=str(public_id))
    form = VersionForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, d, failed="version", form=form, status=400)
    upload = form.cleaned_data["file"]
    try:
        v = services.outgoing_add_version(
            actor=actor,
            document=d,
            file_data=read_upload(upload, size=upload.size),
            file_name=upload.name or "",
            comment=form.cleaned_data["comment"],
        )
    except DomainError as err:
        apply_errors(form, err)
        return _page(request, d, failed="version", form=form, status=status_of(err))
    return _done(request, d, _("Đã lưu phiên bản %(n)d.") % {"n": v.version})


@login_required
@require_POST
def outgoing_comment(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = actor_of(request)
    require_reader(actor)
    d = selectors.outgoing_get_for(actor=actor, public_id=str(public_id))
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _page(request, d, failed="comment", form=form, status=400)
    try:
        services.outgoing_comment(actor=actor, document=d, text=form.cleaned_data["text"])
    except DomainError as err:
        apply_errors(form, err)
        return _page(request, d, failed="comment", form=form, status=status_of(err))
    return _done(request, d, _("Đã ghi góp ý."))


@login_required
@require_POST
def outgoing_send(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = actor_of(request)
    require_reader(actor)
    d = selectors.outgoing_get_for(actor=actor, public_id=str(public_id))
    form = SendForm(request.POST)
    if not form.is_valid():
        return _page(request, d, failed="send", form=form, status=400)
    try:
        below = selectors.codes_below(agency=d.agency) if form.cleaned_data["all_below"] else []
        rows = services.document_send(document=d, recipients=form.codes(below), actor=actor)
    except DomainError as err:
        apply_errors(form, err)
        return _page(request, d, failed="send", form=form, status=status_of(err))
    return _done(request, d, _("Đã gửi văn bản cho %(n)d cơ quan.") % {"n": len(rows)})
