"""Demo civil status registers: a few hundred entries per demo commune, written through the
services (so every entry passes the law's checks, is numbered in its book and audited), so that
search and statistics can be tried at once.

Synthetic people: Vietnamese names carrying every tone (ngang An, huyền Hằng, hỏi Thảo, ngã
Dũng, sắc Tuấn, nặng Hạnh), Đ/đ (Đặng, Đỗ, Đức), ethnic minority names of Phú Thọ and the
north-west without a middle name (Lò Páo, Triệu Mẩy, Đinh Thềm), valid personal ID numbers that
agree with the date of birth and sex (vn-rules.md §4). A commune that existed until 30 June
2025 (Thạch Khoán, Lâm Thao) registers until then; Xã Thanh Sơn from 1 July 2025. Books of past
years are closed on 31 December by the commune's leader.

``civil_demo_load`` is idempotent: a commune whose registers already hold entries is skipped.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from xaso.org.models import Agency, Staff

from . import permissions, services
from .models import CivilBook, CivilRecord

#: The demo communes that keep civil status registers (``org.demo.AGENCIES``).
DEMO_AGENCIES = ("H25.38.21", "H25.37.01", "H25.54")
REGISTERS_FROM = date(2024, 1, 2)

FAMILY = (
    ["Nguyễn"] * 10
    + ["Trần"] * 4
    + ["Lê", "Lê", "Phạm", "Phạm", "Hoàng", "Đặng", "Đặng", "Đỗ", "Đinh", "Đinh", "Hà", "Hà"]
    + ["Bùi", "Vũ", "Võ", "Lý", "Ngô", "Dương", "Phùng", "Xa", "Cao", "Triệu"]
)
MIDDLE = {
    "male": ["Văn", "Văn", "Văn", "Đức", "Minh", "Quốc", "Hữu", "Công", "Đình", "Xuân", "Bảo"],
    "female": ["Thị", "Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Minh", "Kim", "Mỹ", "Diệu"],
}
# Every tone in the given names: ngang, huyền, hỏi, ngã, sắc, nặng.
GIVEN = {
    "male": [
        "An",
        "Long",
        "Quang",
        "Bình",
        "Hùng",
        "Thành",
        "Hải",
        "Bảo",
        "Thủy",
        "Dũng",
        "Vũ",
        "Nghĩa",
        "Tuấn",
        "Đức",
        "Khánh",
        "Hạnh",
        "Thịnh",
        "Đạt",
        "Lực",
        "Mạnh",
        "Hiếu",
        "Cường",
        "Phúc",
        "Toàn",
    ],
    "female": [
        "An",
        "Lan",
        "Hoa",
        "Hằng",
        "Hiền",
        "Trinh",
        "Thảo",
        "Thủy",
        "Hải",
        "Mỹ",
        "Nga",
        "Ngân",
        "Ánh",
        "Tuyết",
        "Nguyệt",
        "Hạnh",
        "Ngọc",
        "Nhung",
        "Thục",
        "Phượng",
        "Duyên",
        "Quỳnh",
        "Yến",
        "Đào",
    ],
}
#: Ethnic minority names without a middle name: (family, given, sex, ethnicity).
MINORITY = [
    ("Lò", "Páo", "male", "Thái"),
    ("Quàng", "Ún", "female", "Thái"),
    ("Lường", "Phai", "female", "Thái"),
    ("Cầm", "Vui", "male", "Thái"),
    ("Triệu", "Mẩy", "female", "Dao"),
    ("Bàn", "Chòi", "male", "Dao"),
    ("Đinh", "Thềm", "male", "Mường"),
    ("Bùi", "Lả", "female", "Mường"),
]
HAMLETS = [
    "Đồng",
    "Phú",
    "Xuân",
    "Tân",
    "Hạ",
    "Thượng",
    "Trung",
    "Mới",
    "Cả",
    "Dẹ",
    "Mơ",
    "Bến",
    "Gò",
    "Đá",
    "Lầm",
    "Mường",
]
HOSPITALS = ("Trạm Y tế xã", "Bệnh viện Đa khoa huyện Thanh Sơn", "Bệnh viện Sản Nhi Phú Thọ")
COUNTRIES = ("Hàn Quốc", "Nhật Bản", "Đài Loan (Trung Quốc)")
FOREIGN_NAMES = {
    "Hàn Quốc": ("Kim Min Jun", "Lee Seo Joon", "Park Ji Hoon", "Choi Woo Jin"),
    "Nhật Bản": ("Tanaka Hiroshi", "Suzuki Kenta", "Sato Takumi", "Ito Daiki"),
    "Đài Loan (Trung Quốc)": ("Lin Wei Ming", "Chen Jian Hong", "Wang Zhi Wei", "Huang Yu Ting"),
}
PURPOSES = (
    "Bổ sung hồ sơ vay vốn ngân hàng",
    "Làm thủ tục mua bán nhà đất",
    "Bổ sung hồ sơ xin việc",
    "Làm thủ tục xuất khẩu lao động",
)


@dataclass
class _Desk:
    """One commune's demo: its officer and leader, the people already used, the couples."""

    agency: Agency
    officer: Staff
    leader: Staff
    rng: random.Random
    address: str
    used_ids: set[str] = field(default_factory=set)
    couples: list[tuple[dict[str, Any], dict[str, Any], date]] = field(default_factory=list)
    births: list[tuple[CivilRecord, dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    fatherless: list[tuple[CivilRecord, dict[str, Any], dict[str, Any]]] = field(
        default_factory=list
    )
    records: list[CivilRecord] = field(default_factory=list)
    guardianships: list[CivilRecord] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def _pid(desk: _Desk, born: date, sex: str) -> str:
    century = (born.year // 100 - 19) * 2 + (0 if sex == "male" else 1)
    head = f"025{century}{born.year % 100:02d}"
    while True:
        number = f"{head}{desk.rng.randrange(1, 1_000_000):06d}"
        if number not in desk.used_ids:
            desk.used_ids.add(number)
            return number


def _name(desk: _Desk, sex: str, family: str | None = None) -> tuple[str, str, str, str]:
    """(family, middle, given, ethnicity): one in eight a minority name without middle name."""
    rng = desk.rng
    if family is None and rng.random() < 0.125:
        pool = [m for m in MINORITY if m[2] == sex]
        fam, given, _sex, ethnicity = rng.choice(pool)
        return fam, "", given, ethnicity
    fam = family or rng.choice(FAMILY)
    return fam, rng.choice(MIDDLE[sex]), rng.choice(GIVEN[sex]), "Kinh"


def _adult(desk: _Desk, sex: str, born_from: int, born_to: int, *, with_id: bool = True) -> dict:
    rng = desk.rng
    family, middle, given, ethnicity = _name(desk, sex)
    born = date(rng.randint(born_from, born_to), rng.randint(1, 12), rng.randint(1, 28))
    person = {
        "family_name": family,
        "middle_name": middle,
        "given_name": given,
        "sex": sex,
        "date_of_birth": born,
        "ethnicity": ethnicity,
        "nationality": "Việt Nam",
        "residence": f"Khu {rng.choice(HAMLETS)}, {desk.address}",
        "id_number": _pid(desk, born, sex) if with_id else "",
    }
    return person


def _as_parent(person: dict[str, Any]) -> dict[str, Any]:
    full = " ".join(
        p for p in (person["family_name"], person["middle_name"], person["given_name"]) if p
    )
    return {
        "full_name": full,
        "birth_year": person["date_of_birth"].year,
        "ethnicity": person["ethnicity"],
        "nationality": person["nationality"],
        "residence": person["residence"],
        "id_number": person["id_number"],
    }


def _count(desk: _Desk, what: str) -> None:
    desk.counts[what] = desk.counts.get(what, 0) + 1


def _birth(desk: _Desk, on: date) -> None:
    rng = desk.rng
    sex = rng.choice(("male", "female"))
    # Most within the 60 days; one in eight late.
    age_days = rng.randint(61, 400) if rng.random() < 0.125 else rng.randint(1, 55)
    born = on - timedelta(days=age_days)
    father = mother = None
    kw: dict[str, Any] = {}
    if desk.couples and rng.random() < 0.5:
        man, woman, married_on = rng.choice(desk.couples)
        if married_on < born:
            father, mother = _as_parent(man), _as_parent(woman)
    if mother is None:
        woman = _adult(desk, "female", on.year - 38, on.year - 19)
        mother = _as_parent(woman)
        if rng.random() < 0.7:
            man = _adult(desk, "male", on.year - 42, on.year - 21)
            man["ethnicity"] = woman["ethnicity"] if rng.random() < 0.8 else man["ethnicity"]
            father = _as_parent(man)
            kw = {
                "father_basis": "marriage_elsewhere",
                "parents_marriage": f"UBND xã {rng.choice(HAMLETS)}, {on.year - 2}",
            }
    surname_from = father if father is not None and rng.random() < 0.9 else mother
    family = surname_from["full_name"].split(" ")[0]
    ethnicity = surname_from["ethnicity"]
    minority = ethnicity != "Kinh"
    given = rng.choice(GIVEN[sex])
    if minority:
        pool = [m for m in MINORITY if m[2] == sex and m[3] == ethnicity]
        given = rng.choice(pool)[1] if pool else given
    child = {
        "family_name": family,
        "middle_name": "" if minority and rng.random() < 0.6 else rng.choice(MIDDLE[sex]),
        "given_name": given,
        "sex": sex,
        "date_of_birth": born,
        "ethnicity": ethnicity,
        "nationality": "Việt Nam",
        "id_number": _pid(desk, born, sex) if rng.random() < 0.5 else "",
    }
    if father is not None and rng.random() < 0.3:
        declarant = {**father, "relationship": "father"}
    else:
        declarant = {**mother, "relationship": "mother"}
    record = services.civil_register_birth(
        actor=desk.officer,
        child=child,
        mother=mother,
        father=father,
        declarant=declarant,
        place_of_birth=f"{rng.choice(HOSPITALS)}, tỉnh Phú Thọ",
        home_town=f"{desk.address}",
        registered_on=on,
        confirm_duplicate=True,
        signer=desk.leader,
        **kw,
    )
    desk.births.append((record, child, mother))
    if father is None:
        desk.fatherless.append((record, child, mother))
    desk.records.append(record)
    _count(desk, "birth")


def _death(desk: _Desk, on: date) -> None:
    rng = desk.rng
    sex = rng.choice(("male", "female"))
    person = _adult(desk, sex, 1928, 1965, with_id=rng.random() < 0.8)
    died = on - timedelta(days=rng.randint(20, 120) if rng.random() < 0.1 else rng.randint(1, 14))
    relative = _adult(desk, rng.choice(("male", "female")), 1960, 1990)
    declarant = {
        **_as_parent(relative),
        "relationship": rng.choice(("child", "spouse", "relative")),
    }
    record = services.civil_register_death(
        actor=desk.officer,
        deceased=person,
        declarant=declarant,
        date_of_death=died,
        place_of_death=rng.choice(("Tại nhà", "Bệnh viện Đa khoa tỉnh Phú Thọ")),
        time_of_death=f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
        cause=rng.choice(("Già yếu", "Bệnh tật", "Tai nạn giao thông")),
        registered_on=on,
        signer=desk.leader,
    )
    desk.records.append(record)
    _count(desk, "death")


def _marriage(desk: _Desk, on: date) -> None:
    man = _adult(desk, "male", on.year - 36, on.year - 21)
    woman = _adult(desk, "female", on.year - 33, on.year - 19)
    record = services.civil_register_marriage(
        actor=desk.officer, husband=man, wife=woman, registered_on=on, signer=desk.leader
    )
    desk.couples.append((man, woman, on))
    desk.records.append(record)
    _count(desk, "marriage")


def _marital_status(desk: _Desk, on: date) -> None:
    rng = desk.rng
    person = _adult(desk, rng.choice(("male", "female")), on.year - 45, on.year - 21)
    services.civil_register_marital_status(
        actor=desk.officer,
        person=person,
        declared_status="single",
        purpose=rng.choice(PURPOSES),
        registered_on=on,
        signer=desk.leader,
    )
    _count(desk, "marital_status")


def _extract_copy(desk: _Desk, on: date) -> None:
    rng = desk.rng
    source = rng.choice(desk.records)
    requester = _adult(desk, rng.choice(("male", "female")), 1960, 2000)
    services.civil_register_extract_copy(
        actor=desk.officer,
        source=source,
        requester={
            **_as_parent(requester),
            "relationship": rng.choice(("self", "relative", "authorised")),
        },
        copies=rng.randint(1, 3),
        purpose=rng.choice(("Nhập học", "Làm hồ sơ bảo hiểm", "Bổ sung hồ sơ")),
        registered_on=on,
        signer=desk.leader,
    )
    _count(desk, "extract_copy")


def _change(desk: _Desk, on: date) -> None:
    rng = desk.rng
    # Each birth entry is corrected at most once here.
    record, child, mother = desk.births.pop(rng.randrange(len(desk.births)))
    correction = {
        "role": "",
        "field": "place_of_birth",
        "value": f"{rng.choice(HOSPITALS)}, tỉnh Phú Thọ (ghi lại)",
    }
    services.civil_register_change(
        actor=desk.officer,
        target=record,
        kind="correction",
        changes=[correction],
        reason="Ghi sai nơi sinh so với Giấy chứng sinh",
        requester={**mother, "relationship": "mother"},
        registered_on=on,
        signer=desk.leader,
    )
    _count(desk, "change")


def _guardianship(desk: _Desk, on: date) -> None:
    rng = desk.rng
    if desk.guardianships and rng.random() < 0.4:
        appointment = desk.guardianships.pop(0)
        services.civil_register_guardianship_termination(
            actor=desk.officer,
            appointment=appointment,
            reason="parents_able",
            registered_on=on,
            signer=desk.leader,
        )
        _count(desk, "guardianship_termination")
        return
    ward = _adult(desk, rng.choice(("male", "female")), on.year - 15, on.year - 3, with_id=False)
    guardian = _adult(desk, rng.choice(("male", "female")), on.year - 60, on.year - 30)
    record = services.civil_register_guardianship(
        actor=desk.officer,
        ward=ward,
        guardian=guardian,
        basis="appointed",
        appointment_document=f"Văn bản cử người giám hộ ngày {on:%d/%m/%Y}",
        registered_on=on,
        signer=desk.leader,
    )
    desk.guardianships.append(record)
    _count(desk, "guardianship")


def _foreign_marriage(desk: _Desk, on: date) -> None:
    rng = desk.rng
    woman = _adult(desk, "female", on.year - 32, on.year - 20)
    country = rng.choice(COUNTRIES)
    born = date(rng.randint(on.year - 45, on.year - 25), rng.randint(1, 12), rng.randint(1, 28))
    man = {
        "full_name": rng.choice(FOREIGN_NAMES[country]),
        "date_of_birth": born,
        "nationality": country,
        "residence": country,
    }
    services.civil_register_foreign_record(
        actor=desk.officer,
        variant="marriage",
        husband=man,
        wife=woman,
        event_date=on - timedelta(days=rng.randint(30, 300)),
        foreign_authority="Cơ quan đăng ký kết hôn",
        country=country,
        foreign_document=f"Giấy chứng nhận kết hôn số {rng.randint(100, 999)}",
        registered_on=on,
        signer=desk.leader,
    )
    _count(desk, "foreign_record")


def _parentage(desk: _Desk, on: date) -> None:
    """A father recognises a child whose birth entry names none: he is added to that entry."""
    rng = desk.rng
    record, child, mother = desk.fatherless.pop(rng.randrange(len(desk.fatherless)))
    man = _adult(desk, "male", child["date_of_birth"].year - 40, child["date_of_birth"].year - 20)
    services.civil_register_parentage(
        actor=desk.officer,
        parent=_as_parent(man),
        child={**child, "residence": mother["residence"]},
        recognized_as="father",
        registered_on=on,
        signer=desk.leader,
    )
    _count(desk, "parentage")


def _re_registration(desk: _Desk, on: date) -> None:
    """A birth registered before 2016 whose book and certificate were both lost."""
    rng = desk.rng
    person = _adult(desk, rng.choice(("male", "female")), 1990, 2012)
    born = person["date_of_birth"]
    woman = _adult(desk, "female", born.year - 35, born.year - 19, with_id=False)
    family = woman["family_name"] if rng.random() < 0.5 else person["family_name"]
    mother = {**_as_parent(woman), "ethnicity": person["ethnicity"]}
    if family != woman["family_name"]:
        mother["full_name"] = f"{family} {mother['full_name'].split(' ', 1)[1]}"
    child = {**person, "family_name": family}
    services.civil_register_re_registration(
        actor=desk.officer,
        event="birth",
        original_registered_on=born + timedelta(days=rng.randint(5, 50)),
        original_place=f"UBND {desk.address}",
        details={
            "child": child,
            "mother": mother,
            "declarant": {**_as_parent(person), "relationship": "authorised"},
            "place_of_birth": f"{rng.choice(HOSPITALS)}, tỉnh Phú Thọ",
            "home_town": desk.address,
        },
        registered_on=on,
        signer=desk.leader,
    )
    _count(desk, "re_registration")


#: (weight, writer): births most, then deaths and marriages.
MIX = (
    (44, _birth),
    (15, _death),
    (15, _marriage),
    (8, _marital_status),
    (8, _extract_copy),
    (4, _change),
    (4, _guardianship),
    (2, _foreign_marriage),
    (2, _parentage),
    (1, _re_registration),
)


def _working_days(first: date, last: date, count: int, rng: random.Random) -> list[date]:
    days = [first + timedelta(d) for d in range((last - first).days + 1)]
    days = [d for d in days if d.weekday() < 5]
    return sorted(rng.choice(days) for _ in range(count))


def _close_past_books(desk: _Desk, today: date) -> None:
    for book in CivilBook.objects.filter(
        agency=desk.agency, year__lt=today.year, closed_on__isnull=True
    ):
        services.book_close(actor=desk.leader, book=book, closed_on=date(book.year, 12, 31))


def _staff_of(agency: Agency) -> tuple[Staff, Staff] | None:
    staff = list(
        Staff.objects.filter(agency=agency, is_active=True)
        .prefetch_related("roles")
        .select_related("agency")
        .order_by("username")
    )
    officer = next((s for s in staff if permissions.is_civil_officer(s)), None)
    leader = next((s for s in staff if s.has_role("leader")), None)
    return (officer, leader) if officer and leader else None


def civil_demo_load(*, per_agency: int = 250, seed: int = 2026) -> dict[str, dict[str, int]]:
    """Register ``per_agency`` demo entries in each demo commune that has none yet; returns the
    counts per commune and kind. Each commune's entries are written in one transaction."""
    today = timezone.localdate()
    done: dict[str, dict[str, int]] = {}
    for agency in Agency.objects.filter(code__in=DEMO_AGENCIES).select_related("unit"):
        if CivilRecord.objects.filter(agency=agency).exists():
            continue
        pair = _staff_of(agency)
        if pair is None:
            continue
        unit = agency.unit
        first = max(REGISTERS_FROM, unit.established_on or REGISTERS_FROM)
        last = min(today, unit.dissolved_on - timedelta(days=1)) if unit.dissolved_on else today
        if last <= first:
            continue
        rng = random.Random(f"{seed}:{agency.code}")
        desk = _Desk(agency=agency, officer=pair[0], leader=pair[1], rng=rng, address=unit.name)
        weights = [w for w, _fn in MIX]
        writers = [fn for _w, fn in MIX]
        with transaction.atomic():
            for on in _working_days(first, last, per_agency, rng):
                writer = rng.choices(writers, weights)[0]
                if writer in (_extract_copy,) and not desk.records:
                    writer = _birth
                if (writer is _change and not desk.births) or (
                    writer is _parentage and not desk.fatherless
                ):
                    writer = _birth
                writer(desk, on)
            _close_past_books(desk, today)
        done[agency.code] = dict(sorted(desk.counts.items()))
    return done
