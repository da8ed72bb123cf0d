from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from xaso.core.errors import DomainError, PermissionDenied

from . import selectors, services
from .clock import OfficeHours
from .forms import CalendarDayForm, CalendarDayRemoveForm, DueForm
from .models import MAX_DATE, MIN_DATE
from .permissions import can_edit_calendar, require_edit_calendar

WEEKDAYS = (
    gettext_lazy("Thứ Hai"),
    gettext_lazy("Thứ Ba"),
    gettext_lazy("Thứ Tư"),
    gettext_lazy("Thứ Năm"),
    gettext_lazy("Thứ Sáu"),
    gettext_lazy("Thứ Bảy"),
    gettext_lazy("Chủ nhật"),
)

# The holidays package lists 24/11 (Ngày Văn hóa Việt Nam) from 2026; whether the amendment to
# Labour Code art. 112.1 was in force is unconfirmed (vn-rules.md §6), hence the notice.
UNCONFIRMED_HOLIDAYS = {(11, 24)}


def _add_error(form: CalendarDayForm | CalendarDayRemoveForm, error: DomainError) -> None:
    placed = {f: errs for f, errs in error.fields.items() if f in form.fields}
    for field, errs in placed.items():
        for err in errs:
            form.add_error(field, err)
    if not placed:
        form.add_error(None, error.message)


@login_required
@require_http_methods(["GET", "POST"])
def year_view(request: HttpRequest, year: int | None = None) -> HttpResponse:
    """Lịch làm việc của một năm: ngày nghỉ, ngày làm bù, điều chỉnh chính thức."""
    if year is None:
        year = timezone.localdate().year
    if not MIN_DATE.year <= year <= MAX_DATE.year:
        raise Http404
    actor = request.user
    editable = can_edit_calendar(actor)  # type: ignore[arg-type]
    form = CalendarDayForm()
    remove_form = CalendarDayRemoveForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "remove":
            remove_form = CalendarDayRemoveForm(request.POST)
        else:
            form = CalendarDayForm(request.POST)
        try:
            # Refuse a read-only user before looking at the form's shape.
            require_edit_calendar(actor)  # type: ignore[arg-type]
            if action == "remove":
                if remove_form.is_valid():
                    day = remove_form.cleaned_data["date"]
                    services.calendar_day_remove(actor=actor, date=day)  # type: ignore[arg-type]
                    messages.success(
                        request, _("Đã xóa điều chỉnh ngày %(date)s.") % {"date": f"{day:%d/%m/%Y}"}
                    )
                    return HttpResponseRedirect(reverse("workdays:year", args=[day.year]))
            elif form.is_valid():
                data = form.cleaned_data
                row = services.calendar_day_set(
                    actor=actor,  # type: ignore[arg-type]
                    date=data["date"],
                    kind=data["kind"],
                    name=data["name"],
                    note=data["note"],
                )
                messages.success(
                    request,
                    _("Đã lưu điều chỉnh ngày %(date)s.") % {"date": f"{row.date:%d/%m/%Y}"},
                )
                return HttpResponseRedirect(reverse("workdays:year", args=[row.date.year]))
        except DomainError as e:
            _add_error(remove_form if action == "remove" else form, e)
            status = 403 if isinstance(e, PermissionDenied) else 400
        else:
            status = 400
    cal = selectors.calendar_year(year)
    hours = OfficeHours.of(getattr(actor, "agency", None))
    context = {
        "year": year,
        "previous_year": year - 1 if year > MIN_DATE.year else None,
        "next_year": year + 1 if year < MAX_DATE.year else None,
        "days_off": [(d, WEEKDAYS[d.date.weekday()]) for d in cal.days_off],
        "working_days": [(d, WEEKDAYS[d.date.weekday()]) for d in cal.working_days],
        "cancelled": [(d, WEEKDAYS[d.date.weekday()]) for d in cal.cancelled],
        "unconfirmed": [
            d
            for d in cal.days_off
            if d.source == "statute" and (d.date.month, d.date.day) in UNCONFIRMED_HOLIDAYS
        ],
        "changes": list(selectors.calendar_day_list(year)),
        "can_edit": editable,
        "form": form,
        "remove_form": remove_form,
        "hours": hours,
    }
    return render(request, "workdays/year.html", context, status=status)


@login_required
def due_view(request: HttpRequest) -> HttpResponse:
    """Tính ngày hẹn trả: the appointment for a limit of N working days, received now (or at a
    given time), in the official's own agency's office hours. htmx swaps in just the result."""
    form = DueForm(request.GET or None)
    due = None
    if form.is_bound and form.is_valid():
        received_at = form.cleaned_data["received_at"] or timezone.now()
        try:
            due = selectors.due_for(
                received_at=received_at,
                working_days=form.cleaned_data["working_days"],
                agency=request.user.agency,  # type: ignore[union-attr]
            )
        except DomainError as e:
            form.add_error(None, e.message)
    template = "workdays/_due_result.html" if request.htmx else "workdays/due.html"  # type: ignore[attr-defined]
    return render(request, template, {"form": form, "due": due}, status=400 if form.errors else 200)
