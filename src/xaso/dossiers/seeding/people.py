"""Synthetic applicants: Vietnamese names from a list, valid personal IDs (vn-rules.md §4)
that agree with the date of birth and sex, unique within the receiving agency."""

from __future__ import annotations

import random
import uuid
from datetime import date
from typing import Any

from xaso.core.text import fold

from .world import _Desk

# --- Names (synthetic; common Vietnamese family, middle and given names) -----------------------

FAMILY = (
    ["Nguyễn"] * 38
    + ["Trần"] * 11
    + ["Lê"] * 9
    + ["Phạm"] * 7
    + ["Hoàng"] * 5
    + ["Đinh"] * 4
    + ["Hà"] * 4
    + ["Vũ", "Vũ", "Bùi", "Bùi", "Đặng", "Đỗ", "Ngô", "Dương", "Phan", "Lý", "Xa", "Lò", "Cao"]
)
MIDDLE = {
    "male": ["Văn"] * 6 + ["Đức", "Minh", "Quốc", "Hữu", "Công", "Thanh", "Xuân", "Ngọc", "Đình"],
    "female": ["Thị"] * 8 + ["Ngọc", "Thu", "Thanh", "Minh", "Kim", "Hồng", "Phương", "Mai"],
}


def _words(text: str) -> list[str]:
    return text.split()


GIVEN = {
    "male": _words(
        "An Bình Cường Dũng Đức Giang Hải Hiếu Hùng Huy Khánh Khoa Lâm Long Lực Mạnh Minh Nam "
        "Nghĩa Phong Phúc Quang Quân Sơn Tài Thắng Thành Toàn Trung Tuấn Tùng Việt Vinh"
    ),
    "female": _words(
        "Anh Chi Dung Giang Hà Hạnh Hằng Hiền Hoa Hồng Hương Huyền Lan Liên Linh Loan Mai "
        "My Nga Ngọc Nhung Oanh Phương Quỳnh Thảo Thu Thủy Trang Trinh Vân Yến"
    ),
}
VILLAGES = _words("Đồng Phú Xuân Tân Hạ Thượng Trung Mới Cả Dẹ Mơ Bến Gò Đá")
PHONE_PREFIXES = ("091", "094", "096", "097", "098", "086", "088", "032", "033", "035", "039")
#: Where applicants were born (personal ID d1-d3): mostly Phú Thọ, some neighbours and Hà Nội.
BIRTH_PROVINCES = ["025"] * 16 + ["001", "019", "015", "026", "008", "017", "022"]


# --- People ------------------------------------------------------------------------------------


def _person(rng: random.Random, desk: _Desk, on: date, names: dict[str, str]) -> dict[str, Any]:
    """The row of a new ``people.Person`` of the receiving agency: a valid personal ID that
    agrees with the date of birth and sex, unique in the agency."""
    sex = "male" if rng.random() < 0.5 else "female"
    family = rng.choice(FAMILY)
    middle = rng.choice(MIDDLE[sex])
    given = rng.choice(GIVEN[sex])
    age = rng.choice((18, 20, 22, 24, 25, 26, 28, 30, 32, 35, 38, 40, 45, 50, 55, 60, 65, 70, 78))
    year = on.year - age - rng.randint(0, 4)
    month = rng.randint(1, 12)
    dob = date(year, month, rng.randint(1, 28))
    century = (year // 100 - 19) * 2 + (0 if sex == "male" else 1)
    head = f"{rng.choice(BIRTH_PROVINCES)}{century}{year % 100:02d}"
    while True:
        pid = f"{head}{rng.randrange(1_000_000):06d}"
        if pid not in desk.used_ids:
            desk.used_ids.add(pid)
            break
    full = f"{family} {middle} {given}"
    folded = names.get(full)
    if folded is None:
        folded = names[full] = fold(full)
    phone = f"{rng.choice(PHONE_PREFIXES)}{rng.randrange(10_000_000):07d}"
    village = rng.choice(VILLAGES)
    return {
        "public_id": uuid.uuid4(),
        "agency_id": desk.receiving.pk,
        "family_name": family,
        "middle_name": middle,
        "given_name": given,
        "name_folded": folded,
        "personal_id": pid,
        "date_of_birth": dob,
        "sex": sex,
        "phone": phone,
        "email": "",
        "address": f"Khu {village}, {desk.address}",
        "ethnicity": "Kinh" if rng.random() < 0.8 else "Mường",
        "nationality": "Việt Nam",
    }
