"""Vietnamese collation, hand-written after the CLDR "vi" tailoring (vn-rules.md §9.3).

Three levels, compared one after the other over the whole string, as in the Unicode Collation
Algorithm:

1. primary: the letter, with the vowel shape part of it: a < ă < â, d < đ, e < ê, o < ô < ơ,
   u < ư (so "Đào" sorts after every "D…", and "Ơn" after "Ôn");
2. secondary: the tone, none < huyền < hỏi < ngã < sắc < nặng ("Anh" < "Ảnh" < "Ánh" < "Ạnh");
3. tertiary: case, lower before upper.

Spaces sort before punctuation, punctuation before digits, digits before letters. Letters
outside the Vietnamese alphabet (f, j, w, z) take their Latin place. This is what PostgreSQL's
``vi-x-icu`` gives for Vietnamese text; we do not depend on ICU being present.
"""

from __future__ import annotations

import unicodedata

# Primary order of letters. Vowel shape marks (breve, circumflex, horn) make a new letter.
_ALPHABET = (
    "a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m", "n",
    "o", "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z",
)  # fmt: skip
_LETTER_RANK = {letter: rank for rank, letter in enumerate(_ALPHABET)}

_BREVE, _CIRCUMFLEX, _HORN = "\u0306", "\u0302", "\u031b"
_SHAPE_MARKS = {_BREVE, _CIRCUMFLEX, _HORN}

# Secondary order: no tone < huyền < hỏi < ngã < sắc < nặng.
_TONE_RANK = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_FOREIGN_MARK_BASE = 10

# Primary groups.
_SPACE, _PUNCT, _DIGIT, _LETTER, _OTHER = 0, 1, 2, 3, 4

Key = tuple[tuple[tuple[int, int], ...], tuple[int, ...], tuple[int, ...]]


def _clusters(text: str) -> list[tuple[str, list[str]]]:
    """NFD text cut into (base character, its combining marks)."""
    out: list[tuple[str, list[str]]] = []
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char) and out:
            out[-1][1].append(char)
        else:
            out.append((char, []))
    return out


def sort_key(text: str) -> Key:
    """Key for ``sorted(..., key=sort_key)`` in Vietnamese dictionary order (CLDR "vi").

    White space is collapsed and trimmed first; NFC and NFD input give the same key.
    """
    primary: list[tuple[int, int]] = []
    secondary: list[int] = []
    tertiary: list[int] = []
    for base, marks in _clusters(" ".join(text.split())):
        lower = base.lower()
        shape = "".join(m for m in marks if m in _SHAPE_MARKS)
        tones = [m for m in marks if m not in _SHAPE_MARKS]
        letter = unicodedata.normalize("NFC", lower + shape)
        if letter in _LETTER_RANK:
            primary.append((_LETTER, _LETTER_RANK[letter]))
        elif lower in _LETTER_RANK:
            # A shape mark Vietnamese does not use on this letter (e.g. "ŏ"): the letter keeps
            # its place and the mark counts like any foreign diacritic.
            primary.append((_LETTER, _LETTER_RANK[lower]))
            tones = marks
        else:
            primary.append(_other_primary(base))
            tones = marks
        secondary.append(_secondary(tones))
        tertiary.append(0 if base == lower else 1)
    return tuple(primary), tuple(secondary), tuple(tertiary)


def person_sort_key(family: str, middle: str, given: str) -> tuple[Key, Key, Key]:
    """Register order (vn-rules.md §9.4): given name (tên), then middle name(s), then family name.

    Each part is compared completely (all three levels) before the next, so every "Anh" comes
    before every "Ánh" whatever their family names: lists are read by given name.
    """
    return sort_key(given), sort_key(middle), sort_key(family)


def _other_primary(char: str) -> tuple[int, int]:
    if char.isspace():
        return (_SPACE, 0)
    if char.isdigit():
        return (_DIGIT, unicodedata.digit(char, ord(char)))
    if char.isalpha():
        return (_OTHER, ord(char.lower()))
    return (_PUNCT, ord(char))


def _secondary(marks: list[str]) -> int:
    """One number per letter: the tone rank, or for foreign marks a value after all tones."""
    if not marks:
        return 0
    if len(marks) == 1 and marks[0] in _TONE_RANK:
        return _TONE_RANK[marks[0]]
    value = _FOREIGN_MARK_BASE
    for mark in marks:
        value = value * 0x1000 + ord(mark)
    return value
