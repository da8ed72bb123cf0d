"""Personal names: họ, chữ đệm và tên (Law on Civil Status Art 14; Civil Code Art 26).

Forms keep the three parts in separate fields: splitting a full name on spaces is only a best
effort, used when importing old lists that hold one "Họ và tên" column. It takes the first word as
the family name and the last as the given name, so it is wrong for multi-word family names
("Tôn Nữ", "Âu Dương", "Nguyễn Phúc") and for given names of more than one word; a person checks
the result before it is saved (vn-rules.md §9.4).
"""

from __future__ import annotations

from dataclasses import dataclass

from xaso.core.errors import InvalidInput
from xaso.core.text.collation import Key, person_sort_key
from xaso.core.text.normalize import squash_spaces


class InvalidName(InvalidInput, ValueError):
    """A name that cannot be a legal họ, chữ đệm và tên."""

    code = "invalid_name"


@dataclass(frozen=True)
class PersonName:
    """A person's name as three parts, each NFC with single spaces; ``middle`` may be empty."""

    family: str
    middle: str
    given: str

    def __post_init__(self) -> None:
        for part in ("family", "middle", "given"):
            object.__setattr__(self, part, squash_spaces(getattr(self, part)))
        if not self.family:
            raise InvalidName("Họ không được để trống.", fields={"family": ["Bắt buộc."]})
        if not self.given:
            raise InvalidName("Tên không được để trống.", fields={"given": ["Bắt buộc."]})

    @property
    def full(self) -> str:
        """Họ + chữ đệm + tên, in that order, NFC (ID cards print it upper-case)."""
        return " ".join(part for part in (self.family, self.middle, self.given) if part)

    @property
    def sort_key(self) -> tuple[Key, Key, Key]:
        """Register order: given name, then middle name(s), then family name."""
        return person_sort_key(self.family, self.middle, self.given)

    def __str__(self) -> str:
        return self.full


def split_full_name(full: str) -> PersonName:
    """Best-effort split of "Họ và tên": first word = họ, last word = tên, the rest = chữ đệm.

    "Nguyễn Văn An" → (Nguyễn, Văn, An); "Lò Páo" → (Lò, "", Páo);
    "Tôn Nữ Thị Minh Khai" → (Tôn, "Nữ Thị Minh", Khai), which a person must correct.
    """
    words = squash_spaces(full).split(" ")
    if words == [""]:
        raise InvalidName("Họ và tên không được để trống.")
    if len(words) == 1:
        raise InvalidName(
            f"Họ và tên «{words[0]}» chỉ có một từ: cần ít nhất họ và tên; "
            "hãy nhập riêng từng phần họ, chữ đệm và tên."
        )
    return PersonName(family=words[0], middle=" ".join(words[1:-1]), given=words[-1])
