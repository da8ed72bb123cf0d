from __future__ import annotations

from datetime import date, time

import pytest

from tests.factories import agency, staff, unit
from xaso.workdays.services import calendar_day_set

pytestmark = pytest.mark.django_db

DUE = "/api/v1/calendar/due"


def get_due(client, **params):
    return client.get(DUE, params)


def test_due_in_working_days_over_tet(client):
    r = get_due(client, received_at="2026-02-13T16:00:00+07:00", working_days="3")
    assert r.status_code == 200
    assert r.json() == {
        "received_at": "2026-02-13T16:00:00+07:00",
        "counted_from": "2026-02-13T16:00:00+07:00",
        "due_at": "2026-02-25T17:00:00+07:00",
    }


def test_due_naive_is_vietnam_time_and_other_zones_are_converted(client):
    naive = get_due(client, received_at="2026-03-10T14:59", working_days="0").json()
    assert naive == {
        "received_at": "2026-03-10T14:59:00+07:00",
        "counted_from": "2026-03-10T14:59:00+07:00",
        "due_at": "2026-03-10T17:00:00+07:00",
    }
    # 08:00 UTC = 15:00 in Vietnam: at the cut-off, so due the next working day.
    utc = get_due(client, received_at="2026-03-10T08:00:00Z", working_days="0").json()
    assert utc == {
        "received_at": "2026-03-10T15:00:00+07:00",
        "counted_from": "2026-03-11T07:30:00+07:00",
        "due_at": "2026-03-11T17:00:00+07:00",
    }
    tokyo = get_due(client, received_at="2026-03-10T12:00:00+09:00", working_days="0").json()
    assert tokyo["received_at"] == "2026-03-10T10:00:00+07:00"


def test_due_in_working_hours_across_lunch_and_night(client):
    r = get_due(client, received_at="2026-03-16T16:00:00+07:00", working_hours="3")
    assert r.json() == {
        "received_at": "2026-03-16T16:00:00+07:00",
        "counted_from": "2026-03-16T16:00:00+07:00",
        "due_at": "2026-03-17T09:30:00+07:00",
    }
    lunch = get_due(client, received_at="2026-03-16T12:10:00+07:00", working_hours="1").json()
    assert (lunch["counted_from"], lunch["due_at"]) == (
        "2026-03-16T13:00:00+07:00",
        "2026-03-16T14:00:00+07:00",
    )


def test_due_with_an_agencys_office_hours(client):
    a = agency(code="H99.77")
    a.afternoon_end, a.same_day_cutoff = time(17, 30), time(16)
    a.save()
    r = get_due(client, received_at="2026-03-16T15:45:00+07:00", working_days="0", agency="H99.77")
    assert r.json()["due_at"] == "2026-03-16T17:30:00+07:00"
    default = get_due(client, received_at="2026-03-16T15:45:00+07:00", working_days="0")
    assert default.json()["due_at"] == "2026-03-17T17:00:00+07:00"


def test_due_sees_an_official_change(client):
    admin = staff(agency_obj=agency(unit_obj=unit(level_code="province")), roles=("admin",))
    before = get_due(client, received_at="2026-11-23T10:00:00+07:00", working_days="1").json()
    assert before["due_at"] == "2026-11-25T17:00:00+07:00"
    calendar_day_set(actor=admin, date=date(2026, 11, 24), kind="working_day", name="Làm việc")
    after = get_due(client, received_at="2026-11-23T10:00:00+07:00", working_days="1").json()
    assert after["due_at"] == "2026-11-24T17:00:00+07:00"


def test_due_query_count(client, django_assert_num_queries):
    agency(code="H99.78")
    with django_assert_num_queries(1):  # the official changes of 2025-2026, then cached
        assert get_due(client, received_at="2025-12-31T10:00", working_days="1").status_code == 200
    with django_assert_num_queries(1):  # the agency; the calendar comes from the cache
        r = get_due(client, received_at="2025-12-31T10:00", working_days="1", agency="H99.78")
    assert r.json()["due_at"] == "2026-01-05T17:00:00+07:00"


LIMIT_MESSAGE = "Cần đúng một trong hai thời hạn: số ngày làm việc hoặc số giờ làm việc."


@pytest.mark.parametrize(
    ("params", "status", "body"),
    [
        (
            {"received_at": "2026-03-16T10:00", "working_days": "1", "working_hours": "8"},
            400,
            {"code": "invalid_limit", "message": LIMIT_MESSAGE, "fields": {}},
        ),
        (
            {"received_at": "2026-03-16T10:00"},
            400,
            {"code": "invalid_limit", "message": LIMIT_MESSAGE, "fields": {}},
        ),
        (
            {"received_at": "2026-03-16T10:00", "working_days": "-1"},
            400,
            {
                "code": "invalid_limit",
                "message": "Thời hạn phải là số nguyên từ 0 đến 1000.",
                "fields": {},
            },
        ),
        (
            {"received_at": "2026-03-16T10:00", "working_hours": "-3"},
            400,
            {
                "code": "invalid_limit",
                "message": "Thời hạn phải là số nguyên từ 0 đến 8000.",
                "fields": {},
            },
        ),
        (
            {"received_at": "2026-03-16T10:00", "working_days": "1001"},
            400,
            {
                "code": "invalid_limit",
                "message": "Thời hạn phải là số nguyên từ 0 đến 1000.",
                "fields": {},
            },
        ),
        (
            {"received_at": "2026-03-16T10:00", "working_days": "2.5"},
            400,
            {
                "code": "invalid_limit",
                "message": "Thời hạn phải là số nguyên không âm.",
                "fields": {"working_days": ["Không phải số nguyên."]},
            },
        ),
        (
            {"received_at": "13/02/2026 16:00", "working_days": "1"},
            400,
            {
                "code": "invalid_datetime",
                "message": (
                    "Thời điểm tiếp nhận phải theo ISO 8601, ví dụ 2026-02-13T16:00:00+07:00."
                ),
                "fields": {"received_at": ["Không đúng định dạng ISO 8601."]},
            },
        ),
        (
            {"received_at": "1999-12-31T10:00", "working_days": "1"},
            400,
            {
                "code": "date_out_of_range",
                "message": "Lịch làm việc chỉ tính cho các năm 2000-2100.",
                "fields": {},
            },
        ),
        (
            {"received_at": "2026-03-16T10:00", "working_days": "1", "agency": "X99.99"},
            404,
            {"code": "not_found", "message": "Không tìm thấy cơ quan có mã X99.99.", "fields": {}},
        ),
    ],
)
def test_due_errors(client, params, status, body):
    r = client.get(DUE, params)
    assert (r.status_code, r.json()) == (status, body)


def test_due_without_received_at_is_a_validation_error(client):
    r = client.get(DUE, {"working_days": "1"})
    assert r.status_code == 422
    assert r.json()["code"] == "validation_error"
    assert list(r.json()["fields"]) == ["received_at"]


def test_year_2026(client):
    r = client.get("/api/v1/calendar/year/2026")
    assert r.status_code == 200
    assert r.json() == {
        "year": 2026,
        "days_off": [
            {"date": "2026-01-01", "name": "Tết Dương lịch", "source": "statute"},
            {
                "date": "2026-01-02",
                "name": "Nghỉ Tết Dương lịch (hoán đổi, làm bù thứ Bảy 10/01/2026)",
                "source": "official",
            },
            {"date": "2026-02-16", "name": "Giao thừa Tết Nguyên Đán", "source": "statute"},
            {"date": "2026-02-17", "name": "Tết Nguyên Đán", "source": "statute"},
            {"date": "2026-02-18", "name": "Mùng hai Tết Nguyên Đán", "source": "statute"},
            {"date": "2026-02-19", "name": "Mùng ba Tết Nguyên Đán", "source": "statute"},
            {"date": "2026-02-20", "name": "Mùng bốn Tết Nguyên Đán", "source": "statute"},
            {"date": "2026-04-27", "name": "Ngày Giỗ Tổ Hùng Vương (nghỉ bù)", "source": "statute"},
            {"date": "2026-04-30", "name": "Ngày Chiến thắng", "source": "statute"},
            {"date": "2026-05-01", "name": "Ngày Quốc tế Lao động", "source": "statute"},
            {
                "date": "2026-08-31",
                "name": "Ngày nghỉ (thay cho ngày 22/08/2026)",
                "source": "statute",
            },
            {"date": "2026-09-01", "name": "Quốc khánh", "source": "statute"},
            {"date": "2026-09-02", "name": "Quốc khánh", "source": "statute"},
            {"date": "2026-11-24", "name": "Ngày Văn hóa Việt Nam", "source": "statute"},
        ],
        "working_days": [
            {"date": "2026-01-10", "name": "Làm bù cho ngày 02/01/2026"},
            {"date": "2026-08-22", "name": "Làm bù cho ngày 31/08/2026"},
        ],
    }


def test_year_2025_has_the_package_swap(client):
    body = client.get("/api/v1/calendar/year/2025").json()
    assert {
        "date": "2025-05-02",
        "name": "Ngày nghỉ (thay cho ngày 26/04/2025)",
        "source": "statute",
    } in body["days_off"]
    assert body["working_days"] == [{"date": "2025-04-26", "name": "Làm bù cho ngày 02/05/2025"}]


def test_year_shows_official_changes(client):
    admin = staff(agency_obj=agency(unit_obj=unit(level_code="province")), roles=("admin",))
    calendar_day_set(actor=admin, date=date(2027, 3, 15), kind="day_off", name="Nghỉ đột xuất")
    calendar_day_set(actor=admin, date=date(2027, 11, 24), kind="working_day", name="Làm việc")
    body = client.get("/api/v1/calendar/year/2027").json()
    assert {"date": "2027-03-15", "name": "Nghỉ đột xuất", "source": "official"} in body["days_off"]
    assert "2027-11-24" not in [d["date"] for d in body["days_off"]]


@pytest.mark.parametrize("year", [1999, 2101])
def test_year_out_of_range(client, year):
    r = client.get(f"/api/v1/calendar/year/{year}")
    assert (r.status_code, r.json()) == (
        400,
        {
            "code": "date_out_of_range",
            "message": "Lịch làm việc chỉ tính cho các năm 2000-2100.",
            "fields": {},
        },
    )


def test_endpoints_are_in_the_openapi_document_without_auth(client):
    doc = client.get("/api/v1/openapi.json").json()
    due = doc["paths"]["/api/v1/calendar/due"]["get"]
    year = doc["paths"]["/api/v1/calendar/year/{year}"]["get"]
    assert "security" not in due and "security" not in year
    assert sorted(due["responses"]) == ["200", "400", "404"]
