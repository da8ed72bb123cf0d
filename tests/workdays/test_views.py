from __future__ import annotations

import re
from datetime import date

import pytest
from django.utils import timezone

from tests.factories import agency, staff, unit
from xaso.core.models import AuditEntry
from xaso.workdays.models import CalendarDay

pytestmark = pytest.mark.django_db


@pytest.fixture
def province_admin():
    return staff(
        agency_obj=agency(unit_obj=unit(level_code="province")),
        roles=("admin",),
        full_name="Trần Văn Quản",
    )


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def state():
    return (
        list(CalendarDay.objects.order_by("date").values_list("date", "kind", "name", "note")),
        AuditEntry.objects.count(),
    )


def test_login_required(client):
    r = client.get("/calendar/2026/")
    assert r.status_code == 302
    assert r["Location"].startswith("/login")


def test_current_year_for_a_non_admin_is_read_only(client):
    client.force_login(staff(roles=("reception",)))
    r = client.get("/calendar/")
    assert r.status_code == 200
    year = timezone.localdate().year
    assert f"Lịch làm việc năm {year}" in text(r)
    assert 'data-testid="change-form"' not in text(r)
    assert "bạn đang xem ở chế độ chỉ đọc" in text(r)


def test_year_page_lists_days_off_make_up_days_and_the_unconfirmed_24_11(client):
    client.force_login(staff(roles=("reception",)))
    page = text(client.get("/calendar/2026/"))
    assert (
        "Thứ Sáu, 02/01/2026</td><td>Nghỉ Tết Dương lịch (hoán đổi, làm bù thứ Bảy 10/01/2026)"
        in page
    )
    assert "Thứ Hai, 31/08/2026</td><td>Ngày nghỉ (thay cho ngày 22/08/2026)" in page
    assert "Thứ Bảy, 22/08/2026</td><td>Làm bù cho ngày 31/08/2026" in page
    assert "Thứ Bảy, 10/01/2026</td><td>Làm bù cho ngày 02/01/2026" in page
    assert (
        "Ngày 24/11/2026 (Ngày Văn hóa Việt Nam) có trong danh sách ngày lễ của thư viện holidays, "
        "nhưng hiệu lực pháp lý của việc nghỉ ngày này chưa được xác nhận." in page
    )
    assert page.count('<tr class="off">') == 14
    assert page.count('<tr class="work">') == 2
    assert "Giờ hành chính của cơ quan bạn: 07:30–11:30 và 13:00–17:00." in page
    assert "Xóa điều chỉnh" not in page
    assert 'data-testid="unconfirmed"' not in text(client.get("/calendar/2025/"))


def test_commune_admin_is_read_only(client):
    client.force_login(staff(roles=("admin",)))
    page = text(client.get("/calendar/2026/"))
    assert 'data-testid="change-form"' not in page
    assert "bạn đang xem ở chế độ chỉ đọc" in page


def test_page_query_count(client, province_admin, django_assert_num_queries):
    client.force_login(province_admin)
    client.get("/calendar/2026/")
    # user (with agency, unit, level and roles) and the list of changes; the session and the
    # official changes of 2026-2027 come from the cache after the first load.
    with django_assert_num_queries(2):
        assert client.get("/calendar/2026/").status_code == 200


def test_province_admin_adds_and_removes_a_change(client, province_admin):
    client.force_login(province_admin)
    page = text(client.get("/calendar/2026/"))
    assert 'data-testid="change-form"' in page
    assert "Xóa điều chỉnh 02/01/2026" in page

    r = client.post(
        "/calendar/2026/",
        {
            "action": "set",
            "date": "2026-11-24",
            "kind": "working_day",
            "name": "Làm việc bình thường",
            "note": "Chưa có văn bản có hiệu lực",
        },
    )
    assert (r.status_code, r["Location"]) == (302, "/calendar/2026/")
    row = CalendarDay.objects.get(date=date(2026, 11, 24))
    assert (row.kind, row.name, row.note, row.created_by_id) == (
        "working_day",
        "Làm việc bình thường",
        "Chưa có văn bản có hiệu lực",
        province_admin.pk,
    )
    page = text(client.get("/calendar/2026/"))
    assert "Đã lưu điều chỉnh ngày 24/11/2026." in page
    assert "Thứ Ba, 24/11/2026: Ngày Văn hóa Việt Nam — Làm việc bình thường" in page
    assert 'data-testid="unconfirmed"' not in page
    assert "<td>Trần Văn Quản</td>" in page

    r = client.post("/calendar/2026/", {"action": "remove", "date": "2026-11-24"})
    assert (r.status_code, r["Location"]) == (302, "/calendar/2026/")
    assert CalendarDay.objects.filter(date=date(2026, 11, 24)).exists() is False
    assert "Đã xóa điều chỉnh ngày 24/11/2026." in text(client.get("/calendar/2026/"))
    assert list(AuditEntry.objects.order_by("seq").values_list("action", "object_id")) == [
        ("calendar.set", "2026-11-24"),
        ("calendar.remove", "2026-11-24"),
    ]


def test_a_change_in_another_year_redirects_to_that_year(client, province_admin):
    client.force_login(province_admin)
    r = client.post(
        "/calendar/2026/",
        {"action": "set", "date": "16/03/2027", "kind": "day_off", "name": "Nghỉ đột xuất"},
    )
    assert (r.status_code, r["Location"]) == (302, "/calendar/2027/")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"action": "set", "date": "2026-03-14", "kind": "day_off", "name": "Nghỉ"},
            "Ngày 14/03/2026 là thứ Bảy hoặc Chủ nhật, vốn đã là ngày nghỉ.",
        ),
        (
            {"action": "set", "date": "2026-02-17", "kind": "day_off", "name": "Nghỉ"},
            "Ngày 17/02/2026 đã là ngày nghỉ theo luật (Tết Nguyên Đán).",
        ),
        (
            {"action": "set", "date": "2026-03-16", "kind": "working_day", "name": "Làm"},
            "Ngày 16/03/2026 vốn đã là ngày làm việc.",
        ),
        (
            {"action": "remove", "date": "2026-03-16"},
            "Không có điều chỉnh nào cho ngày 16/03/2026.",
        ),
    ],
)
def test_rule_errors_are_form_errors_and_change_nothing(client, province_admin, data, message):
    client.force_login(province_admin)
    before = state()
    r = client.post("/calendar/2026/", data)
    assert r.status_code == 400
    assert message in text(r)
    assert state() == before


def test_shape_errors_are_form_errors(client, province_admin):
    client.force_login(province_admin)
    before = state()
    r = client.post(
        "/calendar/2026/", {"action": "set", "date": "30/02/2026", "kind": "x", "name": ""}
    )
    assert r.status_code == 400
    page = text(r)
    assert "Nhập một ngày hợp lệ." in page or "Enter a valid date." in page
    assert page.count('class="errorlist') == 3
    assert state() == before


def test_non_admin_post_is_refused_and_changes_nothing(client):
    client.force_login(staff(roles=("admin",)))  # a commune administrator
    before = state()
    r = client.post(
        "/calendar/2026/",
        {"action": "set", "date": "2026-11-24", "kind": "working_day", "name": "Làm việc"},
    )
    assert r.status_code == 403
    assert "Chỉ quản trị viên của cơ quan cấp tỉnh hoặc trung ương được sửa lịch làm việc." in text(
        r
    )
    r = client.post("/calendar/2026/", {"action": "remove", "date": "2026-01-02"})
    assert r.status_code == 403
    assert state() == before


@pytest.mark.parametrize("year", [1999, 2101])
def test_year_out_of_range_is_404(client, year):
    client.force_login(staff())
    assert client.get(f"/calendar/{year}/").status_code == 404


def test_read_only_user_is_refused_before_the_form_is_checked(client):
    client.force_login(staff(roles=("reception",)))
    before = state()
    r = client.post("/calendar/2026/", {"action": "set", "date": "", "name": ""})
    assert r.status_code == 403
    assert "Chỉ quản trị viên của cơ quan cấp tỉnh hoặc trung ương được sửa lịch làm việc." in text(
        r
    )
    assert state() == before
