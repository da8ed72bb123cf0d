"""Sổ theo dõi hồ sơ as an Excel workbook (openpyxl), the same columns as the printed book.

Dates are real Excel datetimes in Vietnam wall time (Excel has no time zones), formatted
dd/mm/yyyy hh:mm, so the register can be sorted and filtered; the layout prints on A4 landscape
with the column headings repeated on every page.
"""

from __future__ import annotations

import datetime as dt
import io

from xaso.dossiers.documents.render import TRACKING_BOOK_COLUMNS, TRACKING_BOOK_TITLE
from xaso.dossiers.documents.slips import TrackingBook, TrackingBookRow
from xaso.dossiers.documents.wording import local, short_date

HEADER_ROW = 5
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
_WIDTHS = (6, 24, 34, 10, 34, 26, 16, 16, 16, 16, 16, 14, 20)
_FONT = "Times New Roman"


def _wall(moment: dt.datetime | None) -> dt.datetime | None:
    return local(moment).replace(tzinfo=None) if moment is not None else None


def _values(number: int, row: TrackingBookRow) -> list[object]:
    applicant = "\n".join(
        part for part in (row.applicant_name, row.applicant_address, row.applicant_phone) if part
    )
    return [
        number,
        row.dossier_code,
        row.procedure_name,
        row.set_count,
        applicant,
        row.handling_agency,
        _wall(row.received_at),
        _wall(row.due_at),
        _wall(row.transferred_at),
        _wall(row.result_received_at),
        _wall(row.returned_at),
        None,
        row.note or None,
    ]


def render_tracking_book_xlsx(book: TrackingBook) -> bytes:
    """The tracking book as .xlsx bytes: title block in rows 1-3, headings in row 5, data below."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new Workbook always has one sheet
    sheet.title = "Sổ theo dõi hồ sơ"
    regular, bold = Font(name=_FONT, size=12), Font(name=_FONT, size=12, bold=True)
    last = get_column_letter(len(TRACKING_BOOK_COLUMNS))

    names = (book.issuer.parent_name, book.issuer.name)
    agency = " - ".join(name.upper() for name in names if name)
    period = f"Từ ngày {short_date(book.period_start)} đến ngày {short_date(book.period_end)}"
    if book.book_number:
        period = f"Quyển số: {book.book_number} - {period}"
    for row_number, text, font in (
        (1, agency, bold),
        (2, TRACKING_BOOK_TITLE, Font(name=_FONT, size=14, bold=True)),
        (3, period, Font(name=_FONT, size=12, italic=True)),
    ):
        sheet.cell(row=row_number, column=1, value=text).font = font
        sheet.merge_cells(f"A{row_number}:{last}{row_number}")
        sheet.cell(row=row_number, column=1).alignment = Alignment(horizontal="center")

    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    for column, title in enumerate(TRACKING_BOOK_COLUMNS, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=column, value=title)
        cell.font, cell.border = bold, border
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        sheet.column_dimensions[get_column_letter(column)].width = _WIDTHS[column - 1]

    for number, row in enumerate(book.rows, start=1):
        for column, value in enumerate(_values(number, row), start=1):
            cell = sheet.cell(row=HEADER_ROW + number, column=column, value=value)
            cell.font, cell.border, cell.alignment = regular, border, wrap
            if isinstance(value, dt.datetime):
                cell.number_format = DATETIME_FORMAT

    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
