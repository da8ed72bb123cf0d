"""The one-stop shop in a real browser: the officer receives a birth registration at the counter
(types the ID, finds the procedure by typing "khai sinh", ticks the documents), the specialist
processes it, the leader approves, the officer marks the result ready and hands it over, and the
citizen's status page (the QR link of the receipt) says "Đã trả kết quả"."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.conftest import axe_violations
from tests.factories import PASSWORD, agency, staff, unit
from xaso.dossiers.models import Dossier
from xaso.procedures.exchange import catalogue_load_seed

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PID = "001090012345"


@pytest.fixture
def office(db: None) -> dict[str, Any]:
    province = unit(name="Tỉnh Thử Nghiệm", code="98", level_code="province")
    ubnd = agency(
        code="H98.01", name="UBND xã Thạch Khoán", unit_obj=unit(parent=province, name="Xã Đông")
    )
    catalogue_load_seed()
    return {
        "officer": staff(
            agency_obj=ubnd, roles=("reception",), username="tiepnhan", full_name="Nguyễn Thị Hằng"
        ),
        "specialist": staff(
            agency_obj=ubnd, roles=("specialist",), username="tuphap", full_name="Đinh Công Minh"
        ),
        "leader": staff(
            agency_obj=ubnd, roles=("leader",), username="chutich", full_name="Hà Văn Sơn"
        ),
    }


def sign_in(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base}/")


def violations(page: Any) -> list[dict]:
    """axe's serious and critical findings."""
    return axe_violations(page)


def act(page: Any, action: str, label: str, assignee: str | None = None) -> None:
    box = page.locator(f'details[data-action="{action}"]')
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    if assignee:
        box.locator("select").select_option(assignee)
    box.get_by_role("button", name=label).click()
    page.wait_for_load_state()
    assert page.locator(".messages li").inner_text() == f"Đã thực hiện: {label.lower()}."


def test_counter_to_returned_result(page: Any, live_server: Any, office: dict[str, Any]) -> None:
    base = live_server.url
    sign_in(page, base, "tiepnhan")

    # Tiếp nhận: keyboard first.
    page.goto(f"{base}/dossiers/new/")
    page.wait_for_function(
        "document.activeElement && document.activeElement.id === 'id_personal_id'"
    )
    page.keyboard.type(PID)
    page.keyboard.press("Enter")  # looks the citizen up, does not send the form
    status = page.locator("#applicant-status")
    status.get_by_text(f"Chưa có thông tin công dân số {PID}: nhập mới.").wait_for()
    page.get_by_label("Họ và tên người nộp").fill("Nguyễn Văn Bình")
    page.get_by_label("Điện thoại").fill("0912345678")
    page.get_by_label("Nơi cư trú").fill("Thôn Đông, xã Thạch Khoán")
    page.get_by_label("Thủ tục (mã hoặc tên)").fill("khai sinh")
    choice = page.get_by_role("button", name="1.001193 — Thủ tục đăng ký khai sinh")
    choice.wait_for()
    page.get_by_label("Thủ tục (mã hoặc tên)").press("ArrowDown")
    page.wait_for_function(
        "document.activeElement && document.activeElement.dataset.code === '1.001193'"
    )
    page.keyboard.press("Enter")
    page.locator("#checklist-title").wait_for()
    assert page.locator("#checklist-title").inner_text() == "1.001193 — Thủ tục đăng ký khai sinh"
    assert page.get_by_label("Thủ tục (mã hoặc tên)").input_value() == "1.001193"
    # The cursor moves to the first document once htmx has settled the checklist in.
    page.wait_for_function("document.activeElement && document.activeElement.id === 'doc-1'")
    page.locator("#doc-4").check()
    page.locator("#doc-6").check()
    assert violations(page) == []
    page.get_by_role("button", name="Tiếp nhận hồ sơ").click()

    page.wait_for_url(re.compile(r".*/dossiers/H98\.01-\d{6}-\d{4}/$"))
    code = page.get_by_test_id("code").inner_text()
    assert page.locator(".messages li").inner_text() == f"Đã tiếp nhận hồ sơ {code}."
    assert page.get_by_test_id("status").inner_text() == "Đã tiếp nhận"
    receipt = page.get_by_role("link", name="In giấy tiếp nhận và hẹn trả kết quả")
    assert receipt.get_attribute("href") == f"/api/v1/dossiers/{code}/documents/receipt.pdf"
    printed = page.request.get(f"{base}/api/v1/dossiers/{code}/documents/receipt.pdf")
    assert (printed.status, printed.headers["content-type"]) == (200, "application/pdf")
    assert printed.body()[:5] == b"%PDF-"
    assert violations(page) == []
    act(page, "assign", "Phân công xử lý", assignee="tuphap")
    assert page.get_by_test_id("status").inner_text() == "Đang xử lý"

    # Chuyên môn: from the work queue.
    sign_in(page, base, "tuphap")
    page.goto(f"{base}/dossiers/")
    row = page.locator(f'tr[data-code="{code}"]')
    assert row.locator("td").nth(2).inner_text() == "Nguyễn Văn Bình"
    row.get_by_role("link", name=code).click()
    act(page, "forward", "Chuyển bước xử lý", assignee="chutich")

    # Lãnh đạo phê duyệt.
    sign_in(page, base, "chutich")
    page.goto(f"{base}/dossiers/{code}/")
    act(page, "approve", "Phê duyệt")
    assert page.get_by_test_id("status").inner_text() == "Đã phê duyệt, đang hoàn thiện kết quả"

    # Một cửa: kết quả về, trả cho công dân.
    sign_in(page, base, "tiepnhan")
    page.goto(f"{base}/dossiers/{code}/")
    act(page, "mark_ready", "Có kết quả")
    act(page, "return_result", "Trả kết quả")
    assert page.get_by_test_id("status").inner_text() == "Đã trả kết quả"
    assert list(Dossier.objects.get(code=code).events.values_list("action", flat=True)) == [
        "receive",
        "assign",
        "forward",
        "approve",
        "mark_ready",
        "return_result",
    ]

    # The citizen opens the QR link, signed out.
    page.context.clear_cookies()
    page.goto(f"{base}/lookup/{code}/")
    assert page.get_by_test_id("status").inner_text() == "Đã trả kết quả"
    assert "Thủ tục đăng ký khai sinh" in page.locator("main").inner_text()
    for personal in ("Nguyễn Văn Bình", PID, "0912345678", "Thôn Đông"):
        assert personal not in page.content()
    assert violations(page) == []
