"""Thay đổi, cải chính, bổ sung, xác định lại dân tộc: the entry stays as written, the change is
recorded against it, the current values and the search column follow."""

from __future__ import annotations

from datetime import date

import pytest

from tests.civil.test_births import refused
from tests.civil.world import FATHER, PID_CHILD, birth, marriage
from xaso.civil import services
from xaso.civil.current import record_current
from xaso.civil.errors import AmendmentInvalid, DeclarantNotEntitled, FieldInvalid
from xaso.civil.models import CivilAmendment, CivilParty
from xaso.civil.selectors import record_search_for

MOTHER_REQUEST = {"full_name": "Trần Thị Mỹ", "relationship": "mother"}


def change(target, **over):
    kw = {
        "target": target,
        "kind": "correction",
        "changes": [{"role": "child", "field": "date_of_birth", "value": "2026-02-28"}],
        "reason": "Ghi sai ngày sinh so với Giấy chứng sinh",
        "requester": dict(MOTHER_REQUEST),
        "registered_on": date(2026, 4, 1),
    }
    kw.update(over)
    return kw


def test_correction_is_recorded_against_the_entry(w):
    born = services.civil_register_birth(actor=w.officer, **birth())
    r = services.civil_register_change(actor=w.officer, **change(born))
    assert (r.book.event, r.variant, r.target, r.procedure.code, r.fee_amount_vnd) == (
        "change",
        "correction",
        born,
        "1.004859",
        None,
    )
    assert r.content["changes"] == [
        {"role": "child", "field": "date_of_birth", "old": "2026-03-01", "new": "2026-02-28"}
    ]
    assert sorted(r.parties.values_list("role", "full_name")) == [
        ("person", "Trần Thị Hằng"),
        ("requester", "Trần Thị Mỹ"),
    ]
    a = CivilAmendment.objects.get()
    assert (a.record, a.source, a.kind, a.role, a.field, a.old_value, a.new_value) == (
        born,
        r,
        "correction",
        "child",
        "date_of_birth",
        "2026-03-01",
        "2026-02-28",
    )
    born.refresh_from_db()
    child = CivilParty.objects.get(record=born, role="child")
    assert child.date_of_birth == date(2026, 3, 1)  # never overwritten
    assert born.event_date == date(2026, 3, 1)
    now = record_current(born)
    assert (now.party("child").date_of_birth, now.party("child").amended) == (
        date(2026, 2, 28),
        {"date_of_birth"},
    )


def test_change_of_name_moves_the_search_column(w):
    born = services.civil_register_birth(actor=w.officer, **birth())
    services.civil_register_change(
        actor=w.officer,
        **change(
            born,
            kind="change",
            changes=[{"role": "child", "field": "given_name", "value": "Hương"}],
            reason="Tên trùng với người trong họ",
        ),
    )
    child = CivilParty.objects.get(record=born, role="child")
    assert (child.given_name, child.full_name, child.name_folded) == (
        "Hằng",
        "Trần Thị Hằng",
        "tran thi huong",
    )
    assert record_current(born).party("child").full_name == "Trần Thị Hương"
    found = record_search_for(actor=w.officer, q="thi huong")
    assert [now.record for now in found.items] == [born]
    # By the former name, only the change entry, which names the person as they were.
    former = record_search_for(actor=w.officer, q="thi hang")
    assert [(n.record.event, n.party("person").full_name) for n in former.items] == [
        ("change", "Trần Thị Hằng")
    ]


def test_change_of_name_needs_the_consent_of_a_child_of_nine(w):
    kid = {**birth()["child"], "date_of_birth": date(2016, 5, 1)}
    born = services.civil_register_birth(
        actor=w.officer, **birth(child=kid, registered_on=date(2016, 5, 20))
    )
    kw = change(
        born, kind="change", changes=[{"role": "child", "field": "given_name", "value": "Hương"}]
    )
    exc = refused(AmendmentInvalid, services.civil_register_change, actor=w.officer, **kw)
    assert (exc.code, list(exc.fields)) == ("consent_required", ["subject_consent"])
    r = services.civil_register_change(actor=w.officer, **kw, subject_consent=True)
    assert r.content["subject_consent"] is True


def test_supplement_only_fills_what_is_empty(w):
    kid = {
        "family_name": "Lò",
        "given_name": "Páo",
        "sex": "male",
        "date_of_birth": date(2026, 3, 1),
        "ethnicity": "Thái",
        "nationality": "Việt Nam",
    }
    mum = {
        "full_name": "Lò Thị Ún",
        "birth_year": 1998,
        "ethnicity": "Thái",
        "nationality": "Việt Nam",
        "residence": "Bản Lầm",
    }
    born = services.civil_register_birth(
        actor=w.officer,
        **birth(child=kid, mother=mum, declarant={**mum, "relationship": "mother"}),
    )
    kw = change(
        born,
        kind="supplement",
        changes=[
            {"role": "child", "field": "id_number", "value": PID_CHILD.replace("0253", "0252")}
        ],
    )
    r = services.civil_register_change(actor=w.officer, **kw)
    assert r.content["changes"][0]["old"] == ""
    exc = refused(
        AmendmentInvalid,
        services.civil_register_change,
        actor=w.officer,
        **change(
            born,
            kind="supplement",
            changes=[{"role": "child", "field": "given_name", "value": "Pao"}],
            registered_on=date(2026, 4, 2),
        ),
    )
    assert exc.code == "supplement_field_not_empty"
    exc = refused(
        AmendmentInvalid,
        services.civil_register_change,
        actor=w.officer,
        **change(
            born,
            changes=[{"role": "mother", "field": "id_number", "value": "025198000111"}],
            registered_on=date(2026, 4, 2),
        ),
    )
    assert exc.code == "correction_field_empty"


def test_ethnicity_is_redetermined_to_a_parents(w):
    married = marriage()
    married["husband"] = {
        **married["husband"],
        "date_of_birth": date(1994, 3, 3),
        "family_name": "Nguyễn",
        "middle_name": "Văn",
        "given_name": "Đạt",
        "ethnicity": "Tày",
        "id_number": "",
    }
    married["wife"] = {
        **married["wife"],
        "date_of_birth": date(1996, 3, 3),
        "family_name": "Trần",
        "middle_name": "Thị",
        "given_name": "Mỹ",
        "ethnicity": "Kinh",
        "id_number": "",
    }
    married["registered_on"] = date(2025, 5, 1)
    services.civil_register_marriage(actor=w.officer, **married)
    kid = {**birth()["child"], "family_name": "Nguyễn"}
    mum = {**birth()["mother"], "id_number": ""}
    born = services.civil_register_birth(
        actor=w.officer,
        **birth(
            child=kid,
            mother=mum,
            declarant={**mum, "relationship": "mother"},
            father={**FATHER, "ethnicity": "Tày", "id_number": ""},
        ),
    )
    exc = refused(
        AmendmentInvalid,
        services.civil_register_change,
        actor=w.officer,
        **change(
            born,
            kind="ethnicity",
            changes=[{"role": "child", "field": "ethnicity", "value": "Mường"}],
        ),
    )
    assert exc.code == "ethnicity_not_from_parent"
    exc = refused(
        AmendmentInvalid,
        services.civil_register_change,
        actor=w.officer,
        **change(
            born,
            kind="ethnicity",
            changes=[{"role": "child", "field": "given_name", "value": "Lan"}],
        ),
    )
    assert exc.code == "amendment_field_not_allowed"
    r = services.civil_register_change(
        actor=w.officer,
        **change(
            born,
            kind="ethnicity",
            changes=[{"role": "child", "field": "ethnicity", "value": "Tày"}],
        ),
    )
    assert record_current(born).party("child").ethnicity == "Tày"
    assert r.variant == "ethnicity"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        (
            [{"role": "child", "field": "date_of_birth", "value": "2026-03-01"}],
            "amendment_no_change",
        ),
        ([{"role": "child", "field": "date_of_birth", "value": "01/03/2026"}], "invalid_date"),
        ([{"role": "child", "field": "date_of_birth", "value": "2099-01-01"}], "date_in_future"),
        (
            [{"role": "father", "field": "full_name", "value": "Nguyễn Văn A"}],
            "amendment_field_not_allowed",
        ),
        ([{"role": "", "field": "cause", "value": "x"}], "amendment_field_not_allowed"),
        ([{"role": "mother", "field": "sex", "value": "male"}], "amendment_field_not_allowed"),
        ([{"role": "child", "field": "given_name", "value": "H4ng"}], "name_invalid_characters"),
        ([{"role": "child", "field": "sex", "value": "male"}], "pid_sex_mismatch"),
    ],
)
def test_change_refusals(w, changes, code):
    kw = birth()
    kw["child"]["id_number"] = PID_CHILD
    born = services.civil_register_birth(actor=w.officer, **kw)
    exc = refused(
        AmendmentInvalid,
        services.civil_register_change,
        actor=w.officer,
        **change(born, changes=changes),
    )
    assert exc.code == code


def test_a_content_field_is_corrected(w):
    born = services.civil_register_birth(actor=w.officer, **birth())
    services.civil_register_change(
        actor=w.officer,
        **change(
            born,
            changes=[{"role": "", "field": "place_of_birth", "value": "Bệnh viện Đa khoa tỉnh"}],
        ),
    )
    assert record_current(born).content["place_of_birth"] == "Bệnh viện Đa khoa tỉnh"
    born.refresh_from_db()
    assert born.content["place_of_birth"] == "Trạm Y tế xã Đông"


def test_change_target_and_requester(w):
    other = services.civil_register_birth(actor=w.officer_b, **birth())
    exc = refused(
        AmendmentInvalid, services.civil_register_change, actor=w.officer, **change(other)
    )
    assert exc.code == "amendment_target_invalid"
    born = services.civil_register_birth(actor=w.officer, **birth())
    exc = refused(
        DeclarantNotEntitled,
        services.civil_register_change,
        actor=w.officer,
        **change(born, requester={"full_name": "Ai Đó", "relationship": "carer"}),
    )
    assert (exc.code, list(exc.fields)) == ("declarant_not_entitled", ["requester.relationship"])
    exc = refused(
        FieldInvalid, services.civil_register_change, actor=w.officer, **change(born, changes=[])
    )
    assert exc.code == "required"
    copy = services.civil_register_extract_copy(
        actor=w.officer,
        source=born,
        requester=dict(MOTHER_REQUEST),
        registered_on=date(2026, 3, 11),
    )
    exc = refused(AmendmentInvalid, services.civil_register_change, actor=w.officer, **change(copy))
    assert exc.code == "amendment_target_invalid"
