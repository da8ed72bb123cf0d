from __future__ import annotations

import math
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
    Pages warn a minute before and leave for the login screen when the time is up (``idle.js``,
    with a ``<noscript>`` meta refresh), so the screen does not keep showing personal data.
    ``request.idle_remaining`` tells the page how long the server will still wait: the session
    is written at most once a minute, so that can be less than the full timeout."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith("/api/"):
            now = time.time()
            last = request.session.get("last_seen")
            timeout = settings.XASO_IDLE_TIMEOUT_SECONDS
            if last is not None and now - float(last) >= timeout:
                audit_record(actor=user, action="auth.logout", obj=user, changes={"reason": "idle"})
                logout(request)
                url = reverse("accounts:login") + "?" + urlencode({"idle": "1"})
                if request.headers.get("HX-Request"):
                    resp = HttpResponse(status=204)
                    resp["HX-Redirect"] = url
                    return resp
                return HttpResponseRedirect(url)
            if last is None or now - float(last) >= min(_TOUCH_EVERY, max(timeout / 2, 1)):
                request.session["last_seen"] = last = now
            remaining = max(0, math.ceil(timeout - (now - float(last))))
            request.idle_remaining = remaining  # type: ignore[attr-defined]
            response = self.get_response(request)
            if request.headers.get("HX-Request"):
                response["X-Idle-Remaining"] = str(remaining)
            return response
        return self.get_response(request)
