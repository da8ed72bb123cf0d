"""Thống kê hộ tịch (/civil/stats/) and its Excel export: the figures of ``civil.stats`` as
tables. Thin: the form checks the shape of the filters, ``stats`` decides who sees what."""

from __future__ import annotations

from datetime import date
from io import BytesIO
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from xaso.core.errors import DomainError
from xaso.dossiers.stats import default_period

from .. import stats
from ..forms import StatsForm
from ..models import Event
from .common import actor_of, login_required, require

#: (field of ``stats.KindRow``, column title) of the table by kind of registration.
KIND_COLUMNS: list[tuple[str, Any]] = [
    ("total", gettext_lazy("Tổng số")),
    ("male", gettext_lazy("Nam")),
    ("female", gettext_lazy("Nữ")),
    ("sex_unknown", gettext_lazy("Không rõ giới tính")),
    ("on_time", gettext_lazy("Đúng hạn")),
    ("late", gettext_lazy("Quá hạn")),
]


def _report(request: HttpRequest) -> tuple[StatsForm, stats.CivilReport | None]:
    actor = actor_of(request)
    require(stats.can_view(actor))
    agencies = [(a.code, f"{a.name} ({a.code})") for a in stats.agencies_for(actor=actor)]
    first, today = default_period()
    form = StatsForm(request.GET or None, agencies=agencies, initial={"agency": actor.agency.code})
    if request.GET and not form.is_valid():
        return form, None
    period = form.period((first, today)) if form.is_bound else (first, today)
    code = (form.cleaned_data.get("agency") if form.is_bound else "") or ""
    try:
        report = stats.civil_stats_for(
            actor=actor, date_from=period[0], date_to=period[1], agency_code=code
        )
    except DomainError as err:
        for name, errs in err.fields.items():
            form.add_error(name if name in form.fields else None, " ".join(errs))
        if not err.fields:
            form.add_error(None, err.message)
        return form, None
    return form, report


def _cells(row: stats.KindRow) -> list[int | None]:
    return [getattr(row, name) for name, _label in KIND_COLUMNS]


@login_required
@require_GET
def stats_index(request: HttpRequest) -> HttpResponse:
    form, report = _report(request)
    context: dict[str, Any] = {"form": form, "report": report, "columns": KIND_COLUMNS}
    if report is not None:
        context.update(
            rows=[(row, _cells(row)) for row in report.rows],
            agency_events=[(e, Event(e).label) for e in stats.AGENCY_EVENTS],
            agency_rows=[
                (a, [a.by_event.get(e, 0) for e in stats.AGENCY_EVENTS]) for a in report.agencies
            ],
            documents=[
                (label, report.documents.get(kind, 0))
                for kind, label in stats.document_labels().items()
            ],
            query=request.GET.urlencode(),
        )
    return render(request, "civil/stats.html", context, status=200 if report else 400)


@login_required
@require_GET
def stats_export(request: HttpRequest) -> HttpResponse:
    form, report = _report(request)
    if report is None:
        context = {"form": form, "report": None, "columns": KIND_COLUMNS}
        return render(request, "civil/stats.html", context, status=400)
    response = HttpResponse(
        workbook_bytes(report),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = (
        f"thong-ke-ho-tich-{report.agency.code}-{report.date_from:%Y%m%d}-{report.date_to:%Y%m%d}"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def _d(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def workbook_bytes(report: stats.CivilReport) -> bytes:
    """The report as a workbook: by kind of registration, by agency (when several), and the
    documents issued."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = _("Theo loại việc")
    ws["A1"] = _("Báo cáo thống kê đăng ký hộ tịch")
    ws["A1"].font = Font(bold=True, size=13)
    scope = f"{report.agency.name} ({report.agency.code})"
    if report.agency_count > 1:
        scope = _("%(agency)s và các cơ quan trực thuộc (%(n)d cơ quan)") % {
            "agency": scope,
            "n": report.agency_count,
        }
    ws["A2"] = scope
    ws["A3"] = _("Kỳ báo cáo: %(start)s - %(end)s") % {
        "start": _d(report.date_from),
        "end": _d(report.date_to),
    }
    head = 5
    ws.cell(head, 1, _("Loại việc")).font = bold
    for i, (_name, label) in enumerate(KIND_COLUMNS, start=2):
        ws.cell(head, i, str(label)).font = bold
    line = head + 1
    for row in report.rows:
        ws.cell(line, 1, row.label)
        for i, value in enumerate(_cells(row), start=2):
            ws.cell(line, i, value)
        line += 1
    ws.cell(line, 1, _("Tổng cộng")).font = bold
    ws.cell(line, 2, report.total).font = bold
    line += 2
    ws.cell(line, 1, _("Bản sao trích lục được yêu cầu (số bản)"))
    ws.cell(line, 2, report.copies_requested)
    for kind, label in stats.document_labels().items():
        line += 1
        ws.cell(line, 1, _("Giấy tờ đã cấp: %(kind)s") % {"kind": label})
        ws.cell(line, 2, report.documents.get(kind, 0))
    ws.column_dimensions["A"].width = 60
    for index in range(2, 2 + len(KIND_COLUMNS)):
        ws.column_dimensions[get_column_letter(index)].width = 12

    if report.agency_count > 1:
        wa = wb.create_sheet(_("Theo cơ quan"))
        wa.cell(1, 1, _("Mã cơ quan")).font = bold
        wa.cell(1, 2, _("Tên cơ quan")).font = bold
        for i, event in enumerate(stats.AGENCY_EVENTS, start=3):
            wa.cell(1, i, str(Event(event).label)).font = bold
        last = 3 + len(stats.AGENCY_EVENTS)
        wa.cell(1, last, _("Tổng số")).font = bold
        wa.cell(1, last + 1, _("Quá hạn")).font = bold
        for r, a in enumerate(report.agencies, start=2):
            wa.cell(r, 1, a.code)
            wa.cell(r, 2, a.name)
            for i, event in enumerate(stats.AGENCY_EVENTS, start=3):
                wa.cell(r, i, a.by_event.get(event, 0))
            wa.cell(r, last, a.total)
            wa.cell(r, last + 1, a.late)
        wa.column_dimensions["B"].width = 40
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
