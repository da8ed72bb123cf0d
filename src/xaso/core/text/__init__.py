"""Vietnamese text, used at every boundary (vn-rules.md §9).

normalize: NFC and the folded search form · collation: Vietnamese sort order · names: họ, chữ
đệm và tên · legacy: TCVN3/VNI → Unicode · personal_id: số định danh cá nhân (§4).
Pure Python: no Django here, so anything may import it.
"""

from __future__ import annotations

from xaso.core.text.collation import person_sort_key, sort_key
from xaso.core.text.legacy import LETTERS, TCVN3, VNI, convert_legacy, detect_legacy, is_syllable
from xaso.core.text.names import InvalidName, PersonName, split_full_name
from xaso.core.text.normalize import fold, nfc, squash_spaces
from xaso.core.text.personal_id import (
    PROVINCE_CODES,
    InvalidPersonalId,
    PersonalId,
    validate_personal_id,
)

__all__ = [
    "LETTERS",
    "PROVINCE_CODES",
    "TCVN3",
    "VNI",
    "InvalidName",
    "InvalidPersonalId",
    "PersonName",
    "PersonalId",
    "convert_legacy",
    "detect_legacy",
    "fold",
    "is_syllable",
    "nfc",
    "person_sort_key",
    "sort_key",
    "split_full_name",
    "squash_spaces",
    "validate_personal_id",
]
