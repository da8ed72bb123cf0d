"""The registration pages: every kind of registration from its form, the service's refusals shown
next to their fields with nothing written, the likely-duplicate warning and its override, the
entry chosen first for a change, copy, termination or confirmation, and who may open them."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.civil.world import (
    PID_FATHER,
    PID_HUSBAND,
    PID_MOTHER,
    PID_OLD,
    PID_WIFE,
    birth,
    marriage,
    state,
)
from xaso.civil import services
from xaso.civil.models import CivilAmendment, CivilRecord
from xaso.civil.views.registrations import SPECS

D = "%d/%m/%Y"


def prefixed(prefix: str, values: dict[str, Any]) -> dict[str, Any]:
    return {f"{prefix}-{k}": v for k, v in values.items()}


CHILD = {
    "family_name": "Trần",
    "middle_name": "Thị",
    "given_name": "Hằng",
    "sex": "female",
    "date_of_birth": "01/03/2026",
    "ethnicity": "Kinh",
    "nationality": "Việt Nam",
}
MOTHER = {
    "full_name": "Trần Thị Mỹ",
    "birth_year": "1996",
    "ethnicity": "Kinh",
    "nationality": "Việt Nam",
    "residence": "Thôn Đông, xã Đông",
    "id_number": PID_MOTHER,
}
FATHER = {
    "full_name": "Nguyễn Văn Đạt",
    "birth_year": "1994",
    "ethnicity": "Kinh",
    "nationality": "Việt Nam",
    "residence": "Thôn Đông, xã Đông",
    "id_number": PID_FATHER,
}
HUSBAND = {
    "family_name": "Lê",
    "middle_name": "Văn",
    "given_name": "Toàn",
    "date_of_birth": "17/05/1998",
    "ethnicity": "Kinh",
    "nationality": "Việt Nam",
    "residence": "Thôn Tây, xã Đông",
    "id_number": PID_HUSBAND,
}
WIFE = {
    "family_name": "Hà",
    "middle_name": "Thị",
    "given_name": "Ngọc",
    "date_of_birth": "29/02/2000",
    "ethnicity": "Mường",
    "nationality": "Việt Nam",
    "residence": "Bản Mới, xã Đông",
    "id_number": PID_WIFE,
}
DECEASED = {
    "family_name": "Lò",
    "given_name": "Páo",
    "sex": "male",
    "date_of_birth": "01/07/1945",
    "ethnicity": "Thái",
    "nationality": "Việt Nam",
    "residence": "Bản Lầm, xã Đông",
    "id_number": PID_OLD,
}
REQUESTER = {"full_name": "Trần Thị Mỹ", "id_number": PID_MOTHER, "relationship": "mother"}


def birth_form(**over: Any) -> dict[str, Any]:
    data = {
        **prefixed("child", CHILD),
        **prefixed("mother", MOTHER),
        "declarant-relationship": "mother",
        "place_of_birth": "Trạm Y tế xã Đông",
        "home_town": "xã Đông, tỉnh Thử Nghiệm",
        "registered_on": "10/03/2026",
    }
    data.update(over)
    return data


def death_form(**over: Any) -> dict[str, Any]:
    data = {
        **prefixed("deceased", DECEASED),
        "declarant-full_name": "Lò Văn Ún",
        "declarant-relationship": "child",
        "date_of_death": "03/05/2026",
        "time_of_death": "22:15",
        "place_of_death": "Tại nhà, bản Lầm",
        "cause": "Già yếu",
        "registered_on": "08/05/2026",
    }
    data.update(over)
    return data


def marriage_form(**over: Any) -> dict[str, Any]:
    data = {**prefixed("husband", HUSBAND), **prefixed("wife", WIFE), "registered_on": "02/04/2026"}
    data.update(over)
    return data


def post(client: Any, slug: str, data: dict[str, Any], **query: Any) -> Any:
    from urllib.parse import urlencode

    url = f"/civil/register/{slug}/"
    return client.post(url + (f"?{urlencode(query, doseq=True)}" if query else ""), data)


def the_record(response: Any) -> CivilRecord:
    assert response.status_code == 302, errors(response) if response.context else response

    public_id = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    return CivilRecord.objects.select_related("book").get(public_id=public_id)


def errors(response: Any) -> dict[str, Any]:
    """Where each refusal is shown: the main form's fields and its top, each person's fields."""
    b = response.context["b"]
    out: dict[str, Any] = {k: list(v) for k, v in b.main.errors.items()}
    for role, form in b.people.items():
        for name, messages in form.errors.items():
            out[f"{role}.{name}" if name != "__all__" else role] = list(messages)
    for i, row in enumerate(b.rows):
        for name, messages in row.errors.items():
            out[f"changes.{i}.{name}"] = list(messages)
    return out


# --- Every kind of registration from its form ----------------------------------------------------


def _birth_entry(w: Any) -> CivilRecord:
    return services.civil_register_birth(actor=w.officer, **birth())


def _cases(w: Any) -> dict[str, tuple[dict[str, Any], dict[str, Any], tuple[str, str]]]:
    """slug → (query, posted data, (event, variant) of the entry written)."""
    born = _birth_entry(w)
    married = services.civil_register_marriage(actor=w.officer, **marriage())
    guarded = services.civil_register_guardianship(
        actor=w.officer,
        ward={
            "family_name": "Vừ",
            "given_name": "Mí",
            "sex": "male",
            "date_of_birth": date(2015, 6, 1),
            "nationality": "Việt Nam",
            "residence": "Bản Mới",
        },
        guardian={
            "family_name": "Vừ",
            "middle_name": "A",
            "given_name": "Sùng",
            "sex": "male",
            "date_of_birth": date(1980, 2, 2),
            "nationality": "Việt Nam",
            "residence": "Bản Mới",
        },
        basis="natural",
        registered_on=date(2026, 4, 10),
    )
    ward = {
        "family_name": "Hoàng",
        "given_name": "Yến",
        "sex": "female",
        "date_of_birth": "03/03/2016",
        "nationality": "Việt Nam",
        "residence": "Thôn Đông",
    }
    guardian = {
        "family_name": "Hoàng",
        "middle_name": "Văn",
        "given_name": "Đức",
        "sex": "male",
        "date_of_birth": "04/04/1975",
        "nationality": "Việt Nam",
        "residence": "Thôn Đông",
    }
    person = {**HUSBAND, "sex": "male"}
    child_2005 = {**CHILD, "date_of_birth": "01/07/2005", "given_name": "Hoa"}
    old_mother = {**MOTHER, "birth_year": "1980", "id_number": ""}
    original = {
        "original_registered_on": "20/07/2005",
        "original_place": "UBND xã Thạch Khoán",
        "original_number": "45",
    }
    foreign = {
        "foreign_authority": "Tòa thị chính Suwon",
        "country": "Hàn Quốc",
        "foreign_document": "Số 2026-118, ngày 01/02/2026",
        "registered_on": "05/04/2026",
    }
    other_couple = {
        **prefixed(
            "husband",
            {**HUSBAND, "given_name": "Tâm", "id_number": "", "date_of_birth": "01/01/1970"},
        ),
        **prefixed(
            "wife", {**WIFE, "given_name": "Lan", "id_number": "", "date_of_birth": "02/02/1972"}
        ),
    }
    return {
        "birth": ({}, birth_form(**{"child-given_name": "Thảo"}), ("birth", "")),
        "death": ({}, death_form(), ("death", "")),
        "marriage": (
            {},
            marriage_form(
                **prefixed("husband", {"given_name": "Thành", "id_number": ""}),
                **prefixed("wife", {"given_name": "Thu", "id_number": ""}),
            ),
            ("marriage", ""),
        ),
        "marital-status": (
            {},
            {
                **prefixed(
                    "person",
                    {
                        **person,
                        "given_name": "Quân",
                        "id_number": "",
                        "date_of_birth": "03/03/1999",
                    },
                ),
                "declared_status": "single",
                "purpose_kind": "other",
                "purpose": "Vay vốn ngân hàng",
                "registered_on": "05/04/2026",
            },
            ("marital_status", ""),
        ),
        "parentage": (
            {},
            {
                "recognized_as": "father",
                "requested_by": "parent",
                **prefixed(
                    "parent",
                    {
                        "full_name": "Nguyễn Văn Đạt",
                        "birth_year": "1994",
                        "nationality": "Việt Nam",
                        "residence": "Thôn Đông",
                    },
                ),
                **prefixed(
                    "child",
                    {
                        **CHILD,
                        "given_name": "Nga",
                        "residence": "Thôn Đông",
                        "date_of_birth": "01/01/2020",
                    },
                ),
                "registered_on": "06/04/2026",
            },
            ("parentage", ""),
        ),
        "guardianship": (
            {},
            {
                **prefixed("ward", ward),
                **prefixed("guardian", guardian),
                "basis": "appointed",
                "appointment_document": "Quyết định 12/QĐ-UBND ngày 01/04/2026",
                "registered_on": "11/04/2026",
            },
            ("guardianship", "appointment"),
        ),
        "guardianship-termination": (
            {"target": str(guarded.public_id)},
            {
                "target": str(guarded.public_id),
                "reason": "parents_able",
                "registered_on": "12/04/2026",
            },
            ("guardianship", "termination"),
        ),
        "change": (
            {"target": str(born.public_id)},
            {
                "target": str(born.public_id),
                "kind": "correction",
                "reason": "Ghi sai tên đệm",
                "changes-0-role": "child",
                "changes-0-field": "middle_name",
                "changes-0-value": "Thanh",
                **prefixed("requester", REQUESTER),
                "registered_on": "13/04/2026",
            },
            ("change", "correction"),
        ),
        "re-registration-birth": (
            {},
            {
                **original,
                **prefixed("child", child_2005),
                **prefixed("mother", old_mother),
                "declarant-full_name": "Trần Thị Hoa",
                "declarant-relationship": "authorised",
                "place_of_birth": "Nhà hộ sinh",
                "home_town": "xã Đông",
                "registered_on": "15/05/2026",
            },
            ("birth", "re_registration"),
        ),
        "re-registration-death": (
            {},
            {
                **original,
                **prefixed(
                    "deceased",
                    {
                        **DECEASED,
                        "given_name": "Sinh",
                        "id_number": "",
                        "date_of_birth": "01/01/1930",
                    },
                ),
                "declarant-full_name": "Lò Văn Ún",
                "declarant-relationship": "child",
                "date_of_death": "10/07/2005",
                "place_of_death": "Tại nhà",
                "registered_on": "15/05/2026",
            },
            ("death", "re_registration"),
        ),
        "re-registration-marriage": (
            {},
            {**original, **other_couple, "registered_on": "15/05/2026"},
            ("marriage", "re_registration"),
        ),
        "foreign-birth": (
            {},
            {
                **foreign,
                **prefixed("child", {**CHILD, "given_name": "Mai", "date_of_birth": "15/01/2026"}),
                **prefixed(
                    "mother",
                    {"full_name": "Trần Thị Mỹ", "birth_year": "1996", "nationality": "Việt Nam"},
                ),
            },
            ("foreign_record", "birth"),
        ),
        "foreign-marriage": (
            {},
            {
                **foreign,
                **other_couple,
                "husband-given_name": "Khoa",
                "wife-given_name": "Liên",
                "event_date": "01/02/2026",
            },
            ("foreign_record", "marriage"),
        ),
        "foreign-divorce": (
            {},
            {
                **foreign,
                **prefixed(
                    "husband",
                    {
                        **HUSBAND,
                        "given_name": "Minh",
                        "id_number": "",
                        "date_of_birth": "05/05/1985",
                    },
                ),
                **prefixed(
                    "wife",
                    {**WIFE, "given_name": "Hạnh", "id_number": "", "date_of_birth": "06/06/1987"},
                ),
                "event_date": "01/03/2026",
            },
            ("foreign_record", "divorce"),
        ),
        "foreign-death": (
            {},
            {
                **foreign,
                **prefixed(
                    "deceased",
                    {
                        **DECEASED,
                        "given_name": "Thào",
                        "id_number": "",
                        "date_of_birth": "01/01/1950",
                    },
                ),
                "event_date": "01/03/2026",
            },
            ("foreign_record", "death"),
        ),
        "extract-copy": (
            {"target": str(born.public_id)},
            {
                "target": str(born.public_id),
                **prefixed("requester", REQUESTER),
                "copies": "2",
                "purpose": "Nhập học",
                "registered_on": "15/04/2026",
            },
            ("extract_copy", ""),
        ),
        "info-confirmation": (
            {"target": [str(born.public_id), str(married.public_id)]},
            {
                "target": [str(born.public_id), str(married.public_id)],
                **prefixed("requester", {**REQUESTER, "relationship": "self"}),
                "purpose": "Bổ sung hồ sơ",
                "registered_on": "15/04/2026",
            },
            ("info_confirmation", ""),
        ),
    }


def test_every_registration_has_a_case():
    assert set(SPECS) == {
        "birth",
        "death",
        "marriage",
        "marital-status",
        "parentage",
        "guardianship",
        "guardianship-termination",
        "change",
        "re-registration-birth",
        "re-registration-death",
        "re-registration-marriage",
        "foreign-birth",
        "foreign-marriage",
        "foreign-divorce",
        "foreign-death",
        "extract-copy",
        "info-confirmation",
    }


def test_every_registration_from_its_form(client, w):
    cases = _cases(w)
    assert set(cases) == set(SPECS)
    client.force_login(w.officer)
    for slug, (query, data, (event, variant)) in cases.items():
        page = client.get(f"/civil/register/{slug}/", query)
        assert page.status_code == 200, slug
        assert page.context["spec"].slug == slug
        r = post(client, slug, data)
        record = the_record(r)
        assert (record.event, record.variant, record.registrar_id) == (
            event,
            variant,
            w.officer.pk,
        ), slug
        assert r["Location"] == f"/civil/records/{record.public_id}/"
        page = client.get(r["Location"])
        assert page.status_code == 200
        assert "Đã ghi vào" in [str(m) for m in page.context["messages"]][0]
    # The correction is recorded against the birth entry, which keeps what it wrote.
    born = CivilRecord.objects.get(event="birth", variant="", entry_number=1)
    assert born.parties.get(role="child").middle_name == "Thị"
    a = CivilAmendment.objects.get(record=born)
    assert (a.kind, a.role, a.field, a.old_value, a.new_value) == (
        "correction",
        "child",
        "middle_name",
        "Thị",
        "Thanh",
    )
    copy = CivilRecord.objects.get(event="extract_copy")
    assert (copy.target_id, copy.copies_issued) == (born.pk, 2)
    info = CivilRecord.objects.get(event="info_confirmation")
    assert len(info.content["records"]) == 2


def test_birth_declared_by_the_mother_takes_her_details(client, w):
    client.force_login(w.officer)
    record = the_record(post(client, "birth", birth_form()))
    declarant = record.parties.get(role="declarant")
    assert (declarant.full_name, declarant.id_number, declarant.relationship) == (
        "Trần Thị Mỹ",
        PID_MOTHER,
        "mother",
    )
    child = record.parties.get(role="child")
    assert (child.full_name, child.date_of_birth, record.late) == (
        "Trần Thị Hằng",
        date(2026, 3, 1),
        False,
    )
    assert record.registered_on == date(2026, 3, 10)


def test_late_birth_with_father_married_elsewhere(client, w):
    client.force_login(w.officer)
    data = birth_form(
        **prefixed("father", FATHER),
        **{"declarant-relationship": "father"},
        father_basis="marriage_elsewhere",
        parents_marriage="UBND xã Tây, 12/05/2020",
        registered_on="20/05/2026",
    )
    record = the_record(post(client, "birth", data))
    assert record.late is True
    assert record.content["father_basis"] == "marriage_elsewhere"
    assert record.parties.get(role="declarant").full_name == "Nguyễn Văn Đạt"
    page = client.get(f"/civil/records/{record.public_id}/")
    assert page.context["r"].late is True
    assert "Quá hạn" in page.content.decode()


# --- Refusals ------------------------------------------------------------------------------------


def test_refusal_shown_next_to_the_field_and_nothing_written(client, w):
    client.force_login(w.officer)
    before = state()
    r = post(client, "birth", birth_form(**{"child-date_of_birth": "15/03/2026"}))
    assert r.status_code == 400
    assert errors(r)["child.date_of_birth"] == ["Ngày 15/03/2026 sau ngày đăng ký 10/03/2026."]
    assert state() == before
    # Several problems at once: each next to its own field, the summary on top.
    r = post(
        client,
        "birth",
        birth_form(**{"mother-full_name": "", "child-given_name": "H4ng", "place_of_birth": ""}),
    )
    assert r.status_code == 400
    found = errors(r)
    assert found["mother.full_name"] == ["Cần nhập họ và tên."]
    assert found["child.given_name"] == [
        "Họ, chữ đệm, tên chỉ gồm chữ cái (không có chữ số hay ký hiệu)."
    ]
    assert found["place_of_birth"] == ["Cần khai nơi sinh."]
    assert found["__all__"] == ["Tờ khai còn 4 chỗ cần sửa, ghi ở từng ô dưới đây."]
    assert found["declarant.full_name"] == ["Cần nhập họ và tên."]  # the mother's, had she one
    body = r.content.decode()
    assert 'role="alert"' in body and "Cần khai nơi sinh." in body
    assert state() == before


def test_date_shape_checked_by_the_form(client, w):
    client.force_login(w.officer)
    before = state()
    r = post(client, "birth", birth_form(**{"child-date_of_birth": "31/02/2026"}))
    assert r.status_code == 400
    assert errors(r)["child.date_of_birth"] == ["Nhập ngày theo dạng dd/mm/yyyy, ví dụ 05/03/2026."]
    r = post(client, "death", death_form(date_of_death=""))
    assert errors(r)["date_of_death"] == ["Cần khai ngày chết."]
    assert state() == before


def test_father_needs_a_basis(client, w):
    client.force_login(w.officer)
    before = state()
    r = post(client, "birth", birth_form(**prefixed("father", FATHER)))
    assert r.status_code == 409
    found = errors(r)
    assert found["father_basis"] == ["Chọn căn cứ ghi thông tin người cha."]
    assert found["__all__"][0].startswith("Sổ đăng ký kết hôn của cơ quan không có việc kết hôn")
    assert state() == before


def test_marriage_age_next_to_the_date_of_birth(client, w):
    client.force_login(w.officer)
    data = marriage_form(**{"husband-date_of_birth": "01/06/2007", "husband-id_number": ""})
    r = post(client, "marriage", data)
    assert r.status_code == 400
    assert errors(r)["husband.date_of_birth"][0].startswith("Lê Văn Toàn mới 18 tuổi")


def test_party_already_married_shown_on_the_party(client, w):
    services.civil_register_marriage(actor=w.officer, **marriage())
    client.force_login(w.officer)
    before = state()
    r = post(
        client,
        "marriage",
        marriage_form(
            **prefixed("wife", {"given_name": "Thu", "id_number": ""}), registered_on="03/04/2026"
        ),
    )
    assert r.status_code == 409
    assert errors(r)["husband"] == ["Sổ đăng ký kết hôn 01/2026, số 1"]
    assert "đang có vợ/chồng" in errors(r)["__all__"][0]
    assert state() == before


def test_likely_duplicate_then_confirmed(client, w):
    client.force_login(w.officer)
    first = the_record(post(client, "birth", birth_form()))
    before = state()
    r = post(client, "birth", birth_form(registered_on="11/03/2026"))
    assert r.status_code == 409
    assert r.context["show_confirm"] is True
    assert [d.pk for d in r.context["duplicates"]] == [first.pk]
    body = r.content.decode()
    assert 'name="confirm_duplicate"' in body
    assert f"/civil/records/{first.public_id}/" in body
    assert first.public_id.hex not in "".join(errors(r).get("__all__", []))
    assert state() == before
    second = the_record(
        post(client, "birth", birth_form(registered_on="11/03/2026", confirm_duplicate="on"))
    )
    assert second.entry_number == 2


def test_confirm_box_hidden_until_needed(client, w):
    client.force_login(w.officer)
    r = client.get("/civil/register/birth/")
    assert 'name="confirm_duplicate"' not in r.content.decode()


def test_signer_chosen_from_the_leaders(client, w):
    client.force_login(w.officer)
    page = client.get("/civil/register/birth/")
    choices = dict(page.context["main"].fields["signer"].choices)
    assert list(choices) == ["", "chutich"]
    record = the_record(post(client, "birth", birth_form(signer="chutich")))
    assert (record.signer_id, record.signer_name) == (w.leader.pk, "Đinh Công Sơn")
    r = post(client, "birth", birth_form(signer="hotich", registered_on="11/03/2026"))
    assert r.status_code == 400  # not one of the choices
    client.force_login(w.leader)
    assert client.get("/civil/register/birth/").context["main"].initial["signer"] == "chutich"


def test_registration_date_defaults_to_today(client, w):
    from django.utils import timezone

    client.force_login(w.officer)
    page = client.get("/civil/register/death/")
    assert page.context["main"].initial["registered_on"] == timezone.localdate()
    html = page.content.decode()
    assert f'value="{timezone.localdate().strftime(D)}"' in html


# --- Choosing the entry first --------------------------------------------------------------------


def test_change_without_an_entry_is_refused(client, w):
    client.force_login(w.officer)
    page = client.get("/civil/register/change/")
    assert page.status_code == 200
    assert page.context["picker"]["chosen"] == []
    assert 'id="register"' not in page.content.decode()  # the form waits for the entry
    before = state()
    r = post(client, "change", {"kind": "correction", "reason": "x"})
    assert r.status_code == 400
    assert r.context["picker"]["errors"] == ["Chọn mục hộ tịch trước khi ghi."]
    assert state() == before


def test_picker_finds_entries_by_name_without_tone_marks(client, w):
    born = _birth_entry(w)
    client.force_login(w.officer)
    page = client.get("/civil/register/change/", {"pick_q": "tran thi hang"})
    found = page.context["picker"]["found"]
    assert [(f["record"].pk, f["eligible"]) for f in found] == [(born.pk, True)]
    assert found[0]["url"] == f"/civil/register/change/?target={born.public_id}"
    page = client.get(found[0]["url"])
    assert [c["record"].pk for c in page.context["picker"]["chosen"]] == [born.pk]
    roles = dict(page.context["b"].rows[0].fields["role"].choices)
    assert list(roles) == ["", "child", "mother", "declarant"]


def test_change_row_error_shown_in_its_row(client, w):
    born = _birth_entry(w)
    client.force_login(w.officer)
    before = state()
    data = {
        "target": str(born.public_id),
        "kind": "supplement",
        "reason": "Bổ sung",
        "changes-1-role": "child",
        "changes-1-field": "given_name",
        "changes-1-value": "Hương",
        **prefixed("requester", REQUESTER),
        "registered_on": "13/04/2026",
    }
    r = post(client, "change", data)
    assert r.status_code == 400
    assert errors(r)["changes.1.__all__"] == [
        "Bổ sung chỉ ghi vào thông tin còn trống; thông tin này đã có, hãy cải chính."
    ]
    assert state() == before


def test_change_of_date_of_birth_typed_dd_mm_yyyy(client, w):
    born = _birth_entry(w)
    client.force_login(w.officer)
    data = {
        "target": str(born.public_id),
        "kind": "correction",
        "reason": "Ghi sai ngày sinh",
        "changes-0-role": "child",
        "changes-0-field": "date_of_birth",
        "changes-0-value": "02/03/2026",
        **prefixed("requester", REQUESTER),
        "registered_on": "13/04/2026",
    }
    the_record(post(client, "change", data))
    a = CivilAmendment.objects.get(record=born)
    assert (a.field, a.old_value, a.new_value) == ("date_of_birth", "2026-03-01", "2026-03-02")


def test_termination_lists_open_appointments(client, w):
    client.force_login(w.officer)
    page = client.get("/civil/register/guardianship-termination/")
    assert page.context["picker"]["found"] == []
    open_one = services.civil_register_guardianship(
        actor=w.officer,
        ward={
            "family_name": "Vừ",
            "given_name": "Mí",
            "sex": "male",
            "date_of_birth": date(2015, 6, 1),
            "nationality": "Việt Nam",
            "residence": "Bản Mới",
        },
        guardian={
            "family_name": "Vừ",
            "given_name": "Sùng",
            "sex": "male",
            "date_of_birth": date(1980, 2, 2),
            "nationality": "Việt Nam",
            "residence": "Bản Mới",
        },
        basis="natural",
        registered_on=date(2026, 4, 10),
    )
    page = client.get("/civil/register/guardianship-termination/")
    assert [f["record"].pk for f in page.context["picker"]["found"]] == [open_one.pk]


# --- Who may -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["reception", "clerk", "land", "admin", "supervisor"])
def test_other_roles_may_not_register(client, w, who):
    client.force_login(getattr(w, who))
    before = state()
    assert client.get("/civil/register/birth/").status_code == 403
    assert post(client, "birth", birth_form()).status_code == 403
    assert state() == before


@pytest.mark.parametrize("who", ["officer", "leader", "generalist"])
def test_officers_and_leaders_register(client, w, who):
    client.force_login(getattr(w, who))
    record = the_record(post(client, "birth", birth_form()))
    assert record.registrar_id == getattr(w, who).pk


def test_anonymous_goes_to_login(client, w):
    r = client.get("/civil/register/birth/")
    assert r.status_code == 302 and r["Location"] == "/login/?next=/civil/register/birth/"
    assert client.post("/civil/register/birth/", birth_form()).status_code == 302
    assert CivilRecord.objects.count() == 0


def test_entry_of_another_agency_is_not_found(client, w):
    born = _birth_entry(w)
    client.force_login(w.officer_b)
    before = state()
    assert client.get("/civil/register/change/", {"target": str(born.public_id)}).status_code == 404
    data = {"target": str(born.public_id), **prefixed("requester", REQUESTER), "copies": "1"}
    assert post(client, "extract-copy", data).status_code == 404
    page = client.get("/civil/register/change/", {"pick_q": "hang"})
    assert page.context["picker"]["found"] == []
    assert state() == before


def test_unknown_registration_is_404(client, w):
    client.force_login(w.officer)
    assert client.get("/civil/register/adoption/").status_code == 404


def test_what_the_law_requires_is_marked(client, w):
    client.force_login(w.officer)
    body = client.get("/civil/register/birth/").content.decode()
    star = '<span class="req" aria-hidden="true"> *</span></label>'
    assert f'<label for="id_place_of_birth">Nơi sinh{star}' in body
    assert f'<label for="id_child-date_of_birth">Ngày sinh{star}' in body
    assert '<label for="id_birth_notice">Giấy chứng sinh (số, ngày, nơi cấp)</label>' in body
    import re

    tag = re.search(r'<input [^>]*id="id_child-family_name"[^>]*>', body)
    assert tag is not None and " autofocus" in tag.group(0)
    assert body.count(" autofocus") == 1
