"""Intake (tiếp nhận): code, appointment per limit kind, applicant in people, checklist, first
event, refusals that leave nothing behind."""

from __future__ import annotations

import pytest

from tests.dossiers.world import APPLICANT, BIRTH, MARITAL, PID, receive, state, vn
from xaso.core.errors import InvalidInput, PermissionDenied
from xaso.core.models import AuditEntry
from xaso.dossiers.errors import (
    ChecklistInvalid,
    InvalidChannel,
    TimeLimitUnconfirmed,
    TransferTargetInvalid,
)
from xaso.dossiers.models import DossierCodeCounter, DossierEvent
from xaso.people.models import Person
from xaso.procedures.models import Procedure


def test_intake_records_everything(world):
    d = receive(
        world, MARITAL, checklist=[{"document": 1, "originals": 1}, {"document": 2, "copies": 2}]
    )
    assert d.code == "H98.01-260910-0001"
    assert (d.status, d.channel, d.national_status, d.national_channel) == (
        "received",
        "counter",
        2,
        1,
    )
    assert d.receiving_agency == world.a and d.competent_agency == world.a
    assert d.procedure.code == MARITAL and d.procedure_version.is_current
    assert d.received_at == vn(2026, 9, 10, 10, 0)
    assert d.counted_from == vn(2026, 9, 10, 10, 0)
    # 3 working days: Fri 11, Mon 14, Tue 15 (counting starts the day after reception).
    assert d.due_at == d.initial_due_at == d.statutory_due_at == vn(2026, 9, 15, 17, 0)
    # Step 1 (reception, 4 h): 10:00-11:30 and 13:00-15:30.
    assert (d.current_step.order, d.assignee, d.step_due_at) == (
        1,
        world.reception,
        vn(2026, 9, 10, 15, 30),
    )
    person = Person.objects.get()
    assert (person.agency, person.personal_id, person.full_name, person.phone) == (
        world.a,
        PID,
        "Nguyễn Văn Bình",
        "0912345678",
    )
    assert d.applicant == person
    docs = {doc.order: doc.name for doc in d.procedure.documents.all()}
    assert [(c.order, c.name, c.originals, c.copies) for c in d.checklist.all()] == [
        (1, docs[1], 1, 0),
        (2, docs[2], 0, 2),
    ]
    [event] = DossierEvent.objects.all()
    assert (event.action, event.from_status, event.to_status, event.actor, event.step.order) == (
        "receive",
        "",
        "received",
        world.reception,
        1,
    )
    assert event.step_due_at == vn(2026, 9, 10, 15, 30)
    assert event.data == {
        "procedure": MARITAL,
        "channel": "counter",
        "due_at": "2026-09-15T17:00:00+07:00",
        "checklist": [[1, 1, 0], [2, 0, 2]],
    }
    actions = list(
        AuditEntry.objects.exclude(action__startswith="procedure.")
        .order_by("seq")
        .values_list("action", "object_id")
    )
    assert actions == [("person.create", str(person.public_id)), ("dossier.receive", d.code)]


def test_no_personal_data_is_copied_onto_the_dossier(world):
    d = receive(world)
    values = " ".join(str(v) for v in type(d).objects.filter(pk=d.pk).values().get().values())
    for secret in ("Bình", PID, "0912345678", "binh@example.vn", "Thôn Đông", "1990-05-17"):
        assert secret not in values


def test_same_day_procedure_before_and_after_the_cutoff(world):
    before = receive(world, BIRTH, at=vn(2026, 9, 9, 14, 59))
    assert (before.counted_from, before.due_at) == (vn(2026, 9, 9, 14, 59), vn(2026, 9, 9, 17, 0))
    after = receive(world, BIRTH, at=vn(2026, 9, 9, 15, 0))
    assert (after.counted_from, after.due_at) == (vn(2026, 9, 10, 7, 30), vn(2026, 9, 10, 17, 0))
    friday = receive(world, BIRTH, at=vn(2026, 9, 11, 16, 0))
    assert friday.due_at == vn(2026, 9, 14, 17, 0)  # Monday
    assert [before.code, after.code, friday.code] == [
        "H98.01-260909-0001",
        "H98.01-260909-0002",
        "H98.01-260911-0001",
    ]


def test_same_day_cutoff_is_the_receiving_agency_s(world):
    from datetime import time

    world.a.same_day_cutoff = time(16, 0)
    world.a.save()
    world.reception.agency.refresh_from_db()
    d = receive(world, BIRTH, at=vn(2026, 9, 9, 15, 30))
    assert d.due_at == vn(2026, 9, 9, 17, 0)


def test_three_working_days_across_the_national_day_holiday(world):
    # Fri 28/08/2026; days off Sat 29/08-Wed 02/09: counted Thu 3, Fri 4, Mon 7.
    d = receive(world, MARITAL, at=vn(2026, 8, 28, 10, 0))
    assert d.due_at == vn(2026, 9, 7, 17, 0)


def test_working_hours_limit(world):
    Procedure.objects.filter(code=MARITAL).update(
        time_limit_kind="working_hours", time_limit_value=4
    )
    d = receive(world, MARITAL, at=vn(2026, 9, 9, 10, 0))
    assert d.due_at == vn(2026, 9, 9, 15, 30)


@pytest.mark.parametrize(
    ("code", "kind"),
    [("1.011607", "ngày (nguồn không ghi “làm việc”)"), ("1.000689", "chưa xác định")],
)
def test_unconfirmed_or_calendar_day_limits_refuse_intake(world, code, kind):
    before = state()
    with pytest.raises(TimeLimitUnconfirmed) as exc:
        receive(world, code)
    assert exc.value.code == "time_limit_unconfirmed"
    assert exc.value.message.startswith(f"Thủ tục {code} chưa có thời hạn giải quyết được xác nhận")
    assert f"(danh mục ghi: {kind})" in exc.value.message
    assert state() == before
    assert (Person.objects.count(), DossierCodeCounter.objects.count()) == (0, 0)


def test_phi_dia_gioi_intake_routes_to_the_competent_agency(world):
    d = receive(world, MARITAL, competent_agency=world.b)
    assert (d.receiving_agency, d.competent_agency, d.code) == (
        world.a,
        world.b,
        "H98.01-260910-0001",
    )
    assert d.applicant.agency == world.a
    assert DossierEvent.objects.get().data["competent_agency"] == "H98.02"


def test_competent_agency_of_another_province_is_refused(world):
    before = state()
    with pytest.raises(TransferTargetInvalid):
        receive(world, MARITAL, competent_agency=world.c)
    assert state() == before


@pytest.mark.parametrize("role", ["specialist", "leader", "clerk", "admin", "supervisor"])
def test_only_reception_receives(world, role):
    before = state()
    with pytest.raises(PermissionDenied):
        receive(world, actor=world.staff_of_a()[role])
    assert state() == before and Person.objects.count() == 0


def test_refusals_of_bad_input_leave_nothing(world):
    before = state()
    with pytest.raises(InvalidChannel):
        receive(world, channel="fax")
    with pytest.raises(ChecklistInvalid) as exc:
        receive(world, checklist=[{"document": 99, "originals": 1}, {"document": 1}])
    assert exc.value.fields == {
        "checklist": [
            "Thủ tục không có giấy tờ số 99.",
            "Giấy tờ số 1: cần ít nhất một bản chính hoặc bản sao.",
        ]
    }
    with pytest.raises(InvalidInput) as exc2:
        receive(world, code="9.999999")
    assert exc2.value.fields == {"procedure": ["Không có thủ tục mã 9.999999 trong danh mục."]}
    with pytest.raises(InvalidInput):
        receive(world, applicant={**APPLICANT, "personal_id": "001090012"})
    assert state() == before
    assert (Person.objects.count(), DossierCodeCounter.objects.count()) == (0, 0)


def test_applicant_found_again_by_personal_id(world):
    first = receive(world)
    second = receive(world, applicant={"personal_id": PID, "phone": "0987654321"})
    assert first.applicant_id == second.applicant_id
    person = Person.objects.get()
    assert (person.full_name, person.phone) == ("Nguyễn Văn Bình", "0987654321")
    assert second.code == "H98.01-260910-0002"
