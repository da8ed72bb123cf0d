"""The health probe and the audit browser (read only: there is no route that writes).

The browser is for agency administrators; to anyone else it does not exist (404, not 403)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from . import selectors
from .errors import NotFound


def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers: no template, no query."""
    return HttpResponse(b"ok", content_type="text/plain")


DATE_FORMATS = ["%d/%m/%Y"]
DATE_ERRORS = {"invalid": _("Ngày viết theo dạng dd/mm/yyyy, ví dụ 31/01/2026.")}


class AuditFilterForm(forms.Form):
    actor_username = forms.CharField(
        label=_("Người thực hiện (tên đăng nhập)"), required=False, max_length=150
    )
    action = forms.CharField(label=_("Thao tác"), required=False, max_length=64)
    object_type = forms.CharField(label=_("Loại đối tượng"), required=False, max_length=64)
    object_id = forms.CharField(label=_("Mã đối tượng"), required=False, max_length=128)
    date_from = forms.DateField(
        label=_("Từ ngày"),
        required=False,
        input_formats=DATE_FORMATS,
        error_messages=DATE_ERRORS,
        widget=forms.TextInput(attrs={"placeholder": "dd/mm/yyyy"}),
    )
    date_to = forms.DateField(
        label=_("Đến ngày"),
        required=False,
        input_formats=DATE_FORMATS,
        error_messages=DATE_ERRORS,
        widget=forms.TextInput(attrs={"placeholder": "dd/mm/yyyy"}),
    )
    client_address = forms.CharField(label=_("Địa chỉ máy"), required=False, max_length=64)
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    after = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("“Đến ngày” phải từ “Từ ngày” trở đi."))
        return data

    def filters(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k not in {"before", "after"}}


def _require_browser(request: HttpRequest) -> Any:
    if not selectors.audit_may_browse(request.user):
        raise Http404
    return request.user


@login_required
@require_safe
def audit_list(request: HttpRequest) -> HttpResponse:
    actor = _require_browser(request)
    form = AuditFilterForm(request.GET)
    page = None
    query = ""
    if form.is_valid():
        page = selectors.audit_page_for(
            actor,
            before=form.cleaned_data["before"],
            after=form.cleaned_data["after"],
            **form.filters(),
        )
        keep = request.GET.copy()
        for key in ("before", "after"):
            keep.pop(key, None)
        query = keep.urlencode()
    return render(request, "core/audit_list.html", {"form": form, "page": page, "query": query})


def _display(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("có") if value else _("không"))
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def change_rows(changes: Any) -> list[tuple[str, str, str]]:
    """``(field, old, new)`` rows. ``audit.diff`` writes ``{field: [old, new]}``; any other value
    is something recorded with the action (a reason, a count) and shows as new only."""
    if not isinstance(changes, dict):
        return [("", "—", _display(changes))]
    rows = []
    for field, value in sorted(changes.items()):
        if isinstance(value, list) and len(value) == 2:
            rows.append((field, _display(value[0]), _display(value[1])))
        else:
            rows.append((field, "—", _display(value)))
    return rows


@login_required
@require_safe
def audit_detail(request: HttpRequest, seq: int) -> HttpResponse:
    actor = _require_browser(request)
    try:
        entry = selectors.audit_get_for(actor, seq=seq)
    except NotFound:
        raise Http404 from None
    return render(
        request, "core/audit_detail.html", {"entry": entry, "rows": change_rows(entry.changes)}
    )
