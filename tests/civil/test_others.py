"""Đăng ký lại, ghi vào sổ việc hộ tịch giải quyết ở nước ngoài, bản sao trích lục, xác nhận
thông tin hộ tịch, and closing a book."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from tests.civil.test_births import refused
from tests.civil.world import HUSBAND, WIFE, birth, death, leader_titled, marriage
from xaso.civil import services
from xaso.civil.current import record_current
from xaso.civil.errors import (
    AlreadyRegistered,
    BookClosed,
    BookNotClosable,
    DatesInconsistent,
    FieldInvalid,
    ForeignRecordInvalid,
    MarriageAge,
    RecordNotFound,
    ReRegistrationNotAllowed,
)
from xaso.civil.lookups import marriages_of
from xaso.core.errors import PermissionDenied
from xaso.core.models import AuditEntry

REQUESTER = {"full_name": "Trần Thị Mỹ", "relationship": "mother", "id_number": "025196000202"}


def re_birth(**over):
    details = birth()
    details.pop("registered_on")
    kid = {**details["child"], "date_of_birth": date(2005, 7, 1)}
    details["child"] = kid
    details["mother"] = {**details["mother"], "birth_year": 1980, "id_number": ""}
    details["declarant"] = {"full_name": "Trần Thị Hằng", "relationship": "authorised"}
    kw = {
        "event": "birth",
        "original_registered_on": date(2005, 7, 20),
        "original_place": "UBND xã Thạch Khoán",
        "original_number": "45",
        "details": details,
        "registered_on": date(2026, 3, 12),
    }
    kw.update(over)
    return kw


def test_re_registration_of_a_birth(w):
    r = services.civil_register_re_registration(actor=w.officer, **re_birth())
    assert (r.book.event, r.variant, r.late, r.procedure.code, r.fee_amount_vnd) == (
        "birth",
        "re_registration",
        False,
        "1.004884",
        None,
    )
    assert r.content["original"] == {
        "registered_on": "2005-07-20",
        "place": "UBND xã Thạch Khoán",
        "number": "45",
    }
    assert "declaration_due" not in r.content
    exc = refused(
        ReRegistrationNotAllowed,
        services.civil_register_re_registration,
        actor=w.officer,
        **re_birth(registered_on=date(2026, 3, 13)),
    )
    assert exc.code == "original_on_record"


@pytest.mark.parametrize(
    ("over", "error", "code"),
    [
        (
            {"original_registered_on": date(2016, 1, 1)},
            ReRegistrationNotAllowed,
            "original_after_2016",
        ),
        ({"original_place": ""}, FieldInvalid, "required"),
        ({"event": "guardianship"}, FieldInvalid, "invalid_choice"),
    ],
)
def test_re_registration_refusals(w, over, error, code):
    exc = refused(
        error, services.civil_register_re_registration, actor=w.officer, **re_birth(**over)
    )
    assert exc.code == code


def test_re_registration_rejects_unknown_details(w):
    kw = re_birth()
    kw["details"]["husband"] = {}
    exc = refused(FieldInvalid, services.civil_register_re_registration, actor=w.officer, **kw)
    assert (exc.code, list(exc.fields)) == ("unknown_field", ["details.husband"])


def test_re_registration_of_a_marriage_checks_ages_on_the_original_date(w):
    details = marriage()
    details.pop("registered_on")
    kw = {
        "event": "marriage",
        "original_registered_on": date(2015, 6, 1),
        "original_place": "UBND xã Đông",
        "details": details,
        "registered_on": date(2026, 4, 2),
    }
    exc = refused(MarriageAge, services.civil_register_re_registration, actor=w.officer, **kw)
    assert exc.code == "marriage_age"
    old = dict(details)
    old["husband"] = {**HUSBAND, "date_of_birth": date(1990, 1, 1), "id_number": ""}
    old["wife"] = {**WIFE, "date_of_birth": date(1993, 1, 1), "id_number": ""}
    r = services.civil_register_re_registration(actor=w.officer, **{**kw, "details": old})
    assert (r.variant, r.event_date, r.fee_amount_vnd) == (
        "re_registration",
        date(2015, 6, 1),
        None,
    )


def test_re_registration_of_a_death(w):
    details = death()
    details.pop("registered_on")
    details["date_of_death"] = date(2010, 2, 1)
    r = services.civil_register_re_registration(
        actor=w.officer,
        event="death",
        original_registered_on=date(2010, 2, 5),
        original_place="UBND xã Đông",
        details=details,
        registered_on=date(2026, 5, 8),
    )
    assert (r.book.event, r.variant, r.late, r.event_date) == (
        "death",
        "re_registration",
        False,
        date(2010, 2, 1),
    )


# --- Foreign records --------------------------------------------------------------------------

FOREIGN = {
    "foreign_authority": "Standesamt Berlin-Mitte",
    "country": "Cộng hòa Liên bang Đức",
    "foreign_document": "Heiratsurkunde Nr. 123/2025",
}


def test_foreign_marriage_and_divorce(w):
    m = services.civil_register_foreign_record(
        actor=w.officer,
        variant="marriage",
        event_date=date(2025, 9, 1),
        husband=dict(HUSBAND),
        wife={**WIFE, "nationality": "Đức", "id_number": ""},
        registered_on=date(2026, 2, 2),
        **FOREIGN,
    )
    assert (m.book.event, m.variant, m.event_date, m.procedure.code, m.fee_amount_vnd) == (
        "foreign_record",
        "marriage",
        date(2025, 9, 1),
        "2.002189",
        None,
    )
    refused(
        AlreadyRegistered,
        services.civil_register_foreign_record,
        actor=w.officer,
        variant="marriage",
        event_date=date(2025, 9, 1),
        husband=dict(HUSBAND),
        wife={**WIFE, "nationality": "Đức", "id_number": ""},
        registered_on=date(2026, 2, 3),
        **FOREIGN,
    )
    d = services.civil_register_foreign_record(
        actor=w.officer,
        variant="divorce",
        event_date=date(2026, 1, 15),
        husband=dict(HUSBAND),
        wife={**WIFE, "nationality": "Đức", "id_number": ""},
        registered_on=date(2026, 2, 10),
        **{**FOREIGN, "foreign_document": "Urteil 5 F 12/25"},
    )
    assert (d.target, d.procedure.code) == (m, "2.000554")
    assert record_current(m).content["ended_on"] == "2026-01-15"
    assert [f.status for f in marriages_of(w.a, m.parties.get(role="husband"))] == ["divorced"]


def test_foreign_records_refusals(w):
    exc = refused(
        ForeignRecordInvalid,
        services.civil_register_foreign_record,
        actor=w.officer,
        variant="marriage",
        event_date=date(2025, 9, 1),
        husband={**HUSBAND, "nationality": "Pháp", "id_number": ""},
        wife={**WIFE, "nationality": "Đức", "id_number": ""},
        registered_on=date(2026, 2, 2),
        **FOREIGN,
    )
    assert exc.code == "no_vietnamese_party"
    exc = refused(
        MarriageAge,
        services.civil_register_foreign_record,
        actor=w.officer,
        variant="marriage",
        event_date=date(2017, 9, 1),
        husband=dict(HUSBAND),
        wife={**WIFE, "id_number": ""},
        registered_on=date(2026, 2, 2),
        **FOREIGN,
    )
    assert exc.code == "marriage_age"
    exc = refused(
        FieldInvalid,
        services.civil_register_foreign_record,
        actor=w.officer,
        variant="death",
        deceased={
            "full_name": "Lò Páo",
            "sex": "male",
            "birth_year": 1950,
            "nationality": "Việt Nam",
        },
        registered_on=date(2026, 2, 2),
        **FOREIGN,
    )
    assert (exc.code, list(exc.fields)) == ("required", ["event_date"])
    exc = refused(
        DatesInconsistent,
        services.civil_register_foreign_record,
        actor=w.officer,
        variant="death",
        event_date=date(1949, 1, 1),
        deceased={
            "full_name": "Lò Páo",
            "sex": "male",
            "birth_year": 1950,
            "nationality": "Việt Nam",
        },
        registered_on=date(2026, 2, 2),
        **FOREIGN,
    )
    assert exc.code == "death_before_birth"


def test_foreign_birth_and_death(w):
    b = services.civil_register_foreign_record(
        actor=w.officer,
        variant="birth",
        child={
            "family_name": "Nguyễn",
            "middle_name": "Minh",
            "given_name": "An",
            "sex": "male",
            "date_of_birth": date(2025, 12, 24),
            "nationality": "Việt Nam",
        },
        mother={"full_name": "Đỗ Thị Lan", "birth_year": 1995, "nationality": "Việt Nam"},
        registered_on=date(2026, 2, 2),
        **FOREIGN,
    )
    assert (b.variant, b.event_date, b.procedure, b.fee_amount_vnd) == (
        "birth",
        date(2025, 12, 24),
        None,
        None,
    )
    assert b.fee_note == "Danh mục thủ tục của xã không có thủ tục này: chưa xác định được lệ phí."
    d = services.civil_register_foreign_record(
        actor=w.officer,
        variant="death",
        event_date=date(2026, 1, 3),
        deceased={
            "full_name": "Lò Páo",
            "sex": "male",
            "birth_year": 1950,
            "nationality": "Việt Nam",
        },
        registered_on=date(2026, 2, 2),
        **FOREIGN,
    )
    assert d.entry_number == 2


# --- Extract copies and confirmations ---------------------------------------------------------


def test_extract_copies_are_counted(w):
    born = services.civil_register_birth(actor=w.officer, **birth())
    first = services.civil_register_extract_copy(
        actor=w.officer,
        source=born,
        requester=dict(REQUESTER),
        copies=2,
        purpose="Nhập học",
        registered_on=date(2026, 3, 10),
    )
    assert (first.book.event, first.target, first.copies_issued) == ("extract_copy", born, 2)
    assert (first.procedure.code, first.fee_amount_vnd) == ("2.000635", 8000)
    assert first.fee_note == (
        "Theo danh mục thủ tục 2.000635: 8,000 VNĐ (danh mục không ghi tính theo bản)."
    )
    services.civil_register_extract_copy(
        actor=w.officer,
        source=born,
        requester=dict(REQUESTER),
        copies=3,
        registered_on=date(2026, 9, 1),
        fee_exemption="disability",
    )
    born.refresh_from_db()
    assert born.copies_issued == 5
    assert AuditEntry.objects.filter(action="civil.register.extract_copy").count() == 2


def test_extract_copy_refusals(w):
    born = services.civil_register_birth(actor=w.officer, **birth())
    for copies in (0, 51):
        exc = refused(
            FieldInvalid,
            services.civil_register_extract_copy,
            actor=w.officer,
            source=born,
            requester=dict(REQUESTER),
            copies=copies,
            registered_on=date(2026, 3, 10),
        )
        assert exc.code == "copies_invalid"
    other = services.civil_register_birth(actor=w.officer_b, **birth())
    refused(
        RecordNotFound,
        services.civil_register_extract_copy,
        actor=w.officer,
        source=other,
        requester=dict(REQUESTER),
        registered_on=date(2026, 3, 10),
    )
    confirmation = services.civil_register_marital_status(
        actor=w.officer,
        person={**HUSBAND, "sex": "male"},
        declared_status="single",
        purpose="Vay vốn",
        registered_on=date(2026, 3, 10),
    )
    exc = refused(
        FieldInvalid,
        services.civil_register_extract_copy,
        actor=w.officer,
        source=confirmation,
        requester=dict(REQUESTER),
        registered_on=date(2026, 3, 10),
    )
    assert (exc.code, list(exc.fields)) == ("invalid_choice", ["source"])


def test_confirmation_of_civil_status_information(w):
    born = services.civil_register_birth(actor=w.officer, **birth())
    m = services.civil_register_marriage(actor=w.officer, **marriage())
    r = services.civil_register_info_confirmation(
        actor=w.officer,
        requester=dict(REQUESTER),
        records=[born, m, born],
        purpose="Hồ sơ định cư",
        registered_on=date(2026, 4, 3),
    )
    assert (r.book.event, r.procedure.code, r.fee_amount_vnd) == (
        "info_confirmation",
        "2.002516",
        8000,
    )
    assert [x["record"] for x in r.content["records"]] == [str(born.public_id), str(m.public_id)]
    exc = refused(
        FieldInvalid,
        services.civil_register_info_confirmation,
        actor=w.officer,
        requester=dict(REQUESTER),
        records=[],
        purpose="x",
        registered_on=date(2026, 4, 3),
    )
    assert exc.code == "required"


# --- Books ------------------------------------------------------------------------------------


def test_closing_a_book(w):
    leader = leader_titled(w)
    a = services.civil_register_birth(actor=w.officer, **birth(registered_on=date(2026, 3, 10)))
    late_kid = {
        **birth()["child"],
        "given_name": "Lan",
        "sex": "female",
        "date_of_birth": date(2026, 1, 1),
    }
    services.civil_register_birth(actor=w.officer, **birth(child=late_kid))
    boy = {**birth()["child"], "given_name": "Nam", "middle_name": "Văn", "sex": "male"}
    services.civil_register_birth(actor=w.officer, **birth(child=boy))
    book = a.book
    exc = refused(
        BookNotClosable, services.book_close, actor=leader, book=book, closed_on=date(2026, 12, 30)
    )
    assert exc.code == "book_year_not_over"
    refused(
        PermissionDenied,
        services.book_close,
        actor=w.officer,
        book=book,
        closed_on=date(2026, 12, 31),
    )
    refused(
        PermissionDenied,
        services.book_close,
        actor=w.leader_b,
        book=book,
        closed_on=date(2026, 12, 31),
    )
    if timezone.localdate() < date(2026, 12, 31):
        exc = refused(
            BookNotClosable,
            services.book_close,
            actor=leader,
            book=book,
            closed_on=date(2026, 12, 31),
        )
        assert exc.code == "closing_in_future"
        return
    closed = services.book_close(actor=leader, book=book, closed_on=date(2026, 12, 31))
    assert (closed.total_entries, closed.total_pages) == (3, 3)


def test_closing_last_years_book(w):
    leader = leader_titled(w)
    kid = {**birth()["child"], "date_of_birth": date(2025, 11, 1)}
    r = services.civil_register_birth(
        actor=w.officer, **birth(child=kid, registered_on=date(2025, 11, 20))
    )
    closed = services.book_close(actor=leader, book=r.book, closed_on=date(2025, 12, 31))
    assert (closed.closed_on, closed.closed_by, closed.total_entries, closed.total_pages) == (
        date(2025, 12, 31),
        leader,
        1,
        1,
    )
    assert (closed.closing_signer_name, closed.closing_signer_title) == (
        "Đinh Công Sơn",
        "Chủ tịch UBND xã",
    )
    assert closed.closing_totals == {
        "by_variant": {"ordinary": 1},
        "late": 0,
        "on_time": 1,
        "subjects_by_sex": {"female": 1},
    }
    entry = AuditEntry.objects.get(action="civil.book_close")
    assert entry.changes["total_entries"] == 1
    exc = refused(
        BookNotClosable, services.book_close, actor=leader, book=r.book, closed_on=date(2026, 1, 2)
    )
    assert exc.code == "book_already_closed"
    kid2 = {**kid, "given_name": "Lan"}
    exc = refused(
        BookClosed,
        services.civil_register_birth,
        actor=w.officer,
        **birth(child=kid2, registered_on=date(2025, 12, 31)),
    )
    assert exc.code == "book_closed"
    # The new year's entries open the new year's book.
    nxt = services.civil_register_birth(
        actor=w.officer, **birth(child=kid2, registered_on=date(2026, 1, 5))
    )
    assert (nxt.book.year, nxt.entry_number, nxt.late) == (2026, 1, True)
