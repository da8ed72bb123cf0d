"""The internal procedure's versions page (/procedures/<code>/versions/): every version with the
dossiers received under it, and for agency administrators the draft of the next version —
save, publish, discard. Thin: the forms check the shape of the input, ``services`` the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from xaso.core.errors import DomainError, NotFound
from xaso.org.models import Role, Staff

from . import permissions, selectors, services
from .models import Procedure, ProcedureVersion
from .steps import STEP_ROLES

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
ACTIONS = ("save", "publish", "discard")


class VersionForm(forms.Form):
    basis = forms.CharField(
        label=gettext_lazy("Quyết định ban hành"), max_length=300, required=False
    )
    valid_from = forms.DateField(
        label=gettext_lazy("Áp dụng từ ngày (dd/mm/yyyy)"),
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(format="%d/%m/%Y"),
    )


class StepForm(forms.Form):
    order = forms.IntegerField(label=gettext_lazy("Bước"), min_value=1, required=False)
    name = forms.CharField(label=gettext_lazy("Công việc"), max_length=300, required=False)
    role = forms.ChoiceField(
        label=gettext_lazy("Vai trò"),
        choices=[("", "—")] + [(str(r), Role(r).label) for r in STEP_ROLES],
        required=False,
    )
    hours = forms.IntegerField(
        label=gettext_lazy("Số giờ làm việc"), min_value=0, max_value=9999, required=False
    )
    counted = forms.BooleanField(label=gettext_lazy("Tính vào thời hạn"), required=False)

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not (data.get("name") or "").strip() and not data.get("role")


StepFormSet = forms.formset_factory(StepForm, extra=2, max_num=40, validate_max=True)


def _procedure(code: str) -> Procedure:
    try:
        return selectors.procedure_get(code)
    except NotFound:
        raise Http404 from None


def _initial(version: ProcedureVersion | None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    if version is None:
        return {}, []
    steps = [
        {"order": s.order, "name": s.name, "role": s.role, "hours": s.hours, "counted": s.counted}
        for s in version.steps.all()
    ]
    return {"basis": version.basis, "valid_from": version.valid_from}, steps


def _steps(formset: Any) -> list[tuple[str, str, int | None, bool]]:
    """The filled rows in the order of their step numbers (rows without one keep their place)."""
    rows = [
        (f.cleaned_data.get("order") or i + 1, i, f.cleaned_data)
        for i, f in enumerate(formset.forms)
        if f.cleaned_data and not f.is_blank()
    ]
    return [
        (d.get("name") or "", d.get("role") or "", d.get("hours"), bool(d.get("counted")))
        for _order, _i, d in sorted(rows, key=lambda r: (r[0], r[1]))
    ]


def _page(
    request: HttpRequest,
    p: Procedure,
    *,
    form: VersionForm | None = None,
    formset: Any = None,
    error: DomainError | None = None,
    status: int = 200,
) -> HttpResponse:
    versions = list(selectors.version_list_for(p))
    draft = next((v for v in versions if v.status == "draft"), None)
    can_manage = permissions.can_manage_catalogue(request.user)
    if can_manage and form is None:
        # A new draft starts as a copy of the current version.
        base = draft or next((v for v in versions if v.is_current), None)
        initial, steps = _initial(base)
        form = VersionForm(initial=initial)
        formset = StepFormSet(initial=steps, prefix="steps")
    roles = dict(Role.choices)
    return render(
        request,
        "procedures/versions.html",
        {
            "p": p,
            "versions": [
                {
                    "v": v,
                    "steps": [{"s": s, "role": roles.get(s.role, s.role)} for s in v.steps.all()],
                    "hours": sum(s.hours or 0 for s in v.steps.all() if s.counted),
                }
                for v in versions
            ],
            "draft": draft,
            "can_manage": can_manage,
            "form": form,
            "formset": formset,
            "error": error,
            "limit_hours": p.time_limit_hours,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def versions(request: HttpRequest, code: str) -> HttpResponse:
    p = _procedure(code)
    if request.method == "GET":
        return _page(request, p)
    actor: Staff = request.user  # type: ignore[assignment]
    if not permissions.can_manage_catalogue(actor):
        raise DjangoPermissionDenied
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        return HttpResponse(_("Thao tác không hợp lệ."), status=400)
    if action == "discard":
        try:
            services.version_draft_discard(actor=actor, procedure=p)
        except DomainError as exc:
            return _page(request, p, error=exc, status=exc.status)
        messages.success(request, _("Đã bỏ bản nháp quy trình nội bộ."))
        return HttpResponseRedirect(reverse("procedures:versions", args=[p.code]))
    form = VersionForm(request.POST)
    formset = StepFormSet(request.POST, prefix="steps")
    if not (form.is_valid() and formset.is_valid()):
        return _page(request, p, form=form, formset=formset, status=400)
    try:
        services.version_draft_save(
            actor=actor,
            procedure=p,
            valid_from=form.cleaned_data["valid_from"],
            basis=form.cleaned_data["basis"],
            steps=_steps(formset),
        )
        if action == "publish":
            version = services.version_draft_publish(actor=actor, procedure=p)
    except DomainError as exc:
        return _page(request, p, form=form, formset=formset, error=exc, status=exc.status)
    if action == "save":
        messages.success(request, _("Đã lưu bản nháp quy trình nội bộ."))
        return HttpResponseRedirect(reverse("procedures:versions", args=[p.code]))
    messages.success(
        request,
        _(
            "Đã ban hành quy trình nội bộ phiên bản %(n)s; hồ sơ tiếp nhận từ nay "
            "theo phiên bản này."
        )
        % {"n": version.number},
    )
    return HttpResponseRedirect(reverse("procedures:detail", args=[p.code]))
