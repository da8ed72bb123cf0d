import unicodedata

from xaso.core.text import PersonName, person_sort_key, sort_key


def ordered(words):
    return sorted(words, key=sort_key)


def test_d_stroke_after_every_d():
    assert ordered(["Đào", "Dương", "Dung", "đá", "da", "Đinh", "Dzũng"]) == [
        "da", "Dung", "Dương", "Dzũng", "đá", "Đào", "Đinh",
    ]  # fmt: skip


def test_vowel_shapes_are_primary_differences():
    assert ordered(["Ơn", "Ôn", "On", "ơi", "ôi", "oi"]) == ["oi", "On", "ôi", "Ôn", "ơi", "Ơn"]
    assert ordered(["ân", "ăn", "an", "ẩn", "ắn"]) == ["an", "ăn", "ắn", "ân", "ẩn"]
    assert ordered(["ưa", "ua", "ừa", "ụa"]) == ["ua", "ụa", "ưa", "ừa"]
    assert ordered(["ê", "e", "f", "ế"]) == ["e", "ê", "ế", "f"]


def test_tone_order_none_huyen_hoi_nga_sac_nang():
    assert ordered(["Ạnh", "Ánh", "Ãnh", "Ảnh", "Ành", "Anh"]) == [
        "Anh", "Ành", "Ảnh", "Ãnh", "Ánh", "Ạnh",
    ]  # fmt: skip
    assert ordered(["ma", "mạ", "má", "mã", "mả", "mà"]) == ["ma", "mà", "mả", "mã", "má", "mạ"]


def test_tone_only_breaks_ties_after_all_letters():
    # primary difference later in the word beats a tone difference earlier
    assert ordered(["Ánh", "Anhx"]) == ["Ánh", "Anhx"]
    assert ordered(["Hạ Long", "Hà Nội", "Ha Long", "Hà Giang", "Hải Phòng"]) == [
        "Hà Giang", "Ha Long", "Hạ Long", "Hà Nội", "Hải Phòng",
    ]  # fmt: skip


def test_case_is_tertiary_lower_first():
    assert ordered(["ANH", "Anh", "anh", "Ánh", "ánh"]) == ["anh", "Anh", "ANH", "ánh", "Ánh"]
    assert ordered(["Đà", "đà", "Da"]) == ["Da", "đà", "Đà"]


def test_nfd_and_spacing_do_not_change_the_key():
    word = "Trưởng  ban"
    assert sort_key(unicodedata.normalize("NFD", word)) == sort_key("Trưởng ban")
    assert sort_key(" Trưởng ban ") == sort_key("Trưởng ban")


def test_key_shape():
    assert sort_key("Đá") == (((3, 6), (3, 0)), (0, 4), (1, 0))
    assert sort_key("") == ((), (), ())


def test_space_punctuation_digits_letters():
    assert ordered(["a", "1", "-", "a b", "ab", "10", "2"]) == [
        "-",
        "1",
        "10",
        "2",
        "a",
        "a b",
        "ab",
    ]


def test_prefix_sorts_first():
    assert ordered(["Nguyễn", "Nguyên", "Nguy", "Ngu"]) == ["Ngu", "Nguy", "Nguyên", "Nguyễn"]


def test_foreign_letters_keep_their_latin_place():
    assert ordered(["Zô", "Wăng", "Jơ", "Yên", "Xuân"]) == ["Jơ", "Wăng", "Xuân", "Yên", "Zô"]
    assert ordered(["ŏ", "ô", "o", "ö"]) == ["o", "ŏ", "ö", "ô"]


def test_register_order_given_then_middle_then_family():
    people = [
        PersonName("Trần", "Văn", "Bình"),
        PersonName("Nguyễn", "Thị", "Ánh"),
        PersonName("Lê", "Thị", "Anh"),
        PersonName("Đỗ", "", "Anh"),
        PersonName("Ân", "Thị", "Anh"),
        PersonName("Bùi", "Văn", "Anh"),
        PersonName("Dương", "Văn", "Đào"),
        PersonName("Phan", "Minh", "Dương"),
        PersonName("Lò", "", "Páo"),
    ]
    assert [p.full for p in sorted(people, key=lambda p: p.sort_key)] == [
        "Đỗ Anh",  # no middle name sorts first among the Anh
        "Ân Thị Anh",
        "Lê Thị Anh",
        "Bùi Văn Anh",
        "Nguyễn Thị Ánh",  # every Anh before any Ánh, whatever the family name
        "Trần Văn Bình",
        "Phan Minh Dương",
        "Dương Văn Đào",
        "Lò Páo",
    ]


def test_person_sort_key_is_per_part():
    assert person_sort_key("Lê", "Thị", "Anh") == (
        sort_key("Anh"), sort_key("Thị"), sort_key("Lê"),
    )  # fmt: skip
    assert person_sort_key("Ân", "Thị", "Anh") < person_sort_key("An", "Văn", "Ánh")
