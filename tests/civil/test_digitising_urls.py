"""A URL configuration for the digitising tests: the project's, plus the digitising router (under
/api/v1/civil) and pages (under /civil/digitising/) until the project's own ``api.py`` and
``urls.py`` mount them — then it adds nothing."""

from __future__ import annotations

from typing import Any

from django.urls import include, path
from ninja import NinjaAPI

import xaso.urls
from xaso import api as main_api
from xaso.civil.digitising.api import router


def _mounted_namespaces() -> set[str]:
    found: set[str] = set()
    pending: list[Any] = list(xaso.urls.urlpatterns)
    while pending:
        p = pending.pop()
        if getattr(p, "namespace", None):
            found.add(p.namespace)
        pending.extend(getattr(p, "url_patterns", []) if hasattr(p, "url_patterns") else [])
    return found


_extra: list[Any] = []
if not any(r is router for _prefix, r in main_api.api._routers):
    _api = NinjaAPI(
        title="digitising (tests)",
        urls_namespace="api-v1-digitising-tests",
        auth=main_api.BearerAuth(),
        openapi_url=None,
        docs_url=None,
    )
    for exc, handler in main_api.api._exception_handlers.items():
        _api.add_exception_handler(exc, handler)
    _api.add_router("/civil", router)
    _extra.append(path("api/v1/", _api.urls))
if "civil_digitising" not in _mounted_namespaces():
    _extra.append(path("civil/digitising/", include("xaso.civil.digitising.urls")))

urlpatterns = [*_extra, *xaso.urls.urlpatterns]
URLS = "tests.civil.test_digitising_urls"
