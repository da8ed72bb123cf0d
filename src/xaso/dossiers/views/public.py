"""Tra cứu hồ sơ (vn-rules.md §1.11): anyone with the code, or the QR of the receipt, sees the
procedure, the status, the received and due times and what is missing — never who applied. No
login; limited per client address so the guessable codes cannot be walked."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from xaso.core.context import client_address
from xaso.core.errors import NotFound

from .. import selectors
from ..forms import LookupForm

#: Lookups per client address per minute; the JSON lookup reads the same setting.
LOOKUP_RATE = 30


def lookup_allowed(request: HttpRequest) -> bool:
    """Count this lookup in a fixed one-minute window of the shared cache; False past the rate
    (``XASO_PUBLIC_LOOKUP_RATE``, default 30)."""
    rate = getattr(settings, "XASO_PUBLIC_LOOKUP_RATE", LOOKUP_RATE)
    key = f"dossiers:lookup-page:{client_address(request)}:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=70)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=70)
        count = 1
    return count <= rate


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
