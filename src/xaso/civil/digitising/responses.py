"""The files digitising hands out, the same from the pages and the API: a page's scan (never
cached, never sniffed) and a spreadsheet template."""

from __future__ import annotations

from django.http import FileResponse, HttpResponse

from . import sheets
from .models import DIGITISED_EVENTS, PageScan

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def scan_response(scan: PageScan) -> FileResponse:
    response = FileResponse(
        scan.file.open("rb"),
        as_attachment=False,
        filename=f"so-{scan.book.event}-{scan.book.year}-trang-{scan.page}"
        f"{_EXTENSIONS.get(scan.content_type, '')}",
        content_type=scan.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def template_response(event: str) -> HttpResponse:
    if event not in DIGITISED_EVENTS:
        raise ValueError(event)
    response = HttpResponse(sheets.template_xlsx(event), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="mau-so-{event}.xlsx"'
    return response
