"""/documents/registers/<kind>/<year>/: the outgoing and incoming registers and the follow-up
book of Decree 30/2020/NĐ-CP Appendix IV, printable (A4 landscape print CSS) or as Excel
(``?format=xlsx``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from .. import registers
from ..downloads import XLSX, file_response
from .common import actor_of, require_reader


@login_required
@require_GET
def register(request: HttpRequest, kind: str, year: int) -> HttpResponse:
    actor = actor_of(request)
    require_reader(actor)
    book = registers.REGISTERS.get(kind)
    if book is None or not 2000 <= year <= 2100:
        raise Http404
    table = book.table(actor=actor, year=year)
    if request.GET.get("format") == "xlsx":
        return file_response(
            registers.to_xlsx(table),
            filename=f"so-{kind}-{year}.xlsx",
            content_type=XLSX,
            attachment=True,
        )
    this_year = timezone.localdate().year
    return render(
        request,
        "documents/register.html",
        {
            "table": table,
            "kind": kind,
            "year": year,
            "years": range(this_year, this_year - 5, -1),
            "kinds": [(k, r.title) for k, r in registers.REGISTERS.items()],
        },
    )
