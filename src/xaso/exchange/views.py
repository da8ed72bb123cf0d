"""Liên thông văn bản for an agency's administrators: the nodes and the directory of agencies on
other nodes, the agency's outbox (undelivered first, with the last error and a resend button)
and its inbox."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from xaso.core.errors import DomainError
from xaso.org.models import Staff

from . import permissions, selectors, services


def _actor(request: HttpRequest) -> Staff:
    actor: Staff = request.user  # type: ignore[assignment]
    if not permissions.can_view(actor):
        raise Http404
    return actor


@login_required
def home(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    return render(
        request,
        "exchange/home.html",
        {
            "agency": actor.agency,
            "nodes": list(selectors.node_list()),
            "remote_agencies": list(selectors.remote_agency_list()),
            "undelivered": list(selectors.outbox_undelivered_for(actor=actor)),
            "delivered": list(selectors.outbox_recent_for(actor=actor)),
            "inbox": list(selectors.inbox_recent_for(actor=actor)),
        },
    )


@login_required
@require_http_methods(["POST"])
def retry(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = _actor(request)
    outbox = selectors.outbox_get_for(actor=actor, public_id=public_id)
    try:
        permissions.require_retry(actor, outbox)
        services.outbox_retry(outbox=outbox, actor=actor)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Đã gửi lại gói tin tới %(code)s.") % {"code": outbox.recipient_code},
        )
    return redirect("exchange:home")
