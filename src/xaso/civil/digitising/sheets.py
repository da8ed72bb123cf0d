"""Reading a spreadsheet of old register entries (Excel .xlsx or CSV), one kind of event per file,
one entry per row, the columns named by the Vietnamese headers of the template
(``COLUMNS``; ``template_xlsx`` makes it). Headers are matched whatever their tone marks, case
or font encoding; columns the template does not know are ignored.

Text typed with the legacy TCVN3 (ABC, ``.VnTime``) or VNI fonts arrives as the Windows-1252
characters of its bytes ("NguyÔn V¨n §øc"): the whole file's text is looked at once
(``core.text.detect_legacy``) unless the officer said which it is, and every cell is converted
(``core.text.convert_legacy``) before anything is checked; nothing legacy is stored
(vn-rules.md §9.2). A CSV file that is not UTF-8 is read byte for byte (legacy fonts), or as
Windows-1258 (Vietnamese Windows' own code page) when that is what it holds.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _

from xaso.core.text import convert_legacy, detect_legacy, fold, nfc

from .errors import ImportFileInvalid

MAX_BYTES = 10 * 1024 * 1024
#: A batch is written in one transaction, which on SQLite holds the database's write lock: a
#: paper book of a commune's year has at most a few thousand entries.
MAX_ROWS = 5000
ENCODINGS = ("auto", "tcvn3", "vni", "unicode")


@dataclass(frozen=True)
class Column:
    key: str  # where the value goes: "registered_on", "child.date_of_birth", ...
    label: str  # the header, as the template writes it (Vietnamese, whatever the UI language)
    kind: str = "text"  # text, int, date, year, sex, relationship, id
    required: bool = False  # the header must be there


_HEAD = [
    Column("book_number", "Quyển số", required=True),
    Column("entry_number", "Số", "int", required=True),
    Column("page", "Trang", "int", required=True),
    Column("registered_on", "Ngày đăng ký", "date", required=True),
]
_TAIL = [
    Column("registrar_name", "Người thực hiện"),
    Column("signer_name", "Người ký"),
    Column("signer_title", "Chức vụ người ký"),
    Column("note", "Ghi chú"),
]


def _parent(role: str, word: str) -> list[Column]:
    return [
        Column(f"{role}.full_name", f"Họ tên {word}"),
        Column(f"{role}.birth_year", f"Năm sinh {word}", "year"),
        Column(f"{role}.ethnicity", f"Dân tộc {word}"),
        Column(f"{role}.nationality", f"Quốc tịch {word}"),
        Column(f"{role}.residence", f"Nơi cư trú {word}"),
        Column(f"{role}.id_number", f"Số định danh {word}", "id"),
    ]


def _spouse(role: str, word: str) -> list[Column]:
    return [
        Column(f"{role}.full_name", f"Họ tên {word}", required=True),
        Column(f"{role}.date_of_birth", f"Ngày sinh {word}", "date"),
        Column(f"{role}.birth_year", f"Năm sinh {word}", "year"),
        Column(f"{role}.ethnicity", f"Dân tộc {word}"),
        Column(f"{role}.nationality", f"Quốc tịch {word}"),
        Column(f"{role}.residence", f"Nơi cư trú {word}"),
        Column(f"{role}.id_number", f"Số định danh {word}", "id"),
    ]


COLUMNS: dict[str, list[Column]] = {
    "birth": [
        *_HEAD,
        Column("child.family_name", "Họ", required=True),
        Column("child.middle_name", "Chữ đệm"),
        Column("child.given_name", "Tên", required=True),
        Column("child.sex", "Giới tính", "sex", required=True),
        Column("child.date_of_birth", "Ngày sinh", "date", required=True),
        Column("place_of_birth", "Nơi sinh"),
        Column("child.ethnicity", "Dân tộc"),
        Column("child.nationality", "Quốc tịch"),
        Column("home_town", "Quê quán"),
        Column("child.id_number", "Số định danh", "id"),
        *_parent("mother", "mẹ"),
        *_parent("father", "cha"),
        Column("declarant.full_name", "Người đi khai sinh"),
        Column("declarant.relationship", "Quan hệ với người được khai sinh", "relationship"),
        *_TAIL,
    ],
    "death": [
        *_HEAD,
        Column("deceased.family_name", "Họ", required=True),
        Column("deceased.middle_name", "Chữ đệm"),
        Column("deceased.given_name", "Tên", required=True),
        Column("deceased.sex", "Giới tính", "sex", required=True),
        Column("deceased.date_of_birth", "Ngày sinh", "date"),
        Column("deceased.birth_year", "Năm sinh", "year"),
        Column("deceased.ethnicity", "Dân tộc"),
        Column("deceased.nationality", "Quốc tịch"),
        Column("deceased.residence", "Nơi cư trú"),
        Column("deceased.id_number", "Số định danh", "id"),
        Column("date_of_death", "Ngày chết", "date", required=True),
        Column("place_of_death", "Nơi chết"),
        Column("cause", "Nguyên nhân chết"),
        Column("declarant.full_name", "Người đi khai tử"),
        Column("declarant.relationship", "Quan hệ với người chết", "relationship"),
        *_TAIL,
    ],
    "marriage": [*_HEAD, *_spouse("husband", "chồng"), *_spouse("wife", "vợ"), *_TAIL],
}

#: Relationships as old books write them (folded) → ``Relationship`` values. Anything else is
#: kept out (an unknown relationship is not a reason to refuse an old entry).
RELATIONSHIPS = {
    "me": "mother",
    "cha": "father",
    "bo": "father",
    "ong": "grandparent",
    "ba": "grandparent",
    "ong ba": "grandparent",
    "ong, ba": "grandparent",
    "anh": "sibling",
    "chi": "sibling",
    "em": "sibling",
    "anh, chi, em": "sibling",
    "vo": "spouse",
    "chong": "spouse",
    "vo, chong": "spouse",
    "con": "child",
    "cha, me": "parent",
    "ban than": "self",
    "nguoi than": "relative",
    "nguoi than thich": "relative",
    "nguoi duoc uy quyen": "authorised",
    "nguoi giam ho": "guardian",
}


@dataclass
class Sheet:
    """The rows of a file: (row number in the file, {column key: raw value})."""

    rows: list[tuple[int, dict[str, Any]]]
    encoding: str  # what its text was read as: tcvn3, vni or unicode


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    message: str

    def as_json(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


def _refuse(message: str) -> ImportFileInvalid:
    return ImportFileInvalid(message, fields={"file": [message]})


def _decode_csv(raw: bytes) -> tuple[str, bool]:
    """The text of a CSV file and whether it could be legacy bytes (not UTF-8)."""
    try:
        return raw.decode("utf-8-sig"), False
    except UnicodeDecodeError:
        return raw.decode("latin-1"), True


def _read_rows(name: str, raw: bytes) -> tuple[list[list[Any]], bool]:
    lower = name.lower()
    if raw[:4] == b"PK\x03\x04" or lower.endswith(".xlsx"):
        try:
            from openpyxl import load_workbook  # 22 MB: loaded by the import, not every worker

            book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
            rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
            book.close()
        except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a file that is not a workbook
            raise _refuse(_("Tệp không phải bảng tính Excel (.xlsx) đọc được.")) from None
        return rows, False
    if b"\x00" in raw[:4096]:
        raise _refuse(_("Chỉ nhận tệp Excel (.xlsx) hoặc CSV."))
    text, maybe_legacy = _decode_csv(raw)
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    return [list(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter)], maybe_legacy


def _cp1258(text: str) -> str:
    """Latin-1 characters read from a Windows-1258 file, as the text they are."""
    return nfc(text.encode("latin-1").decode("cp1258", errors="replace"))


def read_sheet(*, name: str, raw: bytes, event: str, encoding: str = "auto") -> Sheet:
    """Rows of the spreadsheet under their column keys, every text converted to Unicode NFC.
    Refused (``ImportFileInvalid``) when it is not a readable Excel/CSV file, has no header row
    naming the template's required columns, or has no entry or too many."""
    if not raw:
        raise _refuse(_("Tệp rỗng."))
    if len(raw) > MAX_BYTES:
        raise _refuse(
            _("Tệp quá lớn (%(kb)d KB); tối đa %(mb)d MB.")
            % {"kb": len(raw) // 1024, "mb": MAX_BYTES // (1024 * 1024)}
        )
    rows, maybe_legacy = _read_rows(name, raw)
    texts = " ".join(str(v) for r in rows[:2000] for v in r if isinstance(v, str))
    used = encoding
    if encoding == "auto":
        used = detect_legacy(texts)
        if used == "unicode" and maybe_legacy:
            used = "cp1258"
    elif encoding == "unicode" and maybe_legacy:
        used = "cp1258"

    def convert(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        if used in ("tcvn3", "vni"):
            return convert_legacy(value, used)
        if used == "cp1258":
            return _cp1258(value)
        return nfc(value)

    rows = [[convert(v) for v in r] for r in rows]
    columns = COLUMNS[event]
    by_label = {fold(c.label): c for c in columns}
    header_at = next(
        (i for i, r in enumerate(rows[:20]) if any(fold(str(v or "")) in by_label for v in r)),
        None,
    )
    if header_at is None:
        raise _refuse(
            _("Không thấy dòng tiêu đề theo mẫu (các cột %(cols)s).")
            % {"cols": ", ".join(f"«{c.label}»" for c in columns if c.required)}
        )
    positions: dict[int, Column] = {}
    for i, value in enumerate(rows[header_at]):
        column = by_label.get(fold(str(value or "")))
        if column is not None and column not in positions.values():
            positions[i] = column
    missing = [c.label for c in columns if c.required and c not in positions.values()]
    if missing:
        raise _refuse(
            _("Thiếu cột %(cols)s.") % {"cols": ", ".join(f"«{label}»" for label in missing)}
        )
    out: list[tuple[int, dict[str, Any]]] = []
    for number, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        if not any(v not in (None, "") and str(v).strip() for v in row):
            continue
        out.append((number, {c.key: row[i] for i, c in positions.items() if i < len(row)}))
    if not out:
        raise _refuse(_("Tệp không có dòng nào sau dòng tiêu đề."))
    if len(out) > MAX_ROWS:
        raise _refuse(
            _("Tệp có %(n)d dòng; mỗi lần nhập tối đa %(max)d dòng: hãy chia tệp.")
            % {"n": len(out), "max": MAX_ROWS}
        )
    return Sheet(rows=out, encoding="unicode" if used == "cp1258" else used)


# --- Cells → the values an entry takes ----------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for separator in ("/", "-", "."):
        parts = text.split(separator)
        if len(parts) == 3 and all(p.isdigit() for p in parts):
            a, b, c = (int(p) for p in parts)
            return date(a, b, c) if len(parts[0]) == 4 else date(c, b, a)
    raise ValueError(text)


def _int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return int(_text(value))


def row_values(event: str, cells: dict[str, Any], row: int) -> tuple[dict[str, Any], list[Problem]]:
    """The entry of one row as ``entries.entry_clean`` takes it, and the cells that could not be
    read (a date that is not a date, a sex that is neither "Nam" nor "Nữ", ...)."""
    data: dict[str, Any] = {}
    problems: list[Problem] = []
    for column in COLUMNS[event]:
        value = cells.get(column.key)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        try:
            if column.kind == "date":
                parsed: Any = _date(value)
            elif column.kind in ("int", "year"):
                parsed = _int(value)
            elif column.kind == "sex":
                parsed = {"nam": "male", "nu": "female", "male": "male", "female": "female"}[
                    fold(_text(value))
                ]
            elif column.kind == "relationship":
                parsed = RELATIONSHIPS.get(fold(_text(value)), "")
            elif column.kind == "id" and isinstance(value, int | float):
                # A number typed into Excel loses its leading zero (025... → 25...).
                parsed = f"{int(value):012d}"
            else:
                parsed = _text(value)
        except (ValueError, KeyError):
            messages = {
                "date": _("Không đọc được ngày «%(v)s»: ghi theo dạng dd/mm/yyyy."),
                "int": _("«%(v)s» không phải một số."),
                "year": _("«%(v)s» không phải một năm."),
                "sex": _("Giới tính «%(v)s» phải là Nam hoặc Nữ."),
            }
            problems.append(Problem(row, column.label, messages[column.kind] % {"v": _text(value)}))
            continue
        target = data
        *path, leaf = column.key.split(".")
        for part in path:
            target = target.setdefault(part, {})
        target[leaf] = parsed
    return data, problems


def label_of(event: str, field: str) -> str:
    """The column label of an error's field (``child.date_of_birth`` → "Ngày sinh")."""
    for column in COLUMNS[event]:
        if column.key == field:
            return column.label
    role, _dot, rest = field.partition(".")
    if rest == "full_name":
        for column in COLUMNS[event]:
            if column.key.startswith(f"{role}.") and column.key.endswith("family_name"):
                return column.label
    return ""


def template_xlsx(event: str) -> bytes:
    """An empty workbook with the template's headers (required ones in bold) and one example
    row, for the officer to fill in."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    examples = {
        "birth": {
            "book_number": "01",
            "entry_number": 1,
            "page": 1,
            "registered_on": "05/03/1998",
            "child.family_name": "Nguyễn",
            "child.middle_name": "Thị",
            "child.given_name": "Hằng",
            "child.sex": "Nữ",
            "child.date_of_birth": "14/02/1998",
            "mother.full_name": "Trần Thị Mai",
            "mother.birth_year": 1975,
        },
        "death": {
            "book_number": "01",
            "entry_number": 1,
            "page": 1,
            "registered_on": "20/06/1998",
            "deceased.family_name": "Đặng",
            "deceased.middle_name": "Văn",
            "deceased.given_name": "Đức",
            "deceased.sex": "Nam",
            "deceased.birth_year": 1920,
            "date_of_death": "12/06/1998",
        },
        "marriage": {
            "book_number": "01",
            "entry_number": 1,
            "page": 1,
            "registered_on": "10/10/1998",
            "husband.full_name": "Lò Văn Páo",
            "husband.birth_year": 1975,
            "wife.full_name": "Hà Thị Lan",
            "wife.birth_year": 1978,
        },
    }
    book = Workbook()
    sheet = book.active
    sheet.title = "So ho tich"
    columns = COLUMNS[event]
    sheet.append([c.label for c in columns])
    for cell, column in zip(sheet[1], columns, strict=True):
        cell.font = Font(bold=column.required)
    sheet.append([examples[event].get(c.key, "") for c in columns])
    for index, column in enumerate(columns, start=1):
        width = max(10, len(column.label) + 2)
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def strip_marks(text: str) -> str:
    """For file names: ASCII letters, digits and hyphens."""
    plain = unicodedata.normalize("NFKD", fold(text))
    return "".join(c if c.isalnum() else "-" for c in plain if c.isascii()).strip("-")
