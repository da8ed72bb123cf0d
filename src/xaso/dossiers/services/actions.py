"""The workflow actions after intake (vn-rules.md §1.5), each one call of ``_transition``.

Each takes ``at`` (default: now) so that tests and imports can state when it happened."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from xaso.core.text import squash_spaces
from xaso.org.models import Agency, Staff
from xaso.procedures.models import ProcedureStep

from .. import timing
from ..errors import (
    ApologyDateNotLater,
    AssigneeInvalid,
    NoNextStep,
    ReasonRequired,
    StepInvalid,
    TransferTargetInvalid,
)
from ..models import Dossier
from .routing import check_same_province
from .workflow import _transition


def _reason(value: str | None, field: str = "reason") -> str:
    text = squash_spaces(value or "")
    if not text:
        raise ReasonRequired(_("Cần ghi rõ lý do."), fields={field: [_("Trường này là bắt buộc.")]})
    return text


def _steps(dossier: Dossier) -> list[ProcedureStep]:
    return list(dossier.procedure_version.steps.order_by("order"))


def _pick_step(dossier: Dossier, step_order: int | None) -> ProcedureStep:
    """The step named by ``step_order``, or else the counted step after the current one."""
    steps = [s for s in _steps(dossier) if s.counted]
    if step_order is not None:
        for s in steps:
            if s.order == step_order:
                return s
        raise StepInvalid(
            _("Quy trình không có bước xử lý số %(order)s.") % {"order": step_order},
            fields={"step": [_("Bước không tồn tại.")]},
        )
    current = dossier.current_step.order if dossier.current_step else 0
    for s in steps:
        if s.order > current:
            return s
    raise NoNextStep(_("Hồ sơ đang ở bước xử lý cuối cùng: cần phê duyệt hoặc từ chối."))


def _check_assignee(dossier: Dossier, assignee: Staff, step: ProcedureStep) -> None:
    if (
        not assignee.is_active
        or assignee.agency_id != dossier.competent_agency_id
        or not assignee.has_role(step.role)
    ):
        raise AssigneeInvalid(
            _(
                "Người được giao phải là cán bộ của cơ quan giải quyết, "
                "có vai trò của bước “%(step)s”."
            )
            % {"step": step.name},
            fields={"assignee": [_("Không thể giao cho người này.")]},
        )


def _enter_step(
    dossier: Dossier, step: ProcedureStep, assignee: Staff, at: datetime
) -> dict[str, Any]:
    dossier.current_step = step
    dossier.assignee = assignee
    dossier.step_due_at = timing.step_deadline(step=step, start=at, agency=dossier.competent_agency)
    return {"step_name": step.name}


def _hand_over(
    action: str,
    *,
    actor: Staff,
    dossier: Dossier,
    assignee: Staff,
    step: int | None,
    note: str,
    at: datetime | None,
) -> Dossier:
    """Assign and forward: the step named (or the next counted one), to an officer of the
    competent agency holding its role, with the step's deadline from its hour budget."""

    def change(d: Dossier, when: datetime) -> dict[str, Any]:
        target = _pick_step(d, step)
        _check_assignee(d, assignee, target)
        return _enter_step(d, target, assignee, when)

    return _transition(dossier, action=action, actor=actor, at=at, change=change, note=note)


def dossier_assign(
    *,
    actor: Staff,
    dossier: Dossier,
    assignee: Staff,
    step: int | None = None,
    note: str = "",
    at: datetime | None = None,
) -> Dossier:
    """Phân công: hand a received (or transferred-in) dossier to the officer of the next step;
    the step's deadline comes from its hour budget (quy trình nội bộ, vn-rules.md §1.5)."""
    return _hand_over(
        "assign", actor=actor, dossier=dossier, assignee=assignee, step=step, note=note, at=at
    )


def dossier_forward(
    *,
    actor: Staff,
    dossier: Dossier,
    assignee: Staff,
    step: int | None = None,
    note: str = "",
    at: datetime | None = None,
) -> Dossier:
    """Chuyển xử lý: hand the dossier over to the next step (or the step named, e.g. back to the
    specialist), to an officer holding that step's role."""
    return _hand_over(
        "forward", actor=actor, dossier=dossier, assignee=assignee, step=step, note=note, at=at
    )


def dossier_request_supplement(
    *,
    actor: Staff,
    dossier: Dossier,
    missing: Iterable[str],
    note: str = "",
    at: datetime | None = None,
) -> Dossier:
    """Yêu cầu bổ sung (Form 02): the clock stops until the supplement arrives. Officials may ask
    only once (Decree 118/2025 Art 11); a further request is recorded and counts the dossier as
    late (Decision 766)."""
    items = [squash_spaces(m) for m in missing if squash_spaces(m)]
    if not items:
        raise ReasonRequired(
            _("Cần ghi rõ giấy tờ, nội dung phải bổ sung."),
            fields={"missing": [_("Trường này là bắt buộc.")]},
        )

    def change(d: Dossier, when: datetime) -> dict[str, Any]:
        d.supplement_count += 1
        d.supplement_requested_at = when
        d.supplement_received_at = None
        d.supplement_missing = items
        if d.supplement_count > 1:
            d.supplement_late = True
        return {"missing": items, "request": d.supplement_count, "late": d.supplement_late}

    return _transition(
        dossier,
        action="request_supplement",
        actor=actor,
        at=at,
        change=change,
        note=note,
        notify=True,
    )


def dossier_receive_supplement(
    *, actor: Staff, dossier: Dossier, note: str = "", at: datetime | None = None
) -> Dossier:
    """Nhận bổ sung: the clock runs again; the appointment and the step deadline move later by
    the working time it was paused (supplement time is not counted, Decision 766)."""

    def change(d: Dossier, when: datetime) -> dict[str, Any]:
        assert d.supplement_requested_at is not None
        agency = d.competent_agency
        paused = timing.working_time_between(d.supplement_requested_at, when, agency=agency)
        d.supplement_received_at = when
        d.supplement_paused_seconds += int(paused.total_seconds())
        d.statutory_due_at = timing.shift(d.statutory_due_at, paused, agency=agency)
        d.due_at = timing.shift(d.due_at, paused, agency=agency)
        if d.step_due_at is not None:
            d.step_due_at = timing.shift(d.step_due_at, paused, agency=agency)
        d.supplement_missing = []
        return {"paused_seconds": int(paused.total_seconds()), "due_at": d.due_at.isoformat()}

    return _transition(
        dossier, action="receive_supplement", actor=actor, at=at, change=change, note=note
    )


def dossier_approve(
    *, actor: Staff, dossier: Dossier, note: str = "", at: datetime | None = None
) -> Dossier:
    """Phê duyệt: the leader signs the result; it goes to the counter for return (the return
    step is not counted in the processing time)."""

    def change(d: Dossier, when: datetime) -> dict[str, Any]:
        # A civil status dossier is approved only once its register entry is written.
        from xaso.civil.onestop import dossier_approve_check

        dossier_approve_check(d)
        after = [s for s in _steps(d) if not s.counted]
        d.current_step = after[0] if after else d.current_step
        d.assignee = None
        d.step_due_at = None
        return {}

    return _transition(dossier, action="approve", actor=actor, at=at, change=change, note=note)


def _finish(d: Dossier, when: datetime) -> None:
    d.finished_at = d.finished_at or when
    d.assignee = None
    d.step_due_at = None


def _end_with_reason(
    action: str, field: str, *, actor: Staff, dossier: Dossier, reason: str, at: datetime | None
) -> Dossier:
    """Refuse and withdraw: processing ends, with the reason (required) kept in ``field``."""
    text = _reason(reason)

    def change(d: Dossier, when: datetime) -> dict[str, Any]:
        setattr(d, field, text)
        _finish(d, when)
        return {"reason": text}

    return _transition(dossier, action=action, actor=actor, at=at, change=change)


def dossier_refuse(
    *, actor: Staff, dossier: Dossier, reason: str, at: datetime | None = None
) -> Dossier:
    """Từ chối giải quyết (Form 03): the reason is required and is told to the applicant."""
    return _end_with_reason(
        "refuse", "refusal_reason", actor=actor, dossier=dossier, reason=reason, at=at
    )


def dossier_apologize(
    *,
    actor: Staff,
    dossier: Dossier,
    new_due_at: datetime,
    reason: str,
    at: datetime | None = None,
) -> Dossier:
    """Xin lỗi và hẹn lại (Form 04): a late dossier gets a new appointment, which must be later
    than the current one; the statutory due time (Decision 766) does not move."""
    text = _reason(reason)

    def change(d: Dossier, when: datetime) -> dict[str, Any]:
        if new_due_at <= d.due_at:
            raise ApologyDateNotLater(
                _("Ngày hẹn mới phải sau ngày hẹn hiện tại."),
                fields={"new_due_at": [_("Phải sau ngày hẹn hiện tại.")]},
            )
        before = d.due_at
        d.due_at = new_due_at
        d.apologized_at = when
        d.apology_reason = text
        return {"reason": text, "due_at": [before.isoformat(), new_due_at.isoformat()]}

    return _transition(dossier, action="apologize", actor=actor, at=at, change=change, notify=True)


def _stamp(
    action: str,
    field: str,
    *,
    actor: Staff,
    dossier: Dossier,
    note: str,
    at: datetime | None,
    finish: bool = False,
    notify: bool = False,
) -> Dossier:
    """Mark ready and return: the moment is kept in ``field``; ``finish`` ends processing."""

    def change(d: Dossier, when: datetime) -> dict[str, Any]:
        setattr(d, field, when)
        if finish:
            _finish(d, when)
        return {}

    return _transition(
        dossier, action=action, actor=actor, at=at, change=change, note=note, notify=notify
    )


def dossier_mark_ready(
    *, actor: Staff, dossier: Dossier, note: str = "", at: datetime | None = None
) -> Dossier:
    """Đã có kết quả: the signed result is at the counter; processing ends here (Decision 766)
    and the applicant is told."""
    return _stamp(
        "mark_ready",
        "result_ready_at",
        actor=actor,
        dossier=dossier,
        note=note,
        at=at,
        finish=True,
        notify=True,
    )


def dossier_return_result(
    *, actor: Staff, dossier: Dossier, note: str = "", at: datetime | None = None
) -> Dossier:
    """Trả kết quả: the result is handed to the applicant."""
    return _stamp("return_result", "returned_at", actor=actor, dossier=dossier, note=note, at=at)


def dossier_withdraw(
    *, actor: Staff, dossier: Dossier, reason: str, at: datetime | None = None
) -> Dossier:
    """Dừng xử lý at the applicant's written request (rút hồ sơ); the reason is recorded."""
    return _end_with_reason(
        "withdraw", "withdrawal_reason", actor=actor, dossier=dossier, reason=reason, at=at
    )


def dossier_transfer(
    *,
    actor: Staff,
    dossier: Dossier,
    agency: Agency,
    note: str = "",
    at: datetime | None = None,
) -> Dossier:
    """Chuyển liên thông: the dossier goes to another agency of the province, which becomes the
    competent one and assigns it from its own first step; the appointment stays."""

    def change(d: Dossier, when: datetime) -> dict[str, Any]:
        if agency.pk == d.competent_agency_id:
            raise TransferTargetInvalid(
                _("Hồ sơ đã thuộc cơ quan này."), fields={"agency": [_("Chọn cơ quan khác.")]}
            )
        check_same_province(d.competent_agency, agency)
        source = d.competent_agency.code
        d.competent_agency = agency
        d.current_step = _steps(d)[0]
        d.assignee = None
        d.step_due_at = None
        return {"from_agency": source, "to_agency": agency.code}

    return _transition(dossier, action="transfer", actor=actor, at=at, change=change, note=note)
