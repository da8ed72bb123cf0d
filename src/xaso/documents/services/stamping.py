"""The number and date printed into an uploaded PDF draft when the clerk numbers it.

A composed draft is rendered again with its number (``compose``); an uploaded PDF is written on
instead, on page 1, before it is signed (numbering precedes signing in the transition table):

- where the page already has the "Số:" label with a blank after it ("Số:      /QĐ-UBND", or
  dots), the number goes into the blank (the whole "05/QĐ-UBND" when no notation follows);
  likewise the day, month and year into "ngày … tháng … năm …";
- otherwise at the Decree 30/2020/NĐ-CP place (Appendix I, ô 3 and ô 4): "Số: 05/QĐ-UBND" under
  the agency's name at the top left, "<place>, ngày 05 tháng 3 năm 2026" in italic under the
  national motto at the top right, on the same line.

The words and their boxes come from poppler's ``pdftotext -bbox`` (the text layer); the text is
set by WeasyPrint in Liberation Serif (Times New Roman's metrics, 13 pt as Appendix I asks for
the number) on a transparent page that pyHanko's writer lays over page 1 as a form XObject in an
incremental update, so the original bytes stay as they were. A file that cannot be written on —
encrypted, damaged, already signed (a new revision would break its signature), with a rotated
first page, or with no free room at the top — is refused with the reason, and the caller's
transaction (which took the number) is undone: the number is not consumed.
"""

from __future__ import annotations

import functools
import html
import io
import re
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from ..drafting.fonts import FACES, font_dir, font_face_rules
from ..drafting.types import place_date_line
from ..errors import PdfNotStampable

#: Appendix I: the number line is 13 pt; the date line 13-14 pt italic.
NUMBER_SIZE = 13.0
#: Liberation Serif (hhea): ascent 0.891 em, descent 0.216 em.
ASCENT, DESCENT = 0.891, 0.216
#: Only the top of page 1 is the header (agency, number, motto, date).
HEADER_SHARE = 0.35
#: Decree 30 margins: left 30 mm, right 15 mm, top 20 mm (in points).
LEFT, RIGHT, TOP = 85.04, 42.52, 56.69
PDFTOTEXT_TIMEOUT_S = 30

_WORD = re.compile(
    r'<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" yMax="([-\d.]+)">(.*?)</word>'
)
_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')
_DOTS = re.compile(r"[.…_·]{2,}")
_NUMBER_LABELS = ("Số:", "SỐ:")


@dataclass(frozen=True)
class Word:
    """A word of page 1, in points from the top-left corner (pdftotext's coordinates)."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def middle(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def baseline(self) -> float:
        return self.y1 - self.height * DESCENT / (ASCENT + DESCENT)

    @property
    def size(self) -> float:
        """The font size the box suggests (ascent + descent of a Times-like face)."""
        return max(9.0, min(16.0, round(self.height / (ASCENT + DESCENT) * 2) / 2))

    @property
    def is_dots(self) -> bool:
        return bool(_DOTS.fullmatch(self.text))


@dataclass(frozen=True)
class Page:
    width: float
    height: float
    words: list[Word]


@dataclass(frozen=True)
class Text:
    """One piece of text to print: its left edge, baseline, size and style."""

    text: str
    x: float
    baseline: float
    size: float
    italic: bool = False

    @property
    def box(self) -> tuple[float, float, float, float]:
        width = text_width(self.text, self.size, italic=self.italic)
        return (self.x, self.baseline - ASCENT * self.size, self.x + width, self.baseline)


@dataclass(frozen=True)
class Stamped:
    """The written PDF and where the number and date went (``label``: into the page's own
    blanks; ``header``: the Decree 30 place; the date also ``present`` when already there)."""

    pdf: bytes
    number_at: str
    date_at: str


@dataclass(frozen=True)
class Prepared:
    """A PDF found writable, with its first page's words: read before the number is taken, so
    that a refusal costs nothing and the register stays locked only while writing."""

    pdf: bytes
    page: Page
    origin: tuple[float, float]


def _refuse(reason: str) -> PdfNotStampable:
    return PdfNotStampable(
        _("Không ghi được số và ngày vào tệp PDF dự thảo: %(reason)s Chưa cấp số.")
        % {"reason": reason},
        fields={"file": [reason]},
    )


def prepare(pdf: bytes) -> Prepared:
    """Check that ``pdf`` can be written on and read page 1's words; ``PdfNotStampable``
    otherwise."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        encrypted = reader.encrypted
        if not encrypted:
            signed = bool(list(reader.embedded_signatures))
            first, _resources = reader.find_page_for_modification(0)
            page = first.get_object()
            rotate = int(_inherited(page, "/Rotate") or 0)
            box = _inherited(page, "/CropBox") or _inherited(page, "/MediaBox")
            origin = (float(box[0]), float(box[1]))
    except Exception:  # pyHanko raises many kinds on a damaged file
        raise _refuse(_("tệp PDF bị hỏng, không đọc được.")) from None
    if encrypted:
        raise _refuse(_("tệp PDF được mã hóa (đặt mật khẩu); cần tải lên bản không mã hóa."))
    if signed:
        raise _refuse(
            _(
                "tệp PDF đã có chữ ký số; ghi thêm số sẽ làm chữ ký đó không còn hợp lệ. Cần tải "
                "lên bản dự thảo chưa ký."
            )
        )
    if rotate % 360:
        raise _refuse(_("trang đầu của tệp PDF bị xoay; cần tải lên bản có trang không xoay."))
    return Prepared(pdf=pdf, page=_page_words(pdf), origin=origin)


def _inherited(page: Any, key: str) -> Any:
    node = page
    while node is not None:
        if key in node:
            return node[key]
        node = node.get("/Parent")
        node = node.get_object() if node is not None else None
    return None


def _page_words(pdf: bytes) -> Page:
    with tempfile.TemporaryDirectory(prefix="xaso-stamp-") as folder:
        path = Path(folder) / "draft.pdf"
        path.write_bytes(pdf)
        try:
            done = subprocess.run(  # noqa: S603 - fixed program, our own temporary file
                ["/usr/bin/pdftotext", "-f", "1", "-l", "1", "-bbox", str(path), "-"],
                capture_output=True,
                timeout=PDFTOTEXT_TIMEOUT_S,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            raise _refuse(_("không đọc được chữ trên trang đầu của tệp PDF.")) from None
    out = done.stdout.decode("utf-8", "replace")
    page = _PAGE.search(out)
    if done.returncode != 0 or page is None:
        raise _refuse(_("tệp PDF bị hỏng, không đọc được."))
    words: list[Word] = []
    for x0, y0, x1, y1, text in _WORD.findall(out):
        clean = unicodedata.normalize("NFC", html.unescape(text))
        words.extend(_split(Word(clean, float(x0), float(y0), float(x1), float(y1))))
    return Page(width=float(page.group(1)), height=float(page.group(2)), words=words)


def _split(word: Word) -> list[Word]:
    """ "Số:......../QĐ-UBND" read as one word: the label, the dots and the notation apart,
    their widths shared by character count."""
    parts: list[str] = []
    rest = word.text
    for label in _NUMBER_LABELS:
        if rest.startswith(label) and len(rest) > len(label):
            parts.append(label)
            rest = rest[len(label) :]
    parts.extend(p for p in re.split(r"([.…_·]{2,})", rest) if p)
    if len(parts) <= 1:
        return [word]
    total = sum(len(p) for p in parts)
    per = (word.x1 - word.x0) / total
    out, x = [], word.x0
    for p in parts:
        out.append(Word(p, x, word.y0, x + per * len(p), word.y1))
        x += per * len(p)
    return out


@functools.cache
def _metrics(italic: bool) -> tuple[dict[int, str], Any, float] | None:
    folder = font_dir()
    if folder is None:
        return None
    from fontTools.ttLib import TTFont

    font = TTFont(str(folder / FACES[("normal", "italic" if italic else "normal")]), lazy=True)
    return font.getBestCmap(), font["hmtx"], float(font["head"].unitsPerEm)


def text_width(text: str, size: float, *, italic: bool = False) -> float:
    """The advance width of ``text`` in Liberation Serif at ``size`` points."""
    metrics = _metrics(italic)
    if metrics is None:
        return 0.5 * size * len(text)
    cmap, hmtx, units = metrics
    total = 0.0
    for ch in text:
        glyph = cmap.get(ord(ch))
        total += hmtx[glyph][0] if glyph is not None else units // 2
    return total * size / units


def _line_of(page: Page, word: Word) -> list[Word]:
    return sorted(
        (w for w in page.words if abs(w.middle - word.middle) < word.height / 2),
        key=lambda w: w.x0,
    )


def _after(line: list[Word], word: Word) -> tuple[list[Word], Word | None]:
    """The dots right after ``word`` on its line, and the first other word after them."""
    later = [w for w in line if w.x0 >= word.x1 - 0.5 and w is not word]
    dots: list[Word] = []
    for w in later:
        if not w.is_dots:
            return dots, w
        dots.append(w)
    return dots, None


def _fit(text: str, start: float, end: float, size: float, *, italic: bool = False) -> Text:
    """``text`` centred between ``start`` and ``end``, smaller when it would not fit."""
    room = end - start - 1.0
    width = text_width(text, size, italic=italic)
    if width > room > 0:
        size = max(8.0, size * room / width)
        width = text_width(text, size, italic=italic)
    return Text(text, start + (end - start - width) / 2, 0.0, size, italic)


def _header(page: Page) -> list[Word]:
    return [w for w in page.words if w.y1 < page.height * HEADER_SHARE]


def _number_by_label(page: Page, number: str, notation: str) -> Text | None:
    labels = [w for w in _header(page) if w.text in _NUMBER_LABELS]
    if not labels:
        return None
    label = min(labels, key=lambda w: (w.y0, w.x0))
    size = NUMBER_SIZE
    _dots, following = _after(_line_of(page, label), label)
    space = text_width(" ", size)
    full = f"{number}/{notation}"
    if following is not None and following.text.startswith("/"):
        placed = _fit(number, label.x1, following.x0, size)
    elif following is None or following.x0 - label.x1 >= text_width(full, size) + 3 * space:
        placed = Text(full, label.x1 + space, 0.0, size)
    else:
        raise _refuse(
            _("sau nhãn “Số:” ở trang 1 đã có “%(text)s”; cần tải lên bản để trống số.")
            % {"text": following.text}
        )
    return Text(placed.text, placed.x, label.baseline, placed.size)


def _date_by_label(page: Page, on: date) -> tuple[list[Text], bool] | None:
    """The day, month and year into "ngày … tháng … năm …"; (texts, already dated)."""
    for word in sorted(_header(page), key=lambda w: (w.y0, w.x0)):
        if word.text.lower() != "ngày":
            continue
        line = _line_of(page, word)
        _d, month_label = _after(line, word)
        if month_label is None:
            continue
        if month_label.text[:1].isdigit():
            return [], True
        if month_label.text.lower() != "tháng":
            continue
        _m, year_label = _after(line, month_label)
        if year_label is None or year_label.text.lower() != "năm":
            continue
        size = word.size
        month = f"{on.month:02d}" if on.month < 3 else str(on.month)
        day = _fit(f"{on.day:02d}", word.x1, month_label.x0, size, italic=True)
        mon = _fit(month, month_label.x1, year_label.x0, size, italic=True)
        texts = [Text(t.text, t.x, word.baseline, t.size, True) for t in (day, mon)]
        dots, year = _after(line, year_label)
        if year is None or not year.text[:4].isdigit():
            if dots:
                x = _fit(str(on.year), year_label.x1, dots[-1].x1, size, italic=True).x
            else:
                x = year_label.x1 + text_width(" ", size, italic=True)
            texts.append(Text(str(on.year), x, word.baseline, size, True))
        return texts, False
    return None


def _first_block(words: list[Word]) -> list[Word]:
    """The words of the first block of lines from the top (the agency's name, the motto)."""
    block: list[Word] = []
    bottom = None
    for w in sorted(words, key=lambda w: w.y0):
        if bottom is not None and w.y0 - bottom > 1.2 * w.height:
            break
        block.append(w)
        bottom = max(bottom or w.y1, w.y1)
    return block


def _collides(page: Page, box: tuple[float, float, float, float]) -> bool:
    x0, y0, x1, y1 = box
    return any(w.x0 < x1 and w.x1 > x0 and w.y0 < y1 and w.y1 > y0 for w in page.words)


def _free_baseline(page: Page, texts: list[Text]) -> list[Text]:
    """``texts`` moved down a line at a time until none covers a word of the page."""
    for step in range(8):
        shift = step * 1.3 * NUMBER_SIZE
        moved = [Text(t.text, t.x, t.baseline + shift, t.size, t.italic) for t in texts]
        if moved[0].baseline > page.height * HEADER_SHARE:
            break
        if not any(_collides(page, t.box) for t in moved):
            return moved
    raise _refuse(
        _("không còn chỗ trống ở đầu trang 1 (dưới tên cơ quan) để ghi số và ngày tháng.")
    )


def _columns(page: Page) -> tuple[float, float]:
    """The centres of the left (agency) and right (motto) header columns of Decree 30."""
    content = page.width - LEFT - RIGHT
    return LEFT + content * 0.225, LEFT + content * 0.45 + content * 0.275


def plan(
    page: Page, *, number: str, notation: str, place: str, on: date
) -> tuple[list[Text], str, str]:
    """What to print where: (texts, number_at, date_at)."""
    left_centre, right_centre = _columns(page)
    header = _header(page)
    texts: list[Text] = []
    number_text = _number_by_label(page, number, notation)
    number_at = "label"
    if number_text is None:
        number_at = "header"
        line = f"Số: {number}/{notation}"
        width = text_width(line, NUMBER_SIZE)
        left = _first_block([w for w in header if w.x1 <= page.width / 2])
        if left:
            centre = (min(w.x0 for w in left) + max(w.x1 for w in left)) / 2
            top = max(w.y1 for w in left) + 0.6 * NUMBER_SIZE
        else:
            centre, top = left_centre, TOP + 2.5 * NUMBER_SIZE
        number_text = Text(line, centre - width / 2, top + ASCENT * NUMBER_SIZE, NUMBER_SIZE)
        number_text = _free_baseline(page, [number_text])[0]
    texts.append(number_text)
    by_label = _date_by_label(page, on)
    if by_label is not None:
        dates, present = by_label
        return [*texts, *dates], number_at, "present" if present else "label"
    line = place_date_line(place, on)
    width = text_width(line, NUMBER_SIZE, italic=True)
    right = _first_block([w for w in header if w.x0 >= page.width / 2 - 20])
    centre = (min(w.x0 for w in right) + max(w.x1 for w in right)) / 2 if right else right_centre
    x = min(max(centre - width / 2, page.width / 2), page.width - RIGHT / 2 - width)
    baseline = number_text.baseline
    if right:
        baseline = max(baseline, max(w.y1 for w in right) + (0.6 + ASCENT) * NUMBER_SIZE)
    dated = _free_baseline(page, [Text(line, x, baseline, NUMBER_SIZE, True)])
    return [*texts, *dated], number_at, "header"


def _overlay(page: Page, texts: list[Text]) -> bytes:
    """A transparent page of page 1's size with ``texts`` set in Liberation Serif."""
    import weasyprint

    spans = "".join(
        f'<span style="left:{t.x:.2f}pt;top:{t.baseline - ASCENT * t.size:.2f}pt;'
        f'font-size:{t.size:.2f}pt;font-style:{"italic" if t.italic else "normal"}">'
        f"{html.escape(t.text)}</span>"
        for t in texts
    )
    document = (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8"><style>'
        f"{font_face_rules()}"
        f"@page{{size:{page.width:.3f}pt {page.height:.3f}pt;margin:0}}"
        "body{margin:0}"
        'span{position:absolute;white-space:nowrap;font-family:"Liberation Serif",serif;'
        f"line-height:{ASCENT + DESCENT};color:#000}}"
        f"</style></head><body>{spans}</body></html>"
    )
    pdf = weasyprint.HTML(string=document).write_pdf()
    assert pdf is not None
    return bytes(pdf)


def stamp(prepared: Prepared, *, number: str, notation: str, place: str, on: date) -> Stamped:
    """Write "Số: <number>/<notation>" and the date into page 1 of the prepared PDF."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader

    texts, number_at, date_at = plan(
        prepared.page, number=number, notation=notation, place=place, on=on
    )
    overlay = _overlay(prepared.page, texts)
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(prepared.pdf), strict=False)
        xobject = writer.import_page_as_xobject(PdfFileReader(io.BytesIO(overlay)), page_ix=0)
        name = "/XasoNumber"
        xobjects = generic.DictionaryObject({generic.pdf_name(name): xobject})
        resources = generic.DictionaryObject({generic.pdf_name("/XObject"): xobjects})
        # The page's own drawing is enclosed in q ... Q so a transformation it leaves behind
        # does not move the number.
        before = writer.add_object(generic.StreamObject(stream_data=b"q\n"))
        ox, oy = prepared.origin
        after = writer.add_object(
            generic.StreamObject(
                stream_data=f"\nQ q 1 0 0 1 {ox:.3f} {oy:.3f} cm {name} Do Q\n".encode()
            )
        )
        writer.add_stream_to_page(0, before, prepend=True)
        writer.add_stream_to_page(0, after, resources=resources)
        out = io.BytesIO()
        writer.write(out)
    except PdfNotStampable:
        raise
    except Exception:
        raise _refuse(_("tệp PDF bị hỏng, không ghi thêm được.")) from None
    return Stamped(pdf=out.getvalue(), number_at=number_at, date_at=date_at)
