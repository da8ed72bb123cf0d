"""A draft as an editable Word file (DOCX) in the same Decree 30/2020/NĐ-CP layout as the PDF, so
officials can finish it in Word or LibreOffice and upload it back (``convert.docx_to_pdf``).

The same values as the PDF (``render.document_context``): A4, margins 20/20/30/15 mm, Times New
Roman (LibreOffice shows Liberation Serif, metric-compatible), the two-column header as a table
without borders, the short rules as bordered empty paragraphs, body 14 pt justified with a 10 mm
first-line indent and 6 pt before each paragraph, "Nơi nhận:" and the signer in a two-column
table, page numbers from page 2 centred at the top (Appendix I).
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from .body import runs
from .render import DraftContent, document_context

if TYPE_CHECKING:
    from docx.document import Document
    from docx.table import _Cell
    from docx.text.paragraph import Paragraph

FONT = "Times New Roman"
#: A4 and the Appendix I margins, in millimetres.
PAGE = {"width": 210, "height": 297, "top": 20, "bottom": 20, "left": 30, "right": 15}
CONTENT_MM = PAGE["width"] - PAGE["left"] - PAGE["right"]
LEFT_MM = CONTENT_MM * 0.46
RIGHT_MM = CONTENT_MM - LEFT_MM


def _set_font(run: Any, size: float, *, bold: bool = False, italic: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), FONT)


def _paragraph(
    container: Document | _Cell,
    text: str = "",
    *,
    size: float = 14,
    bold: bool = False,
    italic: bool = False,
    align: str = "center",
    before: float = 0,
    after: float = 0,
) -> Paragraph:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph = container.add_paragraph()
    paragraph.alignment = {
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    }[align]
    paragraph.paragraph_format.space_before = Pt(before)
    paragraph.paragraph_format.space_after = Pt(after)
    paragraph.paragraph_format.line_spacing = 1.0
    if text:
        _set_font(paragraph.add_run(text), size, bold=bold, italic=italic)
    return paragraph


def _border(paragraph: Paragraph, sides: tuple[str, ...], size_eighths: int = 6) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    for side in sides:
        line = OxmlElement(f"w:{side}")
        line.set(qn("w:val"), "single")
        line.set(qn("w:sz"), str(size_eighths))
        line.set(qn("w:space"), "1")
        line.set(qn("w:color"), "000000")
        borders.append(line)
    properties.append(borders)


def _rule(container: _Cell | Document, *, width_mm: float, column_mm: float) -> None:
    """A short centred rule: an empty paragraph with a bottom border, indented from both sides."""
    from docx.shared import Mm, Pt

    paragraph = _paragraph(container, size=2)
    side = max((column_mm - width_mm) / 2, 0)
    paragraph.paragraph_format.left_indent = Mm(side)
    paragraph.paragraph_format.right_indent = Mm(side)
    paragraph.paragraph_format.line_spacing = Pt(2)
    _border(paragraph, ("bottom",))


def _mark(cell: _Cell, text: str, column_mm: float) -> None:
    """Urgency or confidentiality: bold upper case in a frame (Appendix I)."""
    from docx.shared import Mm

    paragraph = _paragraph(cell, text, size=13, bold=True, before=6)
    side = max((column_mm - (len(text) * 3.0 + 6)) / 2, 0)
    paragraph.paragraph_format.left_indent = Mm(side)
    paragraph.paragraph_format.right_indent = Mm(side)
    _border(paragraph, ("top", "left", "bottom", "right"))


def _table(document: Document, rows: int) -> Any:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm

    table = document.add_table(rows=rows, cols=2)
    table.autofit = False
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), "0")
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    table._tbl.tblPr.append(margins)  # no cell padding: the motto needs the column's full width
    table.columns[0].width = Mm(LEFT_MM)  # the grid, which LibreOffice reads
    table.columns[1].width = Mm(RIGHT_MM)
    for row in table.rows:
        row.cells[0].width = Mm(LEFT_MM)
        row.cells[1].width = Mm(RIGHT_MM)
    for cell in table._cells:
        # A new cell holds one empty paragraph; the content is added after it and it is removed.
        cell._tc.remove(cell.paragraphs[0]._p)
    return table


def _page_number_header(document: Document) -> None:
    """Page numbers from page 2, centred at the top, 13 pt (Appendix I)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    section = document.sections[0]
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = 1  # centre
    run = paragraph.add_run()
    _set_font(run, 13)
    for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def render_docx_from_template(draft: DraftContent) -> bytes:
    """The DOCX of the draft; raises what ``render.document_context`` raises for a bad draft."""
    import docx
    from docx.shared import Mm, Pt

    c = document_context(draft)
    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(PAGE["width"]), Mm(PAGE["height"])
    section.top_margin, section.bottom_margin = Mm(PAGE["top"]), Mm(PAGE["bottom"])
    section.left_margin, section.right_margin = Mm(PAGE["left"]), Mm(PAGE["right"])
    section.header_distance = Mm(10)
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)
    _page_number_header(document)
    document.core_properties.title = f"{c['kind'].name} – {c['subject']}"
    document.core_properties.language = "vi-VN"

    header = _table(document, rows=2)
    agency, motto = header.rows[0].cells
    if c["superior"]:
        _paragraph(agency, c["superior"], size=12)
    _paragraph(agency, c["agency"], size=12, bold=True)
    _rule(agency, width_mm=LEFT_MM / 3, column_mm=LEFT_MM)
    _paragraph(motto, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=12, bold=True)
    _paragraph(motto, "Độc lập - Tự do - Hạnh phúc", size=13, bold=True)
    _rule(motto, width_mm=61, column_mm=RIGHT_MM)
    number, dated = header.rows[1].cells
    _paragraph(number, c["number_line"], size=13, before=6)
    if c["kind"].letter_style:
        _paragraph(number, f"V/v {c['subject']}", size=12, before=3)
    for mark in (c["confidentiality_mark"], c["urgency_mark"]):
        if mark:
            _mark(number, mark, LEFT_MM)
    _paragraph(dated, c["date_line"], size=14, italic=True, before=6)

    if not c["kind"].letter_style:
        _paragraph(document, c["kind"].heading, bold=True, before=18)
        _paragraph(document, c["subject"], bold=True)
        _rule(document, width_mm=CONTENT_MM / 4, column_mm=CONTENT_MM)
    if c["addressee_single"]:
        _paragraph(document, f"Kính gửi: {c['addressee_single']}.", before=14, after=6)
    elif c["addressee_list"]:
        label = _paragraph(document, "Kính gửi:", align="left", before=14)
        label.paragraph_format.left_indent = Mm(25)
        for line in c["addressee_list"]:
            item = _paragraph(document, line, align="left")
            item.paragraph_format.left_indent = Mm(45)

    for block in c["blocks"]:
        if block.kind == "heading":
            paragraph = _paragraph(document, before=10)
        else:
            paragraph = _paragraph(document, align="justify", before=6)
            paragraph.paragraph_format.first_line_indent = Mm(10)
        if block.lead:
            _set_font(paragraph.add_run(block.lead + " "), 14, bold=True)
        for text, bold, italic in runs(block.text):
            _set_font(
                paragraph.add_run(text),
                14,
                bold=bold or block.kind == "heading",
                italic=italic or block.kind == "basis",
            )

    _paragraph(document, size=6)
    closing = _table(document, rows=1)
    recipients, signer = closing.rows[0].cells
    if c["recipients"]:
        _paragraph(recipients, "Nơi nhận:", size=12, bold=True, italic=True, align="left")
        for line in c["recipients"]:
            _paragraph(recipients, line, size=11, align="left")
    else:
        _paragraph(recipients, size=11)
    if c["authority"]:
        _paragraph(signer, c["authority"], bold=True)
    _paragraph(signer, c["position"], bold=True, after=Pt(30 / 25.4 * 72).pt)
    _paragraph(signer, c["d"].signer_name, bold=True)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
