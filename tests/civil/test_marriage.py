"""Đăng ký kết hôn, xác nhận tình trạng hôn nhân and the note of a divorce: ages, the register
looked up instead of asking for paper, validity of a confirmation."""

from __future__ import annotations

from datetime import date

import pytest

from tests.civil.test_births import refused
from tests.civil.world import HUSBAND, PID_HUSBAND, PID_WIFE, WIFE, death, marriage
from xaso.civil import services
from xaso.civil.current import record_current
from xaso.civil.errors import (
    AmendmentInvalid,
    DatesInconsistent,
    FieldInvalid,
    MaritalStatusContradicts,
    MarriageAge,
    PartyAlreadyMarried,
    PartyDeceased,
    PreviousConfirmationValid,
)
from xaso.civil.lookups import marriages_of
from xaso.core.errors import PermissionDenied
from xaso.people.models import Person

OTHER_WIFE = {
    "family_name": "Vũ",
    "middle_name": "Thị",
    "given_name": "Ánh",
    "date_of_birth": date(1999, 12, 1),
    "ethnicity": "Kinh",
    "nationality": "Việt Nam",
    "residence": "Xóm Gò",
}


def test_marriage_writes_both_parties(w):
    r = services.civil_register_marriage(actor=w.officer, **marriage())
    assert (r.book.event, r.entry_number, r.event_date, r.procedure.code) == (
        "marriage",
        1,
        date(2026, 4, 2),
        "1.000894",
    )
    assert (r.fee_amount_vnd, r.fee_note) == (
        0,
        "Miễn lệ phí (Luật Hộ tịch 2014, Điều 11 khoản 1): đăng ký kết hôn của công dân Việt Nam.",
    )
    parties = {p.role: p for p in r.parties.all()}
    assert (parties["husband"].sex, parties["wife"].sex) == ("male", "female")
    assert (parties["husband"].person.personal_id, parties["wife"].person.personal_id) == (
        PID_HUSBAND,
        PID_WIFE,
    )
    assert Person.objects.get(personal_id=PID_WIFE).date_of_birth == date(2000, 2, 29)


@pytest.mark.parametrize(
    ("role", "born", "ok"),
    [
        ("husband", date(2006, 4, 2), True),  # 20 on the day
        ("husband", date(2006, 4, 3), False),  # 20 the next day
        ("wife", date(2008, 4, 2), True),  # 18 on the day
        ("wife", date(2008, 4, 3), False),
    ],
)
def test_marriage_ages(w, role, born, ok):
    party = {**(HUSBAND if role == "husband" else WIFE), "date_of_birth": born, "id_number": ""}
    kw = marriage(**{role: party})
    if ok:
        assert services.civil_register_marriage(actor=w.officer, **kw).entry_number == 1
    else:
        exc = refused(MarriageAge, services.civil_register_marriage, actor=w.officer, **kw)
        assert (exc.code, list(exc.fields)) == ("marriage_age", [f"{role}.date_of_birth"])


def test_a_married_party_cannot_marry_again(w):
    first = services.civil_register_marriage(actor=w.officer, **marriage())
    kw = marriage(wife=OTHER_WIFE, registered_on=date(2026, 5, 1))
    exc = refused(PartyAlreadyMarried, services.civil_register_marriage, actor=w.officer, **kw)
    assert (exc.code, exc.status) == ("party_already_married", 409)
    assert exc.fields == {"husband": ["Sổ đăng ký kết hôn 01/2026, số 1"]}
    assert "Hà Thị Ngọc" in exc.message
    # Found by name and date of birth when the ID number is not declared this time.
    no_id = {**HUSBAND, "id_number": ""}
    refused(
        PartyAlreadyMarried,
        services.civil_register_marriage,
        actor=w.officer,
        **marriage(husband=no_id, wife=OTHER_WIFE, registered_on=date(2026, 5, 1)),
    )
    # After the divorce is noted, he may marry again.
    services.civil_note_divorce(
        actor=w.officer,
        marriage=first,
        decided_on=date(2026, 4, 20),
        authority="TAND khu vực 1 Phú Thọ",
        decision="Bản án số 12/2026/HNGĐ-ST ngày 20/04/2026",
    )
    again = services.civil_register_marriage(actor=w.officer, **kw)
    assert again.entry_number == 2
    statuses = [f.status for f in marriages_of(w.a, again.parties.get(role="husband"))]
    assert statuses == ["divorced", "married"]


def test_a_widower_may_marry_again(w):
    services.civil_register_marriage(actor=w.officer, **marriage())
    services.civil_register_death(
        actor=w.officer,
        **death(
            deceased={**WIFE, "sex": "female"},
            declarant={"full_name": "Lê Văn Toàn", "relationship": "spouse"},
        ),
    )
    r = services.civil_register_marriage(
        actor=w.officer, **marriage(wife=OTHER_WIFE, registered_on=date(2026, 6, 1))
    )
    assert r.entry_number == 2


def test_a_dead_party_cannot_marry(w):
    services.civil_register_death(
        actor=w.officer,
        **death(deceased={**HUSBAND, "sex": "male"}, registered_on=date(2026, 5, 8)),
    )
    exc = refused(
        PartyDeceased,
        services.civil_register_marriage,
        actor=w.officer,
        **marriage(registered_on=date(2026, 5, 9)),
    )
    assert exc.code == "party_deceased"


def test_same_sex_and_foreign_parties(w):
    exc = refused(
        FieldInvalid,
        services.civil_register_marriage,
        actor=w.officer,
        **marriage(wife={**WIFE, "sex": "male"}),
    )
    assert (exc.code, list(exc.fields)) == ("sex_mismatch", ["wife.sex"])
    foreign = {**WIFE, "id_number": "", "nationality": "Lào"}
    r = services.civil_register_marriage(actor=w.officer, **marriage(wife=foreign))
    assert (r.fee_amount_vnd, r.fee_note) == (0, "Không thu lệ phí (danh mục thủ tục 1.000894).")


def test_divorce_note_rules(w):
    m = services.civil_register_marriage(actor=w.officer, **marriage())
    kw = {"actor": w.officer, "marriage": m, "authority": "TAND", "decision": "Bản án 1/2026"}
    exc = refused(DatesInconsistent, services.civil_note_divorce, decided_on=date(2026, 1, 1), **kw)
    assert exc.code == "divorce_before_marriage"
    exc = refused(
        PermissionDenied,
        services.civil_note_divorce,
        **{**kw, "actor": w.officer_b},
        decided_on=date(2026, 5, 1),
    )
    amendment = services.civil_note_divorce(decided_on=date(2026, 5, 1), **kw)
    assert (amendment.kind, amendment.field, amendment.new_value, amendment.basis) == (
        "divorce",
        "ended_on",
        "2026-05-01",
        "Bản án 1/2026 — TAND",
    )
    now = record_current(m)
    assert (now.content["ended_on"], now.content["ended_by"]) == ("2026-05-01", "divorce")
    assert m.content == {"note": ""}  # the entry itself is untouched
    exc = refused(AmendmentInvalid, services.civil_note_divorce, decided_on=date(2026, 5, 2), **kw)
    assert exc.code == "marriage_already_ended"


# --- Marital status confirmation --------------------------------------------------------------


def confirmation(**over):
    kw = {
        "person": {**HUSBAND, "sex": "male"},
        "declared_status": "single",
        "purpose": "Bổ sung hồ sơ vay vốn ngân hàng",
        "registered_on": date(2026, 2, 28),
    }
    kw.update(over)
    return kw


def test_confirmation_is_valid_six_months(w):
    r = services.civil_register_marital_status(actor=w.officer, **confirmation())
    assert (r.book.event, r.valid_until, r.procedure.code, r.fee_amount_vnd) == (
        "marital_status",
        date(2026, 8, 28),
        "1.004873",
        None,
    )
    assert r.content["status_on_record"] == "single"
    assert r.content["marriages_on_record"] == []
    assert r.parties.get(role="person").person.personal_id == PID_HUSBAND


def test_declared_status_must_agree_with_the_register(w):
    m = services.civil_register_marriage(actor=w.officer, **marriage())
    kw = confirmation(registered_on=date(2026, 4, 3))
    exc = refused(
        MaritalStatusContradicts, services.civil_register_marital_status, actor=w.officer, **kw
    )
    assert exc.code == "marital_status_contradicts_records"
    assert exc.fields == {"declared_status": ["Đang có vợ/chồng"]}
    married = services.civil_register_marital_status(
        actor=w.officer, **{**kw, "declared_status": "married"}
    )
    assert married.content["status_on_record"] == "married"
    assert married.content["marriages_on_record"] == [
        {
            "record": str(m.public_id),
            "entry": "Sổ đăng ký kết hôn 01/2026, số 1",
            "status": "married",
        }
    ]


def test_confirmation_to_marry(w):
    kw = confirmation(purpose="Để đăng ký kết hôn với bà Vũ Thị Ánh", purpose_kind="marriage")
    exc = refused(FieldInvalid, services.civil_register_marital_status, actor=w.officer, **kw)
    assert (exc.code, list(exc.fields)) == ("required", ["intended_spouse"])
    spouse = {"full_name": "Vũ Thị Ánh", "birth_year": 1999, "nationality": "Việt Nam"}
    young = {**HUSBAND, "sex": "male", "date_of_birth": date(2007, 1, 1), "id_number": ""}
    exc = refused(
        MarriageAge,
        services.civil_register_marital_status,
        actor=w.officer,
        **{**kw, "intended_spouse": spouse, "person": young},
    )
    assert exc.code == "marriage_age"
    r = services.civil_register_marital_status(actor=w.officer, **{**kw, "intended_spouse": spouse})
    assert r.content["intended_spouse"]["full_name"] == "Vũ Thị Ánh"
    exc = refused(
        PartyAlreadyMarried,
        services.civil_register_marital_status,
        actor=w.officer,
        **{
            **kw,
            "intended_spouse": spouse,
            "declared_status": "married",
            "registered_on": date(2026, 9, 1),
        },
    )


def test_a_previous_confirmation_still_valid(w):
    first = services.civil_register_marital_status(
        actor=w.officer, **confirmation(registered_on=date(2026, 1, 2))
    )
    assert first.valid_until == date(2026, 7, 2)
    exc = refused(
        PreviousConfirmationValid,
        services.civil_register_marital_status,
        actor=w.officer,
        **confirmation(registered_on=date(2026, 7, 2)),
    )
    assert (exc.code, exc.fields) == (
        "previous_confirmation_valid",
        {"confirm_duplicate": [str(first.public_id)]},
    )
    second = services.civil_register_marital_status(
        actor=w.officer, **confirmation(registered_on=date(2026, 7, 3))
    )  # the first expired the day before
    assert "previous_confirmations" not in second.content
    kw = confirmation(registered_on=date(2026, 7, 4))
    refused(
        PreviousConfirmationValid, services.civil_register_marital_status, actor=w.officer, **kw
    )
    third = services.civil_register_marital_status(actor=w.officer, **kw, confirm_duplicate=True)
    assert third.content["previous_confirmations"] == [str(second.public_id)]


def test_divorced_status_after_the_note(w):
    m = services.civil_register_marriage(actor=w.officer, **marriage())
    services.civil_note_divorce(
        actor=w.officer,
        marriage=m,
        decided_on=date(2026, 6, 1),
        authority="TAND",
        decision="Quyết định 3/2026",
    )
    kw = confirmation(registered_on=date(2026, 6, 2))
    refused(MaritalStatusContradicts, services.civil_register_marital_status, actor=w.officer, **kw)
    r = services.civil_register_marital_status(
        actor=w.officer, **{**kw, "declared_status": "divorced"}
    )
    assert r.content["status_on_record"] == "divorced"
