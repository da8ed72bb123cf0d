import datetime

import pytest

from xaso.core.errors import InvalidInput
from xaso.core.text import PROVINCE_CODES, InvalidPersonalId, PersonalId, validate_personal_id

TODAY = datetime.date(2025, 8, 1)


def check(number, **kwargs):
    return validate_personal_id(number, today=TODAY, **kwargs)


def refused(number, **kwargs):
    with pytest.raises(InvalidPersonalId) as caught:
        check(number, **kwargs)
    return caught.value.code, caught.value.message


def test_valid_number_is_read():
    assert check("025090012345") == PersonalId(
        number="025090012345",
        province_code="025",
        province_name="Phú Thọ",
        century_start=1900,
        sex="male",
        birth_year=1990,
    )


@pytest.mark.parametrize(
    ("number", "century", "sex", "year"),
    [
        ("001090000001", 1900, "male", 1990),
        ("001190000001", 1900, "female", 1990),
        ("001200000001", 2000, "male", 2000),
        ("001325000001", 2000, "female", 2025),
        ("001100000001", 1900, "female", 1900),
        ("001099000001", 1900, "male", 1999),
    ],
)
def test_century_and_sex_digit(number, century, sex, year):
    parsed = check(number)
    assert (parsed.century_start, parsed.sex, parsed.birth_year) == (century, sex, year)


def test_matching_date_of_birth_and_sex_are_accepted():
    parsed = check("079319123456", date_of_birth=datetime.date(2019, 12, 31), sex="female")
    assert (parsed.province_name, parsed.birth_year, parsed.sex) == (
        "TP Hồ Chí Minh",
        2019,
        "female",
    )


def test_surrounding_spaces_are_ignored():
    assert check("  031085000007\n").number == "031085000007"


def test_all_63_province_codes():
    assert len(PROVINCE_CODES) == 63
    assert PROVINCE_CODES["001"] == "Hà Nội"
    assert PROVINCE_CODES["048"] == "Đà Nẵng"
    assert PROVINCE_CODES["096"] == "Cà Mau"
    assert all(len(code) == 3 and code.startswith("0") for code in PROVINCE_CODES)
    for code, name in PROVINCE_CODES.items():
        assert check(f"{code}080000001").province_name == name


@pytest.mark.parametrize(
    ("number", "length"), [("", 0), ("02519001234", 11), ("0251900123456", 13), ("0", 1)]
)
def test_length(number, length):
    assert refused(number) == (
        "pid_length",
        f"Số định danh cá nhân phải có đúng 12 chữ số; số đã nhập có {length} ký tự.",
    )


@pytest.mark.parametrize(
    "number", ["02519001234A", "025-90012345", "０２５１９００１２３４５", "025 90012345"]
)
def test_digits(number):
    assert refused(number) == ("pid_digits", "Số định danh cá nhân chỉ gồm các chữ số từ 0 đến 9.")


@pytest.mark.parametrize("code", ["000", "003", "097", "099", "100", "704", "999"])
def test_unknown_province(code):
    assert refused(f"{code}190012345") == (
        "pid_province",
        f"Ba chữ số đầu «{code}» không phải mã của tỉnh, thành phố nào trong 63 mã nơi đăng ký "
        "khai sinh. Số định danh mang mã quốc gia (đăng ký khai sinh ở nước ngoài) chưa được hỗ "
        "trợ.",
    )


@pytest.mark.parametrize(("digit", "start"), [("4", 2100), ("5", 2100), ("6", 2200), ("9", 2300)])
def test_century_not_started(digit, start):
    assert refused(f"001{digit}00000001") == (
        "pid_century",
        f"Chữ số thứ tư «{digit}» chỉ người sinh trong các năm {start}–{start + 99}, chưa thể có.",
    )


def test_century_against_date_of_birth():
    assert refused("001090000001", date_of_birth=datetime.date(2090, 1, 1)) == (
        "pid_century",
        "Chữ số thứ tư «0» chỉ người sinh trong các năm 1900–1999, không khớp với năm sinh 2090.",
    )
    assert refused("001205000001", date_of_birth=datetime.date(1905, 1, 1)) == (
        "pid_century",
        "Chữ số thứ tư «2» chỉ người sinh trong các năm 2000–2099, không khớp với năm sinh 1905.",
    )


def test_year_against_date_of_birth():
    assert refused("025190012345", date_of_birth=datetime.date(1991, 5, 12)) == (
        "pid_year_mismatch",
        "Chữ số thứ năm và thứ sáu «90» không khớp với năm sinh 1991.",
    )


def test_year_in_the_future():
    assert refused("001226000001") == (
        "pid_year_future",
        "Số định danh chỉ năm sinh 2026, sau năm hiện tại 2025.",
    )
    assert check("001225000001").birth_year == 2025


def test_sex_against_declared_sex():
    assert refused("025190012345", sex="male") == (
        "pid_sex_mismatch",
        "Chữ số thứ tư «1» chỉ giới tính nữ, không khớp với giới tính đã khai là nam.",
    )
    assert refused("025210012345", sex="female") == (
        "pid_sex_mismatch",
        "Chữ số thứ tư «2» chỉ giới tính nam, không khớp với giới tính đã khai là nữ.",
    )


def test_checks_run_in_order_length_digits_province_century_year_sex():
    assert refused("12345")[0] == "pid_length"
    assert refused("abc456789012")[0] == "pid_digits"
    assert refused("003990000001", sex="female")[0] == "pid_province"
    assert refused("001490000001", date_of_birth=datetime.date(1990, 1, 1))[0] == "pid_century"
    assert refused("001091000001", date_of_birth=datetime.date(1990, 1, 1), sex="female")[0] == (
        "pid_year_mismatch"
    )


def test_bad_sex_argument_is_a_programming_error():
    with pytest.raises(ValueError, match="sex must be 'male' or 'female', not 'nam'") as caught:
        check("025090012345", sex="nam")
    assert not isinstance(caught.value, InvalidPersonalId)


def test_error_is_a_domain_error_with_the_rule_code():
    with pytest.raises(InvalidPersonalId) as caught:
        check("1")
    error = caught.value
    assert isinstance(error, InvalidInput) and isinstance(error, ValueError)
    assert error.status == 400
    assert error.code == "pid_length"
    assert InvalidPersonalId.code == "invalid_personal_id"
    assert error.fields == {"personal_id": [error.message]}


def test_default_today_is_the_current_date():
    year = datetime.date.today().year
    assert validate_personal_id(f"0012{year % 100:02d}000001").birth_year == year
