"""What each certificate and extract says: from an entry as it reads now (``current``: the
amendments applied) to the plain values of its form (``Sheet``), which ``render`` prints.

The content of each form follows vn-rules.md §3.3 (Law on Civil Status 2014 Arts 14.1 and 17.2
for the birth and marriage certificates; Decree 123/2015 Arts 21-23 for the marital status
confirmation). The layout of the forms of Circular 04/2020/TT-BTP is [UNCONFIRMED] there, so
what is chosen here is said here:

- every form is printed on A4 portrait (the reference gives no paper size for civil status
  forms; Decree 30/2020 prints administrative documents on A4);
- the national emblem is not drawn: the paper originals are pre-printed security forms carrying
  it; the heading "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM / Độc lập - Tự do - Hạnh phúc" is printed;
- a form keeps its labels when a value is missing (an empty line, as on paper), and dates are
  dd/mm/yyyy; the date of birth (birth certificate, its copies and extracts) and the date of
  death (death extract) are also written in words ("ghi bằng chữ", ``words.date_words``);
- names of the persons the entry is about are printed in capitals, as the forms print them;
- the document's own title: Giấy khai sinh, Giấy chứng nhận kết hôn, Trích lục khai tử, Giấy xác
  nhận tình trạng hôn nhân, Giấy xác nhận thông tin hộ tịch, and "Trích lục ..." for every other
  event; a copy (``copy``) repeats the title with "(Bản sao)"; the extract of the register
  (``extract``, Decree 87/2020 bản sao trích lục) is titled "Trích lục <event> (Bản sao)"; an
  original titled "Trích lục ..." says "(Bản chính)";
- every change, correction, supplement or divorce recorded against the entry after it was
  written is applied to the values and listed under "Ghi chú" with its date and basis (Law Arts
  26-29: shown on later extracts), as is a parent added later by a recognition;
- the signer's block follows Decree 30/2020: the Chairman signs as "CHỦ TỊCH"; a Vice-Chairman
  signs for the Chairman as "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH"; anyone else under their own title.

Pure functions over rows already fetched: no query except for what an entry points to and the
caller did not prefetch (the entry that added a parent).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from xaso.core.text import fold
from xaso.dossiers.documents.wording import date_words as numeric_date_words
from xaso.dossiers.documents.wording import short_date

from ..current import CurrentRecord, PartyView
from ..models import SUBJECT_ROLES, CivilAmendment, CivilRecord, Event, PartyRole
from ..services.common import entry_label
from .words import capitalised, date_words

# --- The values of a printed form ---------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    label: str
    value: str
    strong: bool = False


@dataclass(frozen=True)
class Row:
    """One printed line of ``label: value`` cells; ``words`` continues it on a second line
    ("ghi bằng chữ: ...")."""

    cells: tuple[Cell, ...]
    words: str = ""


@dataclass(frozen=True)
class Block:
    heading: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Table:
    """Values side by side: the two spouses, or a value before and after a change."""

    headings: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    strong_first_row: bool = False
    widths: tuple[int, ...] = ()  # percent of the page width, per column


@dataclass(frozen=True)
class SignerBlock:
    """Decree 30/2020: ``authority`` ("KT. CHỦ TỊCH" or ""), ``title``, ``name``."""

    authority: str
    title: str
    name: str


@dataclass(frozen=True)
class Sheet:
    title: str
    subtitle: str
    agency_lines: tuple[str, ...]
    number: str
    book: str
    place_date: str
    intro: str
    parts: tuple[Block | Table, ...]
    party_signatures: tuple[str, ...]
    parties_signed: bool
    notes: tuple[str, ...]
    copy_line: str
    signer: SignerBlock
    code: str
    verify_url: str
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Issue:
    """What the issuing side decides: the kind, when, who signs, the verification id."""

    kind: str  # "original", "copy" or "extract"
    issued_on: date
    signer: SignerBlock
    code: str
    verify_url: str
    agency_lines: tuple[str, ...]
    place: str
    agency_name: str


# --- Titles ---------------------------------------------------------------------------------

ORIGINAL_TITLES: dict[tuple[str, str], str] = {
    (Event.BIRTH, ""): "GIẤY KHAI SINH",
    (Event.DEATH, ""): "TRÍCH LỤC KHAI TỬ",
    (Event.MARRIAGE, ""): "GIẤY CHỨNG NHẬN KẾT HÔN",
    (Event.MARITAL_STATUS, ""): "GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN",
    (Event.PARENTAGE, ""): "TRÍCH LỤC ĐĂNG KÝ NHẬN CHA, MẸ, CON",
    (Event.GUARDIANSHIP, "appointment"): "TRÍCH LỤC ĐĂNG KÝ GIÁM HỘ",
    (Event.GUARDIANSHIP, "termination"): "TRÍCH LỤC ĐĂNG KÝ CHẤM DỨT GIÁM HỘ",
    (Event.CHANGE, "change"): "TRÍCH LỤC THAY ĐỔI HỘ TỊCH",
    (Event.CHANGE, "correction"): "TRÍCH LỤC CẢI CHÍNH HỘ TỊCH",
    (Event.CHANGE, "supplement"): "TRÍCH LỤC BỔ SUNG THÔNG TIN HỘ TỊCH",
    (Event.CHANGE, "ethnicity"): "TRÍCH LỤC XÁC ĐỊNH LẠI DÂN TỘC",
    (Event.FOREIGN_RECORD, "birth"): "TRÍCH LỤC GHI VÀO SỔ HỘ TỊCH VIỆC KHAI SINH",
    (Event.FOREIGN_RECORD, "marriage"): "TRÍCH LỤC GHI VÀO SỔ HỘ TỊCH VIỆC KẾT HÔN",
    (Event.FOREIGN_RECORD, "divorce"): (
        "TRÍCH LỤC GHI VÀO SỔ HỘ TỊCH VIỆC LY HÔN, HỦY VIỆC KẾT HÔN"
    ),
    (Event.FOREIGN_RECORD, "death"): "TRÍCH LỤC GHI VÀO SỔ HỘ TỊCH VIỆC KHAI TỬ",
    (Event.INFO_CONFIRMATION, ""): "GIẤY XÁC NHẬN THÔNG TIN HỘ TỊCH",
}
#: The register's extract of the events whose own document is not an extract.
EXTRACT_TITLES = {Event.BIRTH: "TRÍCH LỤC KHAI SINH", Event.MARRIAGE: "TRÍCH LỤC KẾT HÔN"}
#: Events of which only the original is issued: a confirmation is issued anew when needed
#: (Decree 123/2015 Art 23 for marital status), it is not copied from the register
#: (``services.others.COPYABLE``).
ORIGINAL_ONLY = (Event.MARITAL_STATUS, Event.INFO_CONFIRMATION)


def _form_variant(record: CivilRecord) -> str:
    """A re-registration prints the event's own form."""
    return "" if record.variant == "re_registration" else record.variant


def document_title(record: CivilRecord, kind: str) -> str:
    """The title printed on the document of ``kind`` issued from ``record``."""
    base = ORIGINAL_TITLES[(record.event, _form_variant(record))]
    if kind == "extract":
        return EXTRACT_TITLES.get(Event(record.event), base)
    return base


def document_subtitle(record: CivilRecord, kind: str) -> str:
    title = document_title(record, kind)
    if kind == "original":
        return "(Bản chính)" if title.startswith("TRÍCH LỤC") else ""
    return "(Bản sao)"


def kinds_available(record: CivilRecord) -> tuple[str, ...]:
    if record.event in ORIGINAL_ONLY:
        return ("original",)
    if record.event == Event.EXTRACT_COPY:
        return ()
    return ("original", "copy", "extract")


# --- Signer ---------------------------------------------------------------------------------


def signer_block(name: str, title: str) -> SignerBlock:
    """ "Phó Chủ tịch UBND xã" → KT. CHỦ TỊCH / PHÓ CHỦ TỊCH; "Chủ tịch UBND xã" → CHỦ TỊCH; any
    other title printed as it is, in capitals (Decree 30/2020 Appendix I, signing authority)."""
    folded = fold(title)
    if re.search(r"\bpho chu tich\b", folded):
        return SignerBlock("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", name)
    if re.search(r"\bchu tich\b", folded):
        return SignerBlock("", "CHỦ TỊCH", name)
    return SignerBlock("", title.upper(), name)


# --- Small formatting helpers ---------------------------------------------------------------

SEX = {"male": "Nam", "female": "Nữ"}
RELATIONSHIPS = {
    "self": "Bản thân",
    "mother": "Mẹ",
    "father": "Cha",
    "grandparent": "Ông, bà",
    "spouse": "Vợ, chồng",
    "child": "Con",
    "parent": "Cha, mẹ",
    "sibling": "Anh, chị, em",
    "relative": "Người thân thích khác",
    "carer": "Cá nhân, tổ chức đang nuôi dưỡng",
    "guardian": "Người giám hộ",
    "agency_representative": "Đại diện cơ quan, tổ chức",
    "authorised": "Người được ủy quyền",
}
#: How a note names the person whose value changed.
ROLE_NAMES = {
    "child": "người được khai sinh",
    "mother": "người mẹ",
    "father": "người cha",
    "declarant": "người đi đăng ký",
    "deceased": "người chết",
    "husband": "bên chồng",
    "wife": "bên vợ",
    "person": "người được xác nhận",
    "parent": "người nhận là cha, mẹ",
    "guardian": "người giám hộ",
    "ward": "người được giám hộ",
    "requester": "người yêu cầu",
}
FIELD_NAMES = {
    "family_name": "họ",
    "middle_name": "chữ đệm",
    "given_name": "tên",
    "full_name": "họ, chữ đệm, tên",
    "sex": "giới tính",
    "date_of_birth": "ngày, tháng, năm sinh",
    "birth_year": "năm sinh",
    "id_number": "số định danh cá nhân",
    "ethnicity": "dân tộc",
    "nationality": "quốc tịch",
    "residence": "nơi cư trú",
    "place_of_birth": "nơi sinh",
    "home_town": "quê quán",
    "place_of_death": "nơi chết",
    "time_of_death": "giờ chết",
    "cause": "nguyên nhân chết",
    "place_of_event": "nơi xảy ra sự kiện",
}
AMENDMENT_VERBS = {
    "change": "thay đổi",
    "correction": "cải chính",
    "supplement": "bổ sung",
    "ethnicity": "xác định lại",
}
MARITAL_STATUSES = {
    "single": "Chưa đăng ký kết hôn với ai",
    "married": "Đang có vợ/chồng",
    "divorced": "Đã ly hôn, chưa kết hôn với người khác",
    "widowed": "Vợ/chồng đã chết, chưa kết hôn với người khác",
}
GUARDIANSHIP_BASES = {"appointed": "Giám hộ cử", "natural": "Giám hộ đương nhiên"}
TERMINATION_REASONS = {
    "of_age": "Người được giám hộ đã thành niên",
    "capacity_restored": "Người được giám hộ đã có năng lực hành vi dân sự đầy đủ",
    "ward_died": "Người được giám hộ chết",
    "parents_able": (
        "Cha, mẹ của người được giám hộ đã đủ điều kiện thực hiện quyền, nghĩa vụ của mình"
    ),
    "adopted": "Người được giám hộ được nhận làm con nuôi",
}
EVENT_NAMES = {
    Event.BIRTH: "Khai sinh",
    Event.DEATH: "Khai tử",
    Event.MARRIAGE: "Kết hôn",
    Event.MARITAL_STATUS: "Xác nhận tình trạng hôn nhân",
    Event.PARENTAGE: "Nhận cha, mẹ, con",
    Event.GUARDIANSHIP: "Giám hộ",
    Event.CHANGE: "Thay đổi, cải chính, bổ sung thông tin hộ tịch, xác định lại dân tộc",
    Event.FOREIGN_RECORD: "Ghi vào Sổ hộ tịch việc hộ tịch đã giải quyết ở nước ngoài",
    Event.EXTRACT_COPY: "Cấp bản sao trích lục hộ tịch",
    Event.INFO_CONFIRMATION: "Xác nhận thông tin hộ tịch",
}


def _name(view: PartyView | None) -> str:
    return view.full_name.upper() if view is not None else ""


def _birth(view: PartyView | None) -> str:
    """dd/mm/yyyy, or the year alone where only the year was declared."""
    if view is None:
        return ""
    if view.date_of_birth is not None:
        return short_date(view.date_of_birth)
    return str(view.birth_year) if view.birth_year else ""


def _year(view: PartyView | None) -> str:
    if view is None:
        return ""
    if view.birth_year:
        return str(view.birth_year)
    return str(view.date_of_birth.year) if view.date_of_birth else ""


def _attr(view: PartyView | None, name: str) -> str:
    return str(getattr(view, name) or "") if view is not None else ""


def _row(*cells: tuple[str, str] | Cell, words: str = "") -> Row:
    return Row(
        tuple(c if isinstance(c, Cell) else Cell(c[0], c[1]) for c in cells),
        words=words,
    )


def _text(value: Any) -> str:
    return str(value or "").strip()


def _entry_text(ref: Any) -> str:
    """An entry as the services store it in ``content`` ({"record", "entry"}) or as text."""
    if isinstance(ref, dict):
        return _text(ref.get("entry"))
    return _text(ref)


def _identity(view: PartyView | None) -> str:
    number = _attr(view, "id_number")
    return f"Số định danh cá nhân {number}" if number else ""


def _person_rows(view: PartyView | None, *, words: bool = False) -> tuple[Row, ...]:
    """Name, date of birth, sex, ethnicity, nationality, ID number and residence of a person."""
    born = view.date_of_birth if view is not None else None
    return (
        _row(Cell("Họ, chữ đệm, tên", _name(view), strong=True)),
        _row(
            ("Ngày, tháng, năm sinh", _birth(view)),
            words=capitalised(date_words(born)) if words and born is not None else "",
        ),
        _row(
            ("Giới tính", SEX.get(_attr(view, "sex"), "")),
            ("Dân tộc", _attr(view, "ethnicity")),
            ("Quốc tịch", _attr(view, "nationality")),
        ),
        _row(("Số định danh cá nhân", _attr(view, "id_number"))),
        _row(("Nơi cư trú", _attr(view, "residence"))),
    )


def _registration_rows(now: CurrentRecord, place_label: str, agency_name: str) -> tuple[Row, ...]:
    return (
        _row((place_label, agency_name)),
        _row(("Ngày, tháng, năm đăng ký", short_date(now.record.registered_on))),
    )


def _declarant_row(now: CurrentRecord, label: str, relation_label: str) -> Row:
    who = now.party(PartyRole.DECLARANT)
    return _row(
        (label, _attr(who, "full_name")),
        (relation_label, RELATIONSHIPS.get(_attr(who, "relationship"), "")),
    )


def _re_registration_note(now: CurrentRecord) -> tuple[str, ...]:
    original = now.content.get("original")
    if now.record.variant != "re_registration" or not isinstance(original, dict):
        return ()
    parts = [f"đã đăng ký tại {_text(original.get('place'))}"]
    if original.get("registered_on"):
        parts.append(f"ngày {short_date(date.fromisoformat(str(original['registered_on'])))}")
    if original.get("number"):
        parts.append(f"số {_text(original.get('number'))}")
    return ("Đăng ký lại (" + ", ".join(parts) + ").",)


# --- Notes of amendments --------------------------------------------------------------------


def _shown(field_name: str, value: str) -> str:
    if not value:
        return ""
    if field_name == "date_of_birth":
        try:
            return short_date(date.fromisoformat(value))
        except ValueError:
            return value
    if field_name == "sex":
        return SEX.get(value, value)
    return value


def amendment_note(a: CivilAmendment) -> str:
    """One line of "Ghi chú": what changed, from what to what, when, on which basis."""
    on = short_date(a.effective_on)
    if a.kind in ("divorce", "annulment"):
        what = "ly hôn" if a.kind == "divorce" else "hủy việc kết hôn trái pháp luật"
        return f"Ngày {on}: ghi chú {what} theo {a.basis}."
    verb = AMENDMENT_VERBS.get(a.kind, a.kind)
    field_name = FIELD_NAMES.get(a.field, a.field)
    whose = f" của {ROLE_NAMES.get(a.role, a.role)}" if a.role else ""
    old, new = _shown(a.field, a.old_value), _shown(a.field, a.new_value)
    change = f"từ «{old}» thành «{new}»" if old else f"«{new}»"
    where = f" ({entry_label(a.source)})" if a.source_id and a.source is not None else ""
    return f"Ngày {on}: {verb} {field_name}{whose} {change}{where}."


def _added_party_notes(now: CurrentRecord) -> tuple[str, ...]:
    notes = []
    for view in now.parties.values():
        added = view.row.added_by if view.row.added_by_id else None
        if added is None:
            continue
        whose = ROLE_NAMES.get(view.role, view.role)
        notes.append(
            f"Ngày {short_date(added.registered_on)}: ghi thông tin {whose} theo việc đăng ký "
            f"nhận cha, mẹ, con ({entry_label(added)})."
        )
    return tuple(notes)


def notes_for(now: CurrentRecord) -> tuple[str, ...]:
    """Everything recorded against the entry after it was written, in order."""
    return (
        *_re_registration_note(now),
        *_added_party_notes(now),
        *(amendment_note(a) for a in now.amendments),
    )


# --- The forms, one builder per event ---------------------------------------------------------

Parts = tuple[Block | Table, ...]


@dataclass(frozen=True)
class Body:
    parts: Parts
    intro: str = ""
    party_signatures: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def _birth_form(now: CurrentRecord, issue: Issue, related: dict[str, CurrentRecord]) -> Body:
    """Giấy khai sinh (Law Art 14.1): the child, the parents, who declared, where and when."""
    child = now.party(PartyRole.CHILD)
    mother, father = now.party(PartyRole.MOTHER), now.party(PartyRole.FATHER)
    born = child.date_of_birth if child is not None else None
    c = now.content

    def parent(view: PartyView | None, label: str) -> tuple[Row, ...]:
        return (
            _row(Cell(f"Họ, chữ đệm, tên người {label}", _name(view), strong=True)),
            _row(
                ("Năm sinh", _year(view)),
                ("Dân tộc", _attr(view, "ethnicity")),
                ("Quốc tịch", _attr(view, "nationality")),
            ),
            _row(("Nơi cư trú", _attr(view, "residence"))),
        )

    return Body(
        parts=(
            Block(
                "",
                (
                    _row(Cell("Họ, chữ đệm, tên", _name(child), strong=True)),
                    _row(
                        ("Ngày, tháng, năm sinh", short_date(born) if born else ""),
                        words=capitalised(date_words(born)) if born else "",
                    ),
                    _row(
                        ("Giới tính", SEX.get(_attr(child, "sex"), "")),
                        ("Dân tộc", _attr(child, "ethnicity")),
                        ("Quốc tịch", _attr(child, "nationality")),
                    ),
                    _row(("Nơi sinh", _text(c.get("place_of_birth")))),
                    _row(("Quê quán", _text(c.get("home_town")))),
                    _row(("Số định danh cá nhân", _attr(child, "id_number"))),
                ),
            ),
            Block("", (*parent(mother, "mẹ"), *parent(father, "cha"))),
            Block(
                "",
                (
                    _declarant_row(now, "Người đi khai sinh", "Quan hệ với người được khai sinh"),
                    *_registration_rows(now, "Nơi đăng ký khai sinh", issue.agency_name),
                ),
            ),
        ),
    )


def _time_of_death(now: CurrentRecord) -> str:
    day = now.record.event_date
    at = _text(now.content.get("time_of_death"))
    when = short_date(day) if day else ""
    if at and ":" in at:
        hours, minutes = at.split(":", 1)
        return f"{hours} giờ {minutes} phút, ngày {when}"
    return f"ngày {when}" if when else ""


def _death_form(now: CurrentRecord, issue: Issue, related: dict[str, CurrentRecord]) -> Body:
    """Trích lục khai tử (Law Arts 32-34): the deceased, time, place and cause of death."""
    dead = now.party(PartyRole.DECEASED)
    day = now.record.event_date
    c = now.content
    return Body(
        parts=(
            Block(
                "",
                (
                    _row(Cell("Họ, chữ đệm, tên", _name(dead), strong=True)),
                    _row(("Ngày, tháng, năm sinh", _birth(dead))),
                    _row(
                        ("Giới tính", SEX.get(_attr(dead, "sex"), "")),
                        ("Dân tộc", _attr(dead, "ethnicity")),
                        ("Quốc tịch", _attr(dead, "nationality")),
                    ),
                    _row(("Số định danh cá nhân", _attr(dead, "id_number"))),
                    _row(("Nơi cư trú cuối cùng", _attr(dead, "residence"))),
                ),
            ),
            Block(
                "",
                (
                    _row(
                        ("Đã chết vào lúc", _time_of_death(now)),
                        words=capitalised(date_words(day)) if day else "",
                    ),
                    _row(("Nơi chết", _text(c.get("place_of_death")))),
                    _row(("Nguyên nhân chết", _text(c.get("cause")))),
                    _row(("Giấy báo tử hoặc giấy tờ thay thế", _text(c.get("death_notice")))),
                ),
            ),
            Block(
                "",
                (
                    _declarant_row(now, "Người đi khai tử", "Quan hệ với người chết"),
                    *_registration_rows(now, "Nơi đăng ký khai tử", issue.agency_name),
                ),
            ),
        ),
    )


def _couple_table(husband: PartyView | None, wife: PartyView | None) -> Table:
    def row(label: str, get: Callable[[PartyView | None], str]) -> tuple[str, str, str]:
        return (label, get(husband), get(wife))

    return Table(
        headings=("", "Bên chồng", "Bên vợ"),
        rows=(
            row("Họ, chữ đệm, tên", _name),
            row("Ngày, tháng, năm sinh", _birth),
            row("Dân tộc", lambda v: _attr(v, "ethnicity")),
            row("Quốc tịch", lambda v: _attr(v, "nationality")),
            row("Nơi cư trú", lambda v: _attr(v, "residence")),
            row("Giấy tờ tùy thân", _identity),
        ),
        strong_first_row=True,
        widths=(30, 35, 35),
    )


def _marriage_form(now: CurrentRecord, issue: Issue, related: dict[str, CurrentRecord]) -> Body:
    """Giấy chứng nhận kết hôn (Law Art 17.2): both parties, side by side; the date of
    registration; the signatures of both (blank on the original, to be signed at the handover)."""
    return Body(
        parts=(
            _couple_table(now.party(PartyRole.HUSBAND), now.party(PartyRole.WIFE)),
            Block("", _registration_rows(now, "Nơi đăng ký kết hôn", issue.agency_name)),
        ),
        party_signatures=("Chữ ký của chồng", "Chữ ký của vợ"),
    )


def _marital_status_form(
    now: CurrentRecord, issue: Issue, related: dict[str, CurrentRecord]
) -> Body:
    """Giấy xác nhận tình trạng hôn nhân (Decree 123/2015 Arts 21-23): the person, their status,
    the purpose, valid for 6 months."""
    who = now.party(PartyRole.PERSON)
    c = now.content
    purpose = _text(c.get("purpose"))
    spouse = c.get("intended_spouse")
    if c.get("purpose_kind") == "marriage" and isinstance(spouse, dict):
        details = [f"sinh năm {spouse['birth_year']}"] if spouse.get("birth_year") else []
        if spouse.get("nationality"):
            details.append(f"quốc tịch {spouse['nationality']}")
        if spouse.get("residence"):
            details.append(f"nơi cư trú {spouse['residence']}")
        purpose = f"Làm thủ tục đăng ký kết hôn với {spouse.get('full_name', '')}" + (
            ", " + ", ".join(details) if details else ""
        )
    valid = now.record.valid_until
    return Body(
        intro=f"{issue.agency_name} xác nhận:",
        parts=(
            Block(
                "",
                (
                    *_person_rows(who),
                    _row(
                        Cell(
                            "Tình trạng hôn nhân",
                            MARITAL_STATUSES.get(_text(c.get("declared_status")), ""),
                            strong=True,
                        )
                    ),
                    _row(("Giấy này được cấp để", purpose)),
                    _row(
                        (
                            "Giấy này có giá trị sử dụng đến ngày",
                            short_date(valid) if valid else "",
                        )
                    ),
                ),
            ),
        ),
    )


def _parentage_form(now: CurrentRecord, issue: Issue, related: dict[str, CurrentRecord]) -> Body:
    """Trích lục đăng ký nhận cha, mẹ, con (Law Arts 24-25)."""
    parent, child = now.party(PartyRole.PARENT), now.party(PartyRole.CHILD)
    as_ = _text(now.content.get("recognized_as"))
    label = {"father": "cha", "mother": "mẹ"}.get(as_, "cha, mẹ")
    return Body(
        parts=(
            Block(f"Thông tin người {label}", _person_rows(parent)),
            Block("Thông tin người con", _person_rows(child)),
            Block(
                "",
                (
                    _row(("Quan hệ được công nhận", f"{capitalised(label)} - con")),
                    *_registration_rows(now, "Nơi đăng ký", issue.agency_name),
                ),
            ),
        ),
    )


def _guardianship_form(now: CurrentRecord, issue: Issue, related: dict[str, CurrentRecord]) -> Body:
    """Trích lục đăng ký giám hộ / chấm dứt giám hộ (Law Arts 19-23)."""
    c = now.content
    facts: tuple[Row, ...]
    if now.record.variant == "termination":
        detail = _text(c.get("reason_detail"))
        reason = TERMINATION_REASONS.get(_text(c.get("reason")), "")
        facts = (
            _row(("Việc giám hộ đã đăng ký", _entry_text(c.get("appointment")))),
            _row(("Lý do chấm dứt", reason + (f" ({detail})" if detail else ""))),
        )
    else:
        facts = (
            _row(("Hình thức giám hộ", GUARDIANSHIP_BASES.get(_text(c.get("basis")), ""))),
            _row(("Văn bản cử người giám hộ", _text(c.get("appointment_document")))),
        )
        if _text(c.get("ward_condition")):
            facts += (_row(("Tình trạng người được giám hộ", _text(c.get("ward_condition")))),)
    return Body(
        parts=(
            Block("Người giám hộ", _person_rows(now.party(PartyRole.GUARDIAN))),
            Block("Người được giám hộ", _person_rows(now.party(PartyRole.WARD))),
            Block("", (*facts, *_registration_rows(now, "Nơi đăng ký", issue.agency_name))),
        ),
    )


def _change_form(now: CurrentRecord, issue: Issue, related: dict[str, CurrentRecord]) -> Body:
    """Trích lục thay đổi, cải chính, bổ sung thông tin hộ tịch, xác định lại dân tộc (Law Arts
    26-29): the person, the entry changed, each value before and after, the reason."""
    c = now.content
    changes = c.get("changes") or []
    rows = []
    for ch in changes:
        name = FIELD_NAMES.get(ch.get("field", ""), ch.get("field", ""))
        whose = f" ({ROLE_NAMES.get(ch['role'], ch['role'])})" if ch.get("role") else ""
        rows.append(
            (
                capitalised(name) + whose,
                _shown(ch.get("field", ""), _text(ch.get("old"))),
                _shown(ch.get("field", ""), _text(ch.get("new"))),
            )
        )
    verb = AMENDMENT_VERBS.get(now.record.variant, "thay đổi")
    requester = now.party(PartyRole.REQUESTER)
    # The person as the changed entry now reads (their new name), when it is at hand; the entry
    # of the change book keeps them as they were on the day of the request.
    person = now.party(PartyRole.PERSON)
    target = related.get(str((c.get("target") or {}).get("record")))
    if target is not None:
        roles = [ch.get("role") for ch in changes if ch.get("role") in SUBJECT_ROLES]
        roles += [role for role in target.parties if role in SUBJECT_ROLES]
        person = target.party(roles[0]) if roles else person
    return Body(
        parts=(
            Block("", _person_rows(person)),
            Block("", (_row(("Việc hộ tịch được " + verb, _entry_text(c.get("target")))),)),
            Table(
                headings=("Nội dung", f"Trước khi {verb}", f"Sau khi {verb}"),
                rows=tuple(rows),
                widths=(40, 30, 30),
            ),
            Block(
                "",
                (
                    _row(("Lý do", _text(c.get("reason")))),
                    _row(
                        ("Người yêu cầu", _attr(requester, "full_name")),
                        ("Quan hệ", RELATIONSHIPS.get(_attr(requester, "relationship"), "")),
                    ),
                    *_registration_rows(now, "Nơi đăng ký", issue.agency_name),
                ),
            ),
        ),
    )


def _foreign_form(now: CurrentRecord, issue: Issue, related: dict[str, CurrentRecord]) -> Body:
    """Trích lục ghi vào Sổ hộ tịch việc hộ tịch của công dân Việt Nam đã được giải quyết tại cơ
    quan có thẩm quyền của nước ngoài (Decree 120/2025 gives the commune these powers)."""
    c = now.content
    variant = now.record.variant
    parts: list[Block | Table] = []
    if variant == "birth":
        child = now.party(PartyRole.CHILD)
        parts.append(Block("", _person_rows(child, words=True)))
        parts.append(
            Block(
                "",
                tuple(
                    row
                    for role, label in ((PartyRole.MOTHER, "mẹ"), (PartyRole.FATHER, "cha"))
                    for row in (
                        _row(
                            Cell(
                                f"Họ, chữ đệm, tên người {label}",
                                _name(now.party(role)),
                                strong=True,
                            )
                        ),
                        _row(
                            ("Năm sinh", _year(now.party(role))),
                            ("Quốc tịch", _attr(now.party(role), "nationality")),
                        ),
                    )
                ),
            )
        )
    elif variant in ("marriage", "divorce"):
        parts.append(_couple_table(now.party(PartyRole.HUSBAND), now.party(PartyRole.WIFE)))
    else:
        parts.append(Block("", _person_rows(now.party(PartyRole.DECEASED))))
    day = now.record.event_date
    parts.append(
        Block(
            "",
            (
                _row(("Cơ quan đã giải quyết", _text(c.get("foreign_authority")))),
                _row(("Nước", _text(c.get("country")))),
                _row(("Giấy tờ", _text(c.get("foreign_document")))),
                _row(
                    ("Ngày xảy ra sự kiện", short_date(day) if day else ""),
                    ("Nơi xảy ra sự kiện", _text(c.get("place_of_event"))),
                ),
                *_registration_rows(now, "Nơi ghi vào Sổ hộ tịch", issue.agency_name),
            ),
        )
    )
    return Body(parts=tuple(parts))


def _info_confirmation_form(
    now: CurrentRecord, issue: Issue, related: dict[str, CurrentRecord]
) -> Body:
    """Giấy xác nhận thông tin hộ tịch (Decree 87/2020): the entries confirmed, for a purpose."""
    requester = now.party(PartyRole.REQUESTER)
    rows = []
    for ref in now.content.get("records") or []:
        other = related.get(str(ref.get("record")))
        if other is None:
            rows.append((EVENT_NAMES.get(ref.get("event", ""), ""), _entry_text(ref), "", ""))
            continue
        subjects = [v for role, v in other.parties.items() if role in SUBJECT_ROLES]
        rows.append(
            (
                EVENT_NAMES.get(Event(other.record.event), ""),
                entry_label(other.record),
                short_date(other.record.registered_on),
                "; ".join(
                    f"{v.full_name.upper()} ({_birth(v)})" if _birth(v) else v.full_name.upper()
                    for v in subjects
                ),
            )
        )
    return Body(
        intro=f"{issue.agency_name} xác nhận các thông tin hộ tịch sau đây đã được đăng ký:",
        parts=(
            Table(
                headings=("Loại việc", "Sổ, số", "Ngày đăng ký", "Người được đăng ký"),
                rows=tuple(rows),
                widths=(14, 36, 18, 32),
            ),
            Block(
                "",
                (
                    _row(
                        ("Người yêu cầu", _attr(requester, "full_name")),
                        ("Quan hệ", RELATIONSHIPS.get(_attr(requester, "relationship"), "")),
                    ),
                    _row(("Mục đích sử dụng", _text(now.content.get("purpose")))),
                ),
            ),
        ),
    )


FORMS: dict[str, Callable[[CurrentRecord, Issue, dict[str, CurrentRecord]], Body]] = {
    Event.BIRTH: _birth_form,
    Event.DEATH: _death_form,
    Event.MARRIAGE: _marriage_form,
    Event.MARITAL_STATUS: _marital_status_form,
    Event.PARENTAGE: _parentage_form,
    Event.GUARDIANSHIP: _guardianship_form,
    Event.CHANGE: _change_form,
    Event.FOREIGN_RECORD: _foreign_form,
    Event.INFO_CONFIRMATION: _info_confirmation_form,
}


# --- The sheet ------------------------------------------------------------------------------


def _facts(now: CurrentRecord, issue: Issue, title: str) -> dict[str, Any]:
    """What the public verification page shows: the document, and who it is about as the
    document names them (no more personal data than the certificate itself prints)."""
    r = now.record
    roles = (
        (*SUBJECT_ROLES, PartyRole.REQUESTER)
        if r.event == Event.INFO_CONFIRMATION
        else SUBJECT_ROLES
    )
    people = [
        {
            "role": v.role,
            "full_name": v.full_name.upper(),
            "date_of_birth": v.date_of_birth.isoformat() if v.date_of_birth else None,
            "birth_year": v.birth_year,
        }
        for role, v in now.parties.items()
        if role in roles
    ]
    return {
        "title": title,
        "kind": issue.kind,
        "event": r.event,
        "variant": r.variant,
        "agency": issue.agency_name,
        "book": str(r.book),
        "entry_number": r.entry_number,
        "registered_on": r.registered_on.isoformat(),
        "issued_on": issue.issued_on.isoformat(),
        "valid_until": r.valid_until.isoformat() if r.valid_until else None,
        "people": people,
        "amendments": len(now.amendments),
    }


def sheet_for(
    now: CurrentRecord, issue: Issue, related: dict[str, CurrentRecord] | None = None
) -> Sheet:
    """The values of the document of ``issue.kind`` issued from the entry ``now``.
    ``related``: the entries a confirmation of civil status information names, by public id."""
    r = now.record
    if issue.kind not in kinds_available(r):
        raise ValueError(f"no {issue.kind} of a {r.event} entry")
    body = FORMS[r.event](now, issue, related or {})
    title = document_title(r, issue.kind)
    book = f"{r.book.number}/{r.book.year}"
    dated = r.registered_on if issue.kind == "original" else issue.issued_on
    copy_line = ""
    if issue.kind != "original":
        copy_line = (
            f"Bản sao được cấp từ {r.book.name}, quyển số {book}, số {r.entry_number}, "
            f"đăng ký ngày {short_date(r.registered_on)}."
        )
    return Sheet(
        title=title,
        subtitle=document_subtitle(r, issue.kind),
        agency_lines=issue.agency_lines,
        number=str(r.entry_number),
        book=book,
        place_date=f"{issue.place}, {numeric_date_words(dated)}",
        intro=body.intro,
        parts=body.parts,
        party_signatures=body.party_signatures,
        parties_signed=issue.kind != "original",
        notes=(*body.notes, *notes_for(now)),
        copy_line=copy_line,
        signer=issue.signer,
        code=issue.code,
        verify_url=issue.verify_url,
        facts=_facts(now, issue, title),
    )


def related_ids(record: CivilRecord) -> Sequence[str]:
    """The public ids of the entries a form names and needs to read: those a confirmation of
    civil status information lists, the entry a change changed."""
    if record.event == Event.INFO_CONFIRMATION:
        return [str(ref.get("record")) for ref in record.content.get("records") or []]
    target = record.content.get("target")
    if record.event == Event.CHANGE and isinstance(target, dict) and target.get("record"):
        return [str(target["record"])]
    return ()
