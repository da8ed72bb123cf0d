"""Tra cứu hồ sơ (vn-rules.md §1.11): anyone with the code, or the QR of the receipt, sees the
procedure, the status, the received and due times and what is missing — never who applied. No
login; limited per client address so the guessable codes cannot be walked."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from xaso.core.errors import NotFound
from xaso.core.ratelimit import public_lookup_allowed

from .. import selectors
from ..forms import LookupForm

# Shared with the JSON lookup and the public verifications (one budget per address).
lookup_allowed = public_lookup_allowed


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    form = LookupForm(request.GET or None)
    if form.is_valid():
        code = form.cleaned_data["code"].strip()
        return HttpResponseRedirect(reverse("lookup:status", args=[code]))
    return render(request, "dossiers/lookup.html", {"form": form})


@require_GET
def status(request: HttpRequest, code: str) -> HttpResponse:
    form = LookupForm(initial={"code": code})
    if not lookup_allowed(request):
        return render(
            request, "dossiers/lookup.html", {"form": form, "throttled": True}, status=429
        )
    try:
        found = selectors.dossier_public_status(code)
    except NotFound:
        return render(request, "dossiers/lookup.html", {"form": form, "missing": code}, status=404)
    return render(request, "dossiers/lookup.html", {"form": form, "s": found})
