"""Trang hồ sơ: one dossier with its applicant (an audited read), appointment, documents, scans
and history (the control sheet's data), and the workflow actions this official may take now.
The actions offered come from the one transition table (``services.workflow.TRANSITIONS``);
each posts to the action's service, which decides again: a refusal shows its Vietnamese message
and changes nothing."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from xaso.core.audit import audit_record
from xaso.core.errors import DomainError, NotFound
from xaso.core.pagecache import cached_page
from xaso.org.models import Staff

from .. import permissions, selectors, services
from ..forms import ACTION_FORMS, AssignForm, AttachForm, SupplementForm
from ..models import FINAL, Dossier, DossierAttachment, Status
from ..services.attachments import ATTACH_ROLES
from ..services.workflow import ACTION_LABELS, ACTIONS, TRANSITIONS
from .common import actor_of, apply_errors, due_class, login_required, next_due
from .interlink import interlink_context

#: The order the actions are offered in: the usual path first, the exceptions last.
SHOWN_ORDER = (
    "assign",
    "forward",
    "request_supplement",
    "receive_supplement",
    "approve",
    "mark_ready",
    "return_result",
    "apologize",
    "transfer",
    "refuse",
    "withdraw",
)
#: Actions whose button is a warning (they end or move the dossier).
GRAVE = frozenset({"refuse", "withdraw", "transfer"})


def _get(actor: Staff, code: str) -> Dossier:
    try:
        return selectors.dossier_get_for(actor=actor, code=code)
    except NotFound:
        raise Http404 from None


def actions_for(actor: Staff, dossier: Dossier) -> list[str]:
    """The actions of the transition table open from the dossier's status to this official."""
    allowed = [
        action
        for action in ACTIONS
        if (rule := TRANSITIONS.get((dossier.status, action))) is not None
        and permissions.can_act(actor, dossier, roles=rule.roles, side=rule.side)
    ]
    rank = {a: i for i, a in enumerate(SHOWN_ORDER)}
    return sorted(allowed, key=lambda a: rank.get(a, len(rank)))


def _next_step_role(dossier: Dossier) -> str | None:
    current = dossier.current_step.order if dossier.current_step else 0
    for step in dossier.procedure_version.steps.order_by("order"):
        if step.counted and step.order > current:
            return step.role
    return None


def _assignees(dossier: Dossier) -> list[tuple[str, str]]:
    """Officials of the competent agency holding the next step's role (the service checks)."""
    role = _next_step_role(dossier)
    if role is None:
        return []
    staff = (
        Staff.objects.filter(
            agency_id=dossier.competent_agency_id, is_active=True, roles__role=role
        )
        .distinct()
        .order_by("full_name", "username")
    )
    return [(s.username, f"{s.full_name} ({s.username})") for s in staff]


def _form(action: str, dossier: Dossier, data: Any = None) -> forms.Form:
    cls = ACTION_FORMS[action]
    prefix = action
    if cls is AssignForm:
        return cls(data, prefix=prefix, assignees=_assignees(dossier))
    return cls(data, prefix=prefix)


def _documents(dossier: Dossier) -> list[tuple[str, str]]:
    """The printable documents the dossier's history has (the PDF endpoint refuses others):
    (address, label), the receipt first."""
    kinds = [("receipt", _("In giấy tiếp nhận và hẹn trả kết quả"))]
    if dossier.supplement_count:
        kinds.append(("supplement", _("Phiếu yêu cầu bổ sung hồ sơ")))
    if dossier.status == Status.REFUSED:
        kinds.append(("refusal", _("Phiếu từ chối giải quyết")))
    if dossier.apologized_at:
        kinds.append(("apology", _("Phiếu xin lỗi và hẹn lại")))
    if dossier.status == Status.WITHDRAWN:
        kinds.append(("stop", _("Thông báo dừng giải quyết")))
    kinds.append(("control_sheet", _("Phiếu kiểm soát quá trình giải quyết")))
    return [
        (f"/api/v1/dossiers/{dossier.code}/documents/{kind}.pdf", label) for kind, label in kinds
    ]


def _history(dossier: Dossier) -> list[dict[str, Any]]:
    """The events with, for each hand-over, whether it came after the previous step's deadline."""
    rows = []
    deadline = None
    for e in selectors.dossier_events(dossier):
        late = deadline is not None and e.at > deadline
        rows.append(
            {
                "e": e,
                "label": ACTION_LABELS.get(e.action, e.action),
                "to": Status(e.to_status).label if e.to_status else "",
                "late": late,
            }
        )
        deadline = e.step_due_at
    return rows


def _page(
    request: HttpRequest,
    dossier: Dossier,
    *,
    failed: tuple[str, forms.Form] | None = None,
    attach: AttachForm | None = None,
    error: str | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = actor_of(request)
    applicant = selectors.dossier_applicant_read(actor=actor, dossier=dossier)
    shown = actions_for(actor, dossier)
    forms_by_action = {a: _form(a, dossier) for a in shown}
    if failed is not None:
        forms_by_action[failed[0]] = failed[1]
    actions = [
        {"name": a, "label": ACTION_LABELS[a], "form": forms_by_action[a], "grave": a in GRAVE}
        for a in shown
    ]
    if failed is not None and failed[0] not in shown:
        error = error or _("Không thể thực hiện thao tác này.")
    can_attach = actor.has_role(*ATTACH_ROLES) and dossier.status not in FINAL
    return render(
        request,
        "dossiers/detail.html",
        {
            "d": dossier,
            "applicant": applicant,
            "due": due_class(dossier),
            "status_label": Status(dossier.status).label,
            "checklist": list(dossier.checklist.all()),
            "attachments": list(dossier.attachments.all()),
            "history": _history(dossier),
            "actions": actions,
            "failed": failed[0] if failed else None,
            "error": error,
            "attach": attach or (AttachForm() if can_attach else None),
            "documents": _documents(dossier),
            "interlink": interlink_context(request, actor, dossier),
            "public_url": f"{settings.XASO_PUBLIC_BASE_URL.rstrip('/')}/lookup/{dossier.code}/",
            "now": timezone.now(),
        },
        status=status,
    )


def _detail_scopes(request: HttpRequest, code: str) -> tuple[str, ...]:
    """What a dossier page shows: the dossier (history, checklist, scans), its applicant and
    procedure, and the official's agency and roles, which decide the actions (core.pagecache)."""
    return ("org", "people", "catalogue", f"dossier:{code}")


def _read_logged(request: HttpRequest, code: str) -> bool:
    """A kept page is served only while today's ``person.read`` of it is on record."""
    return selectors.dossier_read_logged_today(actor=actor_of(request), code=code)


@login_required
@require_GET
@cached_page(scopes=_detail_scopes, still_valid=_read_logged)
def detail(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _get(actor_of(request), code)
    request.page_valid_until = next_due([dossier], timezone.now())  # type: ignore[attr-defined]
    return _page(request, dossier)


def _run(actor: Staff, dossier: Dossier, action: str, form: forms.Form) -> Dossier:
    """Call the action's service with the form's fields."""
    f = form.cleaned_data
    if action in ("assign", "forward"):
        assignee = selectors.staff_for_assignment(dossier=dossier, username=f["assignee"])
        fn = services.dossier_assign if action == "assign" else services.dossier_forward
        return fn(actor=actor, dossier=dossier, assignee=assignee, note=f["note"])
    if isinstance(form, SupplementForm):
        return services.dossier_request_supplement(
            actor=actor, dossier=dossier, missing=form.items(), note=f["note"]
        )
    if action == "refuse":
        return services.dossier_refuse(actor=actor, dossier=dossier, reason=f["reason"])
    if action == "withdraw":
        return services.dossier_withdraw(actor=actor, dossier=dossier, reason=f["reason"])
    if action == "apologize":
        return services.dossier_apologize(
            actor=actor, dossier=dossier, new_due_at=f["new_due_at"], reason=f["reason"]
        )
    if action == "transfer":
        agency = selectors.agency_for_transfer(code=f["agency"].strip())
        return services.dossier_transfer(
            actor=actor, dossier=dossier, agency=agency, note=f["note"]
        )
    simple = {
        "receive_supplement": services.dossier_receive_supplement,
        "approve": services.dossier_approve,
        "mark_ready": services.dossier_mark_ready,
        "return_result": services.dossier_return_result,
    }
    return simple[action](actor=actor, dossier=dossier, note=f["note"])


@login_required
@require_POST
def act(request: HttpRequest, code: str, action: str) -> HttpResponse:
    actor = actor_of(request)
    dossier = _get(actor, code)
    if action not in ACTION_FORMS:
        raise Http404
    form = _form(action, dossier, request.POST)
    if not form.is_valid():
        return _page(request, dossier, failed=(action, form), status=400)
    try:
        _run(actor, dossier, action, form)
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        apply_errors(form, exc)
        return _page(request, dossier, failed=(action, form), error=exc.message, status=exc.status)
    messages.success(
        request,
        _("Đã thực hiện: %(action)s.") % {"action": ACTION_LABELS[action]},
    )
    return HttpResponseRedirect(reverse("dossiers:detail", args=[code]))


@login_required
@require_POST
def attach(request: HttpRequest, code: str) -> HttpResponse:
    actor = actor_of(request)
    dossier = _get(actor, code)
    form = AttachForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            with transaction.atomic():
                services.dossier_attach(
                    actor=actor,
                    dossier=dossier,
                    upload=upload,
                    title=form.cleaned_data["title"] or upload.name,
                )
        except DomainError as exc:
            apply_errors(form, exc)
            return _page(request, dossier, attach=form, status=exc.status)
        messages.success(request, _("Đã đính kèm bản quét."))
        return HttpResponseRedirect(reverse("dossiers:detail", args=[code]))
    return _page(request, dossier, attach=form, status=400)


@login_required
@require_GET
def attachment(request: HttpRequest, code: str, public_id: uuid.UUID) -> FileResponse:
    """A scan of the dossier; opening it is a read of personal data, audited like one."""
    actor = actor_of(request)
    dossier = _get(actor, code)
    try:
        item = DossierAttachment.objects.get(dossier=dossier, public_id=public_id)
    except DossierAttachment.DoesNotExist:
        raise Http404 from None
    audit_record(
        actor=actor,
        action="dossier.attachment_read",
        obj=item,
        changes={"dossier": dossier.code},
    )
    return FileResponse(item.file.open("rb"), content_type=item.content_type)
