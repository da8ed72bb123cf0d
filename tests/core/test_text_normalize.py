import unicodedata

import pytest

from xaso.core.text import fold, nfc, squash_spaces

NAME = "Đặng Văn Đức"
NAME_NFD = unicodedata.normalize("NFD", NAME)


def test_nfd_input_becomes_nfc():
    assert NAME_NFD != NAME
    assert len(NAME_NFD) == 17 and len(NAME) == 12
    assert nfc(NAME_NFD) == NAME
    assert nfc("e\u0323\u0302") == "\u1ec7"  # ệ from base + dot below + circumflex


@pytest.mark.parametrize(
    "value",
    ["dang van duc", "ĐẶNG VĂN ĐỨC", NAME, NAME_NFD, "  Đặng   Văn\tĐức \n", "dang VAN Duc"],
)
def test_fold_is_the_same_for_every_spelling(value):
    assert fold(value) == "dang van duc"


def test_fold_removes_every_vowel_and_tone_mark():
    assert fold("ăâêôơư ĂÂÊÔƠƯ đĐ") == "aaeoou aaeoou dd"
    assert fold("Ủy ban nhân dân xã Thạch Khoán") == "uy ban nhan dan xa thach khoan"
    assert fold("Nguyễn Thị Hằng") == "nguyen thi hang"
    assert fold("") == ""


def test_squash_spaces():
    assert squash_spaces("  Lò \u00a0 Páo\n") == "Lò Páo"
    assert squash_spaces(NAME_NFD + "  ") == NAME
    assert squash_spaces("   ") == ""
