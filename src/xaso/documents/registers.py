"""The registers of Decree 30/2020/NĐ-CP Appendix IV (input fields of Appendix VI), as tables
for the printable pages and the Excel files: Sổ đăng ký văn bản đi, Sổ đăng ký văn bản đến and
Sổ theo dõi giải quyết văn bản đến, one calendar year of the actor's agency, each row as the
actor may see it (confidential documents only for those cleared)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from xaso.org.models import Staff

from . import selectors
from .models import Confidentiality, IncomingDocument, OutgoingDocument, Urgency


@dataclass(frozen=True)
class RegisterTable:
    title: str
    year: int
    agency: str
    columns: list[str]
    rows: list[list[str]]


def _d(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return f"{value:%d/%m/%Y}"


def _marks(urgency: str, confidentiality: str) -> str:
    marks = []
    if urgency != Urgency.NORMAL:
        marks.append(str(Urgency(urgency).label))
    if confidentiality != Confidentiality.NORMAL:
        marks.append(str(Confidentiality(confidentiality).label))
    return ", ".join(marks)


def _type_subject(doc: OutgoingDocument | IncomingDocument) -> str:
    return f"{doc.get_doc_type_display()}: {doc.subject}"


def outgoing_register(*, actor: Staff, year: int) -> RegisterTable:
    """Sổ đăng ký văn bản đi: the 10 columns of Appendix IV."""
    rows = []
    d: OutgoingDocument
    for d in selectors.outgoing_register_rows(actor=actor, year=year):
        sent = [r.agency_name for r in d.recipients.all()]
        places = "; ".join(p for p in [d.recipients_text, *sent] if p)
        rows.append(
            [
                d.number_notation,
                _d(d.promulgation_date),
                _type_subject(d),
                d.signer_name,
                places,
                d.created_by.full_name or d.created_by.username,
                str(d.copies),
                _d(d.issued_at),
                "",
                _marks(d.urgency, d.confidentiality),
            ]
        )
    return RegisterTable(
        title=_("Sổ đăng ký văn bản đi"),
        year=year,
        agency=actor.agency.name,
        columns=[
            _("Số, ký hiệu văn bản"),
            _("Ngày tháng văn bản"),
            _("Tên loại và trích yếu nội dung"),
            _("Người ký"),
            _("Nơi nhận văn bản"),
            _("Đơn vị, người nhận bản lưu"),
            _("Số lượng bản"),
            _("Ngày chuyển"),
            _("Ký nhận"),
            _("Ghi chú"),
        ],
        rows=rows,
    )


def incoming_register(*, actor: Staff, year: int) -> RegisterTable:
    """Sổ đăng ký văn bản đến: the 10 columns of Appendix IV."""
    rows = []
    for d in selectors.incoming_register_rows(actor=actor, year=year):
        handler = d.lead_handler.full_name if d.lead_handler else ""
        rows.append(
            [
                _d(d.arrived_at),
                f"{d.incoming_number:02d}" if d.incoming_number else "",
                d.sender_name,
                d.code_text,
                _d(d.promulgation_date),
                _type_subject(d),
                handler,
                _d(d.assigned_at),
                "",
                _marks(d.urgency, d.confidentiality),
            ]
        )
    return RegisterTable(
        title=_("Sổ đăng ký văn bản đến"),
        year=year,
        agency=actor.agency.name,
        columns=[
            _("Ngày đến"),
            _("Số đến"),
            _("Tác giả"),
            _("Số, ký hiệu"),
            _("Ngày tháng văn bản"),
            _("Tên loại và trích yếu nội dung"),
            _("Đơn vị hoặc người nhận"),
            _("Ngày chuyển"),
            _("Ký nhận"),
            _("Ghi chú"),
        ],
        rows=rows,
    )


def follow_up_book(*, actor: Staff, year: int) -> RegisterTable:
    """Sổ theo dõi giải quyết văn bản đến: số đến, the document, who handles it, the deadline,
    the progress, the reply's number and notation, notes."""
    rows = []
    now = timezone.now()
    for d in selectors.incoming_register_rows(actor=actor, year=year):
        handlers = [d.lead_handler.full_name] if d.lead_handler else []
        handlers += [s.full_name for s in d.co_handlers.all()]
        described = ", ".join(
            p
            for p in [
                str(d.get_doc_type_display()),
                d.code_text,
                _d(d.promulgation_date),
                d.sender_name,
            ]
            if p
        )
        rows.append(
            [
                f"{d.incoming_number:02d}" if d.incoming_number else "",
                described,
                "; ".join(handlers),
                _d(d.due_at),
                str(selectors.follow_up(d, now=now).label),
                d.reply.number_notation if d.reply else "",
                d.result,
            ]
        )
    return RegisterTable(
        title=_("Sổ theo dõi giải quyết văn bản đến"),
        year=year,
        agency=actor.agency.name,
        columns=[
            _("Số đến"),
            _("Tên loại, số, ký hiệu, ngày tháng, tác giả"),
            _("Đơn vị hoặc người giải quyết"),
            _("Hạn giải quyết"),
            _("Tiến độ giải quyết"),
            _("Số, ký hiệu văn bản trả lời"),
            _("Ghi chú"),
        ],
        rows=rows,
    )


def to_xlsx(table: RegisterTable) -> bytes:
    """The register as an Excel workbook (openpyxl, imported here only)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = str(table.year)
    ws.append([f"{table.agency}"])
    ws.append([f"{table.title} {table.year}".upper()])
    ws["A2"].font = Font(bold=True)
    ws.append([])
    ws.append(table.columns)
    for cell in ws[4]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in table.rows:
        ws.append(row)
    for i, _column in enumerate(table.columns):
        ws.column_dimensions[chr(ord("A") + i)].width = 18 if i else 14
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
