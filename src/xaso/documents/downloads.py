"""The responses that hand over a file of official documents — a document's PDF (API, linked
from the pages), a register as Excel (pages) — with the same headers: private, never stored by
a shared cache, never sniffed into another type."""

from __future__ import annotations

from typing import IO

from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def file_response(
    content: bytes | IO[bytes], *, filename: str, content_type: str, attachment: bool
) -> HttpResponse:
    """``content`` (bytes built for this answer, or an open stored file, streamed) as
    ``filename``: downloaded (``attachment``) or shown in the browser."""
    response: HttpResponse
    if isinstance(content, bytes):
        response = HttpResponse(content, content_type=content_type)
        disposition = content_disposition_header(attachment, filename)
        if disposition:
            response["Content-Disposition"] = disposition
    else:
        response = FileResponse(  # type: ignore[assignment]
            content, as_attachment=attachment, filename=filename, content_type=content_type
        )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
