from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from xaso.core.audit import audit_record

# Writing the session on every request would cost a write per page; a minute of slack is enough.
_TOUCH_EVERY = 60


class IdleLogoutMiddleware:
    """Logs out a signed-in official after ``XASO_IDLE_TIMEOUT_MINUTES`` without a request
    (audited as ``auth.logout`` with the reason ``idle``).

    Officials share one PC; whoever walks away must not leave their session to the next person.
    The page also reloads itself when the time is up (a meta refresh, no JavaScript needed), so
    the screen does not keep showing personal data after the logout."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith("/api/"):
            now = int(time.time())
            last = request.session.get("last_seen")
            timeout = settings.XASO_IDLE_TIMEOUT_SECONDS
            if last is not None and now - int(last) >= timeout:
                audit_record(actor=user, action="auth.logout", obj=user, changes={"reason": "idle"})
                logout(request)
                url = reverse("accounts:login") + "?" + urlencode({"idle": "1"})
                if request.headers.get("HX-Request"):
                    resp = HttpResponse(status=204)
                    resp["HX-Redirect"] = url
                    return resp
                return HttpResponseRedirect(url)
            if last is None or now - int(last) >= min(_TOUCH_EVERY, max(timeout // 2, 1)):
                request.session["last_seen"] = now
        return self.get_response(request)
