"""The civil status API: every registration endpoint with the payload shapes of issue 4, the
record, the books, the search; each endpoint for each role and across agencies, a refused call
changing nothing."""

from __future__ import annotations

import json
import unicodedata
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.civil.world import PID_CHILD, PID_FATHER, PID_HUSBAND, PID_MOTHER, PID_WIFE, state
from tests.dossiers.world import bearer
from xaso.civil import services
from xaso.civil.models import CivilBook, CivilRecord
from xaso.core.models import AuditEntry

CHILD = {
    "family_name": "Trần",
    "middle_name": "Thị",
    "given_name": "Hằng",
    "sex": "female",
    "date_of_birth": "2026-03-01",
    "place_of_birth": "Trạm Y tế xã Đông",
    "ethnicity": "Kinh",
    "nationality": "Việt Nam",
    "home_town": "xã Đông, tỉnh Thử Nghiệm",
}
MOTHER = {
    "full_name": "Trần Thị Mỹ",
    "birth_year": 1996,
    "ethnicity": "Kinh",
    "nationality": "Việt Nam",
    "residence": "Thôn Đông",
    "id_number": PID_MOTHER,
}
FATHER = {
    "full_name": "Đặng Văn Đạt",
    "birth_year": 1994,
    "ethnicity": "Kinh",
    "nationality": "Việt Nam",
    "residence": "Thôn Đông",
    "id_number": PID_FATHER,
}
BIRTH = {
    "child": CHILD,
    "mother": MOTHER,
    "father": None,
    "declarant": {**MOTHER, "relationship": "mother"},
    "registered_on": "2026-03-10",
}
BIRTH_WITH_FATHER = {
    **BIRTH,
    "father": FATHER,
    "father_basis": "marriage_elsewhere",
    "parents_marriage": "UBND xã Tây, 2024",
}
HUSBAND = {
    "full_name": "Lê Văn Toàn",
    "date_of_birth": "1998-05-17",
    "id_number": PID_HUSBAND,
    "ethnicity": "Kinh",
    "nationality": "Việt Nam",
    "residence": "Thôn Tây",
}
WIFE = {
    "full_name": "Hà Thị Ngọc",
    "date_of_birth": "2000-02-29",
    "id_number": PID_WIFE,
    "ethnicity": "Mường",
    "nationality": "Việt Nam",
    "residence": "Bản Mới",
}
MARRIAGE = {"husband": HUSBAND, "wife": WIFE, "registered_on": "2026-04-02"}
DEATH = {
    "deceased": {
        "family_name": "Lò",
        "given_name": "Páo",
        "sex": "male",
        "birth_year": 1945,
        "ethnicity": "Thái",
        "nationality": "Việt Nam",
    },
    "declarant": {"full_name": "Lò Văn Ún", "relationship": "child"},
    "date_of_death": "2026-05-03",
    "place_of_death": "Tại nhà",
    "registered_on": "2026-05-08",
}
REQUESTER = {"full_name": "Trần Thị Mỹ", "relationship": "mother"}


def post(client, url, body, staff):
    return client.post(
        f"/api/v1/civil/{url}", json.dumps(body), content_type="application/json", **bearer(staff)
    )


def get(client, url, staff, **params):
    return client.get(f"/api/v1/civil/{url}", params, **bearer(staff))


def test_birth_over_the_api(client, w):
    r = post(client, "birth", BIRTH, w.officer)
    assert r.status_code == 201, r.content
    body = r.json()
    record = CivilRecord.objects.get()
    assert body["id"] == str(record.public_id)
    assert body["book"] == {
        "id": str(record.book.public_id),
        "event": "birth",
        "year": 2026,
        "number": "01",
        "label": "Sổ đăng ký khai sinh 01/2026",
    }
    assert (body["entry_number"], body["page"], body["event"], body["event_label"]) == (
        1,
        1,
        "birth",
        "Khai sinh",
    )
    assert (body["late"], body["fee_amount_vnd"], body["procedure"]) == (False, 0, "1.001193")
    assert body["registered_on"] == "2026-03-10" and body["event_date"] == "2026-03-01"
    assert body["content"]["place_of_birth"] == "Trạm Y tế xã Đông"
    roles = {p["role"]: p for p in body["parties"]}
    assert roles["child"]["full_name"] == "Trần Thị Hằng"
    assert roles["mother"]["id_number"] == PID_MOTHER
    assert (body["registrar"], body["signer"], body["amendments"]) == ("Đặng Văn Đức", None, [])


def test_birth_without_a_father_takes_the_mothers_family_name(client, w):
    before = state()
    r = post(client, "birth", {**BIRTH, "child": {**CHILD, "family_name": "Đặng"}}, w.officer)
    assert (r.status_code, r.json()["code"]) == (400, "family_name_not_from_parent")
    assert state() == before
    r = post(
        client, "birth", {**BIRTH_WITH_FATHER, "child": {**CHILD, "family_name": "Đặng"}}, w.officer
    )
    assert r.status_code == 201, r.content


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        (
            {**BIRTH_WITH_FATHER, "father_basis": None},
            409,
            "parents_marriage_not_found",
            "father_basis",
        ),
        ({**BIRTH, "child": {**CHILD, "sex": "other"}}, 422, "validation_error", "child.sex"),
        (
            {**BIRTH, "child": {**CHILD, "date_of_birth": "2026-03-11"}},
            400,
            "event_after_registration",
            "child.date_of_birth",
        ),
        (
            {**BIRTH, "mother": {**MOTHER, "id_number": "12345"}},
            400,
            "pid_length",
            "mother.id_number",
        ),
        (
            {**BIRTH, "declarant": {**MOTHER, "relationship": "spouse"}},
            400,
            "declarant_not_entitled",
            "declarant.relationship",
        ),
        (
            {**BIRTH, "registered_on": "2099-01-01"},
            400,
            "registration_in_future",
            "registered_on",
        ),
        ({**BIRTH, "signer": "tiepnhan"}, 400, "signer_invalid", "signer"),
        ({**BIRTH, "signer": "chutich_b"}, 400, "signer_invalid", "signer"),
    ],
)
def test_birth_refusals_over_the_api(client, w, body, status, code, field):
    before = state()
    r = post(client, "birth", body, w.officer)
    assert (r.status_code, r.json()["code"]) == (status, code), r.content
    assert field in r.json()["fields"]
    assert r.json()["message"]
    assert state() == before


def test_likely_duplicate_over_the_api(client, w):
    first = post(client, "birth", BIRTH, w.officer).json()
    again = {**BIRTH, "child": {**CHILD, "given_name": "HẰNG"}, "registered_on": "2026-03-11"}
    r = post(client, "birth", again, w.officer)
    assert (r.status_code, r.json()["code"]) == (409, "likely_duplicate")
    assert r.json()["fields"] == {"confirm_duplicate": [first["id"]]}
    r = post(client, "birth", {**again, "confirm_duplicate": True}, w.officer)
    assert (r.status_code, r.json()["entry_number"]) == (201, 2)


@pytest.mark.parametrize("role", ["reception", "clerk", "admin", "supervisor", "land"])
def test_only_the_civil_officer_and_leader_register(client, w, role):
    before = state()
    r = post(client, "birth", BIRTH, getattr(w, role))
    assert (r.status_code, r.json()["code"]) == (403, "permission_denied")
    assert state() == before


def test_unauthenticated_calls(client, w):
    r = client.post("/api/v1/civil/birth", json.dumps(BIRTH), content_type="application/json")
    assert r.status_code == 401
    assert client.get("/api/v1/civil/search").status_code == 401


def test_the_leader_registers_and_signs(client, w):
    w.leader.title = "Chủ tịch UBND xã"
    w.leader.save(update_fields=["title"])
    r = post(client, "birth", BIRTH, w.leader)
    assert r.status_code == 201, r.content
    assert r.json()["signer"] == {"name": "Đinh Công Sơn", "title": "Chủ tịch UBND xã"}
    r = post(client, "marriage", {**MARRIAGE, "signer": "chutich"}, w.officer)
    assert r.json()["signer"]["name"] == "Đinh Công Sơn"


def test_every_registration_over_the_api(client, w):
    """One valid call per endpoint, each into its own book."""
    born = post(client, "birth", BIRTH, w.officer).json()
    married = post(client, "marriage", MARRIAGE, w.officer).json()
    assert married["book"]["event"] == "marriage"
    assert (married["fee_amount_vnd"], married["procedure"]) == (0, "1.000894")
    dead = post(client, "death", DEATH, w.officer).json()
    assert (dead["event"], dead["late"]) == ("death", False)
    single = post(
        client,
        "marital-status",
        {
            "person": {**WIFE, "full_name": "Vũ Thị Ánh", "id_number": "", "sex": "female"},
            "declared_status": "single",
            "purpose": "Vay vốn",
            "registered_on": "2026-05-08",
        },
        w.officer,
    ).json()
    assert single["valid_until"] == "2026-11-08"
    parent = post(
        client,
        "parentage",
        {
            "parent": FATHER,
            "child": {**CHILD, "residence": "Thôn Đông"},
            "recognized_as": "father",
            "registered_on": "2026-05-08",
        },
        w.officer,
    )
    assert parent.status_code == 201, parent.content
    assert parent.json()["content"]["birth_record"]["record"] == born["id"]
    guard = post(
        client,
        "guardianship",
        {
            "ward": {
                "full_name": "Sùng A Páo",
                "date_of_birth": "2015-09-09",
                "sex": "male",
                "nationality": "Việt Nam",
                "residence": "Bản Lầm",
            },
            "guardian": {
                "full_name": "Sùng Văn Chứ",
                "date_of_birth": "1985-01-01",
                "nationality": "Việt Nam",
                "residence": "Bản Lầm",
            },
            "basis": "appointed",
            "appointment_document": "Văn bản cử ngày 01/05/2026",
            "registered_on": "2026-05-08",
        },
        w.officer,
    ).json()
    assert guard["variant"] == "appointment"
    end = post(
        client,
        "guardianship-termination",
        {"appointment": guard["id"], "reason": "parents_able", "registered_on": "2026-05-09"},
        w.officer,
    ).json()
    assert (end["variant"], end["target"], end["entry_number"]) == (
        "termination",
        guard["id"],
        2,
    )
    change = post(
        client,
        "change",
        {
            "target": born["id"],
            "kind": "correction",
            "changes": [{"role": "child", "field": "date_of_birth", "value": "2026-02-28"}],
            "reason": "Ghi sai",
            "requester": REQUESTER,
            "registered_on": "2026-05-09",
        },
        w.officer,
    ).json()
    assert change["variant"] == "correction"
    corrected = get(client, f"records/{born['id']}", w.officer).json()
    child = next(p for p in corrected["parties"] if p["role"] == "child")
    assert (child["date_of_birth"], child["amended"]) == ("2026-02-28", ["date_of_birth"])
    assert corrected["amendments"][0] | {"source_entry": None} == {
        "kind": "correction",
        "role": "child",
        "field": "date_of_birth",
        "old_value": "2026-03-01",
        "new_value": "2026-02-28",
        "effective_on": "2026-05-09",
        "basis": "Ghi sai",
        "source": change["id"],
        "source_entry": None,
    }
    assert corrected["amendments"][0]["source_entry"].endswith("01/2026, số 1")
    again = post(
        client,
        "re-registration",
        {
            "event": "marriage",
            "original": {"registered_on": "2012-01-10", "place": "UBND xã Tây"},
            "marriage": {
                "husband": {
                    **HUSBAND,
                    "full_name": "Phạm Văn Quang",
                    "id_number": "",
                    "date_of_birth": "1985-01-01",
                },
                "wife": {
                    **WIFE,
                    "full_name": "Vi Thị Mỷ",
                    "id_number": "",
                    "date_of_birth": "1987-01-01",
                },
            },
            "registered_on": "2026-05-09",
        },
        w.officer,
    )
    assert again.status_code == 201, again.content
    assert (again.json()["variant"], again.json()["event_date"]) == (
        "re_registration",
        "2012-01-10",
    )
    foreign = post(
        client,
        "foreign-record",
        {
            "variant": "birth",
            "foreign_authority": "Standesamt Berlin",
            "country": "Đức",
            "foreign_document": "Geburtsurkunde 1/2026",
            "child": {
                "family_name": "Nguyễn",
                "given_name": "An",
                "sex": "male",
                "date_of_birth": "2026-01-02",
                "nationality": "Việt Nam",
            },
            "registered_on": "2026-05-09",
        },
        w.officer,
    ).json()
    assert (foreign["event"], foreign["fee_amount_vnd"]) == ("foreign_record", None)
    copy = post(
        client,
        "extract-copy",
        {"source": born["id"], "requester": REQUESTER, "copies": 3, "registered_on": "2026-05-09"},
        w.officer,
    ).json()
    assert (copy["copies_issued"], copy["fee_amount_vnd"], copy["target"]) == (3, 8000, born["id"])
    assert get(client, f"records/{born['id']}", w.officer).json()["copies_issued"] == 3
    info = post(
        client,
        "info-confirmation",
        {
            "requester": REQUESTER,
            "records": [born["id"], married["id"]],
            "purpose": "Định cư",
            "registered_on": "2026-05-09",
        },
        w.officer,
    ).json()
    assert len(info["content"]["records"]) == 2
    divorced = client.post(
        f"/api/v1/civil/records/{married['id']}/divorce",
        json.dumps({"decided_on": "2026-05-09", "authority": "TAND", "decision": "Bản án 7/2026"}),
        content_type="application/json",
        **bearer(w.officer),
    )
    assert divorced.status_code == 200, divorced.content
    assert divorced.json()["content"]["ended_on"] == "2026-05-09"
    books = get(client, "books", w.officer).json()
    assert sorted(b["event"] for b in books) == [
        "birth",
        "change",
        "death",
        "extract_copy",
        "foreign_record",
        "guardianship",
        "info_confirmation",
        "marital_status",
        "marriage",
        "parentage",
    ]


def test_re_registration_needs_its_section(client, w):
    r = post(
        client,
        "re-registration",
        {"event": "birth", "original": {"registered_on": "2010-01-01", "place": "xã Đông"}},
        w.officer,
    )
    assert (r.status_code, r.json()["code"], list(r.json()["fields"])) == (
        400,
        "invalid_input",
        ["birth"],
    )


def test_ids_of_another_agency_are_not_found(client, w):
    born = post(client, "birth", BIRTH, w.officer).json()
    before = state()
    for url, body in [
        (
            "change",
            {
                "target": born["id"],
                "kind": "correction",
                "reason": "x",
                "changes": [{"role": "child", "field": "sex", "value": "male"}],
                "requester": REQUESTER,
            },
        ),
        ("extract-copy", {"source": born["id"], "requester": REQUESTER}),
        ("guardianship-termination", {"appointment": born["id"], "reason": "adopted"}),
        ("info-confirmation", {"requester": REQUESTER, "records": [born["id"]], "purpose": "x"}),
    ]:
        r = post(client, url, body, w.officer_b)
        assert (r.status_code, r.json()["code"]) == (404, "not_found"), url
        r = post(client, url, body, w.reception)
        assert (r.status_code, r.json()["code"]) == (403, "permission_denied"), url
    assert state() == before


def test_record_detail_is_scoped_and_audited(client, w):
    born = post(client, "birth", BIRTH, w.officer).json()
    r = get(client, f"records/{born['id']}", w.officer)
    assert r.status_code == 200 and r.json() == born
    entry = AuditEntry.objects.filter(action="civil.read").get()
    assert (entry.object_id, entry.actor_username) == (born["id"], "hotich")
    for staff in (w.officer_b, w.leader_b, w.reception, w.supervisor, w.admin, w.land):
        r = get(client, f"records/{born['id']}", staff)
        assert (r.status_code, r.json()["code"]) == (404, "not_found")
    assert AuditEntry.objects.filter(action="civil.read").count() == 1
    r = get(client, "records/00000000-0000-0000-0000-000000000000", w.officer)
    assert r.status_code == 404
    assert get(client, "records/not-a-uuid", w.officer).status_code == 422
    assert get(client, f"records/{born['id']}", w.leader).status_code == 200


def test_books_list_and_close(client, w):
    post(
        client,
        "birth",
        {**BIRTH, "child": {**CHILD, "date_of_birth": "2025-11-01"}, "registered_on": "2025-11-20"},
        w.officer,
    )
    post(client, "birth", BIRTH, w.officer)
    post(client, "marriage", MARRIAGE, w.officer)
    books = get(client, "books", w.officer, event="birth").json()
    assert [(b["year"], b["entries"], b["closed_on"]) for b in books] == [
        (2026, 1, None),
        (2025, 1, None),
    ]
    assert books[0]["name"] == "Sổ đăng ký khai sinh"
    assert [b["event"] for b in get(client, "books", w.officer, year=2026).json()] == [
        "birth",
        "marriage",
    ]
    assert get(client, "books", w.officer_b).json() == []
    assert get(client, "books", w.reception).json() == []
    r = get(client, "books", w.officer, event="wedding")
    assert (r.status_code, r.json()["code"]) == (400, "invalid_input")
    old = books[1]["id"]
    r = post(client, f"books/{old}/close", {"closed_on": "2025-12-31"}, w.officer)
    assert (r.status_code, r.json()["code"]) == (403, "permission_denied")
    r = post(client, f"books/{old}/close", {"closed_on": "2025-12-31"}, w.leader_b)
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    r = post(client, f"books/{old}/close", {"closed_on": "2025-12-30"}, w.leader)
    assert (r.status_code, r.json()["code"]) == (409, "book_year_not_over")
    r = post(client, f"books/{old}/close", {"closed_on": "2025-12-31"}, w.leader)
    assert r.status_code == 200, r.content
    assert (r.json()["closed_on"], r.json()["total_entries"], r.json()["closed_by"]) == (
        "2025-12-31",
        1,
        "chutich",
    )
    assert CivilBook.objects.get(public_id=old).is_closed


def _seed_search(w):
    """Entries with names that differ only by tone, Đ/đ, and a minority name without middle."""
    kids = [
        ("Đặng", "Thị", "Hằng", "2026-03-01", "female"),
        ("Đặng", "Thị", "Hạnh", "2026-03-02", "female"),
        ("Đặng", "Văn", "Đức", "2026-03-03", "male"),
        ("Lò", "", "Páo", "2026-03-04", "male"),
    ]
    ids = []
    for i, (family, middle, given, born, sex) in enumerate(kids):
        mother = (
            {**MOTHER, "full_name": "Lò Thị Ún", "id_number": ""}
            if family == "Lò"
            else {**MOTHER, "id_number": ""}
        )
        body = {
            **BIRTH,
            "child": {
                **CHILD,
                "family_name": family,
                "middle_name": middle,
                "given_name": given,
                "date_of_birth": born,
                "sex": sex,
            },
            "mother": mother,
            "father": {**FATHER, "id_number": ""} if family == "Đặng" else None,
            "father_basis": "marriage_elsewhere" if family == "Đặng" else None,
            "parents_marriage": "xã Tây",
            "declarant": {**mother, "relationship": "mother"},
            "registered_on": f"2026-03-{10 + i:02d}",
        }
        r = post(client_holder[0], "birth", body, w.officer)
        assert r.status_code == 201, r.content
        ids.append(r.json()["id"])
    return ids


client_holder: list = []


@pytest.fixture
def searchable(client, w):
    client_holder[:] = [client]
    return _seed_search(w)


def names(response):
    return [item["subjects"][0]["full_name"] for item in response.json()["items"]]


def test_search_ignores_tones_case_d_and_unicode_form(client, w, searchable):
    assert names(get(client, "search", w.officer, q="dang")) == [
        "Đặng Văn Đức",
        "Đặng Thị Hạnh",
        "Đặng Thị Hằng",
    ]
    assert names(get(client, "search", w.officer, q="ĐẶNG THỊ HẰNG")) == ["Đặng Thị Hằng"]
    nfd = unicodedata.normalize("NFD", "đặng thị hạnh")
    assert names(get(client, "search", w.officer, q=nfd)) == ["Đặng Thị Hạnh"]
    assert names(get(client, "search", w.officer, q="van duc")) == ["Đặng Văn Đức"]
    assert names(get(client, "search", w.officer, q="lo pao")) == ["Lò Páo"]
    assert names(get(client, "search", w.officer, q="thi h", birth_date="2026-03-02")) == [
        "Đặng Thị Hạnh"
    ]
    assert names(get(client, "search", w.officer, birth_year=2026, parent="lo thi un")) == [
        "Lò Páo"
    ]
    assert names(get(client, "search", w.officer, parent="dang van dat", q="duc")) == [
        "Đặng Văn Đức"
    ]
    assert names(get(client, "search", w.officer, q="zzz")) == []
    assert get(client, "search", w.officer, event="marriage").json()["items"] == []
    item = get(client, "search", w.officer, q="lo pao").json()["items"][0]
    assert item["parents"] == [
        {
            "role": "mother",
            "full_name": "Lò Thị Ún",
            "sex": "female",
            "date_of_birth": None,
            "birth_year": 1996,
            "id_number": "",
        }
    ]


def test_search_by_id_number_and_book(client, w, searchable):
    body = {
        **BIRTH,
        "child": {**CHILD, "given_name": "Lan", "id_number": PID_CHILD},
        "registered_on": "2026-03-20",
    }
    lan = post(client, "birth", body, w.officer).json()
    r = get(client, "search", w.officer, id_number=PID_CHILD)
    assert [i["id"] for i in r.json()["items"]] == [lan["id"]]
    r = get(client, "search", w.officer, book=lan["book"]["id"], limit=2)
    page = r.json()
    assert len(page["items"]) == 2 and page["next"]
    rest = get(client, "search", w.officer, book=lan["book"]["id"], after=page["next"]).json()
    assert len(rest["items"]) == 3 and rest["next"] is None
    seen = [i["entry_number"] for i in page["items"] + rest["items"]]
    assert seen == [5, 4, 3, 2, 1]
    r = get(client, "search", w.officer, after="garbage!")
    assert (r.status_code, r.json()["code"]) == (400, "invalid_input")


def test_search_is_scoped_to_the_agency_and_role(client, w, searchable):
    assert get(client, "search", w.officer_b, q="dang").json()["items"] == []
    assert get(client, "search", w.reception, q="dang").json()["items"] == []
    assert get(client, "search", w.supervisor, q="dang").json()["items"] == []
    assert len(get(client, "search", w.leader, q="dang").json()["items"]) == 3


def test_search_query_count_does_not_grow_with_the_page(client, w, searchable):
    get(client, "search", w.officer, q="dang")  # warm the token and the session caches
    with CaptureQueriesContext(connection) as small:
        get(client, "search", w.officer, q="dang", limit=1)
    with CaptureQueriesContext(connection) as large:
        get(client, "search", w.officer, limit=50)
    assert len(small.captured_queries) == len(large.captured_queries)


def test_event_terms_come_from_the_catalogue(client, w):
    rows = get(client, "events", w.officer).json()
    birth = next(r for r in rows if (r["event"], r["variant"], r["case"]) == ("birth", "", ""))
    assert birth == {
        "event": "birth",
        "variant": "",
        "case": "",
        "procedure": "1.001193",
        "procedure_name": "Thủ tục đăng ký khai sinh",
        "time_limit_kind": "same_day_cutoff",
        "time_limit_value": 0,
        "time_limit_cutoff_hour": 15,
        "fee_amount_vnd": None,
        "fee_provincial_rate": True,
        "needs_confirmation": ["fees", "implementing_agency", "conditions"],
    }
    foreign_birth = next(
        r for r in rows if (r["event"], r["variant"]) == ("foreign_record", "birth")
    )
    assert (foreign_birth["procedure"], foreign_birth["time_limit_kind"]) == (None, None)


def test_dossier_link(client, w):
    from django.utils import timezone

    from tests.dossiers.world import BIRTH as BIRTH_PROCEDURE
    from xaso.dossiers.services import dossier_receive

    dossier = dossier_receive(
        actor=w.reception,
        procedure_code=BIRTH_PROCEDURE,
        channel="counter",
        applicant={"full_name": "Trần Thị Mỹ", "personal_id": PID_MOTHER},
    )
    today = timezone.localdate().isoformat()
    before = state()
    r = post(client, "birth", {**BIRTH, "dossier": dossier.code}, w.officer)
    assert (r.status_code, r.json()["code"]) == (400, "registration_before_dossier")
    r = post(
        client, "marriage", {**MARRIAGE, "dossier": dossier.code, "registered_on": today}, w.officer
    )
    assert (r.status_code, r.json()["code"]) == (400, "dossier_mismatch")
    r = post(client, "birth", {**BIRTH, "dossier": "H98.01-000000-0001"}, w.officer)
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    assert state() == before
    r = post(client, "birth", {**BIRTH, "dossier": dossier.code, "registered_on": today}, w.officer)
    assert (r.status_code, r.json()["dossier"]) == (201, dossier.code)
    r = post(client, "birth", {**BIRTH, "dossier": dossier.code}, w.officer_b)
    assert (r.status_code, r.json()["code"]) == (404, "not_found")


def test_registration_date_defaults_to_today(w):
    from django.utils import timezone

    r = services.civil_register_marriage(
        actor=w.officer,
        husband={**HUSBAND, "date_of_birth": date(1998, 5, 17)},
        wife={**WIFE, "date_of_birth": date(2000, 2, 29)},
    )
    assert r.registered_on == timezone.localdate()
