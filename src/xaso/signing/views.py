"""Kiểm tra chữ ký số (public, no login): anyone uploads a signed PDF and sees whether it is
validly signed, by whom, when, and whether it was changed after signing. The file is read in
memory and never stored. Limited per client address with the public lookup's limiter
(``XASO_PUBLIC_LOOKUP_RATE`` a minute, one budget shared with the dossier lookup)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from xaso.core.errors import DomainError
from xaso.core.ratelimit import public_lookup_allowed as lookup_allowed

from . import conf
from .forms import VerifyForm
from .verify import upload_read, verify_pdf


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    context: dict[str, object] = {"max_mb": conf.verify_max_bytes() // (1024 * 1024)}
    if request.method != "POST":
        context["form"] = VerifyForm()
        return render(request, "signing/verify.html", context)
    form = VerifyForm(request.POST, request.FILES)
    context["form"] = form
    if not lookup_allowed(request):
        context["throttled"] = True
        return render(request, "signing/verify.html", context, status=429)
    if not form.is_valid():
        return render(request, "signing/verify.html", context, status=400)
    upload = form.cleaned_data["file"]
    try:
        result = verify_pdf(upload_read(upload))
    except DomainError as exc:
        form.add_error("file", exc.message)
        return render(request, "signing/verify.html", context, status=exc.status)
    context["result"] = result
    context["filename"] = upload.name
    return render(request, "signing/verify.html", context)
