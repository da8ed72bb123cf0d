"""One error shape everywhere under /api/."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_unknown_api_path_is_a_json_404(client):
    for path in ("/api/v1/nothing-here", "/api/v2/me", "/api/"):
        r = client.get(path)
        assert r.status_code == 404
        assert r.json() == {"code": "not_found", "message": "Không tìm thấy.", "fields": {}}


def test_unparsable_json_body_is_explained_in_vietnamese(client):
    r = client.post("/api/v1/auth/token", "{not json", content_type="application/json")
    assert r.status_code == 400
    assert r.json() == {
        "code": "bad_request",
        "message": "Không đọc được nội dung yêu cầu (JSON không hợp lệ).",
        "fields": {},
    }


def test_missing_field_is_named_with_a_vietnamese_message(client):
    r = client.post("/api/v1/auth/token", {"username": "a"}, content_type="application/json")
    assert r.status_code == 422
    assert r.json() == {
        "code": "validation_error",
        "message": "Dữ liệu gửi lên không hợp lệ.",
        "fields": {"password": ["Trường này là bắt buộc."]},
    }


def test_healthz_answers_without_a_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        r = client.get("/healthz")
    assert r.status_code == 200
    assert r.content == b"ok"
