import unicodedata

import pytest

from xaso.core.errors import InvalidInput
from xaso.core.text import InvalidName, PersonName, split_full_name


@pytest.mark.parametrize(
    ("full", "family", "middle", "given"),
    [
        ("Nguyễn Văn An", "Nguyễn", "Văn", "An"),
        ("Nguyễn Thị Minh Khai", "Nguyễn", "Thị Minh", "Khai"),
        ("Tôn Nữ Thị Minh Khai", "Tôn", "Nữ Thị Minh", "Khai"),  # best effort: a person corrects it
        ("Lò Páo", "Lò", "", "Páo"),
        ("Sùng A Páo", "Sùng", "A", "Páo"),
        ("   Đặng \t Văn\n\nĐức  ", "Đặng", "Văn", "Đức"),
        (unicodedata.normalize("NFD", "Đặng Văn Đức"), "Đặng", "Văn", "Đức"),
    ],
)
def test_split_full_name(full, family, middle, given):
    name = split_full_name(full)
    assert (name.family, name.middle, name.given) == (family, middle, given)
    assert name == PersonName(family, middle, given)
    assert name.full == " ".join(p for p in (family, middle, given) if p)
    assert unicodedata.is_normalized("NFC", name.full)


@pytest.mark.parametrize("full", ["", "   ", "\t\n"])
def test_split_rejects_empty(full):
    with pytest.raises(InvalidName) as caught:
        split_full_name(full)
    assert caught.value.message == "Họ và tên không được để trống."
    assert caught.value.code == "invalid_name"
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, InvalidInput)


def test_split_rejects_one_word():
    with pytest.raises(InvalidName) as caught:
        split_full_name(" Páo ")
    assert str(caught.value) == (
        "Họ và tên «Páo» chỉ có một từ: cần ít nhất họ và tên; "
        "hãy nhập riêng từng phần họ, chữ đệm và tên."
    )


def test_person_name_normalises_its_parts():
    name = PersonName(
        unicodedata.normalize("NFD", " Nguyễn "), "Thị   Minh", unicodedata.normalize("NFD", "Hằng")
    )
    assert name.family == "Nguyễn"
    assert name.middle == "Thị Minh"
    assert name.given == "Hằng"
    assert name.full == "Nguyễn Thị Minh Hằng"
    assert str(name) == "Nguyễn Thị Minh Hằng"
    assert len(name.full) == 20


def test_person_name_without_middle():
    assert PersonName("Lò", "", "Páo").full == "Lò Páo"
    assert PersonName("Lò", "  ", "Páo").middle == ""


@pytest.mark.parametrize(
    ("family", "given", "message", "field"),
    [
        ("", "An", "Họ không được để trống.", "family"),
        ("  ", "An", "Họ không được để trống.", "family"),
        ("Nguyễn", "", "Tên không được để trống.", "given"),
    ],
)
def test_person_name_requires_family_and_given(family, given, message, field):
    with pytest.raises(InvalidName) as caught:
        PersonName(family, "Văn", given)
    assert caught.value.message == message
    assert caught.value.fields == {field: ["Bắt buộc."]}


def test_person_name_is_frozen():
    name = PersonName("Lò", "", "Páo")
    with pytest.raises(AttributeError):
        name.given = "Sính"  # type: ignore[misc]
