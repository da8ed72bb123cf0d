"""Document types, number and notation, place and date, urgency and confidentiality marks of
Decree 30/2020/NĐ-CP on clerical work (công tác văn thư).

Sources (../shared/domain/vn-rules.md §5.1):

- the 29 administrative document types and their abbreviations: Art 7 and Appendix III. Bản ghi
  nhớ is GN and Bản thỏa thuận TTh (the majority reading of the published transcriptions; one
  gives BGN/BTT). Công văn and Thư công have no type abbreviation;
- "Số:" and the notation: Appendix I Part I §II.3 — the number runs from 01 each calendar year,
  numbers below 10 take a leading zero, "/" between number and notation, "-" between the groups,
  no spaces: ``05/QĐ-UBND``; a công văn carries agency and drafting unit: ``15/UBND-VP``;
- the place-and-date line: Appendix I — a day below 10 and the months 1 and 2 take a leading zero
  ("ngày 05 tháng 02 năm 2026", but "tháng 3" … "tháng 12"), so no digit can be added by hand;
- urgency (độ khẩn: Khẩn, Thượng khẩn, Hỏa tốc; Decree 30 Art 8 and Appendix I) and
  confidentiality (độ mật: Mật, Tối mật, Tuyệt mật; Law 29/2018/QH14 on protection of state
  secrets, Art 8).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import DocumentTypeUnknown, NotationInvalid

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class DocumentType:
    """One document type of Appendix III.

    ``code`` is the stable value stored in the database: the official abbreviation where there
    is one (``QĐ``), otherwise ``CV`` (công văn) and ``THU`` (thư công), which never appear in a
    notation. ``letter_style`` marks the types written as letters: no type name above the
    subject, the subject as "V/v …" under the number, and the notation ``agency-unit``.
    """

    code: str
    name: str
    abbreviation: str
    letter_style: bool = False

    @property
    def heading(self) -> str:
        """The type name as printed above the subject: bold upper case ("QUYẾT ĐỊNH")."""
        return self.name.upper()


CONG_VAN = "CV"
THU_CONG = "THU"

#: Appendix III in its order.
DOCUMENT_TYPES: tuple[DocumentType, ...] = (
    DocumentType("NQ", "Nghị quyết", "NQ"),
    DocumentType("QĐ", "Quyết định", "QĐ"),
    DocumentType("CT", "Chỉ thị", "CT"),
    DocumentType("QC", "Quy chế", "QC"),
    DocumentType("QyĐ", "Quy định", "QyĐ"),
    DocumentType("TC", "Thông cáo", "TC"),
    DocumentType("TB", "Thông báo", "TB"),
    DocumentType("HD", "Hướng dẫn", "HD"),
    DocumentType("CTr", "Chương trình", "CTr"),
    DocumentType("KH", "Kế hoạch", "KH"),
    DocumentType("PA", "Phương án", "PA"),
    DocumentType("ĐA", "Đề án", "ĐA"),
    DocumentType("DA", "Dự án", "DA"),
    DocumentType("BC", "Báo cáo", "BC"),
    DocumentType("BB", "Biên bản", "BB"),
    DocumentType("TTr", "Tờ trình", "TTr"),
    DocumentType("HĐ", "Hợp đồng", "HĐ"),
    DocumentType(CONG_VAN, "Công văn", "", letter_style=True),
    DocumentType("CĐ", "Công điện", "CĐ"),
    DocumentType("GN", "Bản ghi nhớ", "GN"),
    DocumentType("TTh", "Bản thỏa thuận", "TTh"),
    DocumentType("GUQ", "Giấy ủy quyền", "GUQ"),
    DocumentType("GM", "Giấy mời", "GM"),
    DocumentType("GGT", "Giấy giới thiệu", "GGT"),
    DocumentType("GNP", "Giấy nghỉ phép", "GNP"),
    DocumentType("PG", "Phiếu gửi", "PG"),
    DocumentType("PC", "Phiếu chuyển", "PC"),
    DocumentType("PB", "Phiếu báo", "PB"),
    DocumentType(THU_CONG, "Thư công", "", letter_style=True),
)

_BY_CODE = {t.code: t for t in DOCUMENT_TYPES}

#: For a model field or a form: ``CharField(max_length=4, choices=DOCUMENT_TYPE_CHOICES)``.
DOCUMENT_TYPE_CHOICES: list[tuple[str, str]] = [(t.code, t.name) for t in DOCUMENT_TYPES]


def document_type(code: str) -> DocumentType:
    """The type of ``code`` (as stored, e.g. "QĐ"); an unknown code is a DocumentTypeUnknown."""
    found = _BY_CODE.get(unicodedata.normalize("NFC", code.strip()))
    if found is None:
        raise DocumentTypeUnknown(
            _("Loại văn bản “%(code)s” không có trong danh mục của Nghị định 30/2020/NĐ-CP.")
            % {"code": code},
            fields={"type_code": [_("Loại văn bản không hợp lệ.")]},
        )
    return found


# --- Number and notation ---------------------------------------------------------------------

_ABBREVIATION = re.compile(r"^[^\s/\-]{1,30}$")


def _abbreviation(value: str | None, field: str, label: str) -> str:
    text = unicodedata.normalize("NFC", (value or "").strip())
    if not _ABBREVIATION.match(text):
        raise NotationInvalid(
            _(
                "%(label)s “%(value)s” không dùng được trong ký hiệu văn bản: cần một chữ viết "
                "tắt liền, không có dấu cách, “/” hay “-”."
            )
            % {"label": label, "value": value or ""},
            fields={field: [_("Chữ viết tắt không hợp lệ.")]},
        )
    return text


def notation(type_code: str, agency_abbr: str, unit_abbr: str | None = None) -> str:
    """The notation (ký hiệu) after the "/": "QĐ-UBND", a công văn "UBND-VP".

    A typed document may add the drafting unit ("KH-UBND-VP", Appendix I §II.3 b); a letter-style
    document (công văn, thư công) must name it.
    """
    kind = document_type(type_code)
    agency = _abbreviation(agency_abbr, "agency_abbr", _("Chữ viết tắt tên cơ quan"))
    unit = None
    if unit_abbr is not None and unit_abbr.strip():
        unit = _abbreviation(unit_abbr, "unit_abbr", _("Chữ viết tắt tên đơn vị soạn thảo"))
    if kind.letter_style:
        if unit is None:
            raise NotationInvalid(
                _(
                    "Ký hiệu của %(type)s gồm chữ viết tắt tên cơ quan và tên đơn vị soạn thảo "
                    "(ví dụ UBND-VP): hãy nhập chữ viết tắt tên đơn vị soạn thảo."
                )
                % {"type": kind.name.lower()},
                fields={"unit_abbr": [_("Cần chữ viết tắt tên đơn vị soạn thảo.")]},
            )
        return f"{agency}-{unit}"
    return "-".join(part for part in (kind.abbreviation, agency, unit) if part)


def format_number(number: int) -> str:
    """01 … 09, 10 …: numbers below 10 with a leading zero (Decree 30 Appendix I §II.3 a)."""
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise NotationInvalid(
            _("Số văn bản phải là số nguyên từ 1 trở lên."),
            fields={"number": [_("Số không hợp lệ.")]},
        )
    return f"{number:02d}"


def number_notation(
    number: int,
    type_code: str,
    agency_abbr: str,
    unit_abbr: str | None = None,
    *,
    year: int | None = None,
) -> str:
    """ "05/QĐ-UBND"; công văn "05/UBND-VP"; with ``year`` (normative documents, Law 64/2025/QH15)
    "12/2025/QĐ-UBND"."""
    text = format_number(number)
    if year is not None:
        text += f"/{year:04d}"
    return f"{text}/{notation(type_code, agency_abbr, unit_abbr)}"


def number_line(
    number: int | None,
    type_code: str,
    agency_abbr: str,
    unit_abbr: str | None = None,
    *,
    year: int | None = None,
) -> str:
    """The line as printed: "Số: 05/QĐ-UBND"; a draft not yet numbered keeps the blank the clerk
    fills in: "Số:      /QĐ-UBND" (no-break spaces, so the blank survives layout)."""
    if number is None:
        blank = "\u00a0" * 6
        middle = f"{blank}/{year:04d}" if year is not None else blank
        return f"Số:{middle}/{notation(type_code, agency_abbr, unit_abbr)}"
    return f"Số: {number_notation(number, type_code, agency_abbr, unit_abbr, year=year)}"


# --- Place and date --------------------------------------------------------------------------


def date_words(value: dt.date | dt.datetime) -> str:
    """ "ngày 05 tháng 02 năm 2026", "ngày 28 tháng 11 năm 2026": day < 10 and months 1–2 with a
    leading zero (Decree 30 Appendix I). An aware datetime is read in Vietnam time."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()}: pass an aware datetime")
        value = value.astimezone(VIETNAM).date()
    month = f"{value.month:02d}" if value.month < 3 else str(value.month)
    return f"ngày {value.day:02d} tháng {month} năm {value.year}"


def place_date_line(place: str, date: dt.date | dt.datetime) -> str:
    """The line under the national motto: "Thạch Khoán, ngày 05 tháng 3 năm 2026" (NFC)."""
    name = unicodedata.normalize("NFC", place.strip())
    if not name:
        raise NotationInvalid(
            _("Cần địa danh (nơi cơ quan đóng trụ sở) để ghi dòng địa danh, ngày tháng."),
            fields={"place": [_("Cần địa danh.")]},
        )
    return f"{name}, {date_words(date)}"


# --- Urgency and confidentiality -------------------------------------------------------------


class Urgency(models.TextChoices):
    """Độ khẩn (Decree 30/2020 Art 8, Appendix I): stamped under the number and notation. The
    values are those of ``documents.models.Urgency``, so a stored value passes straight in."""

    NORMAL = "normal", gettext_lazy("Thường")
    URGENT = "urgent", gettext_lazy("Khẩn")
    VERY_URGENT = "very_urgent", gettext_lazy("Thượng khẩn")
    FLASH = "flash", gettext_lazy("Hỏa tốc")


class Confidentiality(models.TextChoices):
    """Độ mật (Law 29/2018/QH14 Art 8): Mật < Tối mật < Tuyệt mật; the values of
    ``documents.models.Confidentiality``."""

    NORMAL = "normal", gettext_lazy("Thường")
    CONFIDENTIAL = "confidential", gettext_lazy("Mật")
    SECRET = "secret", gettext_lazy("Tối mật")
    TOP_SECRET = "top_secret", gettext_lazy("Tuyệt mật")


#: The marks as printed on the paper, whatever the interface language (bold upper case in a frame).
URGENCY_MARKS = {
    Urgency.NORMAL: "",
    Urgency.URGENT: "KHẨN",
    Urgency.VERY_URGENT: "THƯỢNG KHẨN",
    Urgency.FLASH: "HỎA TỐC",
}
CONFIDENTIALITY_MARKS = {
    Confidentiality.NORMAL: "",
    Confidentiality.CONFIDENTIAL: "MẬT",
    Confidentiality.SECRET: "TỐI MẬT",
    Confidentiality.TOP_SECRET: "TUYỆT MẬT",
}
_URGENCY_RANK = {level: rank for rank, level in enumerate(Urgency)}
_CONFIDENTIALITY_RANK = {level: rank for rank, level in enumerate(Confidentiality)}


def urgency_rank(level: str) -> int:
    """0 (ordinary) … 3 (Hỏa tốc), for sorting a register by urgency."""
    return _URGENCY_RANK[Urgency(level)]


def confidentiality_rank(level: str) -> int:
    """0 (not secret) … 3 (Tuyệt mật)."""
    return _CONFIDENTIALITY_RANK[Confidentiality(level)]


def is_cleared(clearance: str, level: str) -> bool:
    """May someone cleared up to ``clearance`` read a document of ``level``? (Law 29/2018/QH14:
    access to a state secret only within the level one is cleared for.)"""
    return confidentiality_rank(clearance) >= confidentiality_rank(level)


def urgency_mark(level: str) -> str:
    return URGENCY_MARKS[Urgency(level)]


def confidentiality_mark(level: str) -> str:
    return CONFIDENTIALITY_MARKS[Confidentiality(level)]
