from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from xaso.core.pagecache import page_marks


def session(request: HttpRequest) -> dict[str, Any]:
    timeout = settings.XASO_IDLE_TIMEOUT_SECONDS
    remaining = getattr(request, "idle_remaining", timeout)
    context = {
        # Each language in its own name ("English" even on a Vietnamese page).
        "ui_languages": settings.LANGUAGES,
        "idle_timeout_seconds": timeout,
        "idle_remaining_seconds": remaining,
        "idle_refresh_seconds": remaining + 5,
    }
    marks = page_marks(request)
    if marks is not None:  # rendering a page to keep (core.pagecache): per-request values later
        context |= {
            "csrf_token": marks["csrf_token"],
            "idle_remaining_seconds": marks["idle"],
            "idle_refresh_seconds": marks["refresh"],
        }
    return context
