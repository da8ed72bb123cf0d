"""A register book printed (PDF, A4 landscape, the register's columns) and exported (Excel), open
or closed; and the words an entry is written in, shared by the print, the export and the entry
page.

The register is the legal record (Law on Civil Status 2014 Art 58): each line shows the entry as
it was written, and its "Ghi chú" column the amendments recorded against it since (Law Arts
26-29: a change or correction never overwrites the entry; it is noted beside it). A closed book
ends with its closing: total entries and pages, the day, who closed it.

An export is a bulk read of personal data: ``book_export_for`` writes ``civil.book_export`` in
the audit trail (Decree 13/2023/NĐ-CP), like ``selectors.record_read_for`` does for one entry.

WeasyPrint and openpyxl are imported inside the functions that use them (STYLE.md §5): they cost
a web worker tens of megabytes it would otherwise keep for nothing.
"""

from __future__ import annotations

import atexit
import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from io import BytesIO
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from xaso.core.audit import audit_record
from xaso.core.errors import Conflict, InvalidInput
from xaso.org.models import Staff
from xaso.people.models import Sex

from . import selectors
from .current import CurrentRecord, PartyView, record_current
from .models import (
    AmendmentKind,
    CivilAmendment,
    CivilBook,
    CivilRecord,
    Event,
    PartyRole,
    Relationship,
    Variant,
)
from .services.amendments import KINDS
from .services.births import FATHER_BASES
from .services.family import (
    GUARDIANSHIP_BASES,
    RECOGNISED_AS,
    REQUESTED_BY,
    TERMINATION_REASONS,
)
from .services.marriage import MARITAL_STATUSES, PURPOSES

if TYPE_CHECKING:
    from weasyprint.text.fonts import FontConfiguration

#: Entries read from the database at a time when a book is printed.
CHUNK = 500
#: The most entries one PDF holds. WeasyPrint lays a register line out in about 15 ms here (a
#: 300-entry part of a birth register: 75 pages, about 4.5 s; 1,000 entries: 15 s), so a
#: larger book is printed in parts of this size rather than holding a web worker for minutes.
PDF_MAX_ENTRIES = 300

# --- An entry in words -------------------------------------------------------------------------

#: The columns of a person an amendment may change, as the pages name them.
FIELD_LABELS: dict[str, Any] = {
    "family_name": gettext_lazy("Họ"),
    "middle_name": gettext_lazy("Chữ đệm"),
    "given_name": pgettext_lazy("phần của họ tên", "Tên"),
    "full_name": gettext_lazy("Họ, chữ đệm và tên"),
    "sex": gettext_lazy("Giới tính"),
    "date_of_birth": gettext_lazy("Ngày sinh"),
    "birth_year": gettext_lazy("Năm sinh"),
    "id_number": gettext_lazy("Số định danh cá nhân"),
    "ethnicity": gettext_lazy("Dân tộc"),
    "nationality": gettext_lazy("Quốc tịch"),
    "residence": gettext_lazy("Nơi cư trú"),
    "place_of_birth": gettext_lazy("Nơi sinh"),
    "home_town": gettext_lazy("Quê quán"),
    "place_of_death": gettext_lazy("Nơi chết"),
    "time_of_death": gettext_lazy("Giờ chết"),
    "cause": gettext_lazy("Nguyên nhân chết"),
    "place_of_event": gettext_lazy("Nơi xảy ra sự kiện"),
    "ended_on": gettext_lazy("Chấm dứt hôn nhân"),
}

#: Labels of the keys of ``CivilRecord.content``, in the order the entry page lists them.
CONTENT_LABELS: dict[str, Any] = {
    "place_of_birth": gettext_lazy("Nơi sinh"),
    "home_town": gettext_lazy("Quê quán"),
    "birth_notice": gettext_lazy("Giấy chứng sinh"),
    "father_basis": gettext_lazy("Căn cứ ghi thông tin người cha"),
    "parents_marriage": gettext_lazy("Việc kết hôn của cha mẹ"),
    "time_of_death": gettext_lazy("Giờ chết"),
    "place_of_death": gettext_lazy("Nơi chết"),
    "cause": gettext_lazy("Nguyên nhân chết"),
    "death_notice": gettext_lazy("Giấy báo tử"),
    "birth_record": gettext_lazy("Mục đăng ký khai sinh"),
    "declared_status": gettext_lazy("Tình trạng hôn nhân khai"),
    "status_on_record": gettext_lazy("Tình trạng theo Sổ hộ tịch của cơ quan"),
    "marriages_on_record": gettext_lazy("Việc kết hôn trong Sổ hộ tịch"),
    "purpose_kind": gettext_lazy("Mục đích"),
    "purpose": gettext_lazy("Mục đích sử dụng"),
    "intended_spouse": gettext_lazy("Người dự định kết hôn"),
    "previous_confirmations": gettext_lazy("Giấy xác nhận cấp trước còn giá trị"),
    "recognized_as": gettext_lazy("Được nhận là"),
    "requested_by": gettext_lazy("Bên yêu cầu"),
    "basis": gettext_lazy("Loại giám hộ"),
    "appointment_document": gettext_lazy("Văn bản cử người giám hộ"),
    "ward_condition": gettext_lazy("Tình trạng của người được giám hộ"),
    "appointment": gettext_lazy("Việc giám hộ được chấm dứt"),
    "reason_detail": gettext_lazy("Căn cứ"),
    "kind": gettext_lazy("Việc yêu cầu"),
    "target": gettext_lazy("Mục hộ tịch được thay đổi"),
    "changes": gettext_lazy("Nội dung thay đổi"),
    "reason": gettext_lazy("Lý do"),
    "subject_consent": gettext_lazy("Sự đồng ý của người được thay đổi"),
    "original": gettext_lazy("Đã đăng ký trước đây"),
    "foreign_authority": gettext_lazy("Cơ quan nước ngoài"),
    "country": gettext_lazy("Nước"),
    "foreign_document": gettext_lazy("Giấy tờ nước ngoài"),
    "place_of_event": gettext_lazy("Nơi xảy ra sự kiện"),
    "marriage_record": gettext_lazy("Mục đăng ký kết hôn"),
    "source": gettext_lazy("Mục hộ tịch được cấp bản sao"),
    "copies": gettext_lazy("Số bản sao"),
    "records": gettext_lazy("Các mục hộ tịch được xác nhận"),
    "declaration_due": gettext_lazy("Hạn đăng ký"),
    "ended_on": gettext_lazy("Chấm dứt hôn nhân ngày"),
    "note": gettext_lazy("Ghi chú"),
}
#: Keys shown by other means (``ended_by`` goes with ``ended_on``).
_HIDDEN = frozenset({"ended_by"})

ROLE_LABELS: dict[str, Any] = {
    PartyRole.CHILD: gettext_lazy("Người con"),
    PartyRole.MOTHER: gettext_lazy("Mẹ"),
    PartyRole.FATHER: gettext_lazy("Cha"),
    PartyRole.DECLARANT: gettext_lazy("Người đi đăng ký"),
    PartyRole.DECEASED: gettext_lazy("Người chết"),
    PartyRole.HUSBAND: gettext_lazy("Bên chồng"),
    PartyRole.WIFE: gettext_lazy("Bên vợ"),
    PartyRole.PERSON: gettext_lazy("Người được xác nhận"),
    PartyRole.PARENT: gettext_lazy("Người nhận / được nhận là cha, mẹ"),
    PartyRole.GUARDIAN: gettext_lazy("Người giám hộ"),
    PartyRole.WARD: gettext_lazy("Người được giám hộ"),
    PartyRole.REQUESTER: gettext_lazy("Người yêu cầu"),
}
_BORN = gettext_lazy("Người được đăng ký khai sinh")


def role_label(role: str, event: str) -> str:
    if role == PartyRole.CHILD and event in (Event.BIRTH, Event.FOREIGN_RECORD):
        return str(_BORN)
    if role == PartyRole.PERSON and event == Event.CHANGE:
        return str(gettext_lazy("Người có thông tin được thay đổi"))
    return str(ROLE_LABELS.get(role, role))


def day(value: date | str | None) -> str:
    """dd/mm/yyyy of a date or of its ISO text; '' for nothing."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    return value.strftime("%d/%m/%Y")


def sex_label(value: str) -> str:
    return str(Sex(value).label).lower() if value in Sex.values else ""


def field_text(name: str, value: Any) -> str:
    """A value of a person or of the entry, as written on the pages."""
    if value in (None, ""):
        return ""
    if name == "date_of_birth" or name == "ended_on":
        return day(value)
    if name == "sex":
        return sex_label(str(value))
    return str(value)


def variant_label(record: CivilRecord) -> str:
    if not record.variant:
        return str(Event(record.event).label)
    return str(Variant(record.variant).label)


@dataclass(frozen=True)
class Link:
    label: str
    record: str  # public id of the entry linked to


@dataclass(frozen=True)
class Fact:
    """One line of an entry's content: ``text`` and the entries it refers to."""

    key: str
    label: str
    text: str
    links: tuple[Link, ...] = ()
    amended: bool = False


def _ref(value: Any) -> Link | None:
    if isinstance(value, dict) and value.get("record"):
        return Link(str(value.get("entry") or value["record"]), str(value["record"]))
    return None


def _choice(labels: dict[str, Any], value: Any) -> str:
    return str(labels.get(str(value), value))


def fact_of(record: CivilRecord, key: str, value: Any, amended: bool = False) -> Fact | None:
    """The content value ``key`` of an entry in words (None: nothing to show)."""
    if key in _HIDDEN or value in (None, "", [], {}):
        return None
    label = str(CONTENT_LABELS.get(key, key))
    links: list[Link] = []
    text = ""
    if key == "father_basis":
        labels = {**FATHER_BASES, "marriage_on_record": gettext_lazy("theo Sổ đăng ký kết hôn")}
        text = _choice(labels, value)
    elif key in ("declared_status", "status_on_record"):
        text = _choice(MARITAL_STATUSES, value)
    elif key == "purpose_kind":
        text = _choice(PURPOSES, value)
    elif key == "recognized_as":
        text = _choice(RECOGNISED_AS, value)
    elif key == "requested_by":
        text = _choice(REQUESTED_BY, value)
    elif key == "basis":
        text = _choice(GUARDIANSHIP_BASES, value)
    elif key == "reason" and record.event == Event.GUARDIANSHIP:
        text = _choice(TERMINATION_REASONS, value)
    elif key == "kind":
        text = _choice(KINDS, value)
    elif key in ("declaration_due", "ended_on"):
        text = day(value)
        if key == "ended_on":
            ended = record.content.get("ended_by")
            kind = AmendmentKind(ended).label if ended in AmendmentKind.values else ""
            text = f"{text} ({kind})" if kind else text
    elif key == "subject_consent":
        text = str(gettext_lazy("Có") if value else gettext_lazy("Không"))
    elif key == "intended_spouse" and isinstance(value, dict):
        parts = [
            value.get("full_name") or "",
            _("sinh năm %(y)s") % {"y": value["birth_year"]} if value.get("birth_year") else "",
            value.get("nationality") or "",
            value.get("residence") or "",
            value.get("id_number") or "",
        ]
        text = "; ".join(p for p in parts if p)
    elif key == "original" and isinstance(value, dict):
        parts = [
            _("ngày %(d)s") % {"d": day(value.get("registered_on"))},
            value.get("place") or "",
            _("số %(n)s") % {"n": value["number"]} if value.get("number") else "",
        ]
        text = ", ".join(p for p in parts if p)
    elif key == "changes" and isinstance(value, list):
        lines = []
        for c in value:
            whose = role_label(c.get("role") or "", record.event) if c.get("role") else ""
            name = str(FIELD_LABELS.get(c.get("field"), c.get("field")))
            old = field_text(c.get("field") or "", c.get("old"))
            new = field_text(c.get("field") or "", c.get("new"))
            lines.append(f"{whose + ' — ' if whose else ''}{name}: «{old}» → «{new}»")
        text = "; ".join(lines)
    elif key == "marriages_on_record" and isinstance(value, list):
        for item in value:
            link = _ref(item)
            if link is not None:
                status = _choice(MARITAL_STATUSES, item.get("status"))
                links.append(Link(f"{link.label} ({status})", link.record))
    elif key == "records" and isinstance(value, list):
        links = [link for item in value if (link := _ref(item)) is not None]
    elif key == "previous_confirmations" and isinstance(value, list):
        links = [Link(_("Giấy xác nhận cấp trước"), str(v)) for v in value]
    elif (link := _ref(value)) is not None:
        links = [link]
    elif isinstance(value, dict | list):
        text = str(value)
    else:
        text = str(value)
    if not text and not links:
        return None
    return Fact(key=key, label=label, text=text, links=tuple(links), amended=amended)


def content_facts(now: CurrentRecord) -> list[Fact]:
    """The entry's content as it reads now, in the order of ``CONTENT_LABELS`` (then any key
    this module does not know, as written)."""
    amended = {a.field for a in now.amendments if not a.role}
    order = {k: i for i, k in enumerate(CONTENT_LABELS)}
    keys = sorted(now.content, key=lambda k: (order.get(k, len(order)), k))
    facts = []
    for key in keys:
        fact = fact_of(now.record, key, now.content[key], key in amended)
        if fact is not None:
            facts.append(fact)
    return facts


def person_text(view: PartyView, *, with_name: bool = True) -> str:
    """A person of an entry in one line, as the register writes them."""
    parts = [view.full_name] if with_name else []
    if view.sex:
        parts.append(sex_label(view.sex))
    if view.date_of_birth:
        parts.append(_("sinh ngày %(d)s") % {"d": day(view.date_of_birth)})
    elif view.birth_year:
        parts.append(_("sinh năm %(y)d") % {"y": view.birth_year})
    if view.ethnicity:
        parts.append(_("dân tộc %(e)s") % {"e": view.ethnicity})
    if view.nationality:
        parts.append(_("quốc tịch %(n)s") % {"n": view.nationality})
    if view.id_number:
        parts.append(_("số định danh %(n)s") % {"n": view.id_number})
    if view.residence:
        parts.append(_("cư trú tại %(r)s") % {"r": view.residence})
    if view.relationship:
        parts.append(str(Relationship(view.relationship).label).lower())
    return "; ".join(p for p in parts if p)


def amendment_text(a: CivilAmendment, event: str) -> str:
    """One amendment as the register notes it beside the entry."""
    kind = AmendmentKind(a.kind).label if a.kind in AmendmentKind.values else a.kind
    source = (
        _("%(book)s, số %(n)d") % {"book": str(a.source.book), "n": a.source.entry_number}
        if a.source_id and a.source
        else a.basis
    )
    what = str(FIELD_LABELS.get(a.field, a.field))
    if a.role:
        what = f"{role_label(a.role, event)} — {what}"
    old, new = field_text(a.field, a.old_value), field_text(a.field, a.new_value)
    change = f"«{old}» → «{new}»" if old else f"«{new}»"
    return _("%(kind)s ngày %(day)s (%(source)s): %(what)s %(change)s") % {
        "kind": kind,
        "day": day(a.effective_on),
        "source": source,
        "what": what,
        "change": change,
    }


# --- The register's columns --------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    title: Any
    width: int  # share of the page width, in per cent
    cell: Any  # (CurrentRecord) -> str


def _entry_no(now: CurrentRecord) -> str:
    r = now.record
    return f"{r.entry_number}" + (f" / {r.page}" if r.page else "")


def _registered(now: CurrentRecord) -> str:
    return day(now.record.registered_on)


def _party(role: str, *, with_name: bool = True) -> Any:
    def cell(now: CurrentRecord) -> str:
        view = original_party(now, role)
        return person_text(view, with_name=with_name) if view is not None else ""

    return cell


def _content(*keys: str) -> Any:
    def cell(now: CurrentRecord) -> str:
        out = []
        for key in keys:
            fact = fact_of(now.record, key, now.record.content.get(key))
            if fact is not None:
                out.append(fact.text or ", ".join(link.label for link in fact.links))
        return "; ".join(out)

    return cell


def _death_when(now: CurrentRecord) -> str:
    r = now.record
    parts = [r.content.get("time_of_death") or "", day(r.event_date)]
    when = " ".join(p for p in parts if p)
    place = r.content.get("place_of_death") or ""
    return "; ".join(p for p in (when, place) if p)


def _parties_all(now: CurrentRecord) -> str:
    return "\n".join(
        f"{role_label(role, now.record.event)}: {person_text(original_party(now, role) or view)}"
        for role, view in now.parties.items()
    )


def _all_content(now: CurrentRecord) -> str:
    lines = []
    for key, value in now.record.content.items():
        if key in ("note", "declaration_due"):
            continue
        fact = fact_of(now.record, key, value)
        if fact is not None:
            shown = fact.text or ", ".join(link.label for link in fact.links)
            lines.append(f"{fact.label}: {shown}")
    return "\n".join(lines)


def notes(now: CurrentRecord) -> str:
    """The "Ghi chú" column: late, re-registration, the amendments since, the officer's note."""
    r = now.record
    lines = []
    if r.late:
        lines.append(_("Đăng ký quá hạn."))
    if r.variant == "re_registration":
        lines.append(_("Đăng ký lại."))
    if r.valid_until:
        lines.append(_("Có giá trị đến %(d)s.") % {"d": day(r.valid_until)})
    for view in now.parties.values():
        if view.added_by is not None:
            lines.append(
                _("%(role)s được bổ sung theo việc nhận cha, mẹ, con: %(person)s.")
                % {"role": role_label(view.role, r.event), "person": view.full_name}
            )
    lines.extend(amendment_text(a, r.event) + "." for a in now.amendments)
    if r.content.get("note"):
        lines.append(str(r.content["note"]))
    return "\n".join(lines)


def original_party(now: CurrentRecord, role: str) -> PartyView | None:
    """A party as the entry wrote it (amendments are in the notes, not in the line)."""
    view = now.party(role)
    return PartyView.of(view.row) if view is not None else None


def columns_for(event: str) -> list[Column]:
    """The register's columns for a book of ``event`` (widths add up to 100)."""
    number = Column(gettext_lazy("Số / trang"), 5, _entry_no)
    registered = Column(gettext_lazy("Ngày đăng ký"), 7, _registered)
    note = Column(gettext_lazy("Ghi chú"), 14, notes)
    if event == Event.BIRTH:
        return [
            number,
            registered,
            Column(gettext_lazy("Người được đăng ký khai sinh"), 18, _party(PartyRole.CHILD)),
            Column(gettext_lazy("Nơi sinh; quê quán"), 11, _content("place_of_birth", "home_town")),
            Column(gettext_lazy("Mẹ"), 14, _party(PartyRole.MOTHER)),
            Column(gettext_lazy("Cha"), 14, _party(PartyRole.FATHER)),
            Column(gettext_lazy("Người đi đăng ký"), 10, _party(PartyRole.DECLARANT)),
            Column(gettext_lazy("Giấy chứng sinh"), 7, _content("birth_notice")),
            note,
        ]
    if event == Event.DEATH:
        return [
            number,
            registered,
            Column(gettext_lazy("Người chết"), 24, _party(PartyRole.DECEASED)),
            Column(gettext_lazy("Giờ, ngày, nơi chết"), 14, _death_when),
            Column(gettext_lazy("Nguyên nhân; giấy báo tử"), 12, _content("cause", "death_notice")),
            Column(gettext_lazy("Người đi đăng ký"), 14, _party(PartyRole.DECLARANT)),
            Column(gettext_lazy("Ghi chú"), 24, notes),
        ]
    if event == Event.MARRIAGE:
        return [
            number,
            registered,
            Column(gettext_lazy("Bên chồng"), 31, _party(PartyRole.HUSBAND)),
            Column(gettext_lazy("Bên vợ"), 31, _party(PartyRole.WIFE)),
            Column(gettext_lazy("Ghi chú"), 26, notes),
        ]
    return [
        number,
        registered,
        Column(gettext_lazy("Loại việc"), 9, lambda now: variant_label(now.record)),
        Column(gettext_lazy("Người trong việc hộ tịch"), 33, _parties_all),
        Column(gettext_lazy("Nội dung"), 26, _all_content),
        Column(gettext_lazy("Ghi chú"), 20, notes),
    ]


# --- Reading a book ----------------------------------------------------------------------------


def book_entries(
    book: CivilBook, first: int = 1, last: int | None = None
) -> Iterator[CurrentRecord]:
    """The book's entries ``first``..``last`` in order, with their parties and amendments, a
    chunk at a time."""
    qs = CivilRecord.objects.filter(book=book, entry_number__gte=first)
    if last is not None:
        qs = qs.filter(entry_number__lte=last)
    qs = (
        qs.select_related("book")
        .prefetch_related(*selectors.RECORD_PREFETCH)
        .order_by("entry_number")
    )
    for record in qs.iterator(chunk_size=CHUNK):
        yield record_current(record)


@dataclass
class BookSheet:
    """What the print and the export show: the cover lines, the table, the closing."""

    book: CivilBook
    agency_name: str
    title: str
    columns: list[Column]
    rows: list[list[str]] = field(default_factory=list)
    printed_at: str = ""
    #: The entries printed, when only a part of the book is.
    part: tuple[int, int] | None = None

    @property
    def closing(self) -> list[str]:
        b = self.book
        if self.part is not None and self.part[1] < b.last_number:
            return [
                _("Phần từ mục số %(first)d đến số %(last)d; sổ có %(n)d mục.")
                % {"first": self.part[0], "last": self.part[1], "n": b.last_number}
            ]
        if not b.is_closed:
            return [
                _("Sổ đang mở: %(n)d mục đến ngày in.") % {"n": b.last_number},
            ]
        lines = [
            _("Sổ này có %(pages)s trang, ghi %(entries)s mục (từ số 1 đến số %(entries)s).")
            % {"pages": b.total_pages, "entries": b.total_entries},
            _("Khóa sổ ngày %(day)s.") % {"day": day(b.closed_on)},
        ]
        signer = ", ".join(p for p in (b.closing_signer_title, b.closing_signer_name) if p)
        if signer:
            lines.append(_("Người khóa sổ: %(who)s.") % {"who": signer})
        return lines


def book_sheet(book: CivilBook, part: tuple[int, int] | None = None) -> BookSheet:
    columns = columns_for(book.event)
    sheet = BookSheet(
        book=book,
        agency_name=book.agency.name,
        title=str(book.name).upper(),
        columns=columns,
        printed_at=timezone.localtime().strftime("%H:%M %d/%m/%Y"),
        part=part,
    )
    first, last = part if part is not None else (1, None)
    for now in book_entries(book, first, last):
        sheet.rows.append([str(col.cell(now)) for col in columns])
    return sheet


# --- PDF ---------------------------------------------------------------------------------------


@functools.cache
def _fonts() -> tuple[FontConfiguration, str]:
    """One font configuration per process and the @font-face rules naming Liberation Serif's
    files (the certificates' own lookup: no system font search per document)."""
    from weasyprint.text.fonts import FontConfiguration

    from .certificates.render import font_face_rules

    # Dropped before the interpreter tears down the modules its finaliser needs.
    atexit.register(_fonts.cache_clear)
    return FontConfiguration(), font_face_rules()


class BookTooLarge(Conflict):
    """A PDF of more than ``PDF_MAX_ENTRIES`` entries: the book is printed in parts."""

    code = "book_too_large"


class PartInvalid(InvalidInput):
    code = "book_part_invalid"


def book_parts(book: CivilBook) -> list[tuple[int, int]]:
    """The parts a book is printed in: (first, last) entry numbers, ``PDF_MAX_ENTRIES`` each."""
    size = PDF_MAX_ENTRIES
    return [(n, min(n + size - 1, book.last_number)) for n in range(1, book.last_number + 1, size)]


def part_check(book: CivilBook, part: tuple[int, int] | None) -> tuple[int, int] | None:
    """The part asked for, checked; None for the whole book when it fits in one PDF."""
    if part is None:
        if book.last_number > PDF_MAX_ENTRIES:
            raise BookTooLarge(
                _("Sổ có %(n)d mục: in từng phần, mỗi phần tối đa %(max)d mục.")
                % {"n": book.last_number, "max": PDF_MAX_ENTRIES}
            )
        return None
    first, last = part
    if not 1 <= first <= last or last - first + 1 > PDF_MAX_ENTRIES:
        raise PartInvalid(
            _("Phần in từ mục số %(first)d đến số %(last)d không hợp lệ (tối đa %(max)d mục).")
            % {"first": first, "last": last, "max": PDF_MAX_ENTRIES}
        )
    return first, min(last, max(book.last_number, first))


def book_pdf(book: CivilBook, part: tuple[int, int] | None = None) -> bytes:
    """The register as printed: A4 landscape, Liberation Serif, the event's columns, each page
    headed with the book and its page number, the closing at the end; a book larger than
    ``PDF_MAX_ENTRIES`` is printed one ``part`` (first, last entry number) at a time."""
    import weasyprint

    config, faces = _fonts()
    sheet = book_sheet(book, part_check(book, part))
    html = render_to_string("civil/book_print.html", {"s": sheet, "font_faces": faces})
    document = weasyprint.HTML(string=html, base_url="/")
    pdf: bytes = document.write_pdf(font_config=config)
    return pdf


# --- Excel -------------------------------------------------------------------------------------


def book_xlsx(book: CivilBook) -> bytes:
    """The same lines as a workbook: the cover lines, one row per entry, the closing."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet = book_sheet(book)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = _("Sổ %(year)d") % {"year": book.year}
    ws["A1"] = sheet.agency_name
    ws["A2"] = sheet.title
    ws["A2"].font = Font(bold=True, size=13)
    ws["A3"] = _("Năm %(year)d — Quyển số %(number)s — mở ngày %(day)s") % {
        "year": book.year,
        "number": book.number,
        "day": day(book.opened_on),
    }
    head = 5
    wrap = Alignment(wrap_text=True, vertical="top")
    for i, col in enumerate(sheet.columns, start=1):
        cell = ws.cell(head, i, str(col.title))
        cell.font = Font(bold=True)
        cell.alignment = wrap
        ws.column_dimensions[get_column_letter(i)].width = max(8, col.width * 1.6)
    line = head + 1
    for row in sheet.rows:
        for i, value in enumerate(row, start=1):
            ws.cell(line, i, value).alignment = wrap
        line += 1
    line += 1
    for text in sheet.closing:
        ws.cell(line, 1, text).font = Font(italic=True)
        line += 1
    ws.freeze_panes = ws.cell(head + 1, 1)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def book_export_for(
    *,
    actor: Staff,
    public_id: UUID | str,
    fmt: str,
    part: tuple[int, int] | None = None,
) -> tuple[CivilBook, bytes]:
    """The book ``public_id`` of the actor's agency printed (``pdf``, whole or one ``part``) or
    exported (``xlsx``, whole); 404 outside the agency or role; audited as
    ``civil.book_export``."""
    book = selectors.book_get_for(actor=actor, public_id=public_id)
    book = CivilBook.objects.select_related("agency").get(pk=book.pk)
    content = book_pdf(book, part) if fmt == "pdf" else book_xlsx(book)
    changes: dict[str, Any] = {
        "format": fmt,
        "entries": book.last_number,
        "closed": book.is_closed,
    }
    if part is not None and fmt == "pdf":
        changes["part"] = list(part)
    audit_record(
        actor=actor,
        action="civil.book_export",
        obj=book,
        object_id=str(book.public_id),
        changes=changes,
    )
    return book, content


def file_name(book: CivilBook, fmt: str, part: tuple[int, int] | None = None) -> str:
    """ASCII: ``so-birth-H98.01-2026.pdf`` (``-1-300`` for a part)."""
    slug = book.event.replace("_", "-")
    suffix = f"-{part[0]}-{part[1]}" if part is not None else ""
    return f"so-{slug}-{book.agency.code}-{book.year}{suffix}.{fmt}"
