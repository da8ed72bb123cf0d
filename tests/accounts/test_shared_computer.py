"""The shared office PC (issue §3): throttled logins, idle logout, who is signed in, switching
to the next official on one screen, changing one's password."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.org.world import World, db_state, new_audit_entries
from xaso.accounts.models import ApiToken
from xaso.accounts.services import _hash
from xaso.core.models import AuditEntry
from xaso.org.models import Staff

TK = "H25.38.21"
WRONG = "khong-phai-mat-khau"


def locked_message() -> str:
    return (
        f"Tài khoản tạm khóa do đăng nhập sai quá {settings.AXES_FAILURE_LIMIT} lần. "
        f"Vui lòng thử lại sau {round(settings.AXES_COOLOFF_TIME * 60)} phút hoặc liên hệ "
        "quản trị cơ quan."
    )


def _text(resp: object) -> str:
    return resp.content.decode()  # type: ignore[attr-defined]


def _session_user(client: Client) -> str | None:
    resp = client.get("/units/")
    return resp.context["user"].username if resp.status_code == 200 else None


# --- login, throttling ----------------------------------------------------------------------


def test_login_and_logout(world: World, client: Client) -> None:
    me = world.who(TK, "reception")
    before = AuditEntry.objects.count()
    resp = client.post("/login/", {"username": me.username, "password": factories.PASSWORD})
    assert (resp.status_code, resp["Location"]) == (302, "/")
    assert _session_user(client) == me.username
    resp = client.post("/logout/")
    assert (resp.status_code, resp["Location"]) == (302, "/login/")
    assert client.get("/").status_code == 302
    entries = new_audit_entries(before)
    assert [
        (e.action, e.actor_username, e.agency_code, e.client_address, e.channel) for e in entries
    ] == [
        ("auth.login", me.username, TK, "127.0.0.1", "web"),
        ("auth.logout", me.username, TK, "127.0.0.1", "web"),
    ]
    assert "Đã đăng xuất." in _text(client.get("/login/"))


def test_logout_needs_post(world: World, client: Client) -> None:
    client.force_login(world.who(TK, "reception"))
    assert client.get("/logout/").status_code == 405
    assert _session_user(client) == world.who(TK, "reception").username


def test_login_next_stays_on_this_site(world: World, client: Client) -> None:
    me = world.who(TK, "admin")
    resp = client.post(
        "/login/?next=/staff/", {"username": me.username, "password": factories.PASSWORD}
    )
    assert resp["Location"] == "/staff/"
    client.post("/logout/")
    resp = client.post(
        "/login/",
        {"username": me.username, "password": factories.PASSWORD, "next": "https://evil.example/"},
    )
    assert resp["Location"] == "/"


def test_wrong_password_message(world: World, client: Client) -> None:
    resp = client.post("/login/", {"username": world.who(TK, "clerk").username, "password": WRONG})
    assert resp.status_code == 400
    assert resp.context["form"].non_field_errors() == ["Tên đăng nhập hoặc mật khẩu không đúng."]


def test_locked_account_cannot_log_in(world: World, client: Client) -> None:
    me = world.who(TK, "clerk")
    Staff.objects.filter(pk=me.pk).update(is_active=False)
    resp = client.post("/login/", {"username": me.username, "password": factories.PASSWORD})
    assert resp.status_code == 400
    assert resp.context["form"].non_field_errors() == ["Tên đăng nhập hoặc mật khẩu không đúng."]


def test_login_throttled_after_the_failure_limit(world: World, client: Client) -> None:
    assert settings.AXES_FAILURE_LIMIT == 5
    me = world.who(TK, "reception")
    statuses = [
        client.post("/login/", {"username": me.username, "password": WRONG}).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses == [400] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    resp = client.post("/login/", {"username": me.username, "password": factories.PASSWORD})
    assert resp.status_code == 429
    html = _text(resp)
    assert f'<p class="alert" role="alert">{locked_message()}</p>' in html
    assert locked_message() == (
        "Tài khoản tạm khóa do đăng nhập sai quá 5 lần. Vui lòng thử "
        "lại sau 15 phút hoặc liên hệ quản trị cơ quan."
    )
    assert client.get("/").status_code == 302  # not signed in
    # The API is throttled for the same person from the same address.
    api = client.post(
        "/api/v1/auth/token",
        {"username": me.username, "password": factories.PASSWORD},
        content_type="application/json",
    )
    assert (api.status_code, api.json()) == (
        429,
        {"code": "login_locked", "message": locked_message(), "fields": {}},
    )
    # A colleague on the same PC is not locked out.
    other = world.who(TK, "clerk")
    resp = client.post("/login/", {"username": other.username, "password": factories.PASSWORD})
    assert resp.status_code == 302


def test_login_works_again_after_the_cool_off(world: World, client: Client) -> None:
    me = world.who(TK, "reception")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": me.username, "password": WRONG})
    assert (
        client.post(
            "/login/", {"username": me.username, "password": factories.PASSWORD}
        ).status_code
        == 429
    )
    # Fifteen minutes and one second later.
    cool_off = timedelta(minutes=settings.AXES_COOLOFF_TIME * 60, seconds=1)
    for attempt in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=attempt.pk).update(
            attempt_time=attempt.attempt_time - cool_off
        )
    resp = client.post("/login/", {"username": me.username, "password": factories.PASSWORD})
    assert (resp.status_code, resp["Location"]) == (302, "/")
    assert AccessAttempt.objects.count() == 0  # a success clears the failures


def test_failures_below_the_limit_are_forgotten_on_success(world: World, client: Client) -> None:
    me = world.who(TK, "reception")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post("/login/", {"username": me.username, "password": WRONG})
    assert (
        client.post(
            "/login/", {"username": me.username, "password": factories.PASSWORD}
        ).status_code
        == 302
    )
    client.post("/logout/")
    statuses = [
        client.post("/login/", {"username": me.username, "password": WRONG}).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT - 1)
    ]
    assert statuses == [400] * (settings.AXES_FAILURE_LIMIT - 1)


def test_token_endpoint_throttled(world: World, client: Client) -> None:
    me = world.who(TK, "clerk")
    failed = {
        "code": "login_failed",
        "message": "Tên đăng nhập hoặc mật khẩu không đúng.",
        "fields": {},
    }
    answers = []
    for _ in range(settings.AXES_FAILURE_LIMIT):
        resp = client.post(
            "/api/v1/auth/token",
            {"username": me.username, "password": WRONG},
            content_type="application/json",
        )
        answers.append((resp.status_code, resp.json()["code"]))
    assert answers == [(401, "login_failed")] * (settings.AXES_FAILURE_LIMIT - 1) + [
        (429, "login_locked")
    ]
    resp = client.post(
        "/api/v1/auth/token",
        {"username": me.username, "password": factories.PASSWORD},
        content_type="application/json",
    )
    assert (resp.status_code, resp.json()) == (
        429,
        {"code": "login_locked", "message": locked_message(), "fields": {}},
    )
    assert ApiToken.objects.count() == 0
    # ... and so is the login page for that person.
    page = client.post("/login/", {"username": me.username, "password": factories.PASSWORD})
    assert page.status_code == 429
    assert failed["message"] not in _text(page)


# --- idle logout ----------------------------------------------------------------------------


def test_idle_timeout_default_is_15_minutes() -> None:
    assert settings.XASO_IDLE_TIMEOUT_SECONDS == 15 * 60


def test_idle_logout_after_the_idle_time(world: World, client: Client, settings) -> None:
    settings.XASO_IDLE_TIMEOUT_SECONDS = 1
    me = world.who(TK, "reception")
    client.post("/login/", {"username": me.username, "password": factories.PASSWORD})
    assert client.get("/").status_code == 200
    session_key = client.session.session_key
    before = AuditEntry.objects.count()
    time.sleep(1.1)
    resp = client.get("/agency/")
    assert (resp.status_code, resp["Location"]) == (302, "/login/?idle=1")
    from django.contrib.sessions.models import Session

    assert Session.objects.filter(session_key=session_key).count() == 0
    assert client.get("/").status_code == 302
    [entry] = new_audit_entries(before)
    assert (entry.action, entry.actor_username, entry.changes) == (
        "auth.logout",
        me.username,
        {"reason": "idle"},
    )
    page = client.get("/login/?idle=1")
    assert "Phiên làm việc đã kết thúc vì không sử dụng. Vui lòng đăng nhập lại." in _text(page)


def test_idle_logout_by_the_session_clock(world: World, client: Client, settings) -> None:
    settings.XASO_IDLE_TIMEOUT_SECONDS = 300
    client.force_login(world.who(TK, "leader"))
    client.get("/")
    session = client.session
    session["last_seen"] = int(time.time()) - 299
    session.save()
    assert client.get("/units/").status_code == 200  # 299 s: still signed in
    session = client.session
    assert session["last_seen"] >= int(time.time()) - 1  # and the clock restarted
    session["last_seen"] = int(time.time()) - 300
    session.save()
    resp = client.get("/units/")
    assert (resp.status_code, resp["Location"]) == (302, "/login/?idle=1")


def test_idle_logout_for_htmx(world: World, client: Client, settings) -> None:
    settings.XASO_IDLE_TIMEOUT_SECONDS = 60
    client.force_login(world.who(TK, "leader"))
    client.get("/")
    session = client.session
    session["last_seen"] = int(time.time()) - 61
    session.save()
    resp = client.get("/units/", headers={"HX-Request": "true"})
    assert (resp.status_code, resp["HX-Redirect"]) == (204, "/login/?idle=1")


def test_request_before_the_idle_time_keeps_the_session(
    world: World, client: Client, settings
) -> None:
    settings.XASO_IDLE_TIMEOUT_SECONDS = 60
    me = world.who(TK, "reception")
    client.force_login(me)
    for url in ("/", "/units/", "/agency/", "/"):
        resp = client.get(url)
        assert resp.status_code == 200
        assert resp.context["user"].username == me.username
    assert '<noscript><meta http-equiv="refresh" content="65"></noscript>' in _text(resp)
    assert 'data-idle-seconds="60" data-idle-full="60"' in _text(resp)


def test_api_is_not_subject_to_idle_logout(world: World, client: Client, settings) -> None:
    settings.XASO_IDLE_TIMEOUT_SECONDS = 1
    me = world.who(TK, "reception")
    token = client.post(
        "/api/v1/auth/token",
        {"username": me.username, "password": factories.PASSWORD},
        content_type="application/json",
    ).json()["token"]
    time.sleep(1.1)
    resp = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert (resp.status_code, resp.json()["username"]) == (200, me.username)


# --- who is signed in, on every page --------------------------------------------------------


@pytest.mark.parametrize("role", ["reception", "admin"])
def test_name_and_logout_on_every_page(world: World, client: Client, role: str) -> None:
    me = world.who(TK, role)
    client.force_login(me)
    urls = [
        "/",
        "/agency/",
        "/units/",
        f"/units/{world.units['08587'].public_id}/",
        "/account/password/",
        "/login/",
        reverse("workdays:year"),
    ]
    if role == "admin":
        urls += [
            "/staff/",
            "/staff/new/",
            f"/staff/{world.who(TK, 'clerk').username}/",
            reverse("core:audit_list"),
        ]
    for url in urls:
        resp = client.get(url)
        assert resp.status_code == 200, url
        html = _text(resp)
        assert f'<span class="who-name">{me.full_name}</span>' in html, url
        assert '<span class="who-agency">UBND xã Thạch Khoán</span>' in html, url
        assert '<form method="post" action="/logout/" class="inline">' in html, url
        assert "Đăng xuất</button>" in html, url


def test_no_name_when_signed_out(db, client: Client) -> None:
    html = _text(client.get("/login/"))
    assert 'class="who-name"' not in html
    assert 'action="/logout/"' not in html
    assert 'http-equiv="refresh"' not in html


# --- switching to the next official ---------------------------------------------------------


def test_switch_user_on_the_login_page(world: World, client: Client) -> None:
    first = world.who(TK, "reception")
    second = world.who(TK, "specialist")
    client.post("/login/", {"username": first.username, "password": factories.PASSWORD})
    page = client.get("/login/?switch=1")
    assert page.status_code == 200
    assert (
        f"Đang đăng nhập: {first.full_name}. Đăng nhập tài khoản khác sẽ đăng xuất người này."
    ) in _text(page)
    before = AuditEntry.objects.count()
    resp = client.post("/login/", {"username": second.username, "password": factories.PASSWORD})
    assert (resp.status_code, resp["Location"]) == (302, "/")
    assert [(e.action, e.actor_username) for e in new_audit_entries(before)] == [
        ("auth.logout", first.username),
        ("auth.login", second.username),
    ]
    assert _session_user(client) == second.username


def test_switch_to_a_wrong_password_keeps_the_first_person(world: World, client: Client) -> None:
    first = world.who(TK, "reception")
    client.force_login(first)
    before = AuditEntry.objects.count()
    resp = client.post("/login/", {"username": world.who(TK, "clerk").username, "password": WRONG})
    assert resp.status_code == 400
    assert AuditEntry.objects.count() == before
    assert _session_user(client) == first.username


def test_logging_in_again_as_oneself_is_just_a_login(world: World, client: Client) -> None:
    me = world.who(TK, "reception")
    client.force_login(me)
    before = AuditEntry.objects.count()
    client.post("/login/", {"username": me.username, "password": factories.PASSWORD})
    assert [e.action for e in new_audit_entries(before)] == ["auth.login"]


# --- password change ------------------------------------------------------------------------

NEW_PASSWORD = "Mua-lua-thang-9-2026"


def _change(client: Client, old: str, new: str, again: str | None = None) -> object:
    return client.post(
        "/account/password/",
        {
            "old_password": old,
            "new_password": new,
            "new_password_again": new if again is None else again,
        },
    )


@pytest.mark.parametrize(
    ("old", "new", "again", "errors"),
    [
        (WRONG, NEW_PASSWORD, None, {"old_password": ["Mật khẩu hiện tại không đúng."]}),
        (
            factories.PASSWORD,
            NEW_PASSWORD,
            NEW_PASSWORD + "x",
            {"new_password_again": ["Hai lần nhập mật khẩu mới không khớp."]},
        ),
        (
            factories.PASSWORD,
            "abc12",
            None,
            {"new_password": ["Mật khẩu quá ngắn: cần ít nhất 8 ký tự."]},
        ),
        (
            factories.PASSWORD,
            "123456789",
            None,
            {"new_password": ["Mật khẩu này quá phổ biến.", "Mật khẩu này hoàn toàn là số."]},
        ),
        (
            factories.PASSWORD,
            "",
            None,
            {
                "new_password": ["Trường này là bắt buộc."],
                "new_password_again": ["Trường này là bắt buộc."],
            },
        ),
    ],
)
def test_password_change_refused(
    world: World,
    client: Client,
    old: str,
    new: str,
    again: str | None,
    errors: dict[str, list[str]],
) -> None:
    me = world.who(TK, "reception")
    ApiToken.objects.create(
        key_hash=_hash("t"), staff=me, expires_at=timezone.now() + timedelta(hours=1)
    )
    client.force_login(me)
    before = db_state()
    resp = _change(client, old, new, again)
    assert resp.status_code == 400  # type: ignore[attr-defined]
    assert resp.context["form"].errors == errors  # type: ignore[attr-defined]
    assert db_state() == before


def test_password_change_success(world: World, client: Client) -> None:
    me = world.who(TK, "reception")
    other = world.who(TK, "clerk")
    for who, key in ((me, "mine"), (me, "mine2"), (other, "theirs")):
        ApiToken.objects.create(
            key_hash=_hash(key), staff=who, expires_at=timezone.now() + timedelta(hours=1)
        )
    client.post("/login/", {"username": me.username, "password": factories.PASSWORD})
    before = AuditEntry.objects.count()
    resp = _change(client, factories.PASSWORD, NEW_PASSWORD)
    assert (resp.status_code, resp["Location"]) == (302, "/")  # type: ignore[index, attr-defined]
    assert _session_user(client) == me.username  # still signed in
    me.refresh_from_db()
    assert (me.check_password(NEW_PASSWORD), me.check_password(factories.PASSWORD)) == (True, False)
    assert list(ApiToken.objects.values_list("staff_id", flat=True)) == [other.pk]
    [entry] = new_audit_entries(before)
    assert (entry.action, entry.actor_username, entry.object_id, entry.changes) == (
        "auth.password_changed",
        me.username,
        str(me.public_id),
        {},
    )
    assert NEW_PASSWORD not in str(entry.changes)
    client.post("/logout/")
    assert (
        client.post(
            "/login/", {"username": me.username, "password": factories.PASSWORD}
        ).status_code
        == 400
    )
    assert (
        client.post("/login/", {"username": me.username, "password": NEW_PASSWORD}).status_code
        == 302
    )


def test_password_change_logs_out_other_sessions(world: World, client: Client) -> None:
    me = world.who(TK, "reception")
    elsewhere = Client()
    elsewhere.post("/login/", {"username": me.username, "password": factories.PASSWORD})
    assert _session_user(elsewhere) == me.username
    client.post("/login/", {"username": me.username, "password": factories.PASSWORD})
    _change(client, factories.PASSWORD, NEW_PASSWORD)
    assert _session_user(client) == me.username
    assert elsewhere.get("/").status_code == 302


def test_password_change_needs_a_login(db, client: Client) -> None:
    resp = client.get("/account/password/")
    assert (resp.status_code, resp["Location"]) == (302, "/login/?next=/account/password/")


def test_pages_count_down_what_the_server_will_still_wait(
    world: World, client: Client, settings
) -> None:
    """The session is rewritten at most once a minute, so the page is told the time the server
    will still wait, not the full timeout; htmx responses carry it in a header."""
    settings.XASO_IDLE_TIMEOUT_SECONDS = 900
    me = world.who(TK, "reception")
    client.force_login(me)
    client.get("/")
    session = client.session
    session["last_seen"] = time.time() - 40
    session.save()
    text = _text(client.get("/"))
    assert 'data-idle-seconds="860" data-idle-full="900"' in text
    resp = client.get("/calendar/due/", {"working_days": "1"}, HTTP_HX_REQUEST="true")
    assert resp["X-Idle-Remaining"] == "860"


def test_keep_working_ping_renews_the_whole_timeout(world: World, client: Client, settings) -> None:
    settings.XASO_IDLE_TIMEOUT_SECONDS = 900
    me = world.who(TK, "reception")
    client.force_login(me)
    client.get("/")
    session = client.session
    session["last_seen"] = time.time() - 850
    session.save()
    assert client.get("/session/ping/").status_code == 204
    assert 'data-idle-seconds="900"' in _text(client.get("/"))
    client.logout()
    assert client.get("/session/ping/").status_code == 401
