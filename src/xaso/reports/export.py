"""The superior's table as Excel (biểu tổng hợp): one row per agency asked, its state, time and
figures, then the totals (openpyxl, imported when used)."""

from __future__ import annotations

import io
import re
from decimal import Decimal, InvalidOperation

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from xaso.core.text import fold

from .models import ReportRequest, RequestStatus, TargetState
from .selectors import Summary

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _when(value: object) -> str:
    if value is None:
        return ""
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y")  # type: ignore[arg-type]


def _number(value: object) -> object:
    """Figures as numbers in the sheet; decimals stay exact (``Decimal``, not binary float)."""
    if isinstance(value, str):
        try:
            return Decimal(value) if "." in value else int(value)
        except (InvalidOperation, ValueError):
            return value
    return value


def request_xlsx(*, request: ReportRequest, summary: Summary) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = _("Tổng hợp")
    bold = Font(bold=True)
    ws.append([request.title])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(
        [
            _("Kỳ báo cáo: %(start)s - %(end)s · Hạn nộp: %(deadline)s")
            % {
                "start": request.period_from.strftime("%d/%m/%Y"),
                "end": request.period_to.strftime("%d/%m/%Y"),
                "deadline": _when(request.deadline),
            }
        ]
    )
    ws.append([_("Cơ quan yêu cầu: %(name)s") % {"name": request.requester_name}])
    if request.status == RequestStatus.DRAFT:
        ws.append([_("Dự thảo: yêu cầu chưa gửi cho cơ quan nào.")])
    else:
        ws.append(
            [
                _("Đã nộp %(done)d/%(total)d · chưa nộp %(missing)d · trễ hạn %(late)d")
                % {
                    "done": len(summary.submitted),
                    "total": len(summary.targets),
                    "missing": len(summary.missing),
                    "late": len(summary.late),
                }
            ]
        )
    ws.append([])
    inds = request.indicators
    header = [
        _("STT"),
        _("Mã cơ quan"),
        _("Cơ quan"),
        _("Tình trạng"),
        _("Thời điểm nộp"),
        _("Người nộp"),
        *[f"{i['label']} ({i['unit']})" if i["unit"] else i["label"] for i in inds],
        _("Tệp báo cáo"),
        _("Người ký số"),
        _("Tệp (SHA-256)"),
    ]
    ws.append(header)
    for cell in ws[ws.max_row]:
        cell.font = bold
    states = dict(TargetState.choices)
    for n, t in enumerate(summary.targets, start=1):
        sub = summary.current.get(t.pk)
        ws.append(
            [
                n,
                t.agency_code,
                t.agency_name,
                str(states.get(t.state, t.state)),
                _when(t.submitted_at),
                sub.submitted_by_name if sub else "",
                *[_number(sub.values.get(i["code"])) if sub else None for i in inds],
                sub.file_name if sub else "",
                sub.signer if sub else "",
                sub.file_sha256 if sub else "",
            ]
        )
    if inds:
        ws.append(
            [
                "",
                "",
                _("Tổng cộng (%(n)d báo cáo)") % {"n": summary.submission_count},
                "",
                "",
                "",
                *[_number(a["total"]) for a in summary.aggregates],
                "",
                "",
                "",
            ]
        )
        for cell in ws[ws.max_row]:
            cell.font = bold
    ws.column_dimensions["C"].width = 36
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xlsx_response(*, request: ReportRequest, summary: Summary) -> HttpResponse:
    data = request_xlsx(request=request, summary=summary)
    # A name the official recognises in the downloads folder: the title, folded to ASCII (đ→d,
    # no tone marks) for every browser, and the request's id so two downloads never clash.
    title = re.sub(r"[^a-z0-9]+", "-", fold(request.title)).strip("-")[:60].strip("-")
    slug = "-".join(p for p in ("tong-hop", title, str(request.public_id)[:8]) if p)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{slug}.xlsx"'
    response["Cache-Control"] = "private, no-store"
    return response
