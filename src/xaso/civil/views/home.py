"""Trang hộ tịch: the civil status officer's and the leader's home (the year's books with their
counts, the registrations to start, the one-stop dossiers waiting for their entry, the latest
entries, the search box), and the search page (results refreshed by htmx as one types; a plain
form without JavaScript)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from xaso.core.errors import DomainError

from .. import onestop, permissions, selectors
from ..books_export import variant_label
from ..current import record_current
from ..forms import SearchForm
from ..models import PARENT_ROLES, SUBJECT_ROLES, Event
from .common import login_required, querystring, require_reader
from .registrations import spec_groups

RECENT = 10
#: Results per page of the search.
SEARCH_PAGE = 50


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    actor = require_reader(request)
    today = timezone.localdate()
    year_text = request.GET.get("year") or ""
    year = int(year_text) if year_text.isdigit() and len(year_text) == 4 else today.year
    books = {b.event: b for b in selectors.book_list_for(actor=actor, year=year)}
    years = sorted(
        {today.year, *selectors.book_list_for(actor=actor).values_list("year", flat=True)},
        reverse=True,
    )
    recent_rows = (
        selectors.record_list_for(actor=actor)
        .select_related("book")
        .prefetch_related(*selectors.RECORD_PREFETCH)
        .order_by("-registered_on", "-pk")[:RECENT]
    )
    recent = []
    for r in recent_rows:
        now = record_current(r)
        subjects = [v for role, v in now.parties.items() if role in SUBJECT_ROLES]
        recent.append(
            {"r": r, "kind": variant_label(r), "names": ", ".join(v.full_name for v in subjects)}
        )
    can_register = permissions.can_register(actor)
    context = {
        "year": year,
        "years": years,
        "events": [(value, label, books.get(value)) for value, label in Event.choices],
        "total": sum(b.last_number for b in books.values()),
        "groups": spec_groups() if can_register else [],
        "search": SearchForm(),
        "awaiting": [
            {"d": d, "url": onestop.registration_url(d)}
            for d in onestop.dossiers_awaiting_entry(actor=actor)
        ],
        "recent": recent,
        "can_register": can_register,
    }
    return render(request, "civil/home.html", context)


def _results(actor: Any, form: SearchForm) -> dict[str, Any]:
    if not form.is_valid() or not form.has_criteria():
        return {"items": [], "searched": False, "next_url": None}
    try:
        page = selectors.record_search_for(
            actor=actor,
            after=form.cleaned_data["after"] or None,
            limit=SEARCH_PAGE,
            **form.criteria(),
        )
    except DomainError as exc:
        form.add_error(None, exc.message)
        return {"items": [], "searched": False, "next_url": None}
    items = []
    for now in page.items:
        items.append(
            {
                "r": now.record,
                "kind": variant_label(now.record),
                "subjects": [v for role, v in now.parties.items() if role in SUBJECT_ROLES],
                "parents": [v for role, v in now.parties.items() if role in PARENT_ROLES],
            }
        )
    next_url = None
    if page.next_cursor:
        params = {**{k: form.data.get(k, "") for k in form.fields}, "after": page.next_cursor}
        next_url = f"{reverse('civil:search')}?{querystring(params)}"
    return {"items": items, "searched": True, "next_url": next_url}


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Tra cứu: by a part of the name (tone marks, case, đ/d ignored), parents' names, date or
    year of birth, ID number, event; newest first, a page at a time."""
    actor = require_reader(request)
    form = SearchForm(request.GET or None, books=selectors.book_list_for(actor=actor))
    htmx = bool(getattr(request, "htmx", False))
    context = {"form": form, "htmx": htmx, **_results(actor, form)}
    if htmx:
        # htmx swaps only 2xx answers: the problems are listed in the results instead.
        return render(request, "civil/_results.html", context)
    return render(request, "civil/search.html", context, status=200 if not form.errors else 400)
