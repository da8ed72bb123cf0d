"""The "Liên thông" part of the dossier page (Decree 118/2025/NĐ-CP Art 18): the hand-overs of the
dossier to agencies of other levels with the statuses they reported, the form that sends it (to an
agency of the exchange directory), and — on a dossier received by liên thông — where it came from
and the form that sends the result back. The services (``dossiers.interlink``) decide; a refusal
shows its Vietnamese message on the page and changes nothing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from xaso.core.errors import DomainError, NotFound
from xaso.org.models import Staff

from .. import interlink
from ..interlink_models import InterlinkDirection, InterlinkOutcome
from ..models import Dossier
from .common import actor_of, apply_errors, login_required


class InterlinkSendForm(forms.Form):
    to = forms.ChoiceField(label=gettext_lazy("Cơ quan nhận hồ sơ"))
    note = forms.CharField(
        label=gettext_lazy("Ý kiến chuyển"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—"), *choices]


class InterlinkResultForm(forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("Kết quả"), choices=InterlinkOutcome.choices, initial="approved"
    )
    reason = forms.CharField(
        label=gettext_lazy("Lý do (bắt buộc khi từ chối)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    file = forms.FileField(label=gettext_lazy("Tệp kết quả (PDF, JPEG, PNG)"), required=False)


def _choices(dossier: Dossier) -> list[tuple[str, str]]:
    own = {dossier.competent_agency.code, dossier.receiving_agency.code}
    return [(c, label) for c, label in interlink.directory_choices() if c not in own]


def interlink_context(request: HttpRequest, actor: Staff, dossier: Dossier) -> dict[str, Any]:
    """What the dossier page shows of liên thông (empty when there is nothing to show)."""
    rows = interlink.interlinks_of(dossier)
    bound: dict[str, forms.Form] = getattr(request, "interlink_forms", {})
    incoming = next((r for r in rows if r.direction == InterlinkDirection.IN), None)
    send = None
    if interlink.can_send(actor, dossier):
        send = bound.get("send") or InterlinkSendForm(prefix="interlink", choices=_choices(dossier))
    result = None
    if incoming is not None and not incoming.result_message_id:
        result = bound.get("result") or InterlinkResultForm(prefix="result")
    return {
        "rows": [r for r in rows if r.direction == InterlinkDirection.OUT],
        "incoming": incoming,
        "send": send,
        "result": result,
        "shown": bool(rows or send),
    }


def _get(actor: Staff, code: str) -> Dossier:
    from .. import selectors

    try:
        return selectors.dossier_get_for(actor=actor, code=code)
    except NotFound:
        raise Http404 from None


def _again(
    request: HttpRequest, dossier: Dossier, name: str, form: forms.Form, error: str, status: int
) -> HttpResponse:
    from .detail import _page

    request.interlink_forms = {name: form}  # type: ignore[attr-defined]
    return _page(request, dossier, error=error, status=status)


@login_required
@require_POST
def send(request: HttpRequest, code: str) -> HttpResponse:
    """Chuyển liên thông from the dossier page."""
    actor = actor_of(request)
    dossier = _get(actor, code)
    form = InterlinkSendForm(request.POST, prefix="interlink", choices=_choices(dossier))
    if not form.is_valid():
        return _again(request, dossier, "send", form, _("Chọn cơ quan nhận hồ sơ."), 400)
    try:
        row = interlink.dossier_interlink_send(
            dossier=dossier,
            to_code=form.cleaned_data["to"],
            note=form.cleaned_data["note"],
            actor=actor,
        )
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        apply_errors(form, exc)
        return _again(request, dossier, "send", form, exc.message, exc.status)
    messages.success(
        request,
        _("Đã chuyển hồ sơ liên thông tới %(agency)s.") % {"agency": row.peer_name},
    )
    return HttpResponseRedirect(reverse("dossiers:detail", args=[code]))


@login_required
@require_POST
def result(request: HttpRequest, code: str) -> HttpResponse:
    """Gửi kết quả liên thông from the page of a dossier received by liên thông."""
    actor = actor_of(request)
    dossier = _get(actor, code)
    form = InterlinkResultForm(request.POST, request.FILES, prefix="result")
    if not form.is_valid():
        return _again(request, dossier, "result", form, _("Kiểm tra lại kết quả."), 400)
    try:
        row = interlink.dossier_interlink_reply(
            dossier=dossier,
            outcome=form.cleaned_data["outcome"],
            reason=form.cleaned_data["reason"],
            upload=form.cleaned_data["file"],
            actor=actor,
        )
    except NotFound as exc:
        if isinstance(exc, interlink.InterlinkNotIncoming):
            return _again(request, dossier, "result", form, exc.message, exc.status)
        raise Http404 from None
    except DomainError as exc:
        apply_errors(form, exc)
        return _again(request, dossier, "result", form, exc.message, exc.status)
    messages.success(
        request,
        _("Đã gửi kết quả giải quyết về %(agency)s.") % {"agency": row.peer_name},
    )
    return HttpResponseRedirect(reverse("dossiers:detail", args=[code]))
