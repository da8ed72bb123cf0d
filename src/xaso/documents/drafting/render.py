"""A draft in the Decree 30/2020/NĐ-CP layout (Appendix I) to PDF bytes with WeasyPrint.

The page (Appendix I, Part I §I and §II):

- A4, margins top 20 mm, bottom 20 mm, left 30 mm, right 15 mm (ranges 20–25/20–25/30–35/15–20);
  page numbers from page 2, centred in the top margin;
- header in two columns: the directly superior agency in upper case, regular, and the issuing
  agency in bold upper case with a short rule below (left); the national name "CỘNG HÒA XÃ HỘI
  CHỦ NGHĨA VIỆT NAM" bold 12 pt and the motto "Độc lập - Tự do - Hạnh phúc" bold 13 pt with a
  rule of its length (right);
- "Số: 05/QĐ-UBND" centred under the agency (13 pt), urgency and confidentiality marks framed
  below it; the place-and-date line in italic under the motto;
- typed documents: the type name bold upper case centred, the subject bold below with a short
  rule; letter-style ones (công văn): "V/v …" under the number, 12 pt, and "Kính gửi:";
- body 14 pt, justified, first-line indent 10 mm, 6 pt between paragraphs;
- "Nơi nhận:" bold italic 12 pt with its list in 11 pt at the bottom left, and the signer at the
  bottom right: authority (TM., KT., …) and position bold upper case, an empty box for the
  signature and the seal (``#stamp``, whose place the render reports for the visible signature),
  the name bold.

Templates live in ``documents/templates/documents/drafting/`` and are rendered by a private Django
template engine, so no project template folder can shadow the official layout. WeasyPrint is
imported on first use (≈ 1 s), and its font configuration and the stylesheet are built once per
process.
"""

from __future__ import annotations

import atexit
import datetime as dt
import functools
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.template import Context, Engine
from django.utils.translation import gettext as _

from .body import parse_body
from .errors import DraftIncomplete
from .fonts import font_face_rules
from .types import (
    VIETNAM,
    Confidentiality,
    Urgency,
    confidentiality_mark,
    document_type,
    number_line,
    place_date_line,
    urgency_mark,
)

if TYPE_CHECKING:
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
TEMPLATE = "documents/drafting/document.html"
STYLESHEET = TEMPLATES_DIR / "documents" / "drafting" / "document.css"
#: Anchor boxes come in CSS pixels (96 per inch); PDF points are 72 per inch.
PX_TO_PT = 0.75

_engine = Engine(dirs=[str(TEMPLATES_DIR)], autoescape=True)


@dataclass(frozen=True)
class DraftContent:
    """Everything printed on a document (Decree 30/2020 Art 8: the parts of its layout).

    ``number`` None prints the blank the clerk fills in ("Số:      /QĐ-UBND"); ``date`` None
    prints "ngày … tháng … năm <this year>" for a draft not yet dated. ``body`` is plain text,
    one paragraph per line (see ``body.parse_body`` for "Điều 1.", "Căn cứ", "- " items).
    ``addressees`` ("Kính gửi:") belong to letter-style documents (công văn); ``recipients`` is
    the "Nơi nhận:" list. ``unit_abbr`` is required for a công văn notation ("UBND-VP").
    """

    agency_name: str
    agency_abbr: str
    type_code: str
    place: str
    title: str
    body: str
    signer_position: str
    signer_name: str
    superior_agency_name: str = ""
    unit_abbr: str | None = None
    number: int | None = None
    year: int | None = None
    date: dt.date | None = None
    recipients: Sequence[str] = ()
    addressees: Sequence[str] = ()
    signer_authority: str = ""
    urgency: str = Urgency.NORMAL
    confidentiality: str = Confidentiality.NORMAL

    def normalised(self) -> DraftContent:
        """A copy with every text in NFC and surrounding spaces trimmed."""
        changes: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, str):
                changes[item.name] = unicodedata.normalize("NFC", value.strip())
            elif item.name in ("recipients", "addressees"):
                changes[item.name] = tuple(
                    unicodedata.normalize("NFC", line.strip()) for line in value if line.strip()
                )
        return replace(self, **changes)


@dataclass(frozen=True)
class Rendered:
    """``stamp_page`` (0-based) and ``stamp_box`` (x1, y1, x2, y2 in PDF points from the page's
    bottom-left corner): the empty space between the signer's position and name, where the
    visible signature (signature image, seal) goes."""

    pdf: bytes
    pages: int
    stamp_page: int
    stamp_box: tuple[int, int, int, int]


_REQUIRED = {
    "agency_name": "Tên cơ quan ban hành",
    "agency_abbr": "Chữ viết tắt tên cơ quan",
    "place": "Địa danh",
    "title": "Trích yếu nội dung",
    "body": "Nội dung",
    "signer_position": "Chức vụ người ký",
    "signer_name": "Họ tên người ký",
}


def _check(draft: DraftContent) -> None:
    missing = {name: label for name, label in _REQUIRED.items() if not getattr(draft, name)}
    if missing:
        raise DraftIncomplete(
            _("Văn bản còn thiếu: %(parts)s.") % {"parts": ", ".join(missing.values())},
            fields={name: [_("Không được để trống.")] for name in missing},
        )


def _list_lines(items: Sequence[str]) -> list[str]:
    """Decree 30 list style: each line "- …;", the last one "- ….": the caller's own dashes and
    end punctuation are replaced, not doubled."""
    lines = [item.lstrip("-+• ").rstrip(";.,") for item in items]
    return [f"- {line}{'.' if i == len(lines) - 1 else ';'}" for i, line in enumerate(lines)]


def _date_line(draft: DraftContent) -> str:
    if draft.date is not None:
        return place_date_line(draft.place, draft.date)
    year = dt.datetime.now(VIETNAM).year
    blank = "\u00a0" * 5
    return f"{draft.place}, ngày{blank}tháng{blank}năm {year}"


def document_context(draft: DraftContent) -> dict[str, Any]:
    """The template's values; raises DraftIncomplete, DocumentTypeUnknown, NotationInvalid."""
    draft = draft.normalised()
    _check(draft)
    kind = document_type(draft.type_code)
    addressees = list(draft.addressees)
    return {
        "d": draft,
        "kind": kind,
        "superior": draft.superior_agency_name.upper(),
        "agency": draft.agency_name.upper(),
        "number_line": number_line(
            draft.number, kind.code, draft.agency_abbr, draft.unit_abbr, year=draft.year
        ),
        "date_line": _date_line(draft),
        "subject": draft.title,
        "blocks": parse_body(draft.body),
        "addressee_single": addressees[0] if len(addressees) == 1 else "",
        "addressee_list": _list_lines(addressees) if len(addressees) > 1 else [],
        "recipients": _list_lines(draft.recipients),
        "authority": draft.signer_authority.upper(),
        "position": draft.signer_position.upper(),
        "urgency_mark": urgency_mark(draft.urgency),
        "confidentiality_mark": confidentiality_mark(draft.confidentiality),
    }


def render_document_html(draft: DraftContent, *, with_style: bool = False) -> str:
    """The HTML of the draft. The PDF render adds the stylesheet itself; ``with_style`` puts it
    in the page, for a browser preview of the draft."""
    context = document_context(draft)
    context["inline_style"] = (
        font_face_rules() + "\n" + STYLESHEET.read_text(encoding="utf-8") if with_style else ""
    )
    return _engine.get_template(TEMPLATE).render(Context(context))


@functools.cache
def _font_config() -> FontConfiguration:
    from weasyprint.text.fonts import FontConfiguration

    atexit.register(_font_config.cache_clear)  # dropped before the interpreter tears down
    return FontConfiguration()


@functools.cache
def _stylesheet() -> weasyprint.CSS:
    import weasyprint

    text = font_face_rules() + "\n" + STYLESHEET.read_text(encoding="utf-8")
    return weasyprint.CSS(string=text, font_config=_font_config())


def render_document(draft: DraftContent) -> Rendered:
    """Lay the draft out, find the signature box, write the PDF."""
    import weasyprint

    html = weasyprint.HTML(string=render_document_html(draft), base_url=str(TEMPLATES_DIR))
    document = html.render(stylesheets=[_stylesheet()], font_config=_font_config())
    stamp_page, stamp_box = _stamp_box(document)
    pdf = document.write_pdf()
    assert pdf is not None  # bytes when no target is given
    return Rendered(pdf=pdf, pages=len(document.pages), stamp_page=stamp_page, stamp_box=stamp_box)


def render_document_pdf(draft: DraftContent) -> bytes:
    """The PDF bytes of the draft in the Decree 30 layout."""
    return render_document(draft).pdf


def _stamp_box(document: Any) -> tuple[int, tuple[int, int, int, int]]:
    for index, page in enumerate(document.pages):
        anchor = page.anchors.get("stamp")
        if anchor is None:
            continue
        x1, y1, x2, y2 = (v * PX_TO_PT for v in anchor)  # from the page's top-left corner
        height = page.height * PX_TO_PT
        return index, (round(x1), round(height - y2), round(x2), round(height - y1))
    raise RuntimeError("the document template has no #stamp box")


__all__ = [
    "DraftContent",
    "Rendered",
    "document_context",
    "render_document",
    "render_document_html",
    "render_document_pdf",
]
