"""The counter's appointment calculator and the home page's "today" card."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from tests.factories import agency, staff

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def officer(client):
    s = staff(roles=("reception",))
    client.force_login(s)
    return s


def test_htmx_fragment_gives_the_appointment(client, officer):
    r = client.get(
        "/calendar/due/",
        {"working_days": "3", "received_at": "2026-02-13T16:00"},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200
    text = r.content.decode()
    assert "<html" not in text
    assert "Nhận lúc 16:00 13/02/2026 (tính từ 16:00 13/02/2026)" in text
    assert "hẹn trả <strong>17:00 25/02/2026</strong>" in text


def test_full_page_without_javascript_uses_the_agencys_office_hours(client):
    a = agency()
    a.afternoon_end = time(16, 30)
    a.save()
    s = staff(agency_obj=a, roles=("reception",))
    client.force_login(s)
    r = client.get("/calendar/due/", {"working_days": "0", "received_at": "2026-03-10T10:00"})
    assert r.status_code == 200
    assert "<html" in r.content.decode()
    assert "hẹn trả <strong>16:30 10/03/2026</strong>" in r.content.decode()


def test_bad_limit_is_a_vietnamese_form_error(client, officer):
    r = client.get("/calendar/due/", {"working_days": "-1"})
    assert r.status_code == 400
    assert "lớn hơn hoặc bằng" in r.content.decode()


def test_calculator_needs_login(client):
    r = client.get("/calendar/due/", {"working_days": "3"})
    assert r.status_code == 302
    assert r["Location"].startswith("/login/")


def test_home_shows_today_as_a_working_day_or_not(client, officer, settings, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 9, 2, 9, 0, tzinfo=VN))
    r = client.get("/")
    text = r.content.decode()
    assert "Quốc khánh" in text
    assert "Ngày làm việc tiếp theo: 03/09/2026." in text
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 8, 22, 9, 0, tzinfo=VN))
    text = client.get("/").content.decode()
    assert 'class="work"' in text
