from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .context import RequestMeta, client_address, reset_request_meta, set_request_meta


class RequestContextMiddleware:
    """Makes the client address available to services for the audit trail."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        channel = "api" if request.path.startswith("/api/") else "web"
        token = set_request_meta(
            RequestMeta(client_address=client_address(request), channel=channel)
        )
        try:
            return self.get_response(request)
        finally:
            reset_request_meta(token)
