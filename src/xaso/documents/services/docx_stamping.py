"""The number and date written into an uploaded DOCX draft when the clerk numbers it.

The DOCX is converted to PDF only when it is signed (``outgoing._as_pdf``), so the number and the
date must be in the DOCX itself by then: numbering writes them into the drafter's own blanks of
the Decree 30/2020/NĐ-CP header (Appendix I, ô 3 and ô 4), which is usually a two-column table:

- the paragraph that starts with the "Số:" label followed by blanks (spaces, dots, underscores,
  tabs): the blanks give way to "05" when the notation follows ("Số: 05/QĐ-UBND"), to
  "05/QĐ-UBND" when nothing does;
- the "<place>, ngày … tháng … năm …" line: "ngày 05 tháng 01 năm 2026" (``date_words``: day < 10
  and months 1–2 with a leading 0); a line already dated is kept; without such a line, the line
  "<place>, ngày …" is added in italic under the national motto.

Word splits a paragraph's text into runs anywhere (a "Số:" may be "S" + "ố:" in two runs), so the
search is on the paragraph's joined text and only the runs covering the blanks are rewritten; the
new text takes the formatting of the label's run (of "ngày"'s run for the date).

A draft with no "Số:" label at the top, with a number already after it, or that cannot be read is
refused (``DocxNotStampable``) before the number is taken: numbering stays gapless.
"""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from ..drafting.types import date_words, place_date_line
from ..errors import DocxNotStampable

#: The header is at the top: only the first paragraphs with text are searched (the whole Decree
#: 30 header table is some ten paragraphs).
HEADER_PARAGRAPHS = 25
#: What a drafter leaves for a number or a date to be written in.
_BLANK = r"[ \t\u00a0.…_·]"
_LABEL = re.compile(rf"^[ \t\u00a0]*S[ốỐ][ \t\u00a0]*:(?P<blank>{_BLANK}*)")
_DATE = re.compile(
    rf"(?P<ngay>[nN]gày)(?P<d>{_BLANK}*)tháng(?P<m>{_BLANK}*)năm"
    rf"(?P<y>{_BLANK}*(?:\d{{1,3}}[.…_·]+{_BLANK}*)?)"
)
_DATED = re.compile(r"[nN]gày[ \t\u00a0]*\d")
#: "Thạch Khoán, ngày …" or a bare "ngày …" opening the paragraph (not "Căn cứ … ngày …").
_DATE_LINE = re.compile(r"^[ \t\u00a0]*(?:[^,;\n]{1,60},[ \t\u00a0]*)?(?=[nN]gày)")
_MOTTO = "Hạnh phúc"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
#: Run children that are text; a run holding anything else (a field, a picture) is not rewritten.
_TEXT_CHILDREN = frozenset(
    f"{_W}{tag}"
    for tag in ("rPr", "t", "tab", "br", "cr", "noBreakHyphen", "lastRenderedPageBreak")
)


@dataclass
class _Par:
    """A paragraph of the header with its runs and the runs' joined text."""

    paragraph: Any
    runs: list[Any]
    text: str

    @classmethod
    def of(cls, paragraph: Any) -> _Par:
        runs = list(paragraph.runs)
        return cls(paragraph, runs, "".join(r.text for r in runs))


@dataclass
class PreparedDocx:
    """A DOCX draft found writable, with the places to write: read before the number is taken."""

    document: Any
    number_par: _Par
    number_span: tuple[int, int]
    #: True: the notation follows the blank, only the number goes in.
    number_only: bool
    date_par: _Par | None
    date_span: tuple[int, int] | None
    #: "label" (blanks filled), "present" (already dated), "header" (line added under the motto)
    date_at: str
    motto_par: _Par | None


@dataclass(frozen=True)
class StampedDocx:
    docx: bytes
    number_at: str
    date_at: str


def _refuse(reason: str) -> DocxNotStampable:
    return DocxNotStampable(
        _("Không ghi được số và ngày vào tệp DOCX dự thảo: %(reason)s Chưa cấp số.")
        % {"reason": reason},
        fields={"file": [reason]},
    )


def _header(document: Any) -> Iterator[_Par]:
    """The first paragraphs with text, in document order: body, table cells (nested too),
    content controls and text boxes alike."""
    from docx.text.paragraph import Paragraph

    found = 0
    for p in document.element.body.iter(f"{_W}p"):
        par = _Par.of(Paragraph(p, document))
        if not par.text.strip():
            continue
        yield par
        found += 1
        if found >= HEADER_PARAGRAPHS:
            return


def prepare(data: bytes) -> PreparedDocx:
    """Read ``data`` and find where the number and the date go; ``DocxNotStampable`` when it
    cannot be written on."""
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
        header = list(_header(document))
    except Exception:  # python-docx raises lxml, KeyError, ValueError... on a bad part
        raise _refuse(_("tệp DOCX bị hỏng, không đọc được.")) from None
    number = next(((p, m) for p in header if (m := _LABEL.match(p.text))), None)
    if number is None:
        raise _refuse(
            _(
                "ở đầu văn bản không có nhãn “Số:” (ô số, ký hiệu theo Nghị định 30/2020/NĐ-CP) để "
                "ghi số vào; cần tải lên bản có dòng “Số: ......../…” để trống số."
            )
        )
    number_par, label = number
    start, end = label.span("blank")
    rest = number_par.text[end:]
    if rest and not rest.startswith("/"):
        raise _refuse(
            _("sau nhãn “Số:” đã có “%(text)s”; cần tải lên bản để trống số.")
            % {"text": rest.split()[0] if rest.split() else rest}
        )
    _check_runs(number_par, start - 1, end)
    date_par, date_span, date_at, motto_par = None, None, "header", None
    for par in header:
        line = _DATE_LINE.match(par.text)
        if line is None:
            continue
        if _DATED.match(par.text, line.end()):
            date_at = "present"
            break
        match = _DATE.match(par.text, line.end())
        if match is not None:
            date_par, date_span, date_at = par, match.span(), "label"
            _check_runs(par, match.start(), match.end())
            break
    if date_at == "header":
        motto_par = next((p for p in header if _MOTTO in p.text), None)
        if motto_par is None:
            raise _refuse(
                _(
                    "ở đầu văn bản không có dòng “…, ngày … tháng … năm …” cũng không có quốc "
                    "hiệu, tiêu ngữ để ghi ngày tháng vào."
                )
            )
    return PreparedDocx(
        document=document,
        number_par=number_par,
        number_span=(start, end),
        number_only=rest.startswith("/"),
        date_par=date_par,
        date_span=date_span,
        date_at=date_at,
        motto_par=motto_par,
    )


def _spans(par: _Par) -> Iterator[tuple[Any, int, int]]:
    at = 0
    for run in par.runs:
        text = run.text
        yield run, at, at + len(text)
        at += len(text)


def _check_runs(par: _Par, start: int, end: int) -> None:
    """The runs over ``start``–``end`` hold only text (rewriting them keeps nothing else)."""
    for run, a, b in _spans(par):
        touched = a < max(end, start + 1) and b > start
        if touched and any(child.tag not in _TEXT_CHILDREN for child in run._r):
            raise _refuse(
                _(
                    "chỗ để trống sau “Số:” hoặc trong dòng ngày tháng có trường tự động hoặc "
                    "hình; cần tải lên bản chỉ có chữ ở đó."
                )
            )


def _replace(par: _Par, start: int, end: int, new: str, *, style_at: int) -> None:
    """Put ``new`` in place of the joined text's ``start``–``end``: into the run holding the
    character ``style_at`` (so it takes that run's formatting); the other runs over the span lose
    their part of it, and a run left empty goes."""
    spans = list(_spans(par))
    owner = next(run for run, a, b in spans if a <= style_at < b)
    for run, a, _b in spans:
        text = run.text

        def cut(x: int, a: int = a, text: str = text) -> int:
            return min(max(x - a, 0), len(text))

        kept = text[: cut(start)] + (new if run is owner else "") + text[cut(end) :]
        if kept == text:
            continue
        if kept:
            run.text = kept
        else:
            run._r.getparent().remove(run._r)


def _add_date_line(motto: _Par, line: str) -> None:
    """A new paragraph after the motto's, in its cell, centred like it, in the motto's font but
    italic and not bold (Appendix I, ô 4)."""
    from docx.text.paragraph import Paragraph

    new_p = copy.deepcopy(motto.paragraph._p)
    for child in list(new_p):
        if child.tag != f"{_W}pPr":
            new_p.remove(child)
    motto.paragraph._p.addnext(new_p)
    paragraph = Paragraph(new_p, motto.paragraph._parent)
    run = paragraph.add_run(line)
    source = next((r for r in motto.runs if _MOTTO[0] in r.text), None)
    if source is not None and source._r.rPr is not None:
        run._r.insert(0, copy.deepcopy(source._r.rPr))
    run.bold, run.italic, run.underline = False, True, False


def stamp(
    prepared: PreparedDocx, *, number: str, notation: str, place: str, on: date
) -> StampedDocx:
    """Write the number and the date into the prepared DOCX; the new file's bytes. The date goes
    first: when the date line is the number's own paragraph ("Số: …/QĐ-UBND<tab>Thạch Khoán,
    ngày …"), it comes after the label, so the label is found again at the same place."""
    if prepared.date_par is not None and prepared.date_span is not None:
        a, b = prepared.date_span
        text = prepared.date_par.text
        _ngay, day, _thang, month, _nam, year = date_words(on).split()
        year_present = re.match(r"[ \t\u00a0]*\d{4}", text[b:]) is not None
        if year_present:  # "năm 2026" typed, day and month left blank
            b = text.rindex("năm", a, b) + len("năm")
        elif text[b:].strip():  # the spaces between the blanks and what follows stay
            b = a + len(text[a:b].rstrip(" \t\u00a0"))
        words = f"{text[a : a + 4]} {day} tháng {month} năm" + ("" if year_present else f" {year}")
        _replace(prepared.date_par, a, b, words, style_at=a)
    elif prepared.motto_par is not None:
        _add_date_line(prepared.motto_par, place_date_line(place, on))
    par = _Par.of(prepared.number_par.paragraph)
    label = _LABEL.match(par.text)
    assert label is not None and label.span("blank") == prepared.number_span
    start, end = prepared.number_span
    written = f" {number}" if prepared.number_only else f" {number}/{notation}"
    _replace(par, start, end, written, style_at=start - 1)
    out = io.BytesIO()
    prepared.document.save(out)
    return StampedDocx(docx=out.getvalue(), number_at="label", date_at=prepared.date_at)
