"""Search (diacritic-insensitive, by code or name) and the public JSON API."""

from __future__ import annotations

import pytest

from xaso.procedures.selectors import procedure_search

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "q",
    [
        "dang ky khai sinh",
        "Đăng ký khai sinh",
        "ĐĂNG KÝ KHAI SINH",
        "1.001193",
        "khai sinh đăng ký",
    ],
)
def test_birth_registration_found(catalogue, q):
    assert "1.001193" in [p.code for p in procedure_search(q)]


def test_search_exact_results(catalogue):
    assert [p.code for p in procedure_search("chung thuc di chuc")][0] == "2.001019"
    assert [p.code for p in procedure_search("dang ky khai sinh")][:2] == ["1.001193", "1.003583"]
    assert [p.code for p in procedure_search("1.0048")] == [
        "1.004837",
        "1.004845",
        "1.004859",
        "1.004873",
        "1.004884",
    ]
    assert [p.code for p in procedure_search("khai tu luu dong")] == ["1.000419", "1.003583"]
    assert list(procedure_search("không có thủ tục này")) == []
    assert procedure_search("").count() == 60
    assert len(procedure_search("", limit=5)) == 5


def test_api_list(client, catalogue):
    response = client.get("/api/v1/procedures", {"q": "dang ky khai sinh", "limit": 2})
    assert response.status_code == 200
    body = response.json()
    assert [p["code"] for p in body] == ["1.001193", "1.003583"]
    assert body[0] == {
        "code": "1.001193",
        "name": "Thủ tục đăng ký khai sinh",
        "field": "Hộ tịch",
        "time_limit": {
            "kind": "same_day_cutoff",
            "value": 0,
            "cutoff_hour": 15,
            "hours": 8,
            "text": "Trong ngày tiếp nhận; nhận sau 15 giờ thì trả kết quả "
            "trong ngày làm việc tiếp theo",
        },
        "fee_amount_vnd": None,
        "online_level": "full",
        "needs_confirmation": ["fees", "implementing_agency", "conditions"],
    }


def test_api_list_limit_checked(client, catalogue):
    response = client.get("/api/v1/procedures", {"limit": 0})
    assert response.status_code == 422
    assert set(response.json()) == {"code", "message", "fields"}


def test_api_detail(client, catalogue, django_assert_max_num_queries):
    with django_assert_max_num_queries(7):
        response = client.get("/api/v1/procedures/2.000815")
    assert response.status_code == 200
    body = response.json()
    assert body["time_limit"]["text"] == (
        "Trong ngày tiếp nhận; nhận sau 15 giờ thì trả kết quả trong ngày làm việc tiếp theo. "
        "Yêu cầu phức tạp: 2 ngày làm việc"
    )
    assert body["fees"]["amount_vnd"] == 2000
    assert body["fees"]["text"] == "2.000 đồng"
    first = body["fees"]["by_channel"][0]
    assert {k: v for k, v in first.items() if k != "description"} == {
        "channel": "Trực tiếp",
        "as_written": "2,000 Việt Nam Đồng(/trang)",
        "amount": 2000,
        "currency": "VND",
        "per": "trang",
    }
    assert first["description"].startswith(
        "Tại Ủy ban nhân dân cấp xã, Tổ chức hành nghề công chứng"
    )
    assert body["internal_procedure"]["is_template"] is True
    assert [(s["role"], s["hours"], s["counted"]) for s in body["internal_procedure"]["steps"]] == [
        ("reception", 1, True),
        ("specialist", 5, True),
        ("leader", 2, True),
        ("reception", 0, False),
    ]
    assert body["online_level"] == "unknown"
    assert "online_level" in body["needs_confirmation"]
    assert body["forms"] == []


def test_api_detail_unconfirmed_limit(client, catalogue):
    body = client.get("/api/v1/procedures/1.001022").json()
    assert body["time_limit"] == {
        "kind": "unconfirmed",
        "value": None,
        "cutoff_hour": None,
        "hours": None,
        "text": "Chưa xác định",
    }
    assert body["time_limit_as_written"] == [
        "Trực tuyến: 3",
        "Dịch vụ bưu chính: 3",
        "Trực tiếp: 3",
    ]


def test_api_404_shape(client, catalogue):
    response = client.get("/api/v1/procedures/9.999999")
    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "message": "Không có thủ tục mã 9.999999 trong danh mục.",
        "fields": {},
    }
