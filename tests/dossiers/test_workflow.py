"""The transition table: every legal transition, every illegal one (nothing changes), roles and
agency isolation for each action, and the rules of the actions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.dossiers.world import MARITAL, World, drive, receive, state, vn
from xaso.core.errors import DomainError, PermissionDenied
from xaso.core.models import AuditEntry
from xaso.dossiers import services
from xaso.dossiers.errors import (
    ApologyDateNotLater,
    AssigneeInvalid,
    DossierNotFound,
    NoNextStep,
    ReasonRequired,
    TransferTargetInvalid,
    TransitionNotAllowed,
)
from xaso.dossiers.models import Dossier, DossierEvent, Status
from xaso.dossiers.services.workflow import ACTIONS, TRANSITIONS

LATER = vn(2026, 9, 10, 16, 0)


def call(w: World, action: str, d: Dossier, actor: Any, at: Any = LATER) -> Dossier:
    """``action`` with valid arguments for a dossier of agency A (assignee fitting the step)."""
    fn = getattr(services, f"dossier_{action}")
    kw: dict[str, Any] = {"actor": actor, "dossier": d}
    if action in ("assign", "forward"):
        kw["assignee"] = w.specialist_b if d.competent_agency_id == w.b.pk else w.specialist
        if action == "forward":
            kw["assignee"], kw["step"] = w.leader, 3
    elif action == "request_supplement":
        kw["missing"] = ["Tờ khai có chữ ký"]
    elif action in ("refuse", "withdraw"):
        kw["reason"] = "Lý do ghi rõ"
    elif action == "apologize":
        kw.update(new_due_at=d.due_at + timedelta(days=3), reason="Cần xác minh thêm")
    elif action == "transfer":
        kw["agency"] = w.b if d.competent_agency_id == w.a.pk else w.a
    kw["at"] = at
    return fn(**kw)


LEGAL = sorted((s, a) for (s, a) in TRANSITIONS if s)


@pytest.mark.parametrize(("status", "action"), LEGAL)
def test_every_legal_transition(world, status, action):
    d = drive(world, status)
    actor = world.all_b if status == Status.TRANSFERRED else world.all_a
    events = DossierEvent.objects.count()
    audits = AuditEntry.objects.count()
    after = call(world, action, d, actor)
    rule = TRANSITIONS[(status, action)]
    assert after.status == (rule.to or status)
    assert Dossier.objects.get(pk=d.pk).status == after.status
    last = DossierEvent.objects.order_by("-pk").first()
    assert (last.action, last.from_status, last.to_status, last.actor) == (
        action,
        status,
        after.status,
        actor,
    )
    assert last.at == LATER
    assert DossierEvent.objects.count() == events + 1
    entry = AuditEntry.objects.order_by("-seq").first()
    assert AuditEntry.objects.count() == audits + 1
    assert (entry.action, entry.object_id, entry.changes["status"]) == (
        f"dossier.{action}",
        d.code,
        [status, after.status],
    )


ILLEGAL = [(s, a) for s in Status.values for a in ACTIONS if (s, a) not in TRANSITIONS]


@pytest.mark.parametrize(("status", "action"), ILLEGAL)
def test_every_illegal_transition_changes_nothing(world, status, action):
    d = drive(world, status)
    actor = world.all_b if status == Status.TRANSFERRED else world.all_a
    before = state()
    with pytest.raises(TransitionNotAllowed) as exc:
        call(world, action, d, actor)
    assert exc.value.code == "transition_not_allowed" and exc.value.status == 409
    assert exc.value.message.startswith("Không thể thực hiện thao tác “")
    assert f"khi hồ sơ đang ở trạng thái “{Status(status).label}”." in exc.value.message
    assert state() == before


def test_the_table_covers_the_api_actions():
    from typing import get_args

    from xaso.dossiers.api import ActionName

    assert sorted(get_args(ActionName)) == list(ACTIONS)
    assert len(ILLEGAL) + len(LEGAL) == len(Status.values) * len(ACTIONS)


ROLES = ("reception", "specialist", "leader", "clerk", "admin", "supervisor")


@pytest.mark.parametrize(("status", "action"), [k for k in LEGAL if k[0] != Status.TRANSFERRED])
def test_roles_outside_the_rule_are_refused(world, status, action):
    d = drive(world, status)
    rule = TRANSITIONS[(status, action)]
    for role in ROLES:
        if role in rule.roles:
            continue
        before = state()
        expected = (
            PermissionDenied
            if role in ("reception", "specialist", "leader", "clerk")
            else DossierNotFound
        )
        with pytest.raises(expected):
            call(world, action, d, world.staff_of_a()[role])
        assert state() == before, role


@pytest.mark.parametrize(("status", "action"), [k for k in LEGAL if k[0] != Status.TRANSFERRED])
def test_other_agencies_do_not_see_the_dossier(world, status, action):
    d = drive(world, status)
    for outsider in (world.all_b, world.reception_c):
        before = state()
        with pytest.raises(DossierNotFound):
            call(world, action, d, outsider)
        assert state() == before


def test_receiving_agency_acts_only_at_the_counter(world):
    """Received in A for B (phi địa giới): A's counter may withdraw and return results; the
    decisions are B's."""
    d = receive(world, competent_agency=world.b)
    before = state()
    with pytest.raises(PermissionDenied):
        services.dossier_assign(actor=world.all_a, dossier=d, assignee=world.specialist_b)
    assert state() == before
    d = services.dossier_assign(
        actor=world.leader_b, dossier=d, assignee=world.specialist_b, at=LATER
    )
    assert (d.status, d.assignee, d.current_step.order) == ("in_processing", world.specialist_b, 2)
    d = services.dossier_withdraw(actor=world.reception, dossier=d, reason="Người nộp xin rút")
    assert (d.status, d.withdrawal_reason) == ("withdrawn", "Người nộp xin rút")


def test_full_journey_and_step_deadlines(world):
    d = receive(world)  # Thu 10/09 10:00, due Tue 15/09 17:00
    d = services.dossier_assign(
        actor=world.leader, dossier=d, assignee=world.specialist, at=vn(2026, 9, 10, 11, 0)
    )
    # Step 2 (specialist, 12 h): 11:00-11:30, 13:00-17:00, Fri 07:30-11:30, 13:00-16:30.
    assert (d.current_step.order, d.step_due_at) == (2, vn(2026, 9, 11, 16, 30))
    d = services.dossier_forward(
        actor=world.specialist, dossier=d, assignee=world.leader, at=vn(2026, 9, 11, 9, 0)
    )
    # Step 3 (leader, 8 h): Fri 09:00 → Mon 09:00.
    assert (d.current_step.order, d.assignee, d.step_due_at) == (
        3,
        world.leader,
        vn(2026, 9, 14, 9, 0),
    )
    with pytest.raises(NoNextStep):
        services.dossier_forward(actor=world.leader, dossier=d, assignee=world.leader)
    d = services.dossier_approve(actor=world.leader, dossier=d, at=vn(2026, 9, 11, 10, 0))
    assert (d.status, d.current_step.order, d.assignee, d.step_due_at) == (
        "approved",
        4,
        None,
        None,
    )
    d = services.dossier_mark_ready(actor=world.clerk, dossier=d, at=vn(2026, 9, 11, 11, 0))
    assert (d.status, d.finished_at, d.result_ready_at) == (
        "result_ready",
        vn(2026, 9, 11, 11, 0),
        vn(2026, 9, 11, 11, 0),
    )
    d = services.dossier_return_result(actor=world.reception, dossier=d, at=vn(2026, 9, 11, 14, 0))
    assert (d.status, d.returned_at, d.national_status) == ("returned", vn(2026, 9, 11, 14, 0), 10)
    rows = list(
        DossierEvent.objects.filter(dossier=d).values_list(
            "action", "from_status", "to_status", "actor__username", "step__order", "step_due_at"
        )
    )
    assert rows == [
        ("receive", "", "received", "tiepnhan", 1, vn(2026, 9, 10, 15, 30)),
        ("assign", "received", "in_processing", "lanhdao", 2, vn(2026, 9, 11, 16, 30)),
        ("forward", "in_processing", "in_processing", "chuyenvien", 3, vn(2026, 9, 14, 9, 0)),
        ("approve", "in_processing", "approved", "lanhdao", 4, None),
        ("mark_ready", "approved", "result_ready", "vanthu", 4, None),
        ("return_result", "result_ready", "returned", "tiepnhan", 4, None),
    ]


def test_assignee_must_hold_the_step_role_in_the_competent_agency(world):
    d = receive(world)
    before = state()
    for wrong in (world.leader, world.specialist_b):
        with pytest.raises(AssigneeInvalid):
            services.dossier_assign(actor=world.leader, dossier=d, assignee=wrong)
    assert state() == before


def test_supplement_pause_moves_the_deadlines(world):
    d = receive(world)  # due Tue 15/09 17:00
    d = services.dossier_assign(
        actor=world.leader, dossier=d, assignee=world.specialist, at=vn(2026, 9, 10, 11, 0)
    )
    d = services.dossier_request_supplement(
        actor=world.specialist, dossier=d, missing=["Bản sao sổ hộ khẩu"], at=vn(2026, 9, 10, 14, 0)
    )
    assert (d.status, d.supplement_count, d.supplement_late) == ("awaiting_supplement", 1, False)
    d = services.dossier_receive_supplement(
        actor=world.reception, dossier=d, at=vn(2026, 9, 11, 9, 0)
    )
    # Paused: Thu 14:00-17:00 and Fri 07:30-09:00 = 4 h 30.
    assert d.supplement_paused_seconds == 4 * 3600 + 1800
    assert d.due_at == d.statutory_due_at == vn(2026, 9, 16, 13, 30)
    assert d.initial_due_at == vn(2026, 9, 15, 17, 0)
    assert d.step_due_at == vn(2026, 9, 14, 11, 30)  # Fri 16:30 + 4 h 30
    assert (d.status, d.supplement_missing) == ("in_processing", [])
    event = DossierEvent.objects.filter(dossier=d).order_by("-pk").first()
    assert event.data == {"paused_seconds": 16200, "due_at": "2026-09-16T13:30:00+07:00"}


def test_a_second_supplement_request_counts_as_late(world):
    d = drive(world, Status.IN_PROCESSING)
    t = vn(2026, 9, 11, 8, 0)
    d = services.dossier_request_supplement(actor=world.specialist, dossier=d, missing=["A"], at=t)
    d = services.dossier_receive_supplement(actor=world.specialist, dossier=d, at=t)
    assert d.supplement_paused_seconds == 0 and d.due_at == vn(2026, 9, 15, 17, 0)
    d = services.dossier_request_supplement(actor=world.specialist, dossier=d, missing=["B"], at=t)
    assert (d.supplement_count, d.supplement_late, d.supplement_missing) == (2, True, ["B"])
    datas = [
        e.data for e in DossierEvent.objects.filter(action="request_supplement").order_by("pk")
    ]
    assert datas == [
        {"missing": ["A"], "request": 1, "late": False},
        {"missing": ["B"], "request": 2, "late": True},
    ]


def test_apology_needs_a_later_date_and_a_reason(world):
    d = drive(world, Status.IN_PROCESSING)
    before = state()
    with pytest.raises(ApologyDateNotLater):
        services.dossier_apologize(
            actor=world.leader, dossier=d, new_due_at=d.due_at, reason="Chậm"
        )
    with pytest.raises(ReasonRequired):
        services.dossier_apologize(
            actor=world.leader, dossier=d, new_due_at=d.due_at + timedelta(days=1), reason="  "
        )
    assert state() == before
    new = vn(2026, 9, 18, 17, 0)
    d = services.dossier_apologize(
        actor=world.leader, dossier=d, new_due_at=new, reason="Cần xác minh", at=LATER
    )
    assert (d.status, d.due_at, d.statutory_due_at, d.apologized_at, d.apology_reason) == (
        "in_processing",
        new,
        vn(2026, 9, 15, 17, 0),
        LATER,
        "Cần xác minh",
    )


@pytest.mark.parametrize("action", ["refuse", "withdraw"])
def test_refusal_and_withdrawal_need_a_reason(world, action):
    d = drive(world, Status.RECEIVED)
    before = state()
    with pytest.raises(ReasonRequired) as exc:
        getattr(services, f"dossier_{action}")(actor=world.all_a, dossier=d, reason=" ")
    assert exc.value.fields == {"reason": ["Trường này là bắt buộc."]}
    assert state() == before


def test_transfer_within_the_province_only(world):
    d = drive(world, Status.RECEIVED)
    before = state()
    for target, error in ((world.c, TransferTargetInvalid), (world.a, TransferTargetInvalid)):
        with pytest.raises(error):
            services.dossier_transfer(actor=world.leader, dossier=d, agency=target)
    assert state() == before
    d = services.dossier_transfer(actor=world.leader, dossier=d, agency=world.b, at=LATER)
    assert (d.status, d.competent_agency, d.current_step.order, d.assignee) == (
        "transferred",
        world.b,
        1,
        None,
    )
    event = DossierEvent.objects.order_by("-pk").first()
    assert event.data == {"from_agency": "H98.01", "to_agency": "H98.02"}
    # A received it, so A still sees it; decisions are B's now.
    with pytest.raises(PermissionDenied):
        services.dossier_assign(actor=world.all_a, dossier=d, assignee=world.specialist)
    d = services.dossier_assign(actor=world.leader_b, dossier=d, assignee=world.specialist_b)
    assert (d.status, d.current_step.order) == ("in_processing", 2)


def test_events_are_append_only(world):
    d = drive(world, Status.RECEIVED)
    event = DossierEvent.objects.get(dossier=d)
    event.note = "sửa"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


def test_errors_are_domain_errors_with_vietnamese_messages(world):
    d = drive(world, Status.RETURNED)
    with pytest.raises(DomainError) as exc:
        services.dossier_approve(actor=world.leader, dossier=d)
    assert exc.value.message == (
        "Không thể thực hiện thao tác “phê duyệt” khi hồ sơ đang ở trạng thái “Đã trả kết quả”."
    )
    assert Dossier.objects.get(pk=d.pk).status == "returned"
    assert d.procedure.code == MARITAL
