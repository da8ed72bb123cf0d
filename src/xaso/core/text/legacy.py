"""Legacy 8-bit Vietnamese encodings → Unicode NFC (vn-rules.md §9.2).

Old documents typed with TCVN3 (ABC, ``.VnTime`` fonts; TCVN 5712:1993 VN3) or VNI-Windows
(``VNI-Times`` fonts) store one byte per glyph; pasted into a Unicode program each byte shows as
its Windows-1252 character: "Céng hßa x· héi chñ nghÜa ViÖt Nam" (TCVN3) or
"Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam" (VNI). We convert such text at import time and
never store it (§9.2).

Tables (derived from the public tables the rules cite: duydev/vietnamese-conversion
``src/charsets.ts`` and lamdao/xvnkb ``vni.h``), one row per vowel, columns in tone order
none, huyền, hỏi, ngã, sắc, nặng:

* TCVN3 has codes only for lower-case toned letters and the seven untoned capitals Ă Â Ê Ô Ơ Ư
  Đ; capitals were typed with the companion ``.VnTimeH`` fonts, which reuse the lower-case codes.
  A plain-text paste loses the font name, so such runs come out lower case. Toned capitals are
  written, as duydev's converter does, as the untoned capital followed by the lower-case toned
  code ("Aµ" = À, "¢Ê" = Ấ); natural text never has a capital followed by a toned form of the
  same vowel, so the pair is unambiguous. ư is 0xAD, which Latin-1 calls a soft hyphen: many
  pipelines drop it silently; we keep it and read it as ư.
* VNI writes most letters as base letter + a mark character ("eä" = ệ, "ôù" = ớ); a few letters
  are single bytes: Ñ/ñ = Đ/đ, Ô/ô = Ơ/ơ, Ö/ö = Ư/ư, and i/y forms ì í æ(ỉ) ó(ĩ) ò(ị) î(ỵ).
  Decoding is greedy, two characters before one. A base of one case followed by a mark of the
  other case is accepted too (fonts render them alike).

Bytes 0x80–0x9F reach us either as their Windows-1252 characters (0x8C → "Œ") or, through a
Latin-1 reading, as C1 controls (U+008C); both are read as the same byte. Neither table uses that
range, so such characters pass through unchanged.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal

from xaso.core.text.normalize import nfc

Source = Literal["auto", "tcvn3", "vni"]
Detected = Literal["tcvn3", "vni", "unicode"]

# Tone order of the table columns: none, huyền, hỏi, ngã, sắc, nặng.
_TONES = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")

# fmt: off
_TCVN3_ROWS = {
    "a": ("a", "\xb5", "\xb6", "\xb7", "\xb8", "\xb9"),
    "ă": ("\xa8", "\xbb", "\xbc", "\xbd", "\xbe", "\xc6"),
    "â": ("\xa9", "\xc7", "\xc8", "\xc9", "\xca", "\xcb"),
    "e": ("e", "\xcc", "\xce", "\xcf", "\xd0", "\xd1"),
    "ê": ("\xaa", "\xd2", "\xd3", "\xd4", "\xd5", "\xd6"),
    "i": ("i", "\xd7", "\xd8", "\xdc", "\xdd", "\xde"),
    "o": ("o", "\xdf", "\xe1", "\xe2", "\xe3", "\xe4"),
    "ô": ("\xab", "\xe5", "\xe6", "\xe7", "\xe8", "\xe9"),
    "ơ": ("\xac", "\xea", "\xeb", "\xec", "\xed", "\xee"),
    "u": ("u", "\xef", "\xf1", "\xf2", "\xf3", "\xf4"),
    "ư": ("\xad", "\xf5", "\xf6", "\xf7", "\xf8", "\xf9"),
    "y": ("y", "\xfa", "\xfb", "\xfc", "\xfd", "\xfe"),
}
_TCVN3_CAPITALS = {"Ă": "\xa1", "Â": "\xa2", "Ê": "\xa3", "Ô": "\xa4", "Ơ": "\xa5", "Ư": "\xa6"}
_TCVN3_D = {"đ": "\xae", "Đ": "\xa7"}

_VNI_ROWS = {
    "a": ("a", "aø", "aû", "aõ", "aù", "aï"),
    "ă": ("aê", "aè", "aú", "aü", "aé", "aë"),
    "â": ("aâ", "aà", "aå", "aã", "aá", "aä"),
    "e": ("e", "eø", "eû", "eõ", "eù", "eï"),
    "ê": ("eâ", "eà", "eå", "eã", "eá", "eä"),
    "i": ("i", "ì", "æ", "ó", "í", "ò"),
    "o": ("o", "oø", "oû", "oõ", "où", "oï"),
    "ô": ("oâ", "oà", "oå", "oã", "oá", "oä"),
    "ơ": ("ô", "ôø", "ôû", "ôõ", "ôù", "ôï"),
    "u": ("u", "uø", "uû", "uõ", "uù", "uï"),
    "ư": ("ö", "öø", "öû", "öõ", "öù", "öï"),
    "y": ("y", "yø", "yû", "yõ", "yù", "î"),
}
_VNI_D = {"đ": "ñ", "Đ": "Ñ"}
# fmt: on


def _letter(vowel: str, tone: int) -> str:
    return unicodedata.normalize("NFC", vowel + _TONES[tone])


def _build_tcvn3() -> dict[str, str]:
    table = dict(_TCVN3_D)
    for vowel, row in _TCVN3_ROWS.items():
        capital = _TCVN3_CAPITALS.get(vowel.upper(), vowel.upper())
        for tone, code in enumerate(row):
            lower = _letter(vowel, tone)
            if not lower.isascii():  # plain a e i o u y need no mapping
                table[lower] = code
                table[lower.upper()] = capital if tone == 0 else capital + code
    return table


def _build_vni() -> dict[str, str]:
    table = dict(_VNI_D)
    for vowel, row in _VNI_ROWS.items():
        for tone, code in enumerate(row):
            lower = _letter(vowel, tone)
            if not lower.isascii():
                table[lower] = code
                table[lower.upper()] = code.upper()
    return table


#: Unicode letter → legacy characters (as Windows-1252 shows them), for all 134 Vietnamese
#: letters outside ASCII (67 lower case, 67 upper case).
TCVN3: Mapping[str, str] = MappingProxyType(_build_tcvn3())
VNI: Mapping[str, str] = MappingProxyType(_build_vni())
LETTERS: tuple[str, ...] = tuple(TCVN3)

# Windows-1252 character → the byte it shows (0x81 0x8D 0x8F 0x90 0x9D are undefined there and
# only ever arrive as C1 controls).
_CP1252_BYTES = {
    bytes([b]).decode("cp1252"): chr(b)
    for b in range(0x80, 0xA0)
    if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}


def _byte_of(char: str) -> str | None:
    """The legacy byte a pasted character stands for (as a Latin-1 character), or None."""
    if char in _CP1252_BYTES:
        return _CP1252_BYTES[char]
    return char if ord(char) < 0x100 else None


def _decoder(table: Mapping[str, str], *, mixed_case_marks: bool) -> dict[str, str]:
    decode = {code: letter for letter, code in table.items()}
    if mixed_case_marks:
        for letter, code in table.items():
            if len(code) == 2:
                decode.setdefault(code[0] + code[1].swapcase(), letter)
    return decode


_DECODERS: dict[str, dict[str, str]] = {
    "tcvn3": _decoder(TCVN3, mixed_case_marks=False),
    "vni": _decoder(VNI, mixed_case_marks=True),
}


def _decode(text: str, encoding: str) -> tuple[str, int]:
    """Greedy decode; returns the NFC text and how many non-ASCII characters had no mapping."""
    decode = _DECODERS[encoding]
    as_bytes = [_byte_of(c) for c in text]
    out: list[str] = []
    unmapped = 0
    i = 0
    while i < len(text):
        for width in (2, 1):
            chunk = as_bytes[i : i + width]
            if len(chunk) == width and None not in chunk:
                key = "".join(c for c in chunk if c is not None)
                if key in decode:
                    out.append(decode[key])
                    i += width
                    break
        else:
            unmapped += ord(text[i]) >= 0x80
            out.append(text[i])
            i += 1
    return nfc("".join(out)), unmapped


def convert_legacy(text: str, source: Source | str = "auto") -> str:
    """TCVN3 or VNI text (as pasted, Windows-1252 characters) → Unicode NFC.

    ``source="auto"`` detects the encoding with :func:`detect_legacy`; text that already is
    Unicode comes back as it is (NFC).
    """
    if source not in ("auto", "tcvn3", "vni"):
        raise ValueError(f"Bảng mã nguồn «{source}» không hỗ trợ: chọn auto, tcvn3 hoặc vni.")
    encoding = detect_legacy(text) if source == "auto" else source
    if encoding == "unicode":
        return nfc(text)
    return _decode(text, encoding)[0]


# --- detection --------------------------------------------------------------------------------
#
# Legacy text is made of Latin-1 characters only, and so is some Unicode Vietnamese ("Cà Mau").
# We decode every word each way and count the words that come out as well-formed Vietnamese
# syllables; a legacy reading must beat the text as it stands, so Unicode is kept on a tie.

_VIETNAMESE_ONLY = (
    set("ăĂđĐĩĨũŨơƠưƯ") | {chr(c) for c in range(0x1EA0, 0x1EFA)} | set("\u0300\u0301\u0302")
    | set("\u0303\u0306\u0309\u031b\u0323")
)  # fmt: skip

_INITIALS = (
    "ngh", "ng", "gh", "gi", "kh", "nh", "ph", "th", "tr", "ch", "qu",
    "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "",
)  # fmt: skip
_FINALS = ("ch", "ng", "nh", "c", "m", "n", "p", "t", "")
_NUCLEI = frozenset((
    "a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y",
    "ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iê", "iu", "oa", "oă", "oe", "oi", "oo",
    "ôi", "ơi", "ua", "uâ", "uê", "ui", "uô", "uơ", "uy", "ưa", "ưi", "ưu", "ươ", "yê",
    "iêu", "yêu", "oai", "oao", "oay", "oeo", "uây", "uôi", "uya", "uyê", "uyu", "ươi", "ươu",
))  # fmt: skip
_SHAPED = frozenset("ăâêôơư")
_LETTERS_VI = frozenset("aăâbcdđeêghiklmnoôơpqrstuưvxy")
_SHAPE_MARKS = frozenset("\u0306\u0302\u031b")


def _tone_slots(nucleus: str, closed: bool) -> set[int]:
    """Where the tone mark may sit in a nucleus (old and new styles for oa, oe, uy)."""
    shaped = [i for i, c in enumerate(nucleus) if c in _SHAPED]
    if shaped:
        return {shaped[-1]}
    if closed or len(nucleus) == 1:
        return {len(nucleus) - 1}
    if len(nucleus) == 3:
        return {1}
    if nucleus in ("oa", "oe", "uy"):
        return {0, 1}
    return {0}


def is_syllable(word: str) -> bool:
    """Whether ``word`` is spelt like one Vietnamese syllable (initial, nucleus, final, ≤1 tone)."""
    letters: list[str] = []
    tone_at: list[int] = []
    for char in unicodedata.normalize("NFD", word.lower()):
        if unicodedata.combining(char):
            if not letters:
                return False
            if char in _SHAPE_MARKS:
                letters[-1] = unicodedata.normalize("NFC", letters[-1] + char)
            elif char in _TONES:
                tone_at.append(len(letters) - 1)
            else:
                return False
        else:
            letters.append(char)
    if len(tone_at) > 1 or not all(c in _LETTERS_VI for c in letters):
        return False
    spelled = "".join(letters)
    for initial in _INITIALS:
        if not spelled.startswith(initial):
            continue
        rest = spelled[len(initial) :]
        for final in _FINALS:
            if not rest.endswith(final) or len(rest) == len(final):
                continue
            nucleus = rest[: len(rest) - len(final)]
            if nucleus not in _NUCLEI:
                continue
            slots = {len(initial) + i for i in _tone_slots(nucleus, closed=bool(final))}
            if not tone_at or tone_at[0] in slots:
                return True
    return False


def _words(text: str) -> list[str]:
    """Runs of letters or legacy glyph bytes (0xA1–0xFF) that contain a non-ASCII character."""
    words: list[str] = []
    current: list[str] = []
    for char in [*text, " "]:
        byte = _byte_of(char)
        if (
            (char.isascii() and char.isalpha())
            or (byte is not None and ord(byte) >= 0xA1)
            or (byte is None and (char.isalpha() or unicodedata.combining(char)))
        ):
            current.append(char)
            continue
        if current and not all(c.isascii() for c in current):
            words.append("".join(current))
        current = []
    return words


def detect_legacy(text: str) -> Detected:
    """Which encoding ``text`` is in: tcvn3, vni, or unicode (also plain ASCII and undecidable).

    Decides on the words alone; the font names of the original document are not in the text.
    """
    if any(c in _VIETNAMESE_ONLY for c in text):
        return "unicode"
    words = _words(text)
    as_is = sum(is_syllable(w) for w in words)
    best: tuple[int, int, Detected] = (0, 0, "unicode")
    encodings: tuple[Detected, ...] = ("tcvn3", "vni")
    for encoding in encodings:
        valid = unmapped_total = 0
        for word in words:
            decoded, unmapped = _decode(word, encoding)
            unmapped_total += unmapped
            valid += unmapped == 0 and is_syllable(decoded)
        candidate = (valid, -unmapped_total, encoding)
        if candidate[:2] > best[:2]:
            best = candidate
    return best[2] if best[0] > as_is else "unicode"
