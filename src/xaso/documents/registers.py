"""The registers of Decree 30/2020/NĐ-CP Appendix IV (input fields of Appendix VI), as tables
for the printable pages and the Excel files: Sổ đăng ký văn bản đi, Sổ đăng ký văn bản đến and
Sổ theo dõi giải quyết văn bản đến, one calendar year of the actor's agency, each row as the
actor may see it (confidential documents only for those cleared)."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

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


def _number(value: int | None) -> str:
    """Số đến as written: from 01 (Appendix I §II.3)."""
    return f"{value:02d}" if value else ""


def _outgoing_rows(actor: Staff, year: int) -> list[list[str]]:
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
    return rows


def _incoming_rows(actor: Staff, year: int) -> list[list[str]]:
    rows = []
    for d in selectors.incoming_register_rows(actor=actor, year=year):
        handler = d.lead_handler.full_name if d.lead_handler else ""
        rows.append(
            [
                _d(d.arrived_at),
                _number(d.incoming_number),
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
    return rows


def _follow_up_rows(actor: Staff, year: int) -> list[list[str]]:
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
                _number(d.incoming_number),
                described,
                "; ".join(handlers),
                _d(d.due_at),
                str(selectors.follow_up(d, now=now).label),
                d.reply.number_notation if d.reply else "",
                d.result,
            ]
        )
    return rows


@dataclass(frozen=True)
class Register:
    """One book of Appendix IV: its title, its columns and how its rows are read."""

    kind: str
    title: Promise
    columns: tuple[Promise, ...]
    rows: Callable[[Staff, int], list[list[str]]]

    def table(self, *, actor: Staff, year: int) -> RegisterTable:
        """The book of ``year`` of the actor's agency, each row as the actor may see it."""
        return RegisterTable(
            title=str(self.title),
            year=year,
            agency=actor.agency.name,
            columns=[str(c) for c in self.columns],
            rows=self.rows(actor, year),
        )


#: The books by the name in their page's address, in the order the pages list them.
REGISTERS = {
    r.kind: r
    for r in (
        Register(
            "outgoing",
            gettext_lazy("Sổ đăng ký văn bản đi"),
            (
                gettext_lazy("Số, ký hiệu văn bản"),
                gettext_lazy("Ngày tháng văn bản"),
                gettext_lazy("Tên loại và trích yếu nội dung"),
                gettext_lazy("Người ký"),
                gettext_lazy("Nơi nhận văn bản"),
                gettext_lazy("Đơn vị, người nhận bản lưu"),
                gettext_lazy("Số lượng bản"),
                gettext_lazy("Ngày chuyển"),
                gettext_lazy("Ký nhận"),
                gettext_lazy("Ghi chú"),
            ),
            _outgoing_rows,
        ),
        Register(
            "incoming",
            gettext_lazy("Sổ đăng ký văn bản đến"),
            (
                gettext_lazy("Ngày đến"),
                gettext_lazy("Số đến"),
                gettext_lazy("Tác giả"),
                gettext_lazy("Số, ký hiệu"),
                gettext_lazy("Ngày tháng văn bản"),
                gettext_lazy("Tên loại và trích yếu nội dung"),
                gettext_lazy("Đơn vị hoặc người nhận"),
                gettext_lazy("Ngày chuyển"),
                gettext_lazy("Ký nhận"),
                gettext_lazy("Ghi chú"),
            ),
            _incoming_rows,
        ),
        Register(
            "follow-up",
            gettext_lazy("Sổ theo dõi giải quyết văn bản đến"),
            (
                gettext_lazy("Số đến"),
                gettext_lazy("Tên loại, số, ký hiệu, ngày tháng, tác giả"),
                gettext_lazy("Đơn vị hoặc người giải quyết"),
                gettext_lazy("Hạn giải quyết"),
                gettext_lazy("Tiến độ giải quyết"),
                gettext_lazy("Số, ký hiệu văn bản trả lời"),
                gettext_lazy("Ghi chú"),
            ),
            _follow_up_rows,
        ),
    )
}


def outgoing_register(*, actor: Staff, year: int) -> RegisterTable:
    """Sổ đăng ký văn bản đi: the 10 columns of Appendix IV."""
    return REGISTERS["outgoing"].table(actor=actor, year=year)


def incoming_register(*, actor: Staff, year: int) -> RegisterTable:
    """Sổ đăng ký văn bản đến: the 10 columns of Appendix IV."""
    return REGISTERS["incoming"].table(actor=actor, year=year)


def follow_up_book(*, actor: Staff, year: int) -> RegisterTable:
    """Sổ theo dõi giải quyết văn bản đến: số đến, the document, who handles it, the deadline,
    the progress, the reply's number and notation, notes."""
    return REGISTERS["follow-up"].table(actor=actor, year=year)


def to_xlsx(table: RegisterTable) -> bytes:
    """The register as an Excel workbook for ``?format=xlsx`` (openpyxl, imported here only);
    the page prints the same table on A4 landscape."""
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
