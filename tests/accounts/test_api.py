"""API sign-in: POST /api/v1/auth/token, GET /api/v1/me, and the one error shape."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from tests import factories
from tests.org.world import TREE, World, new_audit_entries
from xaso.accounts.models import ApiToken
from xaso.accounts.services import _hash
from xaso.core.models import AuditEntry
from xaso.org import services as org_services
from xaso.org.models import Staff

TK = "H25.38.21"
EVERYONE = [(code, role) for code, _n, _p, _u, roles in TREE for role in roles]
UNAUTHORIZED = {
    "code": "unauthorized",
    "message": "Cần đăng nhập (gửi Authorization: Bearer <token>).",
    "fields": {},
}
LOGIN_FAILED = {
    "code": "login_failed",
    "message": "Tên đăng nhập hoặc mật khẩu không đúng.",
    "fields": {},
}


def _token(client: Client, username: str, password: str = factories.PASSWORD) -> object:
    return client.post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
    )


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_token_issued_and_stored_hashed(world: World, client: Client) -> None:
    me = world.who(TK, "reception")
    before = AuditEntry.objects.count()
    resp = _token(client, me.username)
    assert resp.status_code == 200  # type: ignore[attr-defined]
    body = resp.json()  # type: ignore[attr-defined]
    assert list(body) == ["token"]
    token = body["token"]
    assert len(token) == 43
    [row] = ApiToken.objects.all()
    assert (row.staff_id, row.key_hash) == (me.pk, _hash(token))
    assert token not in row.key_hash
    lifetime = row.expires_at - row.created_at
    assert timedelta(hours=settings.XASO_API_TOKEN_TTL_HOURS) - lifetime < timedelta(seconds=5)
    [entry] = new_audit_entries(before)
    assert (
        entry.action,
        entry.actor_username,
        entry.agency_code,
        entry.channel,
        entry.client_address,
    ) == ("auth.token_issued", me.username, TK, "api", "127.0.0.1")


@pytest.mark.parametrize(("agency_code", "role"), EVERYONE)
def test_me_for_every_role(world: World, client: Client, agency_code: str, role: str) -> None:
    me = world.who(agency_code, role)
    token = _token(client, me.username).json()["token"]  # type: ignore[attr-defined]
    resp = client.get("/api/v1/me", headers=_auth(token))
    assert resp.status_code == 200
    assert resp.json() == {
        "username": me.username,
        "full_name": me.full_name,
        "agency": {"code": agency_code, "name": world.agencies[agency_code].name},
        "roles": [role],
    }


def test_me_lists_every_role(world: World, client: Client) -> None:
    staff = factories.staff(
        agency_obj=world.agencies[TK],
        roles=("reception", "leader"),
        username="ttpvhcc.giamdoc",
        full_name="Phùng Thị Hoa",
    )
    token = _token(client, "ttpvhcc.giamdoc").json()["token"]  # type: ignore[attr-defined]
    assert client.get("/api/v1/me", headers=_auth(token)).json() == {
        "username": "ttpvhcc.giamdoc",
        "full_name": "Phùng Thị Hoa",
        "agency": {"code": TK, "name": "UBND xã Thạch Khoán"},
        "roles": ["leader", "reception"],
    }
    assert staff.role_codes == ["leader", "reception"]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": "Token abc"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
    ],
    ids=["none", "empty", "unknown", "other-scheme", "basic"],
)
def test_me_401(db, client: Client, headers: dict[str, str]) -> None:
    resp = client.get("/api/v1/me", headers=headers)
    assert (resp.status_code, resp.json()) == (401, UNAUTHORIZED)


def test_me_with_an_expired_token(world: World, client: Client) -> None:
    me = world.who(TK, "reception")
    ApiToken.objects.create(
        key_hash=_hash("old"), staff=me, expires_at=timezone.now() - timedelta(seconds=1)
    )
    resp = client.get("/api/v1/me", headers=_auth("old"))
    assert (resp.status_code, resp.json()) == (401, UNAUTHORIZED)


def test_me_with_an_inactive_users_token(world: World, client: Client) -> None:
    me = world.who(TK, "reception")
    token = _token(client, me.username).json()["token"]  # type: ignore[attr-defined]
    Staff.objects.filter(pk=me.pk).update(is_active=False)
    resp = client.get("/api/v1/me", headers=_auth(token))
    assert (resp.status_code, resp.json()) == (401, UNAUTHORIZED)


def test_locking_through_the_service_revokes_tokens(world: World, client: Client) -> None:
    me = world.who(TK, "reception")
    token = _token(client, me.username).json()["token"]  # type: ignore[attr-defined]
    org_services.staff_update(
        actor=world.who(TK, "admin"),
        staff=me,
        full_name=me.full_name,
        title="",
        phone="",
        email="",
        is_active=False,
        roles=[("reception", "")],
    )
    assert ApiToken.objects.count() == 0
    assert client.get("/api/v1/me", headers=_auth(token)).status_code == 401


def test_password_reset_revokes_tokens(world: World, client: Client) -> None:
    me = world.who(TK, "reception")
    token = _token(client, me.username).json()["token"]  # type: ignore[attr-defined]
    org_services.staff_reset_password(
        actor=world.who(TK, "admin"), staff=me, password="Moi-thang-7-2025"
    )
    assert client.get("/api/v1/me", headers=_auth(token)).status_code == 401


def test_token_life_is_extended_by_use(world: World, client: Client) -> None:
    me = world.who(TK, "reception")
    ApiToken.objects.create(
        key_hash=_hash("t"), staff=me, expires_at=timezone.now() + timedelta(minutes=10)
    )
    assert client.get("/api/v1/me", headers=_auth("t")).status_code == 200
    expires = ApiToken.objects.get().expires_at
    ttl = timedelta(hours=settings.XASO_API_TOKEN_TTL_HOURS)
    assert ttl - timedelta(seconds=5) < expires - timezone.now() <= ttl


@pytest.mark.parametrize(
    ("payload", "status", "body"),
    [
        ({"username": "h25-38-21.reception", "password": "sai"}, 401, LOGIN_FAILED),
        ({"username": "khong-ai-ca", "password": factories.PASSWORD}, 401, LOGIN_FAILED),
        (
            {"username": "h25-38-21.reception"},
            422,
            {
                "code": "validation_error",
                "message": "Dữ liệu gửi lên không hợp lệ.",
                "fields": {"password": ["Trường này là bắt buộc."]},
            },
        ),
        (
            {"username": 5, "password": []},
            422,
            {
                "code": "validation_error",
                "message": "Dữ liệu gửi lên không hợp lệ.",
                "fields": {
                    "username": ["Phải là chuỗi ký tự."],
                    "password": ["Phải là chuỗi ký tự."],
                },
            },
        ),
    ],
)
def test_token_errors(
    world: World, client: Client, payload: dict[str, object], status: int, body: dict[str, object]
) -> None:
    resp = client.post("/api/v1/auth/token", payload, content_type="application/json")
    assert (resp.status_code, resp.json()) == (status, body)
    assert ApiToken.objects.count() == 0


def test_token_refused_for_an_inactive_account(world: World, client: Client) -> None:
    me = world.who(TK, "reception")
    Staff.objects.filter(pk=me.pk).update(is_active=False)
    resp = _token(client, me.username)
    assert (resp.status_code, resp.json()) == (401, LOGIN_FAILED)  # type: ignore[attr-defined]


def test_token_unparsable_body_keeps_the_error_shape(db, client: Client) -> None:
    resp = client.post("/api/v1/auth/token", "{not json", content_type="application/json")
    body = resp.json()
    assert (resp.status_code, sorted(body), body["code"], body["fields"]) == (
        400,
        ["code", "fields", "message"],
        "bad_request",
        {},
    )
    assert ApiToken.objects.count() == 0
