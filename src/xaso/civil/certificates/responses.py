"""The HTTP answer carrying an issued document, shared by the API and the staff page."""

from __future__ import annotations

from django.http import HttpResponse

from xaso.core.text import fold

from .models import IssuedDocument

#: In file names: the kind in plain words, whatever the UI language.
KIND_WORDS = {"original": "ban chinh", "copy": "ban sao", "extract": "trich luc"}


def file_name(document: IssuedDocument) -> str:
    """ "giay-khai-sinh-ban-sao-7K3MQ9TP2XWAHR4D.pdf": ASCII, so every browser keeps it."""
    words = fold(f"{document.title} {KIND_WORDS[document.kind]}").split()
    slug = "-".join(w for w in ("".join(c for c in word if c.isalnum()) for word in words) if w)
    return f"{slug}-{document.code}.pdf"


def pdf_response(pdf: bytes, document: IssuedDocument) -> HttpResponse:
    """The PDF as a download, never cached, with its verification id, kind and number."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{file_name(document)}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Verification-Code"] = document.code
    response["X-Document-Kind"] = str(document.kind)  # wsgiref refuses anything but str
    response["X-Issue-Number"] = str(document.number)
    return response
