"""The form of figures (biểu mẫu số liệu, Decree 09/2019/NĐ-CP Art. 7: each indicator with its
unit) and the values reported against it: checked on both sides of the exchange, added up for
the superior.

An indicator is ``{"code", "label", "unit", "type"}`` with ``type`` ``integer`` or ``decimal``.
Integer values are stored as JSON integers, decimal ones as canonical decimal strings (no
binary floating point on the way: "12.50" stays exactly 12.5).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from xaso.core.text import nfc

from .errors import IndicatorsInvalid, ValuesInvalid

CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
TYPES = ("integer", "decimal")
MAX_INDICATORS = 200
#: Figures above this (in absolute value) are a typing mistake, not a commune's statistic.
MAX_ABS = Decimal(10) ** 15
MAX_DECIMAL_PLACES = 4

Value = int | str


def indicators_clean(raw: Any) -> list[dict[str, str]]:
    """The form as stored, or ``IndicatorsInvalid`` naming every faulty line."""
    if not isinstance(raw, list):
        raise IndicatorsInvalid(_("Biểu mẫu số liệu phải là một danh sách chỉ tiêu."))
    if len(raw) > MAX_INDICATORS:
        raise IndicatorsInvalid(_("Biểu mẫu có nhiều nhất %(n)d chỉ tiêu.") % {"n": MAX_INDICATORS})
    cleaned: list[dict[str, str]] = []
    fields: dict[str, list[str]] = {}
    seen: set[str] = set()
    for i, item in enumerate(raw, start=1):
        key = f"indicators.{i}"
        if not isinstance(item, Mapping):
            fields[key] = [_("Chỉ tiêu phải có mã, tên, đơn vị tính và kiểu.")]
            continue
        code = str(item.get("code") or "").strip()
        label = nfc(str(item.get("label") or "")).strip()
        unit = nfc(str(item.get("unit") or "")).strip()
        kind = str(item.get("type") or "integer").strip()
        problems = []
        if not CODE_RE.match(code):
            problems.append(
                _(
                    "Mã chỉ tiêu “%(code)s” phải bắt đầu bằng chữ thường, chỉ gồm a-z, 0-9, _ "
                    "(tối đa 32 ký tự)."
                )
                % {"code": code}
            )
        elif code in seen:
            problems.append(_("Mã chỉ tiêu “%(code)s” bị trùng.") % {"code": code})
        if not label or len(label) > 255:
            problems.append(_("Tên chỉ tiêu là bắt buộc (tối đa 255 ký tự)."))
        if len(unit) > 32:
            problems.append(_("Đơn vị tính tối đa 32 ký tự."))
        if kind not in TYPES:
            problems.append(
                _("Kiểu của chỉ tiêu phải là integer (số nguyên) hoặc decimal (số thập phân).")
            )
        if problems:
            fields[key] = problems
            continue
        seen.add(code)
        cleaned.append({"code": code, "label": label, "unit": unit, "type": kind})
    if fields:
        raise IndicatorsInvalid(_("Biểu mẫu số liệu có chỉ tiêu không hợp lệ."), fields=fields)
    return cleaned


def _number(raw: Any, kind: str) -> Decimal:
    if isinstance(raw, bool) or raw is None:
        raise ValueError
    if isinstance(raw, float):
        raw = repr(raw)
    text = str(raw).strip().replace(" ", "")
    if not text:
        raise ValueError
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError from exc
    if not number.is_finite():
        raise ValueError
    if kind == "integer" and number != number.to_integral_value():
        raise ValueError
    return number


def values_clean(indicators: list[dict[str, str]], raw: Any) -> dict[str, Value]:
    """Every indicator of the form must have a value of its type; nothing else is accepted."""
    if not isinstance(raw, Mapping):
        raise ValuesInvalid(_("Số liệu phải là một đối tượng {mã chỉ tiêu: giá trị}."))
    fields: dict[str, list[str]] = {}
    known = {i["code"] for i in indicators}
    for code in raw:
        if code not in known:
            fields[f"values.{code}"] = [_("Biểu mẫu không có chỉ tiêu này.")]
    cleaned: dict[str, Value] = {}
    for ind in indicators:
        code, kind = ind["code"], ind["type"]
        key = f"values.{code}"
        if code not in raw or raw[code] in (None, ""):
            fields[key] = [_("Chưa nhập số liệu cho chỉ tiêu này.")]
            continue
        try:
            number = _number(raw[code], kind)
        except ValueError:
            fields[key] = [_("Phải là số nguyên.") if kind == "integer" else _("Phải là một số.")]
            continue
        if abs(number) >= MAX_ABS:
            fields[key] = [_("Số quá lớn.")]
            continue
        if kind == "integer":
            cleaned[code] = int(number)
            continue
        exponent = number.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > MAX_DECIMAL_PLACES:
            fields[key] = [_("Tối đa %(n)d chữ số sau dấu thập phân.") % {"n": MAX_DECIMAL_PLACES}]
            continue
        cleaned[code] = _canonical(number)
    if fields:
        raise ValuesInvalid(_("Số liệu báo cáo chưa đúng; xem từng chỉ tiêu."), fields=fields)
    return cleaned


def _canonical(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "") else text


def aggregate(
    indicators: list[dict[str, str]], values: Iterable[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Tổng hợp: per indicator the sum over the given (current) submissions and how many
    reported it."""
    totals = {i["code"]: Decimal(0) for i in indicators}
    counts = dict.fromkeys(totals, 0)
    for row in values:
        for code in totals:
            if code in row and row[code] not in (None, ""):
                totals[code] += Decimal(str(row[code]))
                counts[code] += 1
    out = []
    for ind in indicators:
        total = totals[ind["code"]]
        out.append(
            {
                **ind,
                "total": int(total) if ind["type"] == "integer" else _canonical(total),
                "count": counts[ind["code"]],
            }
        )
    return out


def indicators_parse_lines(text: str) -> list[dict[str, str]]:
    """The page's form: one indicator a line, ``code | label | unit | type``."""
    raw: list[dict[str, str]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        parts += [""] * (4 - len(parts))
        raw.append(
            {"code": parts[0], "label": parts[1], "unit": parts[2], "type": parts[3] or "integer"}
        )
    return raw


def indicators_to_lines(indicators: list[dict[str, str]]) -> str:
    return "\n".join(f"{i['code']} | {i['label']} | {i['unit']} | {i['type']}" for i in indicators)
