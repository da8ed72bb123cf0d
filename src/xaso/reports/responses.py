"""Downloading a report file as kept (private, never sniffed)."""

from __future__ import annotations

from django.http import FileResponse, Http404

from . import files
from .models import ReportSubmission


def file_response(sub: ReportSubmission) -> FileResponse:
    if not sub.file_path:
        raise Http404
    path = files.file_path(sub.file_path)
    if not path.exists():
        raise Http404
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=sub.file_name,
        content_type=sub.file_content_type or "application/octet-stream",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
