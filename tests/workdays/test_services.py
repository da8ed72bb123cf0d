from __future__ import annotations

import unicodedata
from datetime import date, datetime

import pytest

from tests.factories import agency, staff, unit
from xaso.core.audit import audit_verify
from xaso.core.errors import DomainError
from xaso.core.models import AuditEntry
from xaso.workdays.clock import VN_TZ
from xaso.workdays.models import CalendarDay
from xaso.workdays.permissions import can_edit_calendar
from xaso.workdays.selectors import calendar_year, due_for
from xaso.workdays.services import calendar_day_remove, calendar_day_set

pytestmark = pytest.mark.django_db


def vn(y, mo, d, h=0, mi=0):
    return datetime(y, mo, d, h, mi, tzinfo=VN_TZ)


def admin_at(level_code: str, roles=("admin",)):
    return staff(agency_obj=agency(unit_obj=unit(level_code=level_code)), roles=roles)


@pytest.fixture
def province_admin():
    return admin_at("province")


def rows():
    return list(CalendarDay.objects.order_by("date").values_list("date", "kind", "name", "note"))


def audit_rows():
    return list(
        AuditEntry.objects.order_by("seq").values_list(
            "action", "object_type", "object_id", "changes"
        )
    )


SHIPPED = [
    (date(2026, 1, 2), "day_off", "Nghỉ Tết Dương lịch (hoán đổi, làm bù thứ Bảy 10/01/2026)"),
    (date(2026, 1, 10), "working_day", "Làm bù cho ngày 02/01/2026"),
]


# --- permissions ----------------------------------------------------------------------------


def test_who_may_edit_the_calendar():
    assert can_edit_calendar(admin_at("province")) is True
    assert can_edit_calendar(admin_at("central")) is True
    assert can_edit_calendar(admin_at("commune")) is False
    assert can_edit_calendar(admin_at("district")) is False
    assert can_edit_calendar(admin_at("province", roles=("reception", "leader"))) is False


@pytest.mark.parametrize(
    ("level_code", "roles"), [("commune", ("admin",)), ("province", ("reception", "supervisor"))]
)
def test_refused_edit_changes_nothing(level_code, roles, province_admin):
    calendar_day_set(actor=province_admin, date=date(2026, 3, 16), kind="day_off", name="Nghỉ thử")
    before_rows, before_audit = rows(), audit_rows()
    actor = admin_at(level_code, roles=roles)
    with pytest.raises(DomainError) as e:
        calendar_day_set(actor=actor, date=date(2026, 11, 24), kind="working_day", name="Làm việc")
    assert (e.value.code, e.value.status) == ("permission_denied", 403)
    assert e.value.message == (
        "Chỉ quản trị viên của cơ quan cấp tỉnh hoặc trung ương được sửa lịch làm việc."
    )
    with pytest.raises(DomainError) as e:
        calendar_day_remove(actor=actor, date=date(2026, 3, 16))
    assert e.value.code == "permission_denied"
    assert rows() == before_rows
    assert audit_rows() == before_audit
    assert due_for(received_at=vn(2026, 11, 23, 10), working_days=1).due_at == vn(2026, 11, 25, 17)


# --- set ------------------------------------------------------------------------------------


def test_extra_day_off_on_a_weekday(province_admin):
    row = calendar_day_set(
        actor=province_admin,
        date=date(2026, 3, 16),
        kind="day_off",
        name="Nghỉ bù bầu cử",
        note="Quyết định thử 01/QĐ-UBND",
    )
    assert (row.created_by_id, str(row)) == (province_admin.pk, "16/03/2026 Nghỉ bù bầu cử")
    assert [r[:3] for r in rows()] == [
        *SHIPPED,
        (date(2026, 3, 16), "day_off", "Nghỉ bù bầu cử"),
    ]
    assert rows()[2][3] == "Quyết định thử 01/QĐ-UBND"
    assert audit_rows() == [
        (
            "calendar.set",
            "calendar_day",
            "2026-03-16",
            {
                "kind": [None, "day_off"],
                "name": [None, "Nghỉ bù bầu cử"],
                "note": [None, "Quyết định thử 01/QĐ-UBND"],
            },
        )
    ]
    entry = AuditEntry.objects.get()
    assert (entry.actor_id, entry.agency_code) == (province_admin.pk, province_admin.agency.code)
    # Fri 13/03 10:00 + 1 working day: Mon 16/03 is now off.
    assert due_for(received_at=vn(2026, 3, 13, 10), working_days=1).due_at == vn(2026, 3, 17, 17)
    assert audit_verify().ok is True


def test_24_11_2026_removed_by_an_admin_override_and_restored(province_admin):
    assert due_for(received_at=vn(2026, 11, 23, 10), working_days=1).due_at == vn(2026, 11, 25, 17)
    calendar_day_set(
        actor=province_admin,
        date=date(2026, 11, 24),
        kind="working_day",
        name="Làm việc bình thường",
        note="Chưa có văn bản sửa Bộ luật Lao động có hiệu lực",
    )
    assert due_for(received_at=vn(2026, 11, 23, 10), working_days=1).due_at == vn(2026, 11, 24, 17)
    cal = calendar_year(2026)
    assert date(2026, 11, 24) not in [x.date for x in cal.days_off]
    assert [(x.date, x.cancelled_holiday) for x in cal.cancelled] == [
        (date(2026, 11, 24), "Ngày Văn hóa Việt Nam")
    ]

    calendar_day_remove(actor=province_admin, date=date(2026, 11, 24))
    assert due_for(received_at=vn(2026, 11, 23, 10), working_days=1).due_at == vn(2026, 11, 25, 17)
    assert CalendarDay.objects.filter(date=date(2026, 11, 24)).exists() is False
    assert audit_rows()[-1] == (
        "calendar.remove",
        "calendar_day",
        "2026-11-24",
        {
            "kind": ["working_day", None],
            "name": ["Làm việc bình thường", None],
            "note": ["Chưa có văn bản sửa Bộ luật Lao động có hiệu lực", None],
        },
    )
    assert [a[0] for a in audit_rows()] == ["calendar.set", "calendar.remove"]


def test_make_up_sunday_and_cancelling_a_package_make_up_saturday():
    central = admin_at("central")
    calendar_day_set(actor=central, date=date(2026, 3, 15), kind="working_day", name="Làm bù")
    # Fri 13/03 10:00 + 1 working day: Sun 15/03 is now worked.
    assert due_for(received_at=vn(2026, 3, 13, 10), working_days=1).due_at == vn(2026, 3, 15, 17)
    calendar_day_set(actor=central, date=date(2026, 8, 22), kind="day_off", name="Hủy làm bù")
    assert due_for(received_at=vn(2026, 8, 21, 10), working_days=1).due_at == vn(2026, 8, 24, 17)
    assert [x.date for x in calendar_year(2026).working_days] == [
        date(2026, 1, 10),
        date(2026, 3, 15),
    ]


def test_update_records_only_what_changed_and_a_no_op_records_nothing(province_admin):
    calendar_day_set(
        actor=province_admin,
        date=date(2026, 1, 2),
        kind="day_off",
        name="Nghỉ Tết Dương lịch (hoán đổi)",
        note="12729/VPCP-KGVX",
    )
    row = CalendarDay.objects.get(date=date(2026, 1, 2))
    assert (row.name, row.note, row.created_by_id) == (
        "Nghỉ Tết Dương lịch (hoán đổi)",
        "12729/VPCP-KGVX",
        None,
    )
    [(action, _, object_id, changes)] = audit_rows()
    assert (action, object_id, sorted(changes)) == ("calendar.set", "2026-01-02", ["name", "note"])
    assert changes["name"] == [
        "Nghỉ Tết Dương lịch (hoán đổi, làm bù thứ Bảy 10/01/2026)",
        "Nghỉ Tết Dương lịch (hoán đổi)",
    ]
    calendar_day_set(
        actor=province_admin,
        date=date(2026, 1, 2),
        kind="day_off",
        name="  Nghỉ Tết Dương lịch (hoán đổi) ",
        note="12729/VPCP-KGVX",
    )
    assert len(audit_rows()) == 1


def test_names_are_stored_nfc(province_admin):
    nfd = unicodedata.normalize("NFD", "Nghỉ đột xuất")
    row = calendar_day_set(actor=province_admin, date=date(2026, 3, 17), kind="day_off", name=nfd)
    row.refresh_from_db()
    assert row.name == unicodedata.normalize("NFC", "Nghỉ đột xuất")


@pytest.mark.parametrize(
    ("day", "kind", "name", "code", "message"),
    [
        (
            date(2026, 3, 14),
            "day_off",
            "x",
            "weekend_day_off",
            "Ngày 14/03/2026 là thứ Bảy hoặc Chủ nhật, vốn đã là ngày nghỉ.",
        ),
        (
            date(2026, 3, 16),
            "working_day",
            "x",
            "already_working_day",
            "Ngày 16/03/2026 vốn đã là ngày làm việc. Nếu đã có ngày nghỉ được thêm cho ngày này, "
            "hãy xóa điều chỉnh đó.",
        ),
        (
            date(2026, 8, 22),
            "working_day",
            "x",
            "already_working_day",
            "Ngày 22/08/2026 vốn đã là ngày làm việc. Nếu đã có ngày nghỉ được thêm cho ngày này, "
            "hãy xóa điều chỉnh đó.",
        ),
        (
            date(2026, 2, 17),
            "day_off",
            "x",
            "already_day_off",
            "Ngày 17/02/2026 đã là ngày nghỉ theo luật (Tết Nguyên Đán). Nếu đã có điều chỉnh cho "
            "ngày này, hãy xóa điều chỉnh đó.",
        ),
        (
            date(1999, 12, 31),
            "day_off",
            "x",
            "date_out_of_range",
            "Lịch làm việc chỉ tính cho các năm 2000-2100.",
        ),
        (
            date(2101, 1, 3),
            "day_off",
            "x",
            "date_out_of_range",
            "Lịch làm việc chỉ tính cho các năm 2000-2100.",
        ),
        (
            date(2026, 3, 16),
            "holiday",
            "x",
            "invalid_kind",
            "Loại ngày phải là “ngày nghỉ” hoặc “ngày làm việc”.",
        ),
        (
            date(2026, 3, 16),
            "day_off",
            "   ",
            "name_required",
            "Cần ghi tên ngày (ví dụ: Nghỉ bù Tết Dương lịch).",
        ),
        (
            date(2026, 3, 16),
            "day_off",
            "x" * 256,
            "invalid_input",
            "Tên ngày tối đa 255 ký tự, ghi chú tối đa 500 ký tự.",
        ),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(province_admin, day, kind, name, code, message):
    before_rows = rows()
    with pytest.raises(DomainError) as e:
        calendar_day_set(actor=province_admin, date=day, kind=kind, name=name)
    assert (e.value.code, e.value.status, e.value.message) == (code, 400, message)
    assert rows() == before_rows
    assert audit_rows() == []


def test_name_required_names_the_field(province_admin):
    with pytest.raises(DomainError) as e:
        calendar_day_set(actor=province_admin, date=date(2026, 3, 16), kind="day_off", name="")
    assert e.value.fields == {"name": ["Cần ghi tên ngày (ví dụ: Nghỉ bù Tết Dương lịch)."]}


# --- remove ---------------------------------------------------------------------------------


def test_remove_a_missing_change_is_not_found(province_admin):
    with pytest.raises(DomainError) as e:
        calendar_day_remove(actor=province_admin, date=date(2026, 3, 16))
    assert (e.value.code, e.value.status, e.value.message) == (
        "not_found",
        404,
        "Không có điều chỉnh nào cho ngày 16/03/2026.",
    )
    assert audit_rows() == []


def test_remove_the_shipped_new_year_swap(province_admin):
    calendar_day_remove(actor=province_admin, date=date(2026, 1, 2))
    assert due_for(received_at=vn(2026, 1, 1, 10), working_days=0).due_at == vn(2026, 1, 2, 17)
    assert audit_rows()[0][:3] == ("calendar.remove", "calendar_day", "2026-01-02")
    assert audit_verify().ok is True


def test_an_edit_reaches_the_next_deadline_despite_the_cache(django_assert_num_queries):
    """The official changes are cached; an edit drops them, so the next reader sees it."""
    from xaso.workdays.selectors import due_for

    vn = VN_TZ
    admin = staff(
        agency_obj=agency(unit_obj=unit(code="98", level_code="province")), roles=("admin",)
    )
    received = datetime(2026, 11, 20, 10, 0, tzinfo=vn)  # Friday
    before = due_for(received_at=received, working_days=1).due_at
    assert before == datetime(2026, 11, 23, 17, 0, tzinfo=vn)
    with django_assert_num_queries(0):
        due_for(received_at=received, working_days=1)
    calendar_day_set(actor=admin, date=date(2026, 11, 23), kind="day_off", name="Nghỉ thử")
    assert due_for(received_at=received, working_days=1).due_at == datetime(
        2026, 11, 25, 17, 0, tzinfo=vn
    )  # 23/11 off, 24/11 Ngày Văn hóa (package holiday), so Wednesday 25/11
