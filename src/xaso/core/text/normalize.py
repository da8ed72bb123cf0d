"""Unicode forms and the folded search form (vn-rules.md §9.1).

Every input is stored in NFC (TCVN 6909:2001 text is NFC; macOS sends NFD, "Unicode tổ hợp" and
Windows-1258 send base letters plus combining tones). Search compares the folded form, which is
the same for "dang van duc", "ĐẶNG VĂN ĐỨC" and a decomposed "Đặng Văn Đức".
"""

from __future__ import annotations

import unicodedata


def nfc(value: str) -> str:
    """Unicode NFC, the one form stored (TCVN 6909:2001 text is NFC; macOS sends NFD)."""
    return unicodedata.normalize("NFC", value)


def squash_spaces(value: str) -> str:
    """NFC with runs of white space collapsed to one space and the ends trimmed."""
    return " ".join(nfc(value).split())


def fold(value: str) -> str:
    """Search form: lower case, no tone or vowel marks, đ→d, NFC/NFD-insensitive, spaces collapsed.

    đ/Đ are mapped by hand: U+0111 has no decomposition, so stripping marks would keep it.
    """
    decomposed = unicodedata.normalize("NFD", value.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.lower().split())
