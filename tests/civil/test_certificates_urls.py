"""A URL configuration for the certificate tests: the project's, plus the certificates' router
(under /api/v1/civil) and pages (under /civil/certificates/) until the project's own ``api.py``
and ``urls.py`` mount them — then it adds nothing."""

from __future__ import annotations

from typing import Any

from django.urls import include, path
from ninja import NinjaAPI

import xaso.urls
from xaso import api as main_api
from xaso.civil.api_certificates import router


def _mounted_namespaces() -> set[str]:
    return {getattr(p, "namespace", None) for p in xaso.urls.urlpatterns} - {None}


_extra: list[Any] = []
if not any(r is router for _prefix, r in main_api.api._routers):
    _api = NinjaAPI(
        title="certificates (tests)",
        urls_namespace="api-v1-certificates-tests",
        auth=main_api.BearerAuth(),
        openapi_url=None,
        docs_url=None,
    )
    for exc, handler in main_api.api._exception_handlers.items():
        _api.add_exception_handler(exc, handler)
    _api.add_router("/civil", router)
    _extra.append(path("api/v1/", _api.urls))
if "civil_certificates" not in _mounted_namespaces():
    _extra.append(path("civil/certificates/", include("xaso.civil.certificate_urls")))

urlpatterns = [*_extra, *xaso.urls.urlpatterns]
URLS = "tests.civil.test_certificates_urls"
