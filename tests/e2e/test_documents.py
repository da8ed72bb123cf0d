"""Official documents in a real browser, from drafting to the commune's incoming register (issue
5): the specialist of Thạch Khoán composes a Quyết định in the Decree 30/2020/NĐ-CP layout
(Appendix I) and submits it; the chairman approves; the clerk numbers it (Appendix III register,
01/QĐ-UBND); the chairman signs it; the clerk issues it and sends it to Võ Miếu (another agency
on the same node, through the exchange's local delivery); Võ Miếu's clerk finds it in the incoming
list, opens it and enters it in the incoming register (Appendix IV: số đến 01); the sender sees
the status "registered". axe-core finds no serious or critical problem on the pages on the way."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.documents.world import World, build_world
from tests.e2e.conftest import axe_violations
from tests.factories import PASSWORD
from xaso.documents.models import IncomingDocument, OutgoingDocument, Recipient
from xaso.signing.verify import verify_pdf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SUBJECT = "Về việc thành lập Tổ công tác chuyển đổi số xã Thạch Khoán"


@pytest.fixture
def world(settings: Any, tmp_path: Path) -> World:
    settings.DATA_DIR = tmp_path / "data"
    settings.MEDIA_ROOT = tmp_path / "files"
    settings.XASO_SIGNING_TRUST_ROOTS = ""
    settings.XASO_SIGNING_TRUST_DEMO_CA = True
    settings.XASO_SIGNING_TSA_URL = ""
    settings.XASO_SIGNING_KEYSTORE_PASSPHRASE = None
    return build_world()


def sign_in(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base}/")


def no_serious_problems(page: Any, where: str) -> None:
    found = axe_violations(page)
    assert found == [], (where, found)


def act(page: Any, action: str, label: str, status: str) -> None:
    """Open the action's box on the document page and press its button."""
    box = page.locator(f'details[data-action="{action}"]')
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    button = box.locator("button[type=submit]")
    assert button.inner_text().strip() == label
    button.click()
    page.wait_for_load_state()
    assert page.get_by_test_id("status").inner_text().strip() == status, page.content()[:3000]


def test_from_drafting_to_the_communes_incoming_register(
    page: Any, live_server: Any, world: World
) -> None:
    base = live_server.url

    # The specialist composes the draft in the Decree 30 layout.
    sign_in(page, base, "chuyenvien")
    page.goto(f"{base}/documents/")
    no_serious_problems(page, "outgoing list")
    page.get_by_role("link", name="Soạn theo thể thức").click()
    page.wait_for_url(f"{base}/documents/outgoing/compose/")
    no_serious_problems(page, "compose form")
    page.get_by_label("Loại văn bản").select_option("QĐ")
    page.get_by_label("Trích yếu nội dung").fill(SUBJECT)
    page.locator("#id_body").fill(
        "Căn cứ Luật Tổ chức chính quyền địa phương;\n"
        "Điều 1. Thành lập Tổ công tác chuyển đổi số xã Thạch Khoán.\n"
        "Điều 2. Quyết định có hiệu lực từ ngày ký."
    )
    page.get_by_label("Nơi nhận (mỗi dòng một nơi)").fill("Như Điều 2;\nLưu: VT.")
    page.get_by_label("Thẩm quyền ký (TM., KT., ...)").fill("TM. ỦY BAN NHÂN DÂN")
    page.get_by_label("Chức vụ người ký").fill("Chủ tịch")
    page.get_by_label("Họ tên người ký").fill("Đinh Công Sơn")
    page.get_by_role("button", name="Lưu dự thảo").click()
    page.wait_for_url(f"{base}/documents/outgoing/*/")
    document_url = page.url
    assert page.get_by_test_id("status").inner_text().strip() == "Dự thảo"
    no_serious_problems(page, "draft page")
    act(page, "submit", "Trình duyệt", "Đã trình")

    # The chairman approves.
    sign_in(page, base, "chutich")
    page.goto(document_url)
    act(page, "approve", "Duyệt", "Đã duyệt")

    # The clerk numbers it.
    sign_in(page, base, "vanthu")
    page.goto(document_url)
    act(page, "number", "Cấp số", "Đã cấp số")
    assert page.get_by_test_id("number").inner_text() == "01/QĐ-UBND"

    # The chairman signs it.
    sign_in(page, base, "chutich")
    page.goto(document_url)
    act(page, "sign", "Ký số", "Đã ký số")
    no_serious_problems(page, "signed document page")

    # The clerk issues it and sends it to Võ Miếu.
    sign_in(page, base, "vanthu")
    page.goto(document_url)
    act(page, "issue", "Ban hành", "Đã ban hành")
    page.get_by_label("Mã định danh cơ quan nhận (cách nhau bởi dấu phẩy)").fill("H25.38.22")
    page.get_by_role("button", name="Gửi văn bản").click()
    page.wait_for_load_state()
    row = page.get_by_test_id("recipient")
    assert "UBND xã Võ Miếu" in row.inner_text()
    assert row.locator("td[data-status]").get_attribute("data-status") == "arrived"
    no_serious_problems(page, "sent document page")

    outgoing = OutgoingDocument.objects.get(subject=SUBJECT)
    assert outgoing.number_notation == "01/QĐ-UBND"
    with outgoing.signed_file.open("rb") as fh:
        signed = fh.read()
    # pyHanko runs its own event loop: not in this thread, where Playwright's is running.
    with ThreadPoolExecutor(max_workers=1) as pool:
        result = pool.submit(verify_pdf, signed).result()
    assert result.code == "valid", result

    # Võ Miếu's clerk finds it in the incoming list and registers it.
    sign_in(page, base, "vt_vomieu")
    page.goto(f"{base}/documents/incoming/")
    no_serious_problems(page, "incoming list")
    page.get_by_role("link", name=SUBJECT).click()
    page.wait_for_url(f"{base}/documents/incoming/*/")
    no_serious_problems(page, "incoming document page")
    assert "UBND xã Thạch Khoán (H25.38.21)" in page.content()
    assert "01/QĐ-UBND" in page.content()
    page.get_by_role("button", name="Vào sổ văn bản đến").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("number").inner_text() == "01"
    assert page.get_by_test_id("status").inner_text().strip() == "Đã vào sổ"
    no_serious_problems(page, "registered incoming document page")

    incoming = IncomingDocument.objects.get(agency=world.b)
    assert (incoming.incoming_number, incoming.status, incoming.source) == (
        1,
        "registered",
        "electronic",
    )
    assert Recipient.objects.get(document=outgoing).status == "registered"

    # The incoming register (Appendix IV) lists it with its number.
    assert incoming.registered_at is not None
    page.goto(f"{base}/documents/registers/incoming/{incoming.registered_at.year}/")
    assert SUBJECT in page.content()
    no_serious_problems(page, "incoming register")
