"""Tiếp nhận hồ sơ tại quầy (Decree 118/2025 Art 17): one screen, keyboard first. The personal
ID comes first and prefills the applicant's last known details (an audited read); the procedure
is found by code or name without tone marks; its documents are ticked with their counts; the
scans go with the dossier in the same transaction, so a refused scan leaves nothing written."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from xaso.core.errors import DomainError, NotFound
from xaso.org.models import Agency
from xaso.people.selectors import person_find_by_personal_id
from xaso.procedures.models import Procedure
from xaso.procedures.selectors import procedure_get, procedure_search

from .. import permissions, selectors, services
from ..forms import IntakeForm
from ..services.attachments import attachment_check
from .common import actor_of, apply_errors, login_required, require

SUGGESTIONS = 8
#: The service's field names → the form's.
ALIASES = {"agency": "competent_agency", "file": "scans", "checklist": "__all__"}


def _procedure(text: str) -> Procedure | None:
    """The procedure named by ``text``: its exact code, or the only one its words find."""
    text = text.strip()
    if not text:
        return None
    try:
        return procedure_get(text)
    except NotFound:
        pass
    found = list(procedure_search(text, limit=2))
    return procedure_get(found[0].code) if len(found) == 1 else None


def _documents(procedure: Procedure | None, data: Any = None) -> list[dict[str, Any]]:
    """The rows of the checklist, as posted (after a refusal) or as the catalogue counts them."""
    if procedure is None:
        return []
    ticked = set(data.getlist("doc")) if data is not None else set()
    rows = []
    for doc in procedure.documents.all():
        key = str(doc.order)
        rows.append(
            {
                "doc": doc,
                "ticked": key in ticked,
                "originals": data.get(f"orig-{key}", doc.count_original)
                if data is not None
                else doc.count_original,
                "copies": data.get(f"copy-{key}", doc.count_copy)
                if data is not None
                else doc.count_copy,
            }
        )
    return rows


def _agencies(own: Agency) -> list[Agency]:
    """Agencies a dossier may be received for (the service refuses those of another province)."""
    return list(
        Agency.objects.filter(is_active=True)
        .exclude(pk=own.pk)
        .order_by("name")
        .only("code", "name")[:500]
    )


def _page(request: HttpRequest, form: IntakeForm, status: int = 200) -> HttpResponse:
    actor = actor_of(request)
    text = form.data.get("procedure", "").strip() if form.is_bound else ""
    procedure = _procedure(text) if text else None
    suggestions = list(procedure_search(text, limit=SUGGESTIONS)) if text and not procedure else []
    return render(
        request,
        "dossiers/intake.html",
        {
            "form": form,
            "procedure": procedure,
            "documents": _documents(procedure, form.data if form.is_bound else None),
            "agencies": _agencies(actor.agency),
            "suggestions": suggestions,
        },
        status=status,
    )


def _receive(request: HttpRequest, form: IntakeForm) -> str:
    """Receive and attach in one transaction; returns the dossier code."""
    actor = actor_of(request)
    data = form.cleaned_data
    procedure = _procedure(data["procedure"])
    if procedure is None:
        many = list(procedure_search(data["procedure"], limit=2))
        message = (
            _("Có nhiều thủ tục khớp với “%(q)s”: chọn một thủ tục trong danh sách.")
            if many
            else _("Không tìm thấy thủ tục “%(q)s” trong danh mục.")
        ) % {"q": data["procedure"]}
        form.add_error("procedure", message)
        raise forms.ValidationError(message)
    competent = (
        selectors.agency_for_transfer(code=data["competent_agency"].strip())
        if data["competent_agency"].strip()
        else None
    )
    for upload in data["scans"]:
        attachment_check(upload)
    with transaction.atomic():
        dossier = services.dossier_receive(
            actor=actor,
            procedure_code=procedure.code,
            channel=data["channel"],
            applicant=form.applicant(),
            checklist=form.checklist(),
            competent_agency=competent,
            note=data["note"],
        )
        for upload in data["scans"]:
            services.dossier_attach(actor=actor, dossier=dossier, upload=upload, title=upload.name)
    return dossier.code


@login_required
@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    require(permissions.can_receive(actor))
    if request.method == "GET":
        return _page(request, IntakeForm())
    form = IntakeForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        code = _receive(request, form)
    except forms.ValidationError as exc:
        if not form.errors:
            form.add_error(None, exc)
        return _page(request, form, status=400)
    except DomainError as exc:
        apply_errors(form, exc, ALIASES)
        return _page(request, form, status=exc.status)
    messages.success(request, _("Đã tiếp nhận hồ sơ %(code)s.") % {"code": code})
    return HttpResponseRedirect(reverse("dossiers:detail", args=[code]))


@login_required
@require_GET
def applicant_lookup(request: HttpRequest) -> HttpResponse:
    """htmx: the applicant's last known details for the personal ID typed (``person.read``)."""
    actor = actor_of(request)
    require(permissions.can_receive(actor))
    number = (request.GET.get("personal_id") or "").strip()
    context: dict[str, Any] = {"number": number}
    if number:
        try:
            person = person_find_by_personal_id(actor=actor, personal_id=number)
        except NotFound:
            context["unknown"] = True
        except DomainError as exc:
            context["error"] = exc.message
        else:
            context["person"] = person
            context["form"] = IntakeForm(
                initial={
                    "full_name": person.full_name,
                    "date_of_birth": person.date_of_birth,
                    "sex": person.sex,
                    "phone": person.phone,
                    "email": person.email,
                    "address": person.address,
                }
            )
    return render(request, "dossiers/_applicant.html", context)


@login_required
@require_GET
def procedure_suggest(request: HttpRequest) -> HttpResponse:
    """htmx: procedures whose code or name matches what is typed, tone marks ignored."""
    require(permissions.can_receive(actor_of(request)))
    q = (request.GET.get("procedure") or "").strip()
    found = list(procedure_search(q, limit=SUGGESTIONS)) if q else []
    return render(request, "dossiers/_suggestions.html", {"q": q, "found": found})


@login_required
@require_GET
def checklist(request: HttpRequest) -> HttpResponse:
    """htmx: the required documents of the chosen procedure, with their counts to tick."""
    require(permissions.can_receive(actor_of(request)))
    procedure = _procedure(request.GET.get("procedure") or "")
    return render(
        request,
        "dossiers/_checklist.html",
        {"procedure": procedure, "documents": _documents(procedure), "oob": True},
    )
