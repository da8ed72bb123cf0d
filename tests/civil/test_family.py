"""Nhận cha, mẹ, con and giám hộ: who may be recognised, what the birth entry already says,
guardians' and wards' ages, one active guardianship at a time."""

from __future__ import annotations

from datetime import date

import pytest

from tests.civil.test_births import refused
from tests.civil.world import FATHER, PID_FATHER, birth
from xaso.civil import services
from xaso.civil.current import record_current
from xaso.civil.errors import (
    AgeRequirement,
    DatesInconsistent,
    FieldInvalid,
    GuardianshipConflict,
    ParentageConflict,
)
from xaso.civil.models import CivilParty

CHILD = {
    "family_name": "Trần",
    "middle_name": "Thị",
    "given_name": "Hằng",
    "date_of_birth": date(2026, 3, 1),
    "nationality": "Việt Nam",
    "residence": "Thôn Đông, xã Đông",
}
PARENT = {**FATHER, "residence": "Thôn Đông, xã Đông"}


def parentage(**over):
    kw = {
        "parent": dict(PARENT),
        "child": dict(CHILD),
        "recognized_as": "father",
        "registered_on": date(2026, 6, 1),
    }
    kw.update(over)
    return kw


def test_recognition_adds_the_father_to_the_birth_entry(w):
    born = services.civil_register_birth(actor=w.officer, **birth())
    r = services.civil_register_parentage(actor=w.officer, **parentage())
    assert (r.book.event, r.entry_number, r.procedure.code, r.fee_amount_vnd) == (
        "parentage",
        1,
        "1.001022",
        None,
    )
    assert r.content["birth_record"]["record"] == str(born.public_id)
    assert r.parties.get(role="parent").sex == "male"
    added = CivilParty.objects.get(record=born, role="father")
    assert (added.added_by, added.full_name, added.person.personal_id) == (
        r,
        "Nguyễn Văn Đạt",
        PID_FATHER,
    )
    now = record_current(born)
    assert now.party("father").added_by == r.public_id
    # The birth entry as written keeps its original parties.
    assert sorted(
        CivilParty.objects.filter(record=born, added_by__isnull=True).values_list("role", flat=True)
    ) == ["child", "declarant", "mother"]
    exc = refused(
        ParentageConflict,
        services.civil_register_parentage,
        actor=w.officer,
        **parentage(registered_on=date(2026, 6, 2)),
    )
    assert exc.code == "parentage_already_registered"


def test_a_birth_entry_naming_another_father_is_for_a_court(w):
    kid = {**birth()["child"], "family_name": "Nguyễn"}
    services.civil_register_birth(
        actor=w.officer,
        **birth(
            child=kid,
            father=dict(FATHER),
            father_basis="marriage_elsewhere",
            parents_marriage="UBND xã Tây",
        ),
    )
    other = {
        "full_name": "Phạm Văn Quang",
        "birth_year": 1990,
        "nationality": "Việt Nam",
        "residence": "Xóm Gò",
    }
    exc = refused(
        ParentageConflict,
        services.civil_register_parentage,
        actor=w.officer,
        **parentage(parent=other, child={**CHILD, "family_name": "Nguyễn"}),
    )
    assert exc.code == "parent_already_on_record"


def test_recognition_without_a_birth_entry_here(w):
    r = services.civil_register_parentage(
        actor=w.officer,
        **parentage(
            recognized_as="mother",
            requested_by="child",
            parent={
                "full_name": "Hà Thị Mai",
                "birth_year": 1980,
                "nationality": "Việt Nam",
                "residence": "Bản Mới",
            },
        ),
    )
    assert "birth_record" not in r.content
    assert (r.content["recognized_as"], r.content["requested_by"]) == ("mother", "child")
    assert r.parties.get(role="parent").sex == "female"


@pytest.mark.parametrize(
    ("change", "error", "code"),
    [
        (
            {"parent": {**PARENT, "birth_year": 2026, "id_number": ""}},
            DatesInconsistent,
            "child_before_parent",
        ),
        ({"parent": {**PARENT, "sex": "female"}}, FieldInvalid, "sex_mismatch"),
        ({"recognized_as": "uncle"}, FieldInvalid, "invalid_choice"),
        ({"child": {**CHILD, "date_of_birth": None}}, FieldInvalid, "required"),
    ],
)
def test_parentage_refusals(w, change, error, code):
    exc = refused(error, services.civil_register_parentage, actor=w.officer, **parentage(**change))
    assert exc.code == code


# --- Guardianship -----------------------------------------------------------------------------

WARD = {
    "family_name": "Sùng",
    "middle_name": "A",
    "given_name": "Páo",
    "date_of_birth": date(2015, 9, 9),
    "sex": "male",
    "nationality": "Việt Nam",
    "residence": "Bản Lầm",
}
GUARDIAN = {
    "family_name": "Sùng",
    "middle_name": "Văn",
    "given_name": "Chứ",
    "date_of_birth": date(1985, 1, 1),
    "sex": "male",
    "nationality": "Việt Nam",
    "residence": "Bản Lầm",
}


def guardianship(**over):
    kw = {
        "ward": dict(WARD),
        "guardian": dict(GUARDIAN),
        "basis": "appointed",
        "appointment_document": "Văn bản cử người giám hộ ngày 01/03/2026",
        "registered_on": date(2026, 3, 2),
    }
    kw.update(over)
    return kw


def test_guardianship_and_its_termination(w):
    g = services.civil_register_guardianship(actor=w.officer, **guardianship())
    assert (g.book.event, g.variant, g.procedure.code, g.fee_amount_vnd) == (
        "guardianship",
        "appointment",
        "1.004837",
        0,
    )
    assert g.fee_note == "Miễn lệ phí (Luật Hộ tịch 2014, Điều 11 khoản 1): đăng ký giám hộ."
    exc = refused(
        GuardianshipConflict,
        services.civil_register_guardianship,
        actor=w.officer,
        **guardianship(registered_on=date(2026, 3, 3)),
    )
    assert exc.code == "ward_already_under_guardianship"
    end = services.civil_register_guardianship_termination(
        actor=w.officer, appointment=g, reason="parents_able", registered_on=date(2026, 9, 1)
    )
    assert (end.book, end.entry_number, end.variant, end.target) == (g.book, 2, "termination", g)
    assert (end.procedure.code, end.fee_amount_vnd) == ("1.004845", 0)
    assert sorted(end.parties.values_list("role", "full_name")) == [
        ("guardian", "Sùng Văn Chứ"),
        ("ward", "Sùng A Páo"),
    ]
    exc = refused(
        GuardianshipConflict,
        services.civil_register_guardianship_termination,
        actor=w.officer,
        appointment=g,
        reason="adopted",
        registered_on=date(2026, 9, 2),
    )
    assert exc.code == "guardianship_not_active"
    again = services.civil_register_guardianship(
        actor=w.officer, **guardianship(registered_on=date(2026, 9, 3))
    )
    assert again.entry_number == 3


def test_termination_because_of_age_checks_the_age(w):
    g = services.civil_register_guardianship(actor=w.officer, **guardianship())
    exc = refused(
        AgeRequirement,
        services.civil_register_guardianship_termination,
        actor=w.officer,
        appointment=g,
        reason="of_age",
        registered_on=date(2026, 9, 1),
    )
    assert exc.code == "ward_not_of_age"
    other = services.civil_register_guardianship(
        actor=w.officer,
        **guardianship(
            ward={**WARD, "given_name": "Dế", "date_of_birth": date(2008, 6, 1)},
            registered_on=date(2026, 3, 3),
        ),
    )
    done = services.civil_register_guardianship_termination(
        actor=w.officer, appointment=other, reason="of_age", registered_on=date(2026, 9, 1)
    )
    assert done.content["reason"] == "of_age"


@pytest.mark.parametrize(
    ("change", "error", "code"),
    [
        (
            {"guardian": {**GUARDIAN, "date_of_birth": date(2009, 1, 1)}},
            AgeRequirement,
            "guardian_age",
        ),
        (
            {"ward": {**WARD, "date_of_birth": date(1990, 1, 1)}},
            AgeRequirement,
            "ward_adult_without_condition",
        ),
        ({"appointment_document": ""}, FieldInvalid, "required"),
        ({"basis": "self"}, FieldInvalid, "invalid_choice"),
        ({"ward": dict(GUARDIAN), "ward_condition": "Mất năng lực"}, FieldInvalid, "same_person"),
    ],
)
def test_guardianship_refusals(w, change, error, code):
    exc = refused(
        error, services.civil_register_guardianship, actor=w.officer, **guardianship(**change)
    )
    assert exc.code == code


def test_an_adult_ward_with_a_stated_condition(w):
    r = services.civil_register_guardianship(
        actor=w.officer,
        **guardianship(
            ward={**WARD, "date_of_birth": date(1990, 1, 1)},
            basis="natural",
            appointment_document="",
            ward_condition="Mất năng lực hành vi dân sự theo Quyết định 5/2026 của Tòa án",
        ),
    )
    assert r.content["basis"] == "natural"


def test_termination_of_another_agencys_appointment(w):
    g = services.civil_register_guardianship(actor=w.officer_b, **guardianship())
    exc = refused(
        GuardianshipConflict,
        services.civil_register_guardianship_termination,
        actor=w.officer,
        appointment=g,
        reason="adopted",
        registered_on=date(2026, 9, 1),
    )
    assert exc.code == "guardianship_not_active"
