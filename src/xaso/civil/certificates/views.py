"""Pages of the certificates (mounted by ``civil.certificate_urls``):

- ``verify/`` and ``verify/<code>/`` (public, no login): what the QR code printed on a document
  opens — the facts the document printed, whether its entry changed since, and a form to check
  that a file is exactly the one issued (SHA-256); the signature itself is checked on /verify/.
  Limited per client address with the public lookup's limiter (``XASO_PUBLIC_LOOKUP_RATE``).
- ``records/<id>/certificate.pdf`` (staff, POST with the CSRF token): issue a document from the
  record page of the civil status officer; the same service as the API.
"""

from __future__ import annotations

from uuid import UUID

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xaso.core.errors import DomainError
from xaso.dossiers.views.public import lookup_allowed
from xaso.org.models import Staff
from xaso.signing.verify import upload_read

from .. import selectors as civil_selectors
from . import selectors
from .models import DocumentKind, Medium
from .render import format_code
from .responses import pdf_response
from .services import certificate_issue

TEMPLATE = "civil/certificates/verify.html"


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Mã xác minh in trên giấy tờ"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_code(self) -> str:
        code = selectors.code_clean(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(
                _("Mã xác minh gồm 16 chữ và số, ví dụ 7K3M-Q9TP-2XWA-HR4D.")
            )
        return code


class FileForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp PDF cần đối chiếu"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
        error_messages={"required": _("Hãy chọn một tệp PDF.")},
    )


@require_GET
def verify_search(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.GET or None)
    if form.is_valid():
        return HttpResponseRedirect(
            reverse("civil_certificates:verify", args=[form.cleaned_data["code"]])
        )
    return render(request, TEMPLATE, {"form": form})


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, code: str) -> HttpResponse:
    context: dict[str, object] = {"form": CodeForm(initial={"code": code})}
    if not lookup_allowed(request):
        context["throttled"] = True
        return render(request, TEMPLATE, context, status=429)
    try:
        document = selectors.issued_get_public(code)
    except DomainError as exc:
        context["missing"] = exc.message
        return render(request, TEMPLATE, context, status=404)
    facts = selectors.issued_public_facts(document)
    file_form = FileForm(request.POST or None, request.FILES or None)
    context.update(
        {
            "f": facts,
            "code_printed": format_code(facts.code),
            "file_form": file_form,
            "verify_url": reverse("signing:verify"),
        }
    )
    if request.method == "POST":
        if not file_form.is_valid():
            return render(request, TEMPLATE, context, status=400)
        try:
            data = upload_read(file_form.cleaned_data["file"])
        except DomainError as exc:
            file_form.add_error("file", exc.message)
            return render(request, TEMPLATE, context, status=exc.status)
        context["matches"] = selectors.issued_matches(document, data)
        context["checked"] = True
    return render(request, TEMPLATE, context)


class IssueForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "")] + list(DocumentKind.choices), required=False)
    medium = forms.ChoiceField(choices=Medium.choices, initial=Medium.ELECTRONIC)
    signer = forms.CharField(max_length=150, required=False)


@login_required
@require_POST
def issue(request: HttpRequest, record_id: UUID) -> HttpResponse:
    """Issue a document from the record page (a form posting kind, medium and signer)."""
    actor: Staff = request.user  # type: ignore[assignment]
    form = IssueForm(request.POST)
    if not form.is_valid():
        return render(
            request, "civil/certificates/issue_error.html", {"errors": form.errors}, status=400
        )
    try:
        record = civil_selectors.record_get_for(actor=actor, public_id=record_id)
        signer = selectors.signer_get_for(actor=actor, username=form.cleaned_data["signer"])
        done = certificate_issue(
            actor=actor,
            record=record,
            kind=form.cleaned_data["kind"] or None,
            medium=form.cleaned_data["medium"],
            signer=signer,
        )
    except DomainError as exc:
        return render(
            request,
            "civil/certificates/issue_error.html",
            {"message": exc.message, "code": exc.code},
            status=exc.status,
        )
    return pdf_response(done.pdf, done.document)
