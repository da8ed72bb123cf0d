"""The generic internal procedure (quy trình nội bộ) shipped with every catalogue entry.

It is a placeholder, not law. Each province approves, per procedure, its own step table with hour
budgets (vn-rules.md §1.5; e.g. Nghệ An Decision 3857/QĐ-UBND); it replaces this template through
``services.version_publish``. The template only makes the budgets add up:

- reception (tiếp nhận) → specialist (thẩm định, dự thảo kết quả) → leader (ký duyệt) → reception
  again to return the result (trả kết quả, not counted in the processing time, vn-rules.md §1.5);
- the counted budgets sum to the statutory limit in working hours, 8 h a working day; a same-day
  procedure (15:00 cut-off) fits within one working day (8 h);
- when the limit is unknown, or given in plain "days" whose working-hour length the source does
  not fix, the budgets stay empty rather than guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

from xaso.org.models import Role

TEMPLATE_BASIS = "Quy trình mẫu chung (tỉnh thay bằng quy trình nội bộ đã ban hành)"


@dataclass(frozen=True)
class StepSpec:
    name: str
    role: str
    hours: int | None
    counted: bool = True


def split_hours(total: int) -> tuple[int, int, int]:
    """(reception, specialist, leader) hours for a counted total: the specialist gets the rest."""
    if total >= 24:
        reception, leader = 4, 8
    elif total >= 4:
        reception, leader = 1, 2
    else:
        reception, leader = 0, 0
    return reception, total - reception - leader, leader


def template_steps(total_hours: int | None) -> list[StepSpec]:
    """The four generic steps for a procedure whose limit is ``total_hours`` working hours."""
    if total_hours is None:
        reception = specialist = leader = None
    else:
        reception, specialist, leader = split_hours(total_hours)
    return [
        StepSpec("Tiếp nhận, kiểm tra và chuyển hồ sơ", Role.RECEPTION, reception),
        StepSpec("Thẩm định, xử lý và dự thảo kết quả", Role.SPECIALIST, specialist),
        StepSpec("Xem xét, ký duyệt kết quả", Role.LEADER, leader),
        StepSpec(
            "Trả kết quả cho người yêu cầu", Role.RECEPTION, 0 if total_hours else None, False
        ),
    ]
