"""Synthetic people for the civil status seeder: Vietnamese names drawn from weighted lists, and
personal ID numbers that agree with the date of birth and sex (vn-rules.md §4, §9.4).

The lists carry every tone (ngang An, huyền Hằng, hỏi Thảo, ngã Dũng, sắc Tuấn, nặng Hạnh),
Đ/đ (Đặng, Đỗ, Đinh, Đức, Đào), and ethnic minority names of Phú Thọ and the north-west, most of
them without a middle name (Lò Páo, Triệu Mẩy, Đinh Thềm), as the demo does. Everything here is
made up: the combinations are common Vietnamese names, not people.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from xaso.core.text import fold


def _weighted(pairs: str) -> tuple[list[str], list[int]]:
    """``"Nguyễn:31 Trần:11"`` → (["Nguyễn", "Trần"], cumulative weights)."""
    names: list[str] = []
    cumulative: list[int] = []
    total = 0
    for item in pairs.split():
        name, weight = item.rsplit(":", 1)
        total += int(weight)
        names.append(name)
        cumulative.append(total)
    return names, cumulative


# Family names weighted roughly as in the population (Nguyễn about a third).
FAMILY = _weighted(
    "Nguyễn:310 Trần:110 Lê:95 Phạm:70 Hoàng:50 Phan:45 Vũ:40 Võ:10 Đặng:21 Bùi:20 Đỗ:14 Hồ:13 "
    "Ngô:13 Dương:10 Lý:5 Đinh:12 Hà:12 Cao:6 Lương:5 Trịnh:5 Đào:5 Mai:4 Tạ:3 Phùng:4 Kiều:3 "
    "Khuất:2 Lưu:3 Triệu:3 Chu:3 Nghiêm:2 Quách:2 Tăng:2 Thái:2 Văn:2 Lã:2 Xa:2 Hứa:1 Âu:1"
)
MIDDLE = {
    "male": _weighted(
        "Văn:40 Đức:8 Minh:8 Quốc:6 Hữu:6 Công:5 Thanh:5 Xuân:4 Ngọc:4 Đình:5 Bảo:3 Quang:4 "
        "Tiến:3 Mạnh:2 Trọng:3 Duy:3 Anh:3 Hoàng:2 Tuấn:2 Khánh:1"
    ),
    "female": _weighted(
        "Thị:45 Ngọc:7 Thu:6 Thanh:5 Minh:4 Kim:4 Mỹ:3 Diệu:2 Hồng:4 Phương:4 Thùy:3 Bích:3 "
        "Hải:2 Khánh:2 Lan:2 Mai:2 Quỳnh:2 Bảo:2 Tuyết:1 Cẩm:1"
    ),
}
# Every tone among the given names: ngang, huyền, hỏi, ngã, sắc, nặng.
GIVEN = {
    "male": _weighted(
        "An:3 Anh:6 Bảo:3 Bình:4 Cường:4 Chiến:3 Công:2 Dũng:5 Duy:3 Đạt:4 Đức:5 Giang:2 Hải:5 "
        "Hiếu:4 Hòa:3 Hoàng:4 Hùng:5 Huy:5 Hưng:4 Khải:2 Khánh:3 Khoa:3 Kiên:3 Lâm:2 Linh:2 "
        "Long:5 Lộc:2 Lợi:2 Lực:2 Mạnh:3 Minh:6 Nam:5 Nghĩa:3 Nhân:2 Phong:3 Phúc:3 Phương:2 "
        "Quang:4 Quân:4 Sơn:5 Tài:3 Tâm:3 Thắng:4 Thành:5 Thịnh:3 Thủy:1 Toàn:3 Trí:2 Trung:4 "
        "Trường:3 Tuấn:6 Tùng:3 Vinh:3 Việt:3 Vũ:3 Vĩnh:1 Hạnh:1 Khôi:2 Sỹ:1 Tú:2"
    ),
    "female": _weighted(
        "An:3 Anh:6 Ánh:3 Bích:2 Chi:4 Dung:4 Duyên:3 Đào:2 Giang:4 Hà:5 Hải:2 Hạnh:4 Hằng:5 "
        "Hiền:5 Hoa:5 Hồng:4 Huệ:2 Hương:6 Huyền:5 Lan:5 Liên:3 Linh:6 Loan:3 Ly:3 Mai:5 My:3 "
        "Mỹ:2 Nga:4 Ngân:3 Ngọc:5 Nguyệt:3 Nhung:4 Oanh:3 Phượng:3 Phương:5 Quyên:2 Quỳnh:4 "
        "Tâm:2 Thảo:6 Thu:4 Thủy:5 Thục:1 Trang:6 Trinh:3 Tuyết:3 Uyên:2 Vân:4 Vy:3 Xuân:2 "
        "Yến:4 Diễm:2 Lụa:1 Thoa:2 Thơm:1"
    ),
}
#: Ethnic minorities of Phú Thọ and the north-west: (family name, given names by sex, ethnicity);
#: most minority names are written without a middle name.
MINORITY: list[tuple[str, dict[str, list[str]], str]] = [
    ("Lò", {"male": ["Páo", "Khăm", "Ún"], "female": ["Ún", "Phai", "Xuân"]}, "Thái"),
    ("Quàng", {"male": ["Pọm", "Xuân"], "female": ["Ún", "Piêng"]}, "Thái"),
    ("Lường", {"male": ["Khiêm", "Biên"], "female": ["Phai", "Mai"]}, "Thái"),
    ("Cầm", {"male": ["Vui", "Pâng"], "female": ["Hương", "Ơn"]}, "Thái"),
    ("Triệu", {"male": ["Chòi", "Phủ"], "female": ["Mẩy", "Mùi"]}, "Dao"),
    ("Bàn", {"male": ["Chòi", "Kiềm"], "female": ["Mẩy", "Nái"]}, "Dao"),
    ("Đinh", {"male": ["Thềm", "Công"], "female": ["Nhàn", "Mến"]}, "Mường"),
    ("Bùi", {"male": ["Lả", "Thềm"], "female": ["Lả", "Đẹp"]}, "Mường"),
    ("Hà", {"male": ["Khuyến", "Nỏ"], "female": ["Nhất", "Lựu"]}, "Mường"),
    ("Giàng", {"male": ["Páo", "Chư"], "female": ["Mỷ", "Dợ"]}, "Mông"),
    ("Sùng", {"male": ["Páo", "Súa"], "female": ["Mỷ", "Xá"]}, "Mông"),
]
MINORITY_SHARE = 0.12
#: Where people were born (personal ID d1-d3): mostly Phú Thọ, some neighbours and Hà Nội.
BIRTH_PROVINCES = ["025"] * 16 + ["001", "019", "015", "026", "008", "017", "022", "010"]
HAMLETS = [
    *("Đồng", "Xuân", "Tân", "Hạ", "Thượng", "Trung", "Mới", "Cả", "Dẹ", "Mơ"),
    *("Bến", "Gò", "Đá", "Lầm", "Mường", "Bãi", "Chiềng", "Đình", "Quyết", "Tiến"),
]


def pick(rng: random.Random, weighted: tuple[list[str], list[int]]) -> str:
    names, cumulative = weighted
    return rng.choices(names, cum_weights=cumulative)[0]


@dataclass
class Someone:
    """One made-up person: name in its parts, sex, date of birth, ethnicity, ID (may be empty)."""

    family: str
    middle: str
    given: str
    sex: str
    born: date
    ethnicity: str
    residence: str
    id_number: str = ""

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.family, self.middle, self.given) if p)


class People:
    """Draws people for one agency; the personal IDs it gives are unique in that agency (those
    already used there are passed in ``used_ids``)."""

    def __init__(self, rng: random.Random, used_ids: set[str], address: str) -> None:
        self.rng = rng
        self.used_ids = used_ids
        self.address = address
        self._folded: dict[str, str] = {}

    def folded(self, full_name: str) -> str:
        value = self._folded.get(full_name)
        if value is None:
            value = self._folded[full_name] = fold(full_name)
        return value

    def personal_id(self, born: date, sex: str) -> str:
        """A 12-digit số định danh cá nhân: birth province, century and sex, year, 6 digits."""
        century = (born.year // 100 - 19) * 2 + (0 if sex == "male" else 1)
        head = f"{self.rng.choice(BIRTH_PROVINCES)}{century}{born.year % 100:02d}"
        while True:
            number = f"{head}{self.rng.randrange(1, 1_000_000):06d}"
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def name(
        self, sex: str, *, family: str | None = None, ethnicity: str | None = None
    ) -> tuple[str, str, str, str]:
        """(family, middle, given, ethnicity). A minority family passes its ``ethnicity``."""
        rng = self.rng
        minority = ethnicity not in (None, "Kinh") or (
            family is None and ethnicity is None and rng.random() < MINORITY_SHARE
        )
        if minority:
            rows = [m for m in MINORITY if m[0] == family] if family else []
            if not rows:
                rows = [m for m in MINORITY if m[2] == ethnicity] or MINORITY
            fam, given, ethnic = rng.choice(rows)
            middle = "" if rng.random() < 0.7 else ("Văn" if sex == "male" else "Thị")
            return family or fam, middle, rng.choice(given[sex]), ethnic
        return (
            family or pick(rng, FAMILY),
            pick(rng, MIDDLE[sex]),
            pick(rng, GIVEN[sex]),
            "Kinh",
        )

    def person(
        self,
        sex: str,
        born: date,
        *,
        with_id: bool,
        family: str | None = None,
        ethnicity: str | None = None,
    ) -> Someone:
        fam, middle, given, ethnic = self.name(sex, family=family, ethnicity=ethnicity)
        return Someone(
            family=fam,
            middle=middle,
            given=given,
            sex=sex,
            born=born,
            ethnicity=ethnic,
            residence=f"Khu {self.rng.choice(HAMLETS)}, {self.address}",
            id_number=self.personal_id(born, sex) if with_id else "",
        )

    def born_between(self, first: date, last: date) -> date:
        return date.fromordinal(self.rng.randint(first.toordinal(), last.toordinal()))
