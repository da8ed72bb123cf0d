from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def session(request: HttpRequest) -> dict[str, Any]:
    timeout = settings.XASO_IDLE_TIMEOUT_SECONDS
    return {
        # Each language in its own name ("English" even on a Vietnamese page).
        "ui_languages": settings.LANGUAGES,
        "idle_timeout_seconds": timeout,
        "idle_remaining_seconds": getattr(request, "idle_remaining", timeout),
    }
