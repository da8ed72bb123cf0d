"""Sổ hộ tịch: the list of the agency's books, a book's entries in order (a page of entries at a
time, continued by entry number), its closing by the leader (Law on Civil Status 2014 Art 58:
on or after 31 December, with the totals), and its print (PDF) and export (Excel), open or
closed (``books_export``)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from xaso.core.errors import DomainError, NotFound

from .. import books_export, permissions, selectors, services
from ..current import record_current
from ..forms import BookCloseForm
from ..models import SUBJECT_ROLES, CivilBook, CivilRecord, Event, Variant
from .common import login_required, place_errors, querystring, require, require_reader

ENTRIES_PER_PAGE = 100
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _book(request: HttpRequest, public_id: UUID) -> CivilBook:
    actor = require_reader(request)
    try:
        return selectors.book_get_for(actor=actor, public_id=public_id)
    except NotFound:
        raise Http404 from None


@login_required
@require_GET
def book_list(request: HttpRequest) -> HttpResponse:
    actor = require_reader(request)
    event = request.GET.get("event") or ""
    year_text = request.GET.get("year") or ""
    year = int(year_text) if year_text.isdigit() and len(year_text) == 4 else None
    if event not in Event.values:
        event = ""
    books = list(selectors.book_list_for(actor=actor, event=event or None, year=year))
    years = sorted(
        set(selectors.book_list_for(actor=actor).values_list("year", flat=True)), reverse=True
    )
    return render(
        request,
        "civil/books.html",
        {"books": books, "event": event, "year": year, "years": years, "events": Event.choices},
    )


def _rows(book: CivilBook, after: int) -> tuple[list[dict[str, Any]], int | None]:
    records = list(
        CivilRecord.objects.filter(book=book, entry_number__gt=after)
        .prefetch_related(*selectors.RECORD_PREFETCH)
        .order_by("entry_number")[: ENTRIES_PER_PAGE + 1]
    )
    more = len(records) > ENTRIES_PER_PAGE
    rows = []
    for r in records[:ENTRIES_PER_PAGE]:
        r.book = book
        now = record_current(r)
        subjects = [v for role, v in now.parties.items() if role in SUBJECT_ROLES] or list(
            now.parties.values()
        )[:1]
        rows.append(
            {
                "r": r,
                "kind": books_export.variant_label(r),
                "names": ", ".join(v.full_name for v in subjects),
                "amended": now.amended,
            }
        )
    last = records[ENTRIES_PER_PAGE - 1].entry_number if more else None
    return rows, last


def _page(
    request: HttpRequest,
    book: CivilBook,
    form: BookCloseForm | None = None,
    status: int = 200,
    print_error: str | None = None,
) -> HttpResponse:
    actor = request.user
    after_text = request.GET.get("after") or "0"
    after = int(after_text) if after_text.isdigit() else 0
    rows, last = _rows(book, after)
    here = reverse("civil:book", args=[book.public_id])
    can_close = not book.is_closed and permissions.can_close_book(actor)  # type: ignore[arg-type]
    context = {
        "book": book,
        "rows": rows,
        "next_url": f"{here}?{querystring({'after': last})}" if last else None,
        "first_url": here if after else None,
        "close_form": (form or BookCloseForm()) if can_close else None,
        "totals": _totals(book),
        "parts": books_export.book_parts(book)
        if book.last_number > books_export.PDF_MAX_ENTRIES
        else [],
        "print_error": print_error,
    }
    return render(request, "civil/book.html", context, status=status)


def _totals(book: CivilBook) -> list[tuple[str, Any]]:
    """The closing totals in words (``services.books._totals`` keeps them as data)."""
    t = book.closing_totals or {}
    if not book.is_closed:
        return []
    out: list[tuple[str, Any]] = [
        (_("Tổng số mục"), book.total_entries),
        (_("Tổng số trang"), book.total_pages),
    ]
    for variant, n in (t.get("by_variant") or {}).items():
        if variant == "ordinary":
            label = Event(book.event).label
        else:
            label = Variant(variant).label if variant in Variant.values else variant
        out.append((_("Loại: %(kind)s") % {"kind": label}, n))
    if t.get("on_time") is not None:
        out.append((_("Đúng hạn"), t.get("on_time")))
        out.append((_("Quá hạn"), t.get("late")))
    sexes = {"male": _("Nam"), "female": _("Nữ"), "unknown": _("Không rõ giới tính")}
    for sex, n in (t.get("subjects_by_sex") or {}).items():
        out.append((_("Người được đăng ký: %(sex)s") % {"sex": sexes.get(sex, sex)}, n))
    return out


@login_required
@require_GET
def book_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _page(request, _book(request, public_id))


@login_required
@require_POST
def book_close(request: HttpRequest, public_id: UUID) -> HttpResponse:
    book = _book(request, public_id)
    actor = request.user
    require(permissions.can_close_book(actor))  # type: ignore[arg-type]
    form = BookCloseForm(request.POST)
    if not form.is_valid():
        return _page(request, book, form, status=400)
    try:
        closed = services.book_close(
            actor=actor,  # type: ignore[arg-type]
            book=book,
            closed_on=form.cleaned_data["closed_on"],
        )
    except DomainError as exc:
        place_errors(exc, form)
        return _page(request, book, form, status=exc.status)
    messages.success(
        request,
        _("Đã khóa %(book)s: %(n)d mục, %(pages)d trang.")
        % {"book": str(closed), "n": closed.total_entries, "pages": closed.total_pages},
    )
    return HttpResponseRedirect(reverse("civil:book", args=[book.public_id]))


def _part(request: HttpRequest) -> tuple[int, int] | None:
    """``?from=&to=``: the entries of one part of a large book (whole numbers)."""
    first, last = request.GET.get("from", ""), request.GET.get("to", "")
    if not first and not last:
        return None
    if not (first.isdigit() and last.isdigit()):
        raise books_export.PartInvalid(
            _("Phần in ghi bằng số mục đầu và số mục cuối, ví dụ từ 1 đến 300.")
        )
    return int(first), int(last)


def _export(request: HttpRequest, public_id: UUID, fmt: str) -> HttpResponse:
    actor = require_reader(request)
    book = _book(request, public_id)
    part = None
    try:
        part = _part(request) if fmt == "pdf" else None
        book, content = books_export.book_export_for(
            actor=actor, public_id=public_id, fmt=fmt, part=part
        )
    except NotFound:
        raise Http404 from None
    except (books_export.BookTooLarge, books_export.PartInvalid) as exc:
        return _page(request, book, status=exc.status, print_error=exc.message)
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    name = books_export.file_name(book, fmt, part)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def book_pdf(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _export(request, public_id, "pdf")


@login_required
@require_GET
def book_xlsx(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _export(request, public_id, "xlsx")
