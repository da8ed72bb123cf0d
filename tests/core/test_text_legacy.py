"""Legacy encodings: every test text is encoded with our own table, as a user would see it pasted
(Windows-1252 characters), then read back."""

import itertools
import unicodedata

import pytest

from xaso.core.text import LETTERS, TCVN3, VNI, convert_legacy, detect_legacy, is_syllable

TABLES = {"tcvn3": TCVN3, "vni": VNI}

SENTENCES = [
    "Cộng hòa xã hội chủ nghĩa Việt Nam",
    "Độc lập - Tự do - Hạnh phúc",
    "Nguyễn Thị Hằng, sinh ngày 12 tháng 5 năm 1990, quê quán Thạch Khoán, Thanh Sơn, Phú Thọ",
    "Ủy ban nhân dân",
    "Trưởng",
    "Đặng Văn Đức",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "ỦY BAN NHÂN DÂN XÃ THẠCH KHOÁN",
    "Uống nước nhớ nguồn; Ước mơ của người Ưu tú",
    "Quyết định số 15/QĐ-UBND ngày 03/02/2025 về việc giao chỉ tiêu",
]


def encode(text, table):
    return "".join(table.get(char, char) for char in text)


def all_letters():
    """The 134 non-ASCII letters: 12 vowels x 6 tones and đ, both cases, minus plain a e i o u y."""
    letters = set()
    for vowel in "aăâeêioôơuưy":
        for tone in ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"):
            letter = unicodedata.normalize("NFC", vowel + tone)
            if not letter.isascii():
                letters |= {letter, letter.upper()}
    return letters | {"đ", "Đ"}


def test_tables_cover_exactly_the_134_letters():
    assert len(all_letters()) == 134
    assert set(LETTERS) == all_letters()
    for table in TABLES.values():
        assert set(table) == all_letters()
        assert len(set(table.values())) == 134  # one code per letter: the table inverts
        assert all(1 <= len(code) <= 2 for code in table.values())
        assert all(ord(c) < 0x100 for code in table.values() for c in code)


def test_tcvn3_codes():
    assert {k: TCVN3[k] for k in "ăâđêôơư"} == {
        "ă": "\xa8", "â": "\xa9", "đ": "\xae", "ê": "\xaa", "ô": "\xab", "ơ": "\xac", "ư": "\xad",
    }  # fmt: skip
    assert {k: TCVN3[k] for k in "ĂÂĐÊÔƠƯ"} == {
        "Ă": "\xa1", "Â": "\xa2", "Đ": "\xa7", "Ê": "\xa3", "Ô": "\xa4", "Ơ": "\xa5", "Ư": "\xa6",
    }  # fmt: skip
    assert [TCVN3[c] for c in "àảãáạ"] == ["µ", "¶", "·", "¸", "¹"]
    assert [TCVN3[c] for c in "ừửữứự"] == ["õ", "ö", "÷", "ø", "ù"]
    assert [TCVN3[c] for c in "ỳỷỹýỵ"] == ["ú", "û", "ü", "ý", "þ"]
    assert (TCVN3["À"], TCVN3["Ấ"], TCVN3["Ự"], TCVN3["Ĩ"]) == ("Aµ", "¢Ê", "¦ù", "IÜ")


def test_vni_codes():
    assert [VNI[c] for c in "ạảấầẩẫậ"] == ["aï", "aû", "aá", "aà", "aå", "aã", "aä"]
    assert [VNI[c] for c in "đơưĐƠƯ"] == ["ñ", "ô", "ö", "Ñ", "Ô", "Ö"]
    assert [VNI[c] for c in "ìỉĩíị"] == ["ì", "æ", "ó", "í", "ò"]
    assert [VNI[c] for c in "ỳỷỹýỵ"] == ["yø", "yû", "yõ", "yù", "î"]
    assert [VNI[c] for c in "ỲỶỸÝỴ"] == ["YØ", "YÛ", "YÕ", "YÙ", "Î"]
    assert (VNI["ớ"], VNI["Ớ"], VNI["ệ"], VNI["Ặ"]) == ("ôù", "ÔÙ", "eä", "AË")


def test_known_pastes():
    assert encode(SENTENCES[0], TCVN3) == "Céng hßa x· héi chñ nghÜa ViÖt Nam"
    assert encode(SENTENCES[0], VNI) == "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam"
    assert encode("Trưởng", TCVN3) == "Tr\xadëng"
    assert encode("Đặng Văn Đức", TCVN3) == "§Æng V¨n §øc"
    assert encode("Đặng Văn Đức", VNI) == "Ñaëng Vaên Ñöùc"
    assert convert_legacy("B¶o Th¾ng", "tcvn3") == "Bảo Thắng"
    assert convert_legacy("Xin chaøo caùc baïn", "vni") == "Xin chào các bạn"


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
@pytest.mark.parametrize("letter", sorted(all_letters()))
def test_every_letter_round_trips(encoding, letter):
    table = TABLES[encoding]
    assert convert_legacy(table[letter], encoding) == letter
    for word in (f"b{letter}n", f"{letter}n", f"th{letter}", f"{letter} {letter}"):
        assert convert_legacy(encode(word, table), encoding) == word


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
@pytest.mark.parametrize("sentence", SENTENCES)
def test_sentences_round_trip_given_and_detected(encoding, sentence):
    pasted = encode(sentence, TABLES[encoding])
    assert pasted != sentence
    assert convert_legacy(pasted, encoding) == sentence
    assert detect_legacy(pasted) == encoding
    assert convert_legacy(pasted) == sentence
    assert convert_legacy(pasted, "auto") == sentence


def test_letter_pairs_round_trip_except_the_documented_tcvn3_capital_pairs():
    broken = {"tcvn3": set(), "vni": set()}
    for encoding, table in TABLES.items():
        for first, second in itertools.product(LETTERS, repeat=2):
            if convert_legacy(encode(first + second, table), encoding) != first + second:
                broken[encoding].add(first + second)
    # TCVN3 writes a toned capital as untoned capital + lower-case toned code, so an untoned
    # capital followed by a lower-case toned form of the same vowel reads as one capital.
    assert broken["tcvn3"] == {
        unicodedata.normalize("NFC", vowel.upper() + vowel + tone)
        for vowel in "ăâêôơư"
        for tone in ("\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
    }
    assert broken["vni"] == set()


def test_soft_hyphen_is_tcvn3_u_horn_and_is_kept():
    assert convert_legacy("ng\xadêi", "tcvn3") == "người"
    assert convert_legacy("Tr\xadëng th«n", "auto") == "Trưởng thôn"
    assert convert_legacy("n\xadíc", "auto") == "nước"


def test_windows_1252_and_latin_1_readings_of_0x80_0x9f_pass_through():
    for extra in ("\u0152", "\x8c", "\u2026", "\x85", "\u201c", "\x93"):
        text = f"Céng hßa x· héi {extra}"
        assert convert_legacy(text, "tcvn3") == f"Cộng hòa xã hội {extra}"
        assert convert_legacy(text) == f"Cộng hòa xã hội {extra}"
        assert convert_legacy(f"Coäng hoøa xaõ hoäi {extra}", "vni") == f"Cộng hòa xã hội {extra}"
    assert convert_legacy("\u201cCéng hßa x· héi\u201d \u2013 ViÖt Nam") == (
        "\u201cCộng hòa xã hội\u201d \u2013 Việt Nam"
    )


def test_vni_accepts_a_mark_of_the_other_case():
    assert convert_legacy("Aùnh", "vni") == "Ánh"
    assert convert_legacy("aÙnh", "vni") == "ánh"
    assert convert_legacy("ÔÙ ôÙ Ôù", "vni") == "Ớ ớ Ớ"


def test_unmapped_characters_are_kept():
    assert convert_legacy("Xin chào 123 !?", "tcvn3") == "Xin chào 123 !?"
    assert convert_legacy("lµ à", "tcvn3") == "là à"  # 0xE0 is unused in TCVN3
    assert convert_legacy("", "vni") == ""


@pytest.mark.parametrize(
    "text",
    [
        *SENTENCES,
        unicodedata.normalize("NFD", "Cộng hòa xã hội chủ nghĩa Việt Nam"),
        "Cà Mau",
        "Tôi là Hà",
        "Cá",
        "Hòa Bình",
        "Ông Tô Hoài",
        "Xin chao",
        "Café crème brûlée",
        "Œuvre",
        "",
        "12/05/1990",
    ],
)
def test_unicode_text_passes_through(text):
    assert detect_legacy(text) == "unicode"
    assert convert_legacy(text) == unicodedata.normalize("NFC", text)


def test_auto_output_is_nfc():
    decomposed = unicodedata.normalize("NFD", "Trưởng thôn")
    assert convert_legacy(decomposed) == "Trưởng thôn"


def test_ambiguous_short_text_stays_unicode():
    # VNI "Ôn" means "Ơn", but "Ôn" is a Vietnamese word too: on a tie the text is kept.
    assert detect_legacy("Ôn") == "unicode"
    assert convert_legacy("Ôn", "vni") == "Ơn"


def test_bad_source():
    with pytest.raises(ValueError) as caught:
        convert_legacy("abc", "viqr")
    assert str(caught.value) == "Bảng mã nguồn «viqr» không hỗ trợ: chọn auto, tcvn3 hoặc vni."


@pytest.mark.parametrize(
    "word",
    ["người", "nghĩa", "Việt", "Khoán", "hòa", "hoà", "Ủy", "uỷ", "quốc", "gì", "ngoài",
     "khuỷu", "Trưởng", "đặng", "yêu", "ăn", "a"],
)  # fmt: skip
def test_is_syllable_accepts(word):
    assert is_syllable(word)


@pytest.mark.parametrize(
    "word",
    ["caù", "héi", "vaên", "nghÜa", "ñaëng", "cafe", "hoàà", "xaõ", "nguoàn", "ab", "", "bcd"],
)
def test_is_syllable_rejects(word):
    assert not is_syllable(word)
