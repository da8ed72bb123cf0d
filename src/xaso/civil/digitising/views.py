"""Số hóa sổ hộ tịch pages (mounted by ``urls``): the start page with the last imports, the form
to copy one entry with its page's scan (kept open for the next entry of the same page), the
upload of a spreadsheet and its batch page, whose progress bar htmx refreshes every second while
the import runs (the page works without JavaScript: it then says to reload). Thin: every rule is
the services'."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from xaso.core.errors import DomainError, NotFound

from ..selectors import record_get_for
from ..views.common import (
    login_required,
    place_errors,
    querystring,
    require_reader,
    require_registrar,
)
from . import selectors, services
from .forms import EVENT_CHOICES, PEOPLE, EntryForm, ImportForm, PersonForm
from .models import DIGITISED_EVENTS, BatchStatus
from .responses import scan_response, template_response

#: How often the batch page asks for the progress while the import runs (ms).
POLL_MS = 1000


def _event_or_404(event: str) -> str:
    if event not in DIGITISED_EVENTS:
        raise Http404
    return event


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Số hóa sổ hộ tịch: copy an entry, import a spreadsheet, the last imports."""
    actor = require_reader(request)
    batches = list(selectors.batch_list_for(actor=actor)[:20])
    return render(
        request,
        "civil/digitising/index.html",
        {
            "events": EVENT_CHOICES,
            "batches": batches,
            "form": ImportForm(initial={"encoding": "auto"}),
        },
    )


def _people(event: str, data: Any = None) -> list[tuple[str, PersonForm]]:
    return [
        (role, PersonForm(data, prefix=role, kind=kind, legend=legend))
        for role, kind, legend in PEOPLE[event]
    ]


@login_required
@require_http_methods(["GET", "POST"])
def entry(request: HttpRequest, event: str) -> HttpResponse:
    """Copy one entry of a paper book (its number, page and date as written) with the page's
    scan. After a success the form stays open for the next entry: same book and page, next
    number."""
    actor = require_registrar(request)
    event = _event_or_404(event)
    if request.method == "POST":
        form = EntryForm(request.POST, request.FILES, event=event)
        people = _people(event, request.POST)
        if form.is_valid() and all(f.is_valid() for _r, f in people):
            data = {
                k: v for k, v in form.cleaned_data.items() if k != "scan" and v not in (None, "")
            }
            for role, person in people:
                values = person.values()
                if values:
                    data[role] = values
            try:
                record = services.civil_digitise_entry(
                    actor=actor, event=event, data=data, scan=form.cleaned_data.get("scan")
                )
            except DomainError as exc:
                place_errors(exc, form, dict(people))
            else:
                messages.success(
                    request,
                    _("Đã ghi %(book)s, số %(n)d (trang %(page)d).")
                    % {"book": str(record.book), "n": record.entry_number, "page": record.page},
                )
                follow = {
                    "book_number": form.cleaned_data["book_number"],
                    "entry_number": record.entry_number + 1,
                    "page": record.page,
                    "registered_on": record.registered_on.strftime("%d/%m/%Y"),
                    "last": str(record.public_id),
                }
                url = reverse("civil_digitising:entry", args=[event])
                return redirect(f"{url}?{querystring(follow)}")
    else:
        initial = {
            k: request.GET[k]
            for k in ("book_number", "entry_number", "page", "registered_on")
            if request.GET.get(k)
        }
        form = EntryForm(initial=initial, event=event)
        people = _people(event)
    last = None
    if request.GET.get("last"):
        try:
            last = record_get_for(actor=actor, public_id=request.GET["last"])
        except NotFound:
            last = None
    return render(
        request,
        "civil/digitising/entry.html",
        {
            "event": event,
            "event_label": dict(EVENT_CHOICES)[event],
            "form": form,
            "people": [f for _r, f in people],
            "last": last,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["POST"])
def import_new(request: HttpRequest) -> HttpResponse:
    """Upload a spreadsheet: refused at once when it cannot be read; else queued, and its page
    shows the progress."""
    actor = require_registrar(request)
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            batch = services.import_batch_request(
                actor=actor,
                event=form.cleaned_data["event"],
                upload=form.cleaned_data["file"],
                encoding=form.cleaned_data["encoding"],
            )
        except DomainError as exc:
            place_errors(exc, form)
        else:
            return redirect("civil_digitising:batch", public_id=batch.public_id)
    batches = list(selectors.batch_list_for(actor=actor)[:20])
    return render(
        request,
        "civil/digitising/index.html",
        {"events": EVENT_CHOICES, "batches": batches, "form": form},
        status=400,
    )


@login_required
@require_GET
def batch(request: HttpRequest, public_id: str) -> HttpResponse:
    """A batch: its progress while it runs (htmx asks for ``_batch_status.html`` every second),
    then the rows imported or the report of every refused row."""
    actor = require_reader(request)
    try:
        found = selectors.batch_get_for(actor=actor, public_id=public_id)
    except NotFound:
        raise Http404 from None
    progress = services.import_progress(found)
    context = {
        "batch": found,
        "progress": progress,
        "running": found.status in (BatchStatus.QUEUED, BatchStatus.RUNNING),
        "poll_ms": POLL_MS,
        "event_label": dict(EVENT_CHOICES)[found.event],
    }
    if getattr(request, "htmx", False):
        return render(request, "civil/digitising/_batch_status.html", context)
    return render(request, "civil/digitising/batch.html", context)


@login_required
@require_GET
def template(request: HttpRequest, event: str) -> HttpResponse:
    """The spreadsheet template of a kind of book."""
    require_reader(request)
    return template_response(_event_or_404(event))


@login_required
@require_GET
def scan(request: HttpRequest, public_id: str) -> FileResponse:
    """A page's scan (audited as a read of personal data)."""
    actor = require_reader(request)
    try:
        found = selectors.scan_open_for(actor=actor, public_id=public_id)
    except NotFound:
        raise Http404 from None
    return scan_response(found)
