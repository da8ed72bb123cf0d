"""Kept pages (core.pagecache): a page rendered once is served again only while nothing it shows
has changed, with this request's own CSRF token and idle seconds, and never to someone else."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import timezone

from tests import factories
from tests.org.world import World, build_world
from xaso.core import pagecache
from xaso.org import services as org_services
from xaso.workdays import services as calendar_services

TK = "H25.38.21"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def world(transactional_db) -> World:
    """Pages are renewed when a change commits: outside pytest's wrapping transaction."""
    return build_world()


@pytest.fixture(autouse=True)
def _kept_pages(settings):
    settings.XASO_PAGE_CACHE = True
    pagecache.forget_pages()
    yield
    pagecache.forget_pages()


def _login(client: Client, username: str) -> None:
    resp = client.post("/login/", {"username": username, "password": factories.PASSWORD})
    assert resp.status_code == 302


def _tokens(html: str) -> set[str]:
    return set(TOKEN.findall(html))


def test_second_view_is_the_kept_page_with_its_own_csrf_token(world: World) -> None:
    me = world.who(TK, "admin")
    client = Client(enforce_csrf_checks=True)
    client.get("/login/")
    token = _tokens(client.get("/login/").content.decode()).pop()
    resp = client.post(
        "/login/",
        {"username": me.username, "password": factories.PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert resp.status_code == 302

    first = client.get("/")
    assert first.context is not None  # rendered
    second = client.get("/")
    assert second.context is None  # served from the kept copy: no template ran
    html = second.content.decode()
    assert pagecache.CSRF_MARK not in html and pagecache.IDLE_MARK not in html
    assert me.full_name in html
    (t1,), (t2,) = _tokens(first.content.decode()), _tokens(html)
    assert t1 != t2  # masked afresh for each request
    # The kept page's token is a working one: signing out with it succeeds.
    resp = client.post("/logout/", {"csrfmiddlewaretoken": t2})
    assert resp.status_code == 302
    assert client.get("/").status_code == 302  # signed out


def test_idle_seconds_are_this_requests(world: World, settings) -> None:
    me = world.who(TK, "reception")
    client = Client()
    _login(client, me.username)
    client.get("/")
    session = client.session
    session["last_seen"] = timezone.now().timestamp() - 30
    session.save()
    html = client.get("/").content.decode()
    remaining = int(re.search(r'data-idle-seconds="(\d+)"', html).group(1))
    refresh = int(re.search(r'http-equiv="refresh" content="(\d+)"', html).group(1))
    full = settings.XASO_IDLE_TIMEOUT_SECONDS
    assert full - 31 <= remaining <= full - 29
    assert refresh == remaining + 5


def test_never_served_to_another_official(world: World) -> None:
    a, b = world.who(TK, "admin"), world.who(TK, "reception")
    client = Client()
    _login(client, a.username)
    client.get("/")
    _login(client, b.username)
    html = client.get("/").content.decode()
    assert b.full_name in html and a.full_name not in html
    assert 'data-role="reception"' in html and 'data-role="admin"' not in html


def test_a_change_of_name_or_roles_shows_at_once(world: World) -> None:
    admin, me = world.who(TK, "admin"), world.who(TK, "reception")
    client = Client()
    _login(client, me.username)
    client.get("/")
    assert client.get("/").context is None  # kept
    org_services.staff_update(
        actor=admin,
        staff=me,
        full_name="Đặng Thị Ánh Tuyết",
        title="",
        phone="",
        email="",
        is_active=True,
        roles=[("reception", ""), ("clerk", "")],  # adding a role is a bulk write: no signal
    )
    resp = client.get("/")
    html = resp.content.decode()
    assert resp.context is not None
    assert "Đặng Thị Ánh Tuyết" in html
    assert 'data-role="clerk"' in html


def test_a_calendar_change_shows_at_once(world: World) -> None:
    me = world.who(TK, "reception")
    province_admin = world.who("H25", "admin")
    client = Client()
    _login(client, me.username)
    client.get("/")
    assert client.get("/").context is None
    today = timezone.localdate()
    # Whatever today is, turn it around: a weekend day becomes a make-up working day.
    kind = "working_day" if today.weekday() >= 5 else "day_off"
    calendar_services.calendar_day_set(
        actor=province_admin, date=today, kind=kind, name="Thay đổi đột xuất"
    )
    html = client.get("/").content.decode()
    assert "Thay đổi đột xuất" in html


def test_pending_messages_are_shown_not_kept(world: World) -> None:
    me = world.who(TK, "reception")
    client = Client()
    _login(client, me.username)
    client.get("/login/?switch=1")
    client.get("/login/?switch=1")  # kept
    resp = client.post("/logout/")
    assert resp.status_code == 302
    resp = client.get("/login/")
    assert "Đã đăng xuất." in resp.content.decode()
    assert "Đã đăng xuất." not in client.get("/login/").content.decode()  # shown once only


def test_each_language_has_its_own_page(world: World) -> None:
    client = Client()
    assert "Đăng nhập" in client.get("/login/").content.decode()
    client.cookies["django_language"] = "en"
    html = client.get("/login/").content.decode()
    assert 'lang="en"' in html


def test_turned_off_renders_every_time(world: World, settings) -> None:
    settings.XASO_PAGE_CACHE = False
    me = world.who(TK, "reception")
    client = Client()
    _login(client, me.username)
    assert client.get("/").context is not None
    assert client.get("/").context is not None


def test_a_locked_account_is_out_at_the_next_request(world: World) -> None:
    """The official is kept loaded between requests (accounts.backends) under the org version:
    locking the account renews it, so the very next request is refused."""
    admin, me = world.who(TK, "admin"), world.who(TK, "reception")
    client = Client()
    _login(client, me.username)
    assert client.get("/").status_code == 200
    assert client.get("/").status_code == 200  # kept page, kept official
    org_services.staff_update(
        actor=admin,
        staff=me,
        full_name=me.full_name,
        title="",
        phone="",
        email="",
        is_active=False,
        roles=[("reception", "")],
    )
    assert client.get("/").status_code == 302  # to the login screen


def test_a_new_password_ends_other_sessions_at_once(world: World) -> None:
    from xaso.org.models import Staff

    me = world.who(TK, "reception")
    client = Client()
    _login(client, me.username)
    assert client.get("/").status_code == 200
    staff = Staff.objects.get(pk=me.pk)
    staff.set_password("Mat-khau-moi-2026!")
    staff.save(update_fields=["password"])
    assert client.get("/").status_code == 302


def test_a_revoked_token_is_refused_at_the_next_request(world: World) -> None:
    """Tokens already found are remembered per worker; revoking them (a password reset deletes
    the official's tokens) takes effect at once."""
    admin, me = world.who(TK, "admin"), world.who(TK, "reception")
    client = Client()
    token = client.post(
        "/api/v1/auth/token",
        {"username": me.username, "password": factories.PASSWORD},
        content_type="application/json",
    ).json()["token"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get("/api/v1/dossiers", **auth).status_code == 200
    assert client.get("/api/v1/dossiers", **auth).status_code == 200  # remembered
    org_services.staff_reset_password(actor=admin, staff=me, password="Mat-khau-moi-2026!")
    assert client.get("/api/v1/dossiers", **auth).status_code == 401
