"""/documents/registers/<kind>/<year>/: the outgoing and incoming registers and the follow-up
book of Decree 30/2020/NĐ-CP Appendix IV, printable (A4 landscape print CSS) or as Excel
(``?format=xlsx``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from .. import registers
from .common import actor_of, require_reader

BUILDERS = {
    "outgoing": registers.outgoing_register,
    "incoming": registers.incoming_register,
    "follow-up": registers.follow_up_book,
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_GET
def register(request: HttpRequest, kind: str, year: int) -> HttpResponse:
    actor = actor_of(request)
    require_reader(actor)
    builder = BUILDERS.get(kind)
    if builder is None or not 2000 <= year <= 2100:
        raise Http404
    table = builder(actor=actor, year=year)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(registers.to_xlsx(table), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="so-{kind}-{year}.xlsx"'
        response["Cache-Control"] = "private, no-store"
        return response
    this_year = timezone.localdate().year
    return render(
        request,
        "documents/register.html",
        {
            "table": table,
            "kind": kind,
            "year": year,
            "years": range(this_year, this_year - 5, -1),
            "kinds": [
                ("outgoing", _("Sổ đăng ký văn bản đi")),
                ("incoming", _("Sổ đăng ký văn bản đến")),
                ("follow-up", _("Sổ theo dõi giải quyết văn bản đến")),
            ],
        },
    )
