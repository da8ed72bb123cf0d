from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers: no template, no query."""
    return HttpResponse(b"ok", content_type="text/plain")
