from __future__ import annotations

import unicodedata
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, QueryDict

from .context import RequestMeta, client_address, reset_request_meta, set_request_meta
from .text import nfc


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


def _nfc_querydict(data: QueryDict) -> QueryDict:
    copy = QueryDict(mutable=True)
    for key, values in data.lists():
        copy.setlist(nfc(key), [nfc(v) if isinstance(v, str) else v for v in values])
    copy._mutable = False
    return copy


def _has_non_ascii(data: QueryDict) -> bool:
    return any(not k.isascii() or any(not v.isascii() for v in vs) for k, vs in data.lists())


class NFCInputMiddleware:
    """Every text input is stored in Unicode NFC (vn-rules.md §9.1: macOS and some keyboards send
    decomposed Vietnamese). Query strings, form fields and JSON bodies are normalised once, here,
    so that services, searches, hashes and signatures all see one form."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "%" in request.META.get("QUERY_STRING", "") and _has_non_ascii(request.GET):
            request.GET = _nfc_querydict(request.GET)  # type: ignore[assignment]
        if request.method in {"POST", "PUT", "PATCH"}:
            if request.content_type == "application/json":
                body = request.body
                if not body.isascii():
                    try:
                        text = body.decode("utf-8")
                    except UnicodeDecodeError:
                        pass  # the API refuses it with its own error
                    else:
                        request._body = unicodedata.normalize("NFC", text).encode("utf-8")
            elif request.content_type in {
                "application/x-www-form-urlencoded",
                "multipart/form-data",
            } and _has_non_ascii(request.POST):
                request._post = _nfc_querydict(request.POST)  # type: ignore[attr-defined]
        return self.get_response(request)


class VietnameseFirstMiddleware:
    """The UI is Vietnamese unless the official picks English in the switcher (a cookie): an
    office PC whose browser prefers English must not turn the commune's screens into English."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
