"""Personal identification number, số định danh cá nhân (vn-rules.md §4).

Twelve digits (Decree 137/2015/NĐ-CP Art 13; layout in Circular 07/2016/TT-BCA Art 7, restated
in Circular 59/2021/TT-BCA Art 4; Law on Identification 2023 Art 12):

* d1–d3: code of the province where the birth was registered, "0" + the GSO code of the 63
  provinces as they were before the 2025 mergers (numbers already issued never change);
* d4: century of birth and sex: 1900s male 0 / female 1, 2000s 2/3, 2100s 4/5, 2200s 6/7,
  2300s 8/9;
* d5–d6: last two digits of the year of birth;
* d7–d12: random.

There is no check digit, so validation is: length, digits, a known province code, and d4–d6
consistent with the date of birth and sex when they are known. Numbers of citizens whose birth
was registered abroad carry a country code in d1–d3; they are not supported yet.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Literal

from xaso.core.errors import InvalidInput

Sex = Literal["male", "female"]

#: d1–d3 → province name, the 63 provinces before 1/7/2025.
PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn",
    "008": "Tuyên Quang", "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu",
    "014": "Sơn La", "015": "Yên Bái", "017": "Hòa Bình", "019": "Thái Nguyên",
    "020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Giang", "025": "Phú Thọ",
    "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương", "031": "Hải Phòng",
    "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định",
    "037": "Ninh Bình", "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh",
    "044": "Quảng Bình", "045": "Quảng Trị", "046": "Huế", "048": "Đà Nẵng",
    "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định", "054": "Phú Yên",
    "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum",
    "064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng",
    "070": "Bình Phước", "072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu", "079": "TP Hồ Chí Minh", "080": "Long An", "082": "Tiền Giang",
    "083": "Bến Tre", "084": "Trà Vinh", "086": "Vĩnh Long", "087": "Đồng Tháp",
    "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ", "093": "Hậu Giang",
    "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}  # fmt: skip

_SEX_LABEL = {"male": "nam", "female": "nữ"}


class InvalidPersonalId(InvalidInput, ValueError):
    """A number that cannot be a số định danh cá nhân; ``code`` says which rule it breaks:
    pid_length, pid_digits, pid_province, pid_century, pid_year_future, pid_year_mismatch,
    pid_sex_mismatch."""

    code = "invalid_personal_id"

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, fields={"personal_id": [message]})
        self.code = code  # type: ignore[misc]  # one class, one code per broken rule


@dataclass(frozen=True)
class PersonalId:
    number: str
    province_code: str
    province_name: str
    century_start: int  # 1900 for those born 1900–1999
    sex: Sex
    birth_year: int


def validate_personal_id(
    number: str,
    *,
    date_of_birth: datetime.date | None = None,
    sex: Sex | None = None,
    today: datetime.date | None = None,
) -> PersonalId:
    """Check a 12-digit personal ID and read what its first six digits say.

    Surrounding white space is ignored. ``today`` (default: the current date) bounds the year of
    birth. Raises :class:`InvalidPersonalId` with a stable code and a Vietnamese message.
    """
    if sex is not None and sex not in _SEX_LABEL:
        raise ValueError(f"sex must be 'male' or 'female', not {sex!r}")
    value = number.strip()
    if len(value) != 12:
        raise InvalidPersonalId(
            "pid_length",
            f"Số định danh cá nhân phải có đúng 12 chữ số; số đã nhập có {len(value)} ký tự.",
        )
    if not all(c in "0123456789" for c in value):
        raise InvalidPersonalId("pid_digits", "Số định danh cá nhân chỉ gồm các chữ số từ 0 đến 9.")
    province_code = value[:3]
    if province_code not in PROVINCE_CODES:
        raise InvalidPersonalId(
            "pid_province",
            f"Ba chữ số đầu «{province_code}» không phải mã của tỉnh, thành phố nào trong 63 mã "
            "nơi đăng ký khai sinh. Số định danh mang mã quốc gia (đăng ký khai sinh ở nước "
            "ngoài) chưa được hỗ trợ.",
        )
    d4 = int(value[3])
    century_start = 1900 + 100 * (d4 // 2)
    pid_sex: Sex = "male" if d4 % 2 == 0 else "female"
    birth_year = century_start + int(value[4:6])
    current_year = (today or datetime.date.today()).year
    if century_start > current_year:
        raise InvalidPersonalId(
            "pid_century",
            f"Chữ số thứ tư «{d4}» chỉ người sinh trong các năm {century_start}–"
            f"{century_start + 99}, chưa thể có.",
        )
    if date_of_birth is not None and date_of_birth.year // 100 * 100 != century_start:
        raise InvalidPersonalId(
            "pid_century",
            f"Chữ số thứ tư «{d4}» chỉ người sinh trong các năm {century_start}–"
            f"{century_start + 99}, không khớp với năm sinh {date_of_birth.year}.",
        )
    if date_of_birth is not None and date_of_birth.year != birth_year:
        raise InvalidPersonalId(
            "pid_year_mismatch",
            f"Chữ số thứ năm và thứ sáu «{value[4:6]}» không khớp với năm sinh "
            f"{date_of_birth.year}.",
        )
    if birth_year > current_year:
        raise InvalidPersonalId(
            "pid_year_future",
            f"Số định danh chỉ năm sinh {birth_year}, sau năm hiện tại {current_year}.",
        )
    if sex is not None and sex != pid_sex:
        raise InvalidPersonalId(
            "pid_sex_mismatch",
            f"Chữ số thứ tư «{d4}» chỉ giới tính {_SEX_LABEL[pid_sex]}, "
            f"không khớp với giới tính đã khai là {_SEX_LABEL[sex]}.",
        )
    return PersonalId(
        number=value,
        province_code=province_code,
        province_name=PROVINCE_CODES[province_code],
        century_start=century_start,
        sex=pid_sex,
        birth_year=birth_year,
    )
