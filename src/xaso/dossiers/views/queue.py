"""Danh sách hồ sơ: the work queue of an official, soonest due first, coloured by how close the
appointment is, with filters, search and keyset pages (the query costs the same on page 1 and
page 20 000)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from xaso.core.errors import DomainError
from xaso.core.pagecache import cached_page

from .. import permissions, selectors
from ..forms import QueueForm
from .common import (
    actor_of,
    apply_errors,
    due_class,
    login_required,
    next_due,
    querystring,
    require,
)

PAGE_SIZE = selectors.PAGE_SIZE
#: Whose queue opens on "my dossiers" by default: those who work on what is handed to them.
MINE_FIRST = frozenset({"specialist"})


def _queue_scopes(request: HttpRequest) -> tuple[str, ...]:
    """What a queue page shows: the agency's dossiers, their applicants and procedures, and the
    official's own agency and roles (core.pagecache)."""
    return ("org", "people", "catalogue", f"dossiers:{actor_of(request).agency_id}")


@login_required
@require_GET
@cached_page(scopes=_queue_scopes)
def queue(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    require(permissions.can_list(actor))
    data = request.GET.copy()
    if "mine" not in data:
        data["mine"] = "1" if set(actor.role_codes) <= MINE_FIRST else "0"
    form = QueueForm(data)
    items: list[Any] = []
    next_url = None
    status = 200
    if form.is_valid():
        f = form.cleaned_data
        try:
            page = selectors.dossier_page_for(
                actor=actor,
                limit=PAGE_SIZE,
                q=f["q"] or None,
                procedure=f["procedure"].strip() or None,
                status=f["status"] or None,
                channel=f["channel"] or None,
                overdue={"1": True, "0": False}.get(f["overdue"]),
                assignee=actor if f["mine"] == "1" else None,
                after=f["after"] or None,
            )
        except DomainError as exc:
            apply_errors(form, exc)
            status = exc.status
        else:
            now = timezone.now()
            items = [{"d": d, "due": due_class(d, now)} for d in page.items]
            # The colours hold until the next of these dossiers falls due.
            request.page_valid_until = next_due(page.items, now)  # type: ignore[attr-defined]
            if page.next_cursor:
                next_url = "?" + querystring({**f, "after": page.next_cursor})
    else:
        status = 400
    filters = {k: v for k, v in (form.cleaned_data if form.is_valid() else {}).items()}
    first_url = "?" + querystring({**filters, "after": ""}) if filters.get("after") else None
    return render(
        request,
        "dossiers/queue.html",
        {
            "form": form,
            "items": items,
            "next_url": next_url,
            "first_url": first_url,
            "can_receive": permissions.can_receive(actor),
        },
        status=status,
    )
