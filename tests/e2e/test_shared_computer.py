"""The shared computer, in a real browser: one official signs in, walks away and is signed out by
the idle timer, and the next official signs in on the same screen."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from tests.e2e.conftest import axe_violations
from tests.factories import PASSWORD, agency, staff

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

IDLE_MESSAGE = "Phiên làm việc đã kết thúc vì không sử dụng. Vui lòng đăng nhập lại."
WRONG_PASSWORD = "Tên đăng nhập hoặc mật khẩu không đúng."

# Signed-in pages warn before the idle logout instead of a bare <meta refresh> (WCAG 2.2.1).
SIGNED_IN_KNOWN: list[dict[str, Any]] = []


def log_in(page: Any, base: str, username: str, password: str) -> None:
    if "/login/" not in page.url:
        page.goto(f"{base}/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


@pytest.fixture
def office(db: None) -> dict[str, Any]:
    ubnd = agency(code="H25.38.08587", name="UBND xã Thạch Khoán")
    return {
        "agency": ubnd,
        "officer": staff(
            agency_obj=ubnd, roles=("reception",), username="tiepnhan", full_name="Nguyễn Thị Hằng"
        ),
        "specialist": staff(
            agency_obj=ubnd, roles=("specialist",), username="tuphap", full_name="Đinh Công Minh"
        ),
    }


def test_officer_idle_logout_then_next_official(
    page: Any, live_server: Any, settings: Any, office: dict[str, Any]
) -> None:
    settings.XASO_IDLE_TIMEOUT_SECONDS = 2  # the page's script leaves at the timeout
    base = live_server.url

    page.goto(f"{base}/")
    assert page.url == f"{base}/login/?next=/"
    log_in(page, base, "tiepnhan", PASSWORD)

    page.wait_for_url(f"{base}/")
    home_loaded = time.monotonic()
    who = page.get_by_test_id("who")
    assert who.locator(".who-name").inner_text() == "Nguyễn Thị Hằng"
    assert who.locator(".who-agency").inner_text() == "UBND xã Thạch Khoán"
    assert page.locator("main h1").inner_text() == "UBND xã Thạch Khoán"
    assert page.locator("li[data-role]").all_inner_texts() == ["Tiếp nhận và trả kết quả (một cửa)"]

    # Walks away: nobody touches the PC; the page warns, then lands on the login page.
    page.wait_for_url(f"{base}/login/?idle=1", timeout=15_000)
    assert time.monotonic() - home_loaded >= 2
    assert page.locator("p.note[role=status]").inner_text() == IDLE_MESSAGE
    assert page.get_by_test_id("who").count() == 0
    assert "Nguyễn Thị Hằng" not in page.content()

    # The next official signs in on the same screen.
    log_in(page, base, "tuphap", PASSWORD)
    page.wait_for_url(f"{base}/")
    assert page.get_by_test_id("who").locator(".who-name").inner_text() == "Đinh Công Minh"
    assert page.locator("li[data-role]").all_inner_texts() == ["Chuyên môn"]
    assert "Nguyễn Thị Hằng" not in page.content()


def test_idle_warning_lets_the_official_keep_working(
    page: Any, live_server: Any, settings: Any, office: dict[str, Any]
) -> None:
    settings.XASO_IDLE_TIMEOUT_SECONDS = 6  # the warning shows at 4.8 s
    base = live_server.url
    log_in(page, base, "tiepnhan", PASSWORD)
    page.wait_for_url(f"{base}/")
    warning = page.locator("#idle-warning")
    assert warning.is_hidden()
    warning.wait_for(state="visible", timeout=8_000)
    assert "Phiên làm việc sắp kết thúc vì không sử dụng." in warning.inner_text()
    with page.expect_response("**/session/ping/") as ping:
        page.get_by_role("button", name="Tiếp tục làm việc").click()
    assert ping.value.status == 204
    warning.wait_for(state="hidden", timeout=3_000)
    page.wait_for_timeout(3_000)  # past the first timeout, within the renewed one
    assert page.url == f"{base}/"
    page.reload()
    assert page.url == f"{base}/"
    assert page.get_by_test_id("who").locator(".who-name").inner_text() == "Nguyễn Thị Hằng"


def test_idle_session_is_refused_on_next_navigation(
    browser: Any, live_server: Any, settings: Any, office: dict[str, Any]
) -> None:
    """Without JavaScript (nothing leaves the page for the official): the server refuses."""
    page = browser.new_context(java_script_enabled=False, locale="vi-VN").new_page()
    settings.XASO_IDLE_TIMEOUT_SECONDS = 1
    base = live_server.url
    log_in(page, base, "tiepnhan", PASSWORD)
    page.wait_for_url(f"{base}/")
    page.wait_for_timeout(2_100)

    page.goto(f"{base}/units/")
    assert page.url == f"{base}/login/?idle=1"
    assert page.locator("p.note[role=status]").inner_text() == IDLE_MESSAGE
    page.goto(f"{base}/")
    assert page.url == f"{base}/login/?next=/"


def test_switch_user_takes_one_screen(page: Any, live_server: Any, office: dict[str, Any]) -> None:
    base = live_server.url
    log_in(page, base, "tiepnhan", PASSWORD)
    page.wait_for_url(f"{base}/")

    page.get_by_role("link", name="Đổi người dùng").click()
    page.wait_for_url(re.compile(r".*/login/\?switch=1$"))
    assert page.locator("p.note").inner_text() == (
        "Đang đăng nhập: Nguyễn Thị Hằng. Đăng nhập tài khoản khác sẽ đăng xuất người này."
    )
    log_in(page, base, "tuphap", PASSWORD)
    page.wait_for_url(f"{base}/")
    assert page.get_by_test_id("who").locator(".who-name").inner_text() == "Đinh Công Minh"


def test_logout_button(page: Any, live_server: Any, office: dict[str, Any]) -> None:
    base = live_server.url
    log_in(page, base, "tiepnhan", PASSWORD)
    page.wait_for_url(f"{base}/")
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url(f"{base}/login/")
    assert page.locator("ul.messages li").all_inner_texts() == ["Đã đăng xuất."]
    assert page.get_by_test_id("who").count() == 0


def test_wrong_password_shows_vietnamese_error(
    page: Any, live_server: Any, office: dict[str, Any]
) -> None:
    base = live_server.url
    log_in(page, base, "tiepnhan", "sai-mat-khau")
    page.wait_for_load_state()
    assert page.url == f"{base}/login/"
    assert page.locator("div.alert[role=alert]").inner_text() == WRONG_PASSWORD
    assert page.get_by_test_id("who").count() == 0


def test_login_and_home_pages_have_no_serious_accessibility_violations(
    page: Any, live_server: Any, office: dict[str, Any]
) -> None:
    base = live_server.url
    page.goto(f"{base}/login/?idle=1")
    assert axe_violations(page) == []
    log_in(page, base, "tiepnhan", "sai-mat-khau")
    page.wait_for_load_state()
    assert page.locator("div.alert[role=alert]").inner_text() == WRONG_PASSWORD
    assert axe_violations(page) == []

    log_in(page, base, "tiepnhan", PASSWORD)
    page.wait_for_url(f"{base}/")
    assert axe_violations(page) == SIGNED_IN_KNOWN


def test_admin_home_page_has_no_serious_accessibility_violations(
    page: Any, live_server: Any, office: dict[str, Any]
) -> None:
    staff(
        agency_obj=office["agency"],
        roles=("admin", "leader"),
        username="quantri",
        full_name="Hà Văn Dũng",
    )
    base = live_server.url
    log_in(page, base, "quantri", PASSWORD)
    page.wait_for_url(f"{base}/")
    assert page.locator("#h-admin").inner_text() == "Quản trị cơ quan"
    assert axe_violations(page) == SIGNED_IN_KNOWN
