"""Catalogue pages for officials: search, the counter sheet of one procedure, form templates,
export, and (for agency administrators) import."""

from __future__ import annotations

from django import forms as djforms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from xaso.core.errors import DomainError, NotFound
from xaso.org.models import Role, Staff

from . import display, exchange, permissions, selectors, services
from .models import ProcedureForm
from .records import CONFIRM_LABELS
from .services import CatalogueRejected

LIST_LIMIT = 200


class SearchForm(djforms.Form):
    q = djforms.CharField(label=gettext_lazy("Mã hoặc tên thủ tục"), required=False, max_length=200)


class FormUploadForm(djforms.Form):
    title = djforms.CharField(label=gettext_lazy("Tên mẫu đơn"), max_length=300)
    file = djforms.FileField(label=gettext_lazy("Tệp (PDF, DOC, DOCX)"))


class ImportForm(djforms.Form):
    file = djforms.FileField(label=gettext_lazy("Tệp danh mục (JSON hoặc Excel .xlsx)"))


def _get(code: str):  # type: ignore[no-untyped-def]
    try:
        return selectors.procedure_get(code)
    except NotFound:
        raise Http404 from None


@login_required
def procedure_list(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    rows = list(selectors.procedure_search(q, limit=LIST_LIMIT + 1))
    items = [
        {
            "p": p,
            "limit": display.limit_words(
                p.time_limit_kind, p.time_limit_value, p.time_limit_cutoff_hour
            ),
            "fee": display.fee_text(p),
        }
        for p in rows[:LIST_LIMIT]
    ]
    return render(
        request,
        "procedures/list.html",
        {
            "form": form,
            "items": items,
            "q": q,
            "more": len(rows) > LIST_LIMIT,
            "can_manage": permissions.can_manage_catalogue(request.user),
        },
    )


def _detail_context(
    request: HttpRequest, code: str, upload: FormUploadForm | None = None
) -> dict[str, object]:
    p = _get(code)
    versions = getattr(p, "current_versions", [])
    version = versions[0] if versions else None
    roles = dict(Role.choices)
    steps = [
        {"s": s, "role": roles.get(s.role, s.role)}
        for s in (version.steps.all() if version else [])
    ]
    return {
        "p": p,
        "limit": display.time_limit_text(p),
        "limit_as_written": display.time_limit_as_written(p),
        "fee": display.fee_text(p),
        "confirm": [CONFIRM_LABELS.get(k, k) for k in p.needs_confirmation],
        "missing": set(p.needs_confirmation),
        "version": version,
        "steps": steps,
        "counted_hours": sum(
            s.hours or 0 for s in (version.steps.all() if version else []) if s.counted
        ),
        "can_manage": permissions.can_manage_catalogue(request.user),
        "upload": upload or FormUploadForm(),
    }


@login_required
def procedure_detail(request: HttpRequest, code: str) -> HttpResponse:
    return render(request, "procedures/detail.html", _detail_context(request, code))


@login_required
@require_POST
def form_upload(request: HttpRequest, code: str) -> HttpResponse:
    actor: Staff = request.user  # type: ignore[assignment]
    if not permissions.can_manage_catalogue(actor):
        raise DjangoPermissionDenied
    upload = FormUploadForm(request.POST, request.FILES)
    if upload.is_valid():
        try:
            services.form_attach(
                actor=actor,
                procedure=_get(code),
                title=upload.cleaned_data["title"],
                upload=upload.cleaned_data["file"],
            )
        except DomainError as exc:
            upload.add_error("file", exc.message)
        else:
            return HttpResponseRedirect(reverse("procedures:detail", args=[code]))
    return render(
        request, "procedures/detail.html", _detail_context(request, code, upload), status=400
    )


@login_required
def form_download(request: HttpRequest, code: str, form_id: str) -> FileResponse:
    try:
        form = ProcedureForm.objects.get(public_id=form_id, procedure__code=code)
    except (ProcedureForm.DoesNotExist, ValueError, DjangoValidationError):
        raise Http404 from None
    extension = (form.file.name or "").rsplit(".", 1)[-1]
    return FileResponse(
        form.file.open("rb"),
        as_attachment=True,
        filename=f"{form.procedure.code}-{form.title}.{extension}",
        content_type=form.content_type,
    )


@login_required
def export_json(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        exchange.catalogue_json(), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="danh-muc-thu-tuc.json"'
    return response


@login_required
def export_xlsx(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        exchange.catalogue_xlsx(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="danh-muc-thu-tuc.xlsx"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def catalogue_import(request: HttpRequest) -> HttpResponse:
    actor: Staff = request.user  # type: ignore[assignment]
    if not permissions.can_manage_catalogue(actor):
        raise DjangoPermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, object] = {"form": form}
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            context["result"] = exchange.catalogue_import_file(
                form.cleaned_data["file"].read(), actor
            )
        except CatalogueRejected as exc:
            context["rejected"] = exc
            status = 400
    return render(request, "procedures/import.html", context, status=status)
