"""Đăng ký khai sinh and khai tử: the legal content written, the numbering, the declaration
periods, the fee from the catalogue, and every refusal leaving nothing written."""

from __future__ import annotations

from datetime import date

import pytest

from tests.civil.world import (
    FATHER,
    MOTHER,
    PID_CHILD,
    PID_FATHER,
    PID_MOTHER,
    PID_OLD,
    birth,
    death,
    leader_titled,
    marriage,
    state,
)
from xaso.civil import services
from xaso.civil.current import record_current
from xaso.civil.errors import (
    AlreadyRegistered,
    DatesInconsistent,
    DeclarantNotEntitled,
    FieldInvalid,
    LikelyDuplicate,
    NameNotFromParent,
    ParentsMarriageNotFound,
    RecordInvalid,
    RegistrationDateInvalid,
    SignerInvalid,
)
from xaso.civil.models import CivilParty
from xaso.core.errors import PermissionDenied
from xaso.core.models import AuditEntry
from xaso.people.models import Person


def refused(exc_type, fn, **kw):
    before = state()
    with pytest.raises(exc_type) as info:
        fn(**kw)
    assert state() == before
    return info.value


def test_birth_writes_the_legal_content(w):
    r = services.civil_register_birth(actor=w.officer, **birth())
    assert (r.book.event, r.book.year, r.book.number, r.entry_number, r.page) == (
        "birth",
        2026,
        "01",
        1,
        1,
    )
    assert (r.event, r.variant, r.registered_on, r.event_date, r.late) == (
        "birth",
        "",
        date(2026, 3, 10),
        date(2026, 3, 1),
        False,
    )
    assert (r.procedure.code, r.fee_amount_vnd) == ("1.001193", 0)
    assert r.fee_note == (
        "Miễn lệ phí (Luật Hộ tịch 2014, Điều 11 khoản 1): đăng ký khai sinh đúng hạn."
    )
    assert r.content == {
        "place_of_birth": "Trạm Y tế xã Đông",
        "home_town": "xã Đông, tỉnh Thử Nghiệm",
        "birth_notice": "",
        "note": "",
        "declaration_due": "2026-05-04",  # 30/04 + 1/05 holidays, then a weekend
    }
    parties = {p.role: p for p in r.parties.all()}
    assert sorted(parties) == ["child", "declarant", "mother"]
    child = parties["child"]
    assert (child.family_name, child.middle_name, child.given_name, child.full_name) == (
        "Trần",
        "Thị",
        "Hằng",
        "Trần Thị Hằng",
    )
    assert (child.name_folded, child.sex, child.birth_year, child.person) == (
        "tran thi hang",
        "female",
        2026,
        None,
    )
    mother = parties["mother"]
    assert (mother.full_name, mother.family_name, mother.birth_year, mother.sex) == (
        "Trần Thị Mỹ",
        "",
        1996,
        "female",
    )
    assert mother.person.personal_id == PID_MOTHER
    assert mother.person.address == "Thôn Đông, xã Đông"
    assert parties["declarant"].relationship == "mother"
    assert parties["declarant"].person == mother.person
    assert (r.registrar, r.registrar_name, r.signer) == (w.officer, "Đặng Văn Đức", None)
    entry = AuditEntry.objects.filter(action="civil.register.birth").get()
    assert (entry.object_id, entry.actor_username) == (str(r.public_id), "hotich")
    assert entry.changes["entry_number"] == 1 and entry.changes["late"] is False
    assert "Trần" not in entry.object_repr


def test_entries_are_numbered_in_sequence_and_books_are_per_event_and_year(w):
    first = services.civil_register_birth(actor=w.officer, **birth())
    kid2 = {**birth()["child"], "given_name": "Lan", "date_of_birth": date(2026, 3, 5)}
    second = services.civil_register_birth(actor=w.officer, **birth(child=kid2))
    other = services.civil_register_birth(actor=w.officer_b, **birth())
    assert (first.entry_number, second.entry_number) == (1, 2)
    assert first.book == second.book
    assert (other.book.agency, other.entry_number) == (w.b, 1)
    first.book.refresh_from_db()
    assert (first.book.last_number, first.book.last_registered_on) == (2, date(2026, 3, 10))


@pytest.mark.parametrize(
    ("registered_on", "late"),
    [(date(2026, 5, 4), False), (date(2026, 5, 5), True)],
)
def test_sixty_days_end_on_a_working_day(w, registered_on, late):
    """Born 1/3: the 60th day is 30/4, a holiday like 1/5, then a weekend (Civil Code Art 148)."""
    r = services.civil_register_birth(actor=w.officer, **birth(registered_on=registered_on))
    assert r.late is late


def test_late_birth_pays_the_provincial_fee_unless_exempt(w):
    kid = {**birth()["child"], "date_of_birth": date(2026, 1, 1)}
    r = services.civil_register_birth(actor=w.officer, **birth(child=kid))
    assert (r.late, r.fee_amount_vnd, r.content["declaration_due"]) == (True, None, "2026-03-02")
    assert r.fee_note == (
        "Lệ phí theo mức do Hội đồng nhân dân cấp tỉnh quy định; danh mục thủ tục 1.001193 "
        "chưa ghi số tiền."
    )
    kid2 = {**kid, "given_name": "Lan"}
    poor = services.civil_register_birth(
        actor=w.officer, **birth(child=kid2, fee_exemption="poor_household")
    )
    assert (poor.late, poor.fee_amount_vnd) == (True, 0)
    assert "người thuộc hộ nghèo" in poor.fee_note


def _register_parents_marriage(w):
    return services.civil_register_marriage(
        actor=w.officer,
        husband={
            "family_name": "Nguyễn",
            "middle_name": "Văn",
            "given_name": "Đạt",
            "date_of_birth": date(1994, 6, 2),
            "ethnicity": "Kinh",
            "nationality": "Việt Nam",
            "residence": "Thôn Đông",
            "id_number": PID_FATHER,
        },
        wife={
            "family_name": "Trần",
            "middle_name": "Thị",
            "given_name": "Mỹ",
            "date_of_birth": date(1996, 8, 9),
            "ethnicity": "Kinh",
            "nationality": "Việt Nam",
            "residence": "Thôn Đông",
            "id_number": PID_MOTHER,
        },
        registered_on=date(2025, 1, 6),
    )


def test_father_from_the_parents_marriage_on_record(w):
    married = _register_parents_marriage(w)
    kid = {**birth()["child"], "family_name": "Nguyễn"}
    r = services.civil_register_birth(actor=w.officer, **birth(child=kid, father=dict(FATHER)))
    assert r.content["father_basis"] == "marriage_on_record"
    assert r.content["parents_marriage"] == {
        "record": str(married.public_id),
        "entry": "Sổ đăng ký kết hôn 01/2025, số 1",
    }
    assert r.parties.get(role="father").person.personal_id == PID_FATHER


def test_father_without_a_marriage_on_record_needs_a_basis(w):
    kid = {**birth()["child"], "family_name": "Nguyễn"}
    kw = birth(child=kid, father=dict(FATHER))
    exc = refused(ParentsMarriageNotFound, services.civil_register_birth, actor=w.officer, **kw)
    assert exc.code == "parents_marriage_not_found" and exc.status == 409
    exc = refused(
        FieldInvalid,
        services.civil_register_birth,
        actor=w.officer,
        **kw,
        father_basis="marriage_elsewhere",
    )
    assert (exc.code, list(exc.fields)) == ("required", ["parents_marriage"])
    r = services.civil_register_birth(
        actor=w.officer,
        **kw,
        father_basis="marriage_elsewhere",
        parents_marriage="UBND xã Tây, 12/02/2024",
    )
    assert (r.content["father_basis"], r.content["parents_marriage"]) == (
        "marriage_elsewhere",
        "UBND xã Tây, 12/02/2024",
    )
    assert r.procedure.code == "1.001193"
    kid2 = {**kid, "given_name": "Hà"}
    rec = services.civil_register_birth(
        actor=w.officer, **birth(child=kid2, father=dict(FATHER), father_basis="recognition")
    )
    assert (rec.content["father_basis"], rec.procedure.code) == ("recognition", "1.000689")


@pytest.mark.parametrize(
    ("change", "error", "code", "field"),
    [
        (
            {"child": {"date_of_birth": date(2099, 1, 1)}},
            FieldInvalid,
            "date_in_future",
            "child.date_of_birth",
        ),
        (
            {"registered_on": date(2026, 2, 20)},
            DatesInconsistent,
            "event_after_registration",
            "child.date_of_birth",
        ),
        (
            {"mother": {"birth_year": 2026, "id_number": ""}},
            DatesInconsistent,
            "child_before_parent",
            "mother.birth_year",
        ),
        (
            {"child": {"family_name": "Lê"}},
            NameNotFromParent,
            "family_name_not_from_parent",
            "child.family_name",
        ),
        (
            {"child": {"ethnicity": "Tày"}},
            NameNotFromParent,
            "ethnicity_not_from_parent",
            "child.ethnicity",
        ),
        (
            {"child": {"given_name": "Hằng2"}},
            FieldInvalid,
            "name_invalid_characters",
            "child.given_name",
        ),
        ({"child": {"sex": ""}}, FieldInvalid, "required", "child.sex"),
        ({"place_of_birth": " "}, FieldInvalid, "required", "child.place_of_birth"),
        ({"mother": {"sex": "male"}}, FieldInvalid, "sex_mismatch", "mother.sex"),
        (
            {"child": {"id_number": "025226000101"}},
            FieldInvalid,
            "pid_sex_mismatch",
            "child.id_number",
        ),
        (
            {"mother": {"id_number": "025197000202"}},
            FieldInvalid,
            "pid_year_mismatch",
            "mother.id_number",
        ),
        (
            {"declarant": {"relationship": "spouse"}},
            DeclarantNotEntitled,
            "declarant_not_entitled",
            "declarant.relationship",
        ),
        (
            {"declarant": {"full_name": "Trần Thị Mai"}},
            DeclarantNotEntitled,
            "declarant_mismatch",
            "declarant.full_name",
        ),
        (
            {"declarant": {"relationship": "father"}},
            DeclarantNotEntitled,
            "declarant_mismatch",
            "declarant.full_name",
        ),
        (
            {"registered_on": date(2099, 1, 1)},
            RegistrationDateInvalid,
            "registration_in_future",
            "registered_on",
        ),
        ({"fee_exemption": "vip"}, FieldInvalid, "invalid_choice", "fee_exemption"),
    ],
)
def test_birth_refusals(w, change, error, code, field):
    kw = birth()
    for key, value in change.items():
        if isinstance(value, dict):
            kw[key] = {**kw[key], **value}
        else:
            kw[key] = value
    exc = refused(error, services.civil_register_birth, actor=w.officer, **kw)
    assert (exc.code, list(exc.fields)) == (code, [field])
    assert exc.message


def test_several_problems_are_reported_together(w):
    kw = birth()
    kw["child"] = {**kw["child"], "given_name": "", "sex": "other"}
    kw["home_town"] = ""
    exc = refused(RecordInvalid, services.civil_register_birth, actor=w.officer, **kw)
    assert exc.code == "record_invalid"
    assert sorted(exc.fields) == ["child.given_name", "child.home_town", "child.sex"]


def test_a_grandparent_may_declare(w):
    kw = birth(declarant={"full_name": "Trần Văn Hòa", "relationship": "grandparent"})
    r = services.civil_register_birth(actor=w.officer, **kw)
    assert r.parties.get(role="declarant").relationship == "grandparent"


def test_likely_duplicate_needs_confirmation(w):
    first = services.civil_register_birth(actor=w.officer, **birth())
    kw = birth(registered_on=date(2026, 3, 11))
    kw["child"]["given_name"] = "HẰNG"  # same folded name
    exc = refused(LikelyDuplicate, services.civil_register_birth, actor=w.officer, **kw)
    assert (exc.code, exc.status) == ("likely_duplicate", 409)
    assert exc.fields == {"confirm_duplicate": [str(first.public_id)]}
    second = services.civil_register_birth(actor=w.officer, **kw, confirm_duplicate=True)
    assert second.entry_number == 2


def test_same_child_id_twice_is_refused(w):
    kw = birth()
    kw["child"]["id_number"] = PID_CHILD
    services.civil_register_birth(actor=w.officer, **kw)
    kw["child"]["given_name"] = "Lan"
    exc = refused(AlreadyRegistered, services.civil_register_birth, actor=w.officer, **kw)
    assert exc.fields == {"child.id_number": ["Đã có trong Sổ đăng ký khai sinh."]}


def test_entries_follow_each_other_in_date_order(w):
    services.civil_register_birth(actor=w.officer, **birth())
    kw = birth(registered_on=date(2026, 3, 9))
    kw["child"]["given_name"] = "Lan"
    exc = refused(RegistrationDateInvalid, services.civil_register_birth, actor=w.officer, **kw)
    assert exc.code == "registration_before_last_entry"


@pytest.mark.parametrize("role", ["reception", "clerk", "admin", "supervisor", "land"])
def test_only_civil_officers_and_leaders_register(w, role):
    exc = refused(
        PermissionDenied, services.civil_register_birth, actor=getattr(w, role), **birth()
    )
    assert exc.status == 403


def test_a_specialist_without_a_field_registers(w):
    r = services.civil_register_birth(actor=w.generalist, **birth())
    assert r.registrar == w.generalist


def test_the_leader_signs_and_links_only_people_on_record(w):
    leader = leader_titled(w)
    first = services.civil_register_birth(actor=w.officer, **birth(signer=leader))
    assert (first.signer, first.signer_name, first.signer_title) == (
        leader,
        "Đinh Công Sơn",
        "Chủ tịch UBND xã",
    )
    people = Person.objects.count()
    kid = {**birth()["child"], "given_name": "Lan"}
    by_leader = services.civil_register_birth(
        actor=leader,
        **birth(
            child=kid,
            declarant={
                "full_name": "Trần Văn Hòa",
                "relationship": "relative",
                "id_number": "025060000777",
            },
        ),
    )
    assert by_leader.signer == leader
    parties = {p.role: p for p in by_leader.parties.all()}
    assert parties["mother"].person.personal_id == PID_MOTHER
    assert parties["declarant"].person is None  # a leader does not create people records
    assert Person.objects.count() == people


def test_the_signer_must_be_a_leader_of_the_agency(w):
    for signer in (w.officer, w.leader_b):
        exc = refused(
            SignerInvalid, services.civil_register_birth, actor=w.officer, **birth(signer=signer)
        )
        assert exc.code == "signer_invalid"


# --- Death ------------------------------------------------------------------------------------


def test_death_on_time(w):
    r = services.civil_register_death(actor=w.officer, **death())
    assert (r.book.event, r.entry_number, r.event_date, r.late, r.fee_amount_vnd) == (
        "death",
        1,
        date(2026, 5, 3),
        False,
        0,
    )
    assert r.content["declaration_due"] == "2026-05-18"
    assert (r.content["time_of_death"], r.content["cause"]) == ("22:15", "Già yếu")
    dead = r.parties.get(role="deceased")
    assert (dead.full_name, dead.middle_name, dead.name_folded) == ("Lò Páo", "", "lo pao")
    assert dead.person.personal_id == PID_OLD
    assert r.parties.get(role="declarant").relationship == "child"


def test_late_death_and_the_birth_entry_found(w):
    born = services.civil_register_birth(actor=w.officer, **birth())
    kw = death(
        deceased={
            **death()["deceased"],
            **{
                "family_name": "Trần",
                "middle_name": "Thị",
                "given_name": "Hằng",
                "sex": "female",
                "date_of_birth": date(2026, 3, 1),
                "id_number": "",
                "ethnicity": "Kinh",
            },
        },
        date_of_death=date(2026, 4, 1),
        registered_on=date(2026, 4, 20),
    )
    r = services.civil_register_death(actor=w.officer, **kw)
    assert (r.late, r.fee_amount_vnd) == (True, None)
    assert r.content["birth_record"]["record"] == str(born.public_id)


@pytest.mark.parametrize(
    ("change", "error", "code"),
    [
        ({"date_of_death": date(1940, 1, 1)}, DatesInconsistent, "death_before_birth"),
        ({"date_of_death": date(2099, 1, 1)}, FieldInvalid, "date_in_future"),
        ({"registered_on": date(2026, 5, 1)}, DatesInconsistent, "event_after_registration"),
        ({"time_of_death": "25:00"}, FieldInvalid, "invalid_time"),
        ({"place_of_death": ""}, FieldInvalid, "required"),
        (
            {"declarant": {"full_name": "Lò Văn Ún", "relationship": "carer"}},
            DeclarantNotEntitled,
            "declarant_not_entitled",
        ),
    ],
)
def test_death_refusals(w, change, error, code):
    exc = refused(error, services.civil_register_death, actor=w.officer, **death(**change))
    assert exc.code == code


def test_a_death_is_registered_once(w):
    services.civil_register_death(actor=w.officer, **death())
    exc = refused(
        AlreadyRegistered,
        services.civil_register_death,
        actor=w.officer,
        **death(registered_on=date(2026, 5, 9)),
    )
    assert exc.code == "already_registered"
    no_id = {**death()["deceased"], "id_number": ""}
    exc = refused(
        LikelyDuplicate,
        services.civil_register_death,
        actor=w.officer,
        **death(deceased=no_id, registered_on=date(2026, 5, 9)),
    )
    assert exc.code == "likely_duplicate"


def test_nothing_half_written_when_a_party_record_fails(w, monkeypatch):
    """A failure after the number was taken rolls the number back too."""
    from xaso.civil.services import common

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(common, "audit_record", boom)
    before = state()
    with pytest.raises(RuntimeError):
        services.civil_register_birth(actor=w.officer, **birth())
    assert state() == before
    monkeypatch.undo()
    r = services.civil_register_birth(actor=w.officer, **birth())
    assert r.entry_number == 1


def test_current_values_of_a_fresh_entry_are_the_entry(w):
    r = services.civil_register_birth(actor=w.officer, **birth())
    now = record_current(r)
    assert now.amendments == [] and now.content == r.content
    assert now.party("child").full_name == "Trần Thị Hằng"
    assert CivilParty.objects.filter(record=r, added_by__isnull=False).count() == 0
    assert marriage()  # the builders are independent copies
    assert MOTHER["full_name"] == "Trần Thị Mỹ"
