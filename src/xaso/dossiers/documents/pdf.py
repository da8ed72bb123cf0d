"""The one shared path from a document's values to PDF bytes: template, header, QR code, WeasyPrint.

Templates live beside this module (templates/dossiers/documents/) and are rendered by a private
Django template Engine, so the package needs no settings entry and nobody's template directory can
shadow an official form by accident. WeasyPrint is imported on first use: the import costs about a
second, and only the processes that print pay it.
"""

from __future__ import annotations

import base64
import functools
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from django.template import Context, Engine

from xaso.dossiers.documents.slips import Issuer
from xaso.dossiers.documents.wording import place_date

if TYPE_CHECKING:
    import qrcode.main
    import weasyprint

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STYLESHEET = TEMPLATES_DIR / "dossiers" / "documents" / "slips.css"

PageSize = Literal["A5", "A4", "A4 landscape"]

# Decree 30/2020 margins for A4 (top/bottom 20-25 mm, left 30-35 mm, right 15-20 mm); the A5 slip
# keeps a binding margin on the left, the landscape book on the top.
_PAGE_RULES: dict[str, str] = {
    "A5": "size: A5; margin: 10mm 10mm 10mm 15mm;",
    "A4": "size: A4; margin: 20mm 15mm 20mm 30mm;",
    "A4 landscape": "size: A4 landscape; margin: 20mm 12mm 15mm 15mm;",
}

_engine = Engine(dirs=[str(TEMPLATES_DIR)], autoescape=True)


def header_context(issuer: Issuer, *, dated: Any = None) -> dict[str, str]:
    """The top block of every form: agency names in capitals (left), motto and date line (right)."""
    return {
        "parent_name": issuer.parent_name.upper(),
        "agency_name": issuer.name.upper(),
        "place_date": place_date(issuer.place, dated) if dated is not None else "",
    }


def qr_code(data: str) -> qrcode.main.QRCode[Any]:
    """The QR symbol printed on the slips: error correction M, 4 px modules, 4-module quiet zone."""
    import qrcode
    import qrcode.constants

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=4, border=4)
    code.add_data(data)
    code.make(fit=True)
    return code


def qr_data_uri(data: str) -> str:
    """A PNG data URI of qr_code(data), ready for an <img src>."""
    buffer = io.BytesIO()
    qr_code(data).make_image().save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


@functools.cache
def _stylesheet() -> weasyprint.CSS:
    import weasyprint

    return weasyprint.CSS(string=STYLESHEET.read_text(encoding="utf-8"))


def render_html(template_name: str, context: dict[str, Any], *, page: PageSize) -> str:
    """The HTML of a document (also handy for a browser preview)."""
    values = {"page_rule": _PAGE_RULES[page], "page_class": page.replace(" ", "-").lower()}
    values.update(context)
    return _engine.get_template(template_name).render(Context(values))


def render_pdf(template_name: str, context: dict[str, Any], *, page: PageSize) -> bytes:
    """Render a template of this package to PDF bytes with the shared stylesheet."""
    import weasyprint

    html = render_html(template_name, context, page=page)
    document = weasyprint.HTML(string=html, base_url=str(TEMPLATES_DIR))
    pdf = document.write_pdf(stylesheets=[_stylesheet()])
    assert pdf is not None  # write_pdf returns bytes when no target is given
    return pdf
