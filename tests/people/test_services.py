"""person_upsert: validation (every personal-ID rule as a field error), NFC, idempotence, the
audit diff, and who may write."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from tests import factories
from xaso.core.errors import DomainError, PermissionDenied
from xaso.core.models import AuditEntry
from xaso.people.models import Person
from xaso.people.services import person_upsert

TODAY = date(2026, 11, 28)
PID_MALE_1999 = "001099012345"  # Hà Nội, d4=0: male born 1900-1999, d5-6: 1999
PID_FEMALE_2001 = "079301000123"  # TP HCM, d4=3: female born 2000-2099, d5-6: 2001


@pytest.fixture
def agency(db):
    return factories.agency(code="H25.54.01")


@pytest.fixture
def reception(agency):
    return factories.staff(agency_obj=agency, roles=("reception",), username="tiepnhan")


def upsert(actor, agency, **fields):
    fields.setdefault("today", TODAY)
    return person_upsert(actor=actor, agency=agency, **fields)


def entries():
    return [
        (e.action, e.actor_username, e.object_type, e.object_id, e.object_repr, e.changes)
        for e in AuditEntry.objects.order_by("seq")
    ]


def error_of(excinfo: pytest.ExceptionInfo[DomainError]) -> tuple[str, int, str, dict]:
    e = excinfo.value
    return e.code, e.status, e.message, e.fields


# --- create, update, idempotence --------------------------------------------------------------


def test_create_stores_every_field_and_audits_what_was_declared(reception, agency):
    p = upsert(
        reception,
        agency,
        personal_id=" 001099012345 ",
        family_name="Nguyễn",
        middle_name="Văn",
        given_name="An",
        date_of_birth=date(1999, 3, 4),
        sex="male",
        phone="+84 912.345-678",
        email="an.nguyen@example.vn",
        address="Thôn Đông,  xã Thạch Khoán",
        ethnicity="Kinh",
        nationality="Việt Nam",
    )
    p = Person.objects.get(pk=p.pk)
    assert (p.agency_id, p.personal_id, p.family_name, p.middle_name, p.given_name) == (
        agency.pk,
        PID_MALE_1999,
        "Nguyễn",
        "Văn",
        "An",
    )
    assert (p.full_name, p.name_folded, p.date_of_birth, p.sex) == (
        "Nguyễn Văn An",
        "nguyen van an",
        date(1999, 3, 4),
        "male",
    )
    assert (p.phone, p.email, p.address, p.ethnicity, p.nationality) == (
        "0912345678",
        "an.nguyen@example.vn",
        "Thôn Đông, xã Thạch Khoán",
        "Kinh",
        "Việt Nam",
    )
    assert entries() == [
        (
            "person.create",
            "tiepnhan",
            "people.person",
            str(p.public_id),
            "Nguyễn Văn An",
            {
                "address": [None, "Thôn Đông, xã Thạch Khoán"],
                "date_of_birth": [None, "1999-03-04"],
                "email": [None, "an.nguyen@example.vn"],
                "ethnicity": [None, "Kinh"],
                "family_name": [None, "Nguyễn"],
                "given_name": [None, "An"],
                "middle_name": [None, "Văn"],
                "nationality": [None, "Việt Nam"],
                "personal_id": [None, PID_MALE_1999],
                "phone": [None, "0912345678"],
                "sex": [None, "male"],
            },
        )
    ]


def test_same_declaration_twice_changes_nothing_and_audits_nothing(reception, agency):
    fields = dict(personal_id=PID_MALE_1999, full_name="Nguyễn Văn An", phone="0912345678")
    first = upsert(reception, agency, **fields)
    stamp = Person.objects.get().updated_at
    second = upsert(reception, agency, **fields)
    assert second.pk == first.pk
    assert Person.objects.count() == 1
    assert Person.objects.get().updated_at == stamp
    assert [e[0] for e in entries()] == ["person.create"]


def test_update_by_personal_id_changes_only_what_differs(reception, agency):
    first = upsert(
        reception, agency, personal_id=PID_MALE_1999, full_name="Nguyễn Văn An", phone="0912345678"
    )
    second = upsert(
        reception,
        agency,
        personal_id=PID_MALE_1999,
        family_name="Nguyễn",
        middle_name="Văn",
        given_name="Ánh",
        address="Xóm Mới",
        email="",
    )
    assert second.pk == first.pk
    p = Person.objects.get()
    assert (p.full_name, p.name_folded, p.phone, p.address) == (
        "Nguyễn Văn Ánh",
        "nguyen van anh",
        "0912345678",  # not declared this time: kept
        "Xóm Mới",
    )
    assert entries()[-1] == (
        "person.update",
        "tiepnhan",
        "people.person",
        str(p.public_id),
        "Nguyễn Văn Ánh",
        {"address": ["", "Xóm Mới"], "given_name": ["An", "Ánh"]},
    )


def test_empty_string_clears_a_field(reception, agency):
    upsert(reception, agency, personal_id=PID_MALE_1999, full_name="Lò Páo", phone="0912345678")
    upsert(reception, agency, personal_id=PID_MALE_1999, phone="")
    assert Person.objects.get().phone == ""
    assert entries()[-1][0] == "person.update"
    assert entries()[-1][-1] == {"phone": ["0912345678", ""]}


def test_without_personal_id_every_declaration_is_a_new_record(reception, agency):
    a = upsert(reception, agency, full_name="Trần Thị Bình")
    b = upsert(reception, agency, full_name="Trần Thị Bình")
    assert a.pk != b.pk
    assert list(Person.objects.values_list("personal_id", "given_name")) == [
        ("", "Bình"),
        ("", "Bình"),
    ]


def test_same_personal_id_in_two_agencies_is_two_records(reception, agency):
    other = factories.agency(code="H25.54.02")
    clerk = factories.staff(agency_obj=other, roles=("clerk",))
    mine = upsert(reception, agency, personal_id=PID_MALE_1999, full_name="Nguyễn Văn An")
    theirs = upsert(clerk, other, personal_id=PID_MALE_1999, full_name="Nguyễn Văn An")
    assert mine.pk != theirs.pk
    assert sorted(Person.objects.values_list("agency__code", flat=True)) == [
        "H25.54.01",
        "H25.54.02",
    ]


def test_text_is_stored_nfc_and_found_again_from_nfd(reception, agency):
    nfd = unicodedata.normalize("NFD", "Đặng  Thị Ngọc Ánh")
    p = upsert(
        reception,
        agency,
        personal_id=PID_FEMALE_2001,
        full_name=nfd,
        address=unicodedata.normalize("NFD", "Xã Thạch Khoán"),
    )
    p = Person.objects.get(pk=p.pk)
    assert (p.family_name, p.middle_name, p.given_name) == ("Đặng", "Thị Ngọc", "Ánh")
    assert all(
        unicodedata.is_normalized("NFC", v)
        for v in (p.family_name, p.middle_name, p.given_name, p.address)
    )
    assert p.address == "Xã Thạch Khoán"
    assert p.name_folded == "dang thi ngoc anh"
    # The same declaration again, typed on a Mac (NFD), is no change.
    upsert(reception, agency, personal_id=PID_FEMALE_2001, full_name=nfd)
    assert [e[0] for e in entries()] == ["person.create"]


def test_name_parts_win_over_full_name(reception, agency):
    p = upsert(
        reception,
        agency,
        full_name="Tôn Nữ Thị Minh Khai",
        family_name="Tôn Nữ",
        middle_name="Thị Minh",
        given_name="Khai",
    )
    assert (p.family_name, p.middle_name, p.given_name) == ("Tôn Nữ", "Thị Minh", "Khai")


# --- validation -----------------------------------------------------------------------------

PID_ERRORS = [
    (
        "00109901234",
        {},
        "pid_length",
        "Số định danh cá nhân phải có đúng 12 chữ số; số đã nhập có 11 ký tự.",
    ),
    ("00109901234A", {}, "pid_digits", "Số định danh cá nhân chỉ gồm các chữ số từ 0 đến 9."),
    (
        "003099012345",
        {},
        "pid_province",
        "Ba chữ số đầu «003» không phải mã của tỉnh, thành phố nào trong 63 mã nơi đăng ký "
        "khai sinh. Số định danh mang mã quốc gia (đăng ký khai sinh ở nước ngoài) chưa được "
        "hỗ trợ.",
    ),
    (
        "001499012345",
        {},
        "pid_century",
        "Chữ số thứ tư «4» chỉ người sinh trong các năm 2100–2199, chưa thể có.",
    ),
    (
        PID_MALE_1999,
        {"date_of_birth": date(2001, 1, 1)},
        "pid_century",
        "Chữ số thứ tư «0» chỉ người sinh trong các năm 1900–1999, không khớp với năm sinh 2001.",
    ),
    (
        "001230012345",
        {},
        "pid_year_future",
        "Số định danh chỉ năm sinh 2030, sau năm hiện tại 2026.",
    ),
    (
        PID_MALE_1999,
        {"date_of_birth": date(1998, 5, 1)},
        "pid_year_mismatch",
        "Chữ số thứ năm và thứ sáu «99» không khớp với năm sinh 1998.",
    ),
    (
        PID_MALE_1999,
        {"sex": "female"},
        "pid_sex_mismatch",
        "Chữ số thứ tư «0» chỉ giới tính nam, không khớp với giới tính đã khai là nữ.",
    ),
]


@pytest.mark.parametrize(("number", "extra", "code", "message"), PID_ERRORS)
def test_each_personal_id_rule_is_a_field_error(reception, agency, number, extra, code, message):
    with pytest.raises(DomainError) as excinfo:
        upsert(reception, agency, personal_id=number, full_name="Nguyễn Văn An", **extra)
    assert error_of(excinfo) == (code, 400, message, {"personal_id": [message]})
    assert Person.objects.count() == 0
    assert entries() == []


def test_personal_id_is_checked_against_what_is_on_record(reception, agency):
    upsert(
        reception,
        agency,
        personal_id=PID_MALE_1999,
        full_name="Nguyễn Văn An",
        date_of_birth=date(1999, 3, 4),
    )
    message = "Chữ số thứ tư «0» chỉ giới tính nam, không khớp với giới tính đã khai là nữ."
    with pytest.raises(DomainError) as excinfo:
        upsert(reception, agency, personal_id=PID_MALE_1999, sex="female")
    assert error_of(excinfo) == ("pid_sex_mismatch", 400, message, {"personal_id": [message]})
    assert Person.objects.get().sex == ""


OTHER_ERRORS = [
    (
        {"phone": "12345"},
        "invalid_phone",
        "phone",
        "Số điện thoại phải có 10 hoặc 11 chữ số, bắt đầu bằng 0 hoặc +84.",
    ),
    ({"email": "an@"}, "invalid_email", "email", "Địa chỉ thư điện tử không hợp lệ."),
    ({"sex": "other"}, "invalid_sex", "sex", "Giới tính phải là nam hoặc nữ."),
    (
        {"date_of_birth": date(2026, 11, 29)},
        "dob_future",
        "date_of_birth",
        "Ngày sinh không thể sau ngày hôm nay.",
    ),
    ({"address": "x" * 256}, "too_long", "address", "Quá dài: tối đa 255 ký tự."),
]


@pytest.mark.parametrize(("extra", "code", "field", "message"), OTHER_ERRORS)
def test_other_fields_are_checked(reception, agency, extra, code, field, message):
    with pytest.raises(DomainError) as excinfo:
        upsert(reception, agency, full_name="Nguyễn Văn An", **extra)
    assert error_of(excinfo) == (code, 400, message, {field: [message]})
    assert Person.objects.count() == 0


NAME_ERRORS = [
    ({}, "name_required", "full_name", "Cần nhập họ và tên của công dân."),
    ({"full_name": "  "}, "invalid_name", "full_name", "Họ và tên không được để trống."),
    (
        {"full_name": "An"},
        "invalid_name",
        "full_name",
        "Họ và tên «An» chỉ có một từ: cần ít nhất họ và tên; hãy nhập riêng từng phần họ, chữ "
        "đệm và tên.",
    ),
    ({"family_name": "Nguyễn"}, "invalid_name", "given_name", "Bắt buộc."),
    ({"given_name": "An"}, "invalid_name", "family_name", "Bắt buộc."),
]


@pytest.mark.parametrize(("extra", "code", "field", "message"), NAME_ERRORS)
def test_a_new_person_needs_a_name(reception, agency, extra, code, field, message):
    with pytest.raises(DomainError) as excinfo:
        upsert(reception, agency, personal_id=PID_MALE_1999, **extra)
    assert excinfo.value.code == code
    assert excinfo.value.fields == {field: [message]}
    assert Person.objects.count() == 0


def test_several_wrong_fields_are_reported_together(reception, agency):
    with pytest.raises(DomainError) as excinfo:
        upsert(
            reception,
            agency,
            personal_id="12",
            full_name="Nguyễn Văn An",
            phone="abc",
            email="x",
        )
    assert error_of(excinfo) == (
        "person_invalid",
        400,
        "Thông tin công dân chưa hợp lệ.",
        {
            "personal_id": ["Số định danh cá nhân phải có đúng 12 chữ số; số đã nhập có 2 ký tự."],
            "phone": ["Số điện thoại phải có 10 hoặc 11 chữ số, bắt đầu bằng 0 hoặc +84."],
            "email": ["Địa chỉ thư điện tử không hợp lệ."],
        },
    )


# --- who may write --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["reception", "specialist", "clerk"])
def test_writers(agency, role):
    actor = factories.staff(agency_obj=agency, roles=(role,))
    upsert(actor, agency, personal_id=PID_MALE_1999, full_name="Nguyễn Văn An")
    assert Person.objects.count() == 1


@pytest.mark.parametrize("role", ["leader", "admin", "supervisor"])
def test_not_writers(agency, role):
    actor = factories.staff(agency_obj=agency, roles=(role,))
    with pytest.raises(PermissionDenied) as excinfo:
        upsert(actor, agency, personal_id=PID_MALE_1999, full_name="Nguyễn Văn An")
    assert error_of(excinfo) == (
        "permission_denied",
        403,
        "Bạn không có quyền ghi thông tin công dân của cơ quan này.",
        {},
    )
    assert Person.objects.count() == 0
    assert entries() == []


def test_no_writing_into_another_agency(reception):
    other = factories.agency(code="H25.54.02")
    with pytest.raises(PermissionDenied):
        upsert(reception, other, personal_id=PID_MALE_1999, full_name="Nguyễn Văn An")
    assert Person.objects.count() == 0


def test_command_line_writes_without_actor(agency):
    p = upsert(None, agency, personal_id=PID_MALE_1999, full_name="Nguyễn Văn An")
    assert entries()[0][:2] == ("person.create", "")
    assert p.agency == agency
