"""/dossiers/tracking-book/: Sổ theo dõi hồ sơ for a period, made in the background and listed
with its status until the official downloads it (the API's ``/tracking-book/exports``). Thin:
the form checks the shape of the dates, ``services.tracking_book`` the rules. The page does not
refresh itself: a poll would count as activity and keep a shared computer's session alive."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from xaso.core.errors import DomainError
from xaso.org.models import Staff

from .models import ExportFormat, ExportStatus
from .services.tracking_book import EXPORT_KEEP, tracking_book_export_request
from .slips import can_read_tracking_book
from .tracking_book_selectors import export_urls, tracking_book_exports_for

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
LISTED = 20


class BookForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("Từ ngày (dd/mm/yyyy)"),
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(format="%d/%m/%Y"),
    )
    end = forms.DateField(
        label=gettext_lazy("Đến ngày (dd/mm/yyyy)"),
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(format="%d/%m/%Y"),
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Định dạng"), choices=ExportFormat.choices, initial=ExportFormat.PDF
    )


def _default_period(today: date) -> dict[str, object]:
    return {"start": date(today.year, 1, 1), "end": today, "format": ExportFormat.PDF}


@login_required
@require_http_methods(["GET", "POST"])
def tracking_book(request: HttpRequest) -> HttpResponse:
    actor: Staff = request.user  # type: ignore[assignment]
    if not can_read_tracking_book(actor):
        raise DjangoPermissionDenied
    status = 200
    if request.method == "POST":
        form = BookForm(request.POST)
        if form.is_valid():
            try:
                tracking_book_export_request(
                    actor=actor,
                    start=form.cleaned_data["start"],
                    end=form.cleaned_data["end"],
                    format=form.cleaned_data["format"],
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
                for messages_ in exc.fields.values():
                    for message in messages_:
                        if message != exc.message:
                            form.add_error(None, message)
                status = exc.status
            else:
                messages.success(
                    request,
                    _("Đã yêu cầu lập sổ. Sổ lớn có thể mất vài phút; bấm “Cập nhật” để xem."),
                )
                return HttpResponseRedirect(reverse("dossiers:tracking_book"))
        else:
            status = 400
    else:
        form = BookForm(initial=_default_period(timezone.localdate()))
    exports = list(tracking_book_exports_for(actor=actor)[:LISTED])
    return render(
        request,
        "dossiers/tracking_book.html",
        {
            "form": form,
            "exports": [{"e": e, "download": export_urls(e)[1]} for e in exports],
            "pending": any(
                e.status in (ExportStatus.QUEUED, ExportStatus.RUNNING) for e in exports
            ),
            "keep_hours": int(EXPORT_KEEP.total_seconds() // 3600),
        },
        status=status,
    )
