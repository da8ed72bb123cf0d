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

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from xaso.org.models import Role

TEMPLATE_BASIS = "Quy trình mẫu chung (tỉnh thay bằng quy trình nội bộ đã ban hành)"
#: Roles a step may be given to: those that work on dossiers (an administrator or a supervisor
#: cannot be assigned a dossier, so a step of theirs could never be done).
STEP_ROLES = (Role.RECEPTION, Role.SPECIALIST, Role.LEADER, Role.CLERK)
#: A same-day procedure (15:00 cut-off) is done within one working day.
SAME_DAY_HOURS = 8


@dataclass(frozen=True)
class StepSpec:
    name: str
    role: str
    hours: int | None
    counted: bool = True


@dataclass(frozen=True)
class InternalProcedure:
    """A version of the internal procedure as the catalogue exchange carries it."""

    basis: str
    valid_from: date
    template: bool
    steps: tuple[StepSpec, ...]


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


def limit_hours(kind: str, value: int | None) -> int | None:
    """A statutory limit in working hours, 8 h a working day (``Procedure.time_limit_hours``)."""
    if kind == "working_days" and value is not None:
        return value * 8
    if kind == "working_hours":
        return value
    if kind == "same_day_cutoff":
        return SAME_DAY_HOURS
    return None


def steps_shape_problems(steps: Sequence[StepSpec]) -> list[str]:
    """What makes ``steps`` unusable even as a draft: no step, a step without a name, a role that
    does not work on dossiers, a negative number of hours."""
    if not steps:
        return [_("Quy trình nội bộ phải có ít nhất một bước.")]
    problems: list[str] = []
    roles = {str(r) for r in STEP_ROLES}
    for i, s in enumerate(steps, 1):
        if not s.name.strip():
            problems.append(_("Bước %(n)d: thiếu tên công việc.") % {"n": i})
        if s.role not in roles:
            problems.append(
                _("Bước %(n)d: vai trò “%(role)s” không thực hiện được bước xử lý hồ sơ.")
                % {"n": i, "role": s.role}
            )
        hours = s.hours
        if hours is not None and (
            isinstance(hours, bool) or not isinstance(hours, int) or hours < 0
        ):
            problems.append(_("Bước %(n)d: số giờ phải là số nguyên không âm.") % {"n": i})
    return problems


def steps_problems(steps: Sequence[StepSpec], *, kind: str, value: int | None) -> list[str]:
    """Every reason ``steps`` cannot be a published internal procedure of a procedure whose
    limit is (``kind``, ``value``), in Vietnamese; empty when they can (vn-rules.md §1.5).

    The steps counted in the processing time come first, the return of the result (not
    counted) after them; the counted budgets add up to the statutory limit, or stay within one
    working day for a same-day procedure. When the limit is not known in working hours, budgets
    may be left empty rather than guessed."""
    problems = steps_shape_problems(steps)
    if not steps:
        return problems
    counted = [s for s in steps if s.counted]
    if not counted:
        problems.append(_("Quy trình phải có ít nhất một bước tính vào thời hạn giải quyết."))
    first_uncounted = next((i for i, s in enumerate(steps) if not s.counted), len(steps))
    if any(s.counted for s in steps[first_uncounted:]):
        problems.append(_("Các bước không tính vào thời hạn (trả kết quả) phải ở cuối quy trình."))
    limit = limit_hours(kind, value)
    if problems or limit is None:
        return problems
    missing = [i for i, s in enumerate(steps, 1) if s.counted and s.hours is None]
    if missing:
        return [
            _("Bước %(n)d: cần số giờ làm việc (thủ tục có thời hạn %(limit)d giờ làm việc).")
            % {"n": i, "limit": limit}
            for i in missing
        ]
    total = sum(s.hours or 0 for s in counted)
    if kind == "same_day_cutoff":
        if total > SAME_DAY_HOURS:
            problems.append(
                _(
                    "Thủ tục giải quyết trong ngày: tổng số giờ các bước (%(total)d giờ) "
                    "vượt quá %(limit)d giờ."
                )
                % {"total": total, "limit": SAME_DAY_HOURS}
            )
    elif total != limit:
        problems.append(
            _(
                "Tổng số giờ các bước (%(total)d giờ) phải bằng thời hạn giải quyết "
                "(%(limit)d giờ làm việc)."
            )
            % {"total": total, "limit": limit}
        )
    return problems
