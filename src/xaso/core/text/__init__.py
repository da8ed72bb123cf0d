"""Vietnamese text, used at every boundary (vn-rules.md §9)."""

from __future__ import annotations

import unicodedata


def nfc(value: str) -> str:
    """Unicode NFC, the one form stored (TCVN 6909:2001 text is NFC; macOS sends NFD)."""
    return unicodedata.normalize("NFC", value)


def fold(value: str) -> str:
    """Search form: lower case, no tone or vowel marks, đ→d, NFC/NFD-insensitive, spaces collapsed."""
    decomposed = unicodedata.normalize("NFD", value.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.lower().split())
