"""A ``Sheet`` to PDF bytes, fast: WeasyPrint, Liberation Serif, a QR code, one A4 page.

Issue 4 gives certificate render + sign 150 ms. What a render costs, and what is done about it
(``benchmarks/bench_certificates.py`` on the shared 2-core machine, load average ≈ 4; CPU time
in brackets, which the other work on the machine does not inflate): the naive render — a new
font configuration per document, "Times New Roman" looked up by fontconfig, automatic table
layout, the QR code drawn by Pillow — took ≈ 150 ms (90 ms CPU); this one takes ≈ 65 ms (45 ms
CPU), and render + sign ≈ 115 ms (75 ms CPU). How:

- font discovery: one ``FontConfiguration`` is kept per process, and the stylesheet names the
  Liberation Serif files in ``@font-face`` rules (regular, bold, italic: the faces the forms
  use), so no system font is looked up per document;
- the stylesheet is parsed once per process, with that font configuration;
- table layout: the automatic table algorithm measures every cell twice; every table here is
  ``table-layout: fixed``; the rows of a form are paragraphs of text, not tables or spans;
- the QR code is a 1-bit PNG written directly from the symbol's modules (a few hundred bytes, no
  Pillow), scaled by the page with ``image-rendering: pixelated``. An inline SVG symbol was
  slower to lay out than the PNG (≈ +30 ms). The mask pattern is still chosen by the standard's
  penalty rules (≈ 5 ms of CPU; a fixed mask would save it, at the cost of ISO/IEC 18004).

Where the signature stamp goes: the template leaves an empty box (``#stamp``) between the
signer's title and name (Decree 30/2020 Appendix I puts the signature there); after layout its
box is read from the page's anchors and handed to ``signing.sign_pdf``.

Templates are rendered by a private template engine over ``civil/templates/civil/certificates``
(cached loader), so nobody's template folder can shadow an official form.

Thread safety: the font configuration is shared by the threads of a process; the project runs
gunicorn with sync workers (one request per process at a time).
"""

from __future__ import annotations

import atexit
import base64
import functools
import os
import shutil
import struct
import subprocess
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.template import Context, Engine

from .content import Block, Sheet, Table

if TYPE_CHECKING:
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
TEMPLATE = "civil/certificates/certificate.html"
STYLESHEET = TEMPLATES_DIR / "civil" / "certificates" / "certificate.css"
#: The faces the stylesheet uses: (weight, style) → file name of Liberation Serif.
FACES = {
    ("normal", "normal"): "LiberationSerif-Regular.ttf",
    ("bold", "normal"): "LiberationSerif-Bold.ttf",
    ("normal", "italic"): "LiberationSerif-Italic.ttf",
}
#: Where Debian's fonts-liberation2 (and the older fonts-liberation) put them.
FONT_DIRS = (
    Path("/usr/share/fonts/truetype/liberation2"),
    Path("/usr/share/fonts/truetype/liberation"),
)
#: The stamp box is read in CSS pixels (96 per inch); PDF points are 72 per inch.
PX_TO_PT = 0.75

_engine = Engine(dirs=[str(TEMPLATES_DIR)], autoescape=True)


@dataclass(frozen=True)
class Rendered:
    """``stamp_page`` (0-based) and ``stamp_box`` (x1, y1, x2, y2 in PDF points from the page's
    bottom-left corner): where the visible signature goes."""

    pdf: bytes
    pages: int
    stamp_page: int
    stamp_box: tuple[int, int, int, int]


def format_code(code: str) -> str:
    """A verification id as printed: "7K3MQ9TP2XWAHR4D" → "7K3M-Q9TP-2XWA-HR4D"."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


# --- Fonts and stylesheet, once per process -----------------------------------------------------


def _font_dir() -> Path | None:
    configured = getattr(settings, "XASO_CERTIFICATE_FONT_DIR", None) or os.environ.get(
        "XASO_CERTIFICATE_FONT_DIR"
    )
    candidates = [Path(configured)] if configured else []
    for folder in [*candidates, *FONT_DIRS]:
        if all((folder / name).is_file() for name in FACES.values()):
            return folder
    return None


def _fc_match(name: str) -> Path | None:
    """fontconfig's file for one face, for systems that keep Liberation elsewhere."""
    if shutil.which("fc-match") is None:
        return None
    style = name.removeprefix("LiberationSerif-").removesuffix(".ttf")
    done = subprocess.run(  # noqa: S603 (fixed arguments)
        ["fc-match", "-f", "%{file}", f"Liberation Serif:style={style}"],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    path = Path(done.stdout.strip())
    return path if done.returncode == 0 and path.name == name and path.is_file() else None


@functools.cache
def font_files() -> dict[tuple[str, str], Path]:
    """The file of each face; ``XASO_CERTIFICATE_FONT_DIR`` may name their folder."""
    folder = _font_dir()
    if folder is not None:
        return {face: folder / name for face, name in FACES.items()}
    found = {face: _fc_match(name) for face, name in FACES.items()}
    missing = [FACES[face] for face, path in found.items() if path is None]
    if missing:
        raise FileNotFoundError(
            "Liberation Serif is needed for civil status certificates (apt-get install "
            f"fonts-liberation2, or set XASO_CERTIFICATE_FONT_DIR); missing: {', '.join(missing)}"
        )
    return {face: path for face, path in found.items() if path is not None}


def font_face_rules() -> str:
    return "\n".join(
        f'@font-face {{ font-family: "Liberation Serif"; font-weight: {weight}; '
        f'font-style: {style}; src: url("{path.as_uri()}"); }}'
        for (weight, style), path in font_files().items()
    )


@functools.cache
def _font_config() -> FontConfiguration:
    from weasyprint.text.fonts import FontConfiguration

    # Dropped before the interpreter tears down the modules its finaliser needs.
    atexit.register(_font_config.cache_clear)
    return FontConfiguration()


@functools.cache
def _stylesheet() -> weasyprint.CSS:
    import weasyprint

    text = font_face_rules() + "\n" + STYLESHEET.read_text(encoding="utf-8")
    return weasyprint.CSS(string=text, font_config=_font_config())


# --- QR code --------------------------------------------------------------------------------


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + tag
        + data
        + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
    )


def qr_png(data: str) -> bytes:
    """The QR symbol of ``data`` (error correction M, 4-module quiet zone) as a 1-bit greyscale
    PNG with one pixel per module."""
    import qrcode
    import qrcode.constants

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=1, border=4)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix)
    raw = bytearray()
    for modules in matrix:
        raw.append(0)  # filter type: none
        byte, bits = 0, 0
        for dark in modules:
            byte = (byte << 1) | (0 if dark else 1)
            bits += 1
            if bits == 8:
                raw.append(byte)
                byte, bits = 0, 0
        if bits:
            raw.append(byte << (8 - bits) | (0xFF >> bits))
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _png_chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 1, 0, 0, 0, 0)),
            _png_chunk(b"IDAT", zlib.compress(bytes(raw), 9)),
            _png_chunk(b"IEND", b""),
        )
    )


def qr_data_uri(data: str) -> str:
    return "data:image/png;base64," + base64.b64encode(qr_png(data)).decode("ascii")


# --- Rendering ------------------------------------------------------------------------------


def _part(part: Block | Table) -> dict[str, Any]:
    if isinstance(part, Table):
        return {
            "table": True,
            "widths": part.widths,
            "headings": part.headings if any(part.headings) else (),
            "rows": [
                {"values": values, "strong": part.strong_first_row and i == 0}
                for i, values in enumerate(part.rows)
            ],
        }
    return {"table": False, "heading": part.heading, "rows": part.rows}


def render_html(sheet: Sheet) -> str:
    """The HTML of a sheet (also a browser preview of the form)."""
    context = {
        "s": sheet,
        "parts": [_part(p) for p in sheet.parts],
        "qr": qr_data_uri(sheet.verify_url),
        "code": format_code(sheet.code),
    }
    return _engine.get_template(TEMPLATE).render(Context(context))


def render_sheet(sheet: Sheet) -> Rendered:
    """Lay the sheet out once, find the stamp box, write the PDF."""
    import weasyprint

    html = weasyprint.HTML(string=render_html(sheet), base_url=str(TEMPLATES_DIR))
    document = html.render(stylesheets=[_stylesheet()], font_config=_font_config())
    stamp_page, stamp_box = _stamp_box(document)
    pdf = document.write_pdf()
    assert pdf is not None  # bytes when no target is given
    return Rendered(pdf=pdf, pages=len(document.pages), stamp_page=stamp_page, stamp_box=stamp_box)


def _stamp_box(document: Any) -> tuple[int, tuple[int, int, int, int]]:
    for index, page in enumerate(document.pages):
        anchor = page.anchors.get("stamp")
        if anchor is None:
            continue
        x1, y1, x2, y2 = (v * PX_TO_PT for v in anchor)  # from the page's top-left corner
        height = page.height * PX_TO_PT
        return index, (round(x1), round(height - y2), round(x2), round(height - y1))
    raise RuntimeError("the certificate template has no #stamp box")
