"""How catalogue values read at the counter: the time limit and the fee in words."""

from __future__ import annotations

from typing import Any

from .models import Procedure, TimeLimitKind


def money(amount: int) -> str:
    """8000 → "8.000 đồng" (Vietnamese thousands separator)."""
    return f"{amount:,}".replace(",", ".") + " đồng"


def limit_words(kind: str, value: int | None, cutoff_hour: int | None) -> str:
    if kind == TimeLimitKind.WORKING_DAYS:
        return f"{value} ngày làm việc"
    if kind == TimeLimitKind.WORKING_HOURS:
        return f"{value} giờ làm việc"
    if kind == TimeLimitKind.SAME_DAY_CUTOFF:
        return (
            f"Trong ngày tiếp nhận; nhận sau {cutoff_hour} giờ thì trả kết quả "
            "trong ngày làm việc tiếp theo"
        )
    if kind == TimeLimitKind.DAYS:
        return f"{value} ngày (nguồn không ghi “ngày làm việc”)"
    return "Chưa xác định"


def _extra(limit: Any) -> str | None:
    if not isinstance(limit, dict) or limit.get("kind") not in TimeLimitKind.values:
        return None
    return limit_words(limit["kind"], limit.get("value"), limit.get("cutoff_hour"))


def time_limit_text(p: Procedure) -> str:
    """The statutory limit in words, with the longer limits the source states for special cases."""
    text = limit_words(p.time_limit_kind, p.time_limit_value, p.time_limit_cutoff_hour)
    verification = _extra(p.time_limit_extra.get("if_verification_needed"))
    if verification:
        text += f". Trường hợp cần xác minh: {verification}"
    complex_ = _extra(p.time_limit_extra.get("extension_for_complex_requests"))
    if complex_:
        text += f". Yêu cầu phức tạp: {complex_}"
    return text


def time_limit_as_written(p: Procedure) -> list[str]:
    """What the source wrote, channel by channel, for the officer to compare."""
    rows = [
        f"{r.get('channel')}: {r['as_written']}"
        for r in p.time_limit_by_channel
        if isinstance(r, dict) and r.get("as_written")
    ]
    secondary = p.time_limit_extra.get("secondary")
    if isinstance(secondary, dict) and secondary.get("as_written"):
        rows.append(f"Nguồn phụ: {secondary['as_written']}")
    return rows


def fee_text(p: Procedure) -> str:
    if p.fee_amount_vnd == 0:
        return "Miễn phí"
    if p.fee_amount_vnd is not None:
        return money(p.fee_amount_vnd)
    if p.fee_differs_by_channel:
        return "Khác nhau theo cách thức nộp (xem bảng)"
    if p.fee_provincial_rate:
        return "Theo mức Hội đồng nhân dân cấp tỉnh quy định"
    return "Chưa xác định"
