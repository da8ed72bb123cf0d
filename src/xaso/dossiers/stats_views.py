"""The statistics page (/stats/) and its Excel export: the figures of ``stats.dossier_stats_for``
as a table, a bar chart drawn here as inline SVG (no JavaScript), and a workbook. Thin: the form
checks the shape of the filters, ``stats`` decides what the user may see and counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from io import BytesIO
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from xaso.core.errors import DomainError
from xaso.org.models import Staff

from .stats import VN, Counts, Report, Row, default_period, dossier_stats_for, stats_agencies_for

#: (group label, [(field, column label)]) in the order of the periodic one-stop report.
COLUMN_GROUPS: list[tuple[Any, list[tuple[str, Any]]]] = [
    (
        gettext_lazy("Tiếp nhận"),
        [
            ("received_carried_over", gettext_lazy("Kỳ trước chuyển qua")),
            ("received_new", gettext_lazy("Mới tiếp nhận")),
            ("received_online", gettext_lazy("Trong đó trực tuyến")),
            ("received_total", gettext_lazy("Tổng số")),
        ],
    ),
    (
        gettext_lazy("Đã giải quyết"),
        [
            ("resolved", gettext_lazy("Tổng số")),
            ("resolved_early", gettext_lazy("Trước hạn")),
            ("resolved_on_time", gettext_lazy("Đúng hạn")),
            ("resolved_late", gettext_lazy("Quá hạn")),
            ("refused", gettext_lazy("Từ chối")),
            ("withdrawn", gettext_lazy("Rút, dừng xử lý")),
        ],
    ),
    (
        gettext_lazy("Đang giải quyết"),
        [
            ("pending", gettext_lazy("Tổng số")),
            ("pending_in_time", gettext_lazy("Trong hạn")),
            ("pending_overdue", gettext_lazy("Quá hạn")),
            ("pending_supplement", gettext_lazy("Chờ bổ sung")),
        ],
    ),
    (gettext_lazy("Trả kết quả"), [("returned", gettext_lazy("Đã trả"))]),
    (
        gettext_lazy("Tỷ lệ (%)"),
        [
            ("on_time_rate", gettext_lazy("Trước hạn, đúng hạn")),
            ("online_rate", gettext_lazy("Trực tuyến")),
        ],
    ),
]
COLUMNS = [col for _group, cols in COLUMN_GROUPS for col in cols]

GROUP_LABELS = {
    "procedure": gettext_lazy("Thủ tục"),
    "channel": gettext_lazy("Kênh nộp"),
    "agency": gettext_lazy("Cơ quan"),
}


class StatsForm(forms.Form):
    """The filters; ``from`` and ``to`` are Python keywords, hence added in ``__init__``."""

    agency = forms.ChoiceField(label=gettext_lazy("Cơ quan"), required=False)
    group_by = forms.ChoiceField(
        label=gettext_lazy("Nhóm theo"),
        choices=list(GROUP_LABELS.items()),
        required=False,
    )

    def __init__(self, *args: Any, actor: Staff, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        self.fields = {
            "from": forms.DateField(label=_("Từ ngày"), required=False, widget=widget),
            "to": forms.DateField(label=_("Đến ngày"), required=False, widget=widget),
            **self.fields,
        }
        choices = [(a.code, f"{a.name} ({a.code})") for a in stats_agencies_for(actor=actor)]
        agency_field = self.fields["agency"]
        assert isinstance(agency_field, forms.ChoiceField)
        agency_field.choices = choices


def _report(request: HttpRequest) -> tuple[StatsForm, Report | None]:
    actor: Staff = request.user  # type: ignore[assignment]
    first, today = default_period()
    defaults = {
        "from": first.isoformat(),
        "to": today.isoformat(),
        "agency": actor.agency.code,
        "group_by": "procedure",
    }
    form = StatsForm(request.GET or defaults, actor=actor)
    if not form.is_valid():
        return form, None
    cleaned = form.cleaned_data
    try:
        report = dossier_stats_for(
            actor=actor,
            date_from=cleaned["from"] or first,
            date_to=cleaned["to"] or today,
            agency_code=cleaned["agency"] or "",
            group_by=cleaned["group_by"] or "procedure",
        )
    except DomainError as err:
        for name, errs in err.fields.items():
            form.add_error(name if name in form.fields else None, " ".join(errs))
        if not err.fields:
            form.add_error(None, err.message)
        return form, None
    return form, report


# -- the chart -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    colour: str
    label: str
    value: int


@dataclass(frozen=True)
class Bar:
    y: int
    name: str
    title: str
    total: int
    segments: list[Segment]
    end: float


#: (field, legend, colour): the colours of xaso.css (ok, accent, bad, muted, warn).
CHART_PARTS = [
    ("resolved_early", gettext_lazy("Giải quyết trước hạn"), "#1a7f37"),
    ("resolved_on_time", gettext_lazy("Giải quyết đúng hạn"), "#0b5cad"),
    ("resolved_late", gettext_lazy("Giải quyết quá hạn"), "#b42318"),
    ("pending_in_time", gettext_lazy("Đang giải quyết trong hạn"), "#8c959f"),
    ("pending_overdue", gettext_lazy("Đang giải quyết quá hạn"), "#9a6700"),
]
CHART_LABEL_WIDTH, CHART_BAR_WIDTH, CHART_ROW = 130, 520, 24


def chart_for(report: Report) -> dict[str, Any]:
    """One horizontal bar per row: its dossiers in work during the period (resolved + pending),
    split by outcome, scaled to the longest bar; geometry only, the template draws it."""
    rows: list[Row] = report.rows
    longest = max((r.counts.resolved + r.counts.pending for r in rows), default=0) or 1
    bars: list[Bar] = []
    for i, row in enumerate(rows):
        x = float(CHART_LABEL_WIDTH)
        segments: list[Segment] = []
        for name, legend, colour in CHART_PARTS:
            value = getattr(row.counts, name)
            if value:
                width = round(CHART_BAR_WIDTH * value / longest, 1)
                segments.append(Segment(round(x, 1), width, colour, str(legend), value))
                x += width
        short = row.key if report.group_by != "channel" else row.label
        total = row.counts.resolved + row.counts.pending
        bars.append(Bar(i * CHART_ROW, short, row.label, total, segments, round(x + 4, 1)))
    return {
        "bars": bars,
        "legend": [(str(legend), colour) for _name, legend, colour in CHART_PARTS],
        "width": CHART_LABEL_WIDTH + CHART_BAR_WIDTH + 50,
        "height": max(len(bars), 1) * CHART_ROW,
        "label_x": CHART_LABEL_WIDTH - 6,
    }


def _cells(counts: Counts) -> list[Any]:
    return [getattr(counts, name) for name, _label in COLUMNS]


@login_required
@require_GET
def stats_index(request: HttpRequest) -> HttpResponse:
    """Thống kê tình hình giải quyết hồ sơ: the table, the chart and the export link."""
    form, report = _report(request)
    context: dict[str, Any] = {"form": form, "report": report, "column_groups": COLUMN_GROUPS}
    if report is not None:
        context.update(
            group_label=GROUP_LABELS[report.group_by],
            rows=[(row, _cells(row.counts)) for row in report.rows],
            totals=_cells(report.totals),
            chart=chart_for(report),
            query=request.GET.urlencode(),
        )
    return render(request, "stats/index.html", context, status=200 if report else 400)


@login_required
@require_GET
def stats_export(request: HttpRequest) -> HttpResponse:
    """The same figures as an Excel workbook (openpyxl), one sheet, totals last."""
    form, report = _report(request)
    if report is None:
        context = {"form": form, "report": None, "column_groups": COLUMN_GROUPS}
        return render(request, "stats/index.html", context, status=400)
    content = workbook_bytes(report)
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"thong-ke-{report.agency.code}-{report.date_from:%Y%m%d}-{report.date_to:%Y%m%d}"
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def _d(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def workbook_bytes(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = _("Thống kê")
    bold = Font(bold=True)
    ws["A1"] = _("Báo cáo tình hình giải quyết hồ sơ thủ tục hành chính")
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = f"{report.agency.name} ({report.agency.code})"
    if report.agency_count > 1:
        ws["A2"] = _("%(agency)s và các cơ quan trực thuộc (%(n)d cơ quan)") % {
            "agency": ws["A2"].value,
            "n": report.agency_count,
        }
    as_of = timezone.localtime(report.as_of, VN)
    ws["A3"] = _("Kỳ báo cáo: %(start)s - %(end)s; số liệu tính đến %(as_of)s") % {
        "start": _d(report.date_from),
        "end": _d(report.date_to),
        "as_of": as_of.strftime("%H:%M %d/%m/%Y"),
    }
    head, sub = 5, 6
    ws.cell(head, 1, str(GROUP_LABELS[report.group_by])).font = bold
    ws.cell(head, 2, _("Tên")).font = bold
    ws.merge_cells(start_row=head, start_column=1, end_row=sub, end_column=1)
    ws.merge_cells(start_row=head, start_column=2, end_row=sub, end_column=2)
    col = 3
    for group, cols in COLUMN_GROUPS:
        ws.cell(head, col, str(group)).font = bold
        if len(cols) > 1:
            ws.merge_cells(
                start_row=head, start_column=col, end_row=head, end_column=col + len(cols) - 1
            )
        for offset, (_name, label) in enumerate(cols):
            cell = ws.cell(sub, col + offset, str(label))
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True)
        col += len(cols)
    line = sub + 1
    for row in report.rows:
        ws.cell(line, 1, row.key)
        ws.cell(line, 2, row.label)
        for offset, value in enumerate(_cells(row.counts)):
            ws.cell(line, 3 + offset, value)
        line += 1
    ws.cell(line, 1, _("Tổng cộng")).font = bold
    for offset, value in enumerate(_cells(report.totals)):
        ws.cell(line, 3 + offset, value).font = bold
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 48
    for index in range(3, 3 + len(COLUMNS)):
        ws.column_dimensions[get_column_letter(index)].width = 11
    ws.freeze_panes = ws.cell(sub + 1, 3)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
