"""Civil status in a real browser, from a one-stop dossier to a signed certificate: a birth
registration dossier is received and assigned to the civil status officer; the leader's approval
is refused while the birth is not in the register; the officer opens the registration form from
the civil status home (prefilled with the applicant, linked to the dossier), types the birth with
the keyboard, is told what is wrong next to the field, saves and lands on the entry's page; the
leader approves the dossier, opens the entry and issues the signed Giấy khai sinh, whose PAdES
signature validates with pyHanko and pdfsig. axe-core finds no serious problem on the way."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tests.civil.test_certificates_support import name_units, pdfsig
from tests.civil.world import CivilWorld, build_world, leader_titled
from tests.dossiers.world import APPLICANT
from tests.e2e.conftest import axe_violations
from tests.factories import PASSWORD
from xaso.civil.models import CivilRecord
from xaso.dossiers import services as dossier_services
from xaso.dossiers.models import Dossier, Status

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def office(settings: Any, tmp_path: Path) -> tuple[CivilWorld, Dossier]:
    from xaso.signing.services import certificate_issue_demo

    w = build_world()
    settings.DATA_DIR = tmp_path / "data"
    settings.XASO_SIGNING_TRUST_ROOTS = ""
    settings.XASO_SIGNING_TRUST_DEMO_CA = True
    settings.XASO_SIGNING_TSA_URL = ""
    settings.XASO_SIGNING_KEYSTORE_PASSPHRASE = None
    settings.XASO_PUBLIC_BASE_URL = "https://xaso.example.vn"
    leader_titled(w)
    name_units(w)
    certificate_issue_demo(agency=w.a)
    # A's registers are kept here (one earlier entry), so its civil dossiers need their entry.
    from tests.civil.world import birth
    from xaso.civil import services

    services.civil_register_birth(actor=w.officer, **birth())
    d = dossier_services.dossier_receive(
        actor=w.reception,
        procedure_code="1.001193",
        channel="counter",
        applicant=APPLICANT,
        received_at=timezone.now() - timedelta(minutes=30),
    )
    d = dossier_services.dossier_assign(actor=w.reception, dossier=d, assignee=w.officer)
    return w, d


def sign_in(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base}/")


def approve(page: Any) -> None:
    box = page.locator('details[data-action="approve"]')
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    box.get_by_role("button", name="Phê duyệt").click()
    page.wait_for_load_state()


def test_birth_from_dossier_to_the_register_and_approval(
    page: Any, live_server: Any, office: tuple[CivilWorld, Dossier], tmp_path: Path
) -> None:
    w, d = office
    base = live_server.url
    born = (timezone.localdate() - timedelta(days=12)).strftime("%d/%m/%Y")

    # The leader cannot approve yet: the birth is not in the register.
    sign_in(page, base, "chutich")
    page.goto(f"{base}/dossiers/{d.code}/")
    approve(page)
    error = page.get_by_test_id("error").inner_text()
    assert error.startswith(f"Hồ sơ {d.code} chưa được ghi vào Sổ hộ tịch")
    assert page.get_by_test_id("status").inner_text() == "Đang xử lý"

    # The officer: the dossier waits on the civil status home.
    sign_in(page, base, "hotich")
    page.goto(f"{base}/civil/")
    assert violations_of(page) == []
    row = page.get_by_test_id("awaiting").locator("tr", has_text=d.code)
    row.get_by_role("link", name="Mở tờ khai đăng ký").click()
    page.wait_for_url(re.compile(r".*/civil/register/birth/\?dossier="))
    assert d.code in page.get_by_test_id("dossier").inner_text()
    assert page.locator("#id_declarant-full_name").input_value() == "Nguyễn Văn Bình"
    assert page.locator("#id_declarant-id_number").input_value() == APPLICANT["personal_id"]
    assert page.locator("#id_registered_on").input_value() == timezone.localdate().strftime(
        "%d/%m/%Y"
    )

    # Keyboard first: the cursor starts on the child's family name; Tab walks the paper form.
    page.wait_for_function(
        "document.activeElement && document.activeElement.id === 'id_child-family_name'"
    )
    page.keyboard.type("Trần")
    page.keyboard.press("Tab")
    page.keyboard.type("Thị")
    page.keyboard.press("Tab")
    page.keyboard.type("Hoài")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # Nam
    page.keyboard.press("ArrowDown")  # Nữ
    page.keyboard.press("Tab")
    page.keyboard.type(born)
    page.keyboard.press("Tab")
    page.keyboard.type("Kinh")
    page.locator("#id_place_of_birth").fill("Trạm Y tế xã Đông")
    page.locator("#id_home_town").fill("xã Đông, tỉnh Thử Nghiệm")
    page.locator("#id_mother-full_name").fill("Trần Thị Mỹ")
    page.locator("#id_mother-birth_year").fill("1996")
    page.locator("#id_mother-ethnicity").fill("Kinh")
    page.locator("#id_mother-residence").fill("Thôn Đông, xã Đông")
    page.locator("#id_declarant-relationship").select_option("relative")
    assert violations_of(page) == []

    # A wrong year of birth of the mother: told next to the field, nothing written.
    page.locator("#id_mother-birth_year").fill("2030")
    page.get_by_role("button", name="Ghi vào sổ").click()
    page.wait_for_load_state()
    assert "Năm sinh phải trong khoảng" in page.locator("#id_mother-birth_year_error").inner_text()
    assert CivilRecord.objects.filter(dossier=d).count() == 0
    assert violations_of(page) == []
    page.locator("#id_mother-birth_year").fill("1996")
    page.get_by_role("button", name="Ghi vào sổ").click()

    page.wait_for_url(re.compile(r".*/civil/records/[0-9a-f-]+/$"))
    record = CivilRecord.objects.get(dossier=d)
    assert page.locator(".messages li").inner_text() == (
        f"Đã ghi vào {record.book}, số {record.entry_number}."
    )
    assert page.get_by_test_id("kind").inner_text() == "Khai sinh"
    assert page.get_by_test_id("entry-number").inner_text() == "2"
    assert page.get_by_test_id("name-child").inner_text() == "Trần Thị Hoài"
    assert page.get_by_test_id("dossier").inner_text() == d.code
    assert page.get_by_test_id("late").inner_text() == "Đúng hạn"
    assert violations_of(page) == []

    # The leader approves the dossier: its entry is in the register now.
    sign_in(page, base, "chutich")
    page.goto(f"{base}/dossiers/{d.code}/")
    approve(page)
    assert page.locator(".messages li").inner_text() == "Đã thực hiện: phê duyệt."
    assert Dossier.objects.get(pk=d.pk).status == Status.APPROVED
    page.goto(f"{base}/civil/records/{record.public_id}/")
    form = page.get_by_test_id("issue")
    assert form.locator("#issue-medium").input_value() == "electronic"
    assert form.locator("#issue-signer").input_value() == "chutich"
    assert violations_of(page) == []


def test_leader_issues_the_signed_birth_certificate(
    page: Any, live_server: Any, office: tuple[CivilWorld, Dossier], tmp_path: Path
) -> None:
    w, _d = office
    base = live_server.url
    record = CivilRecord.objects.get(event="birth", entry_number=1)
    sign_in(page, base, "chutich")
    page.goto(f"{base}/civil/records/{record.public_id}/")
    form = page.get_by_test_id("issue")
    with page.expect_download() as download:
        form.get_by_role("button", name="Cấp giấy tờ hộ tịch (PDF)").click()
    pdf = Path(download.value.path()).read_bytes()
    assert download.value.suggested_filename.startswith("giay-khai-sinh-ban-chinh-")
    assert pdf[:5] == b"%PDF-"

    from concurrent.futures import ThreadPoolExecutor

    from xaso.signing.verify import verify_pdf

    # pyHanko runs its own event loop: not in this thread, where Playwright's is running.
    with ThreadPoolExecutor(max_workers=1) as pool:
        result = pool.submit(verify_pdf, pdf).result()
    assert (result.code, result.modified_after_signing) == ("valid", False)
    [signature] = result.signatures
    assert (signature.intact, signature.valid, signature.covers_whole_file) == (True, True, True)
    out = pdfsig(pdf, tmp_path)
    assert "Signature Validation: Signature is Valid." in out
    assert "Total document signed" in out

    page.goto(f"{base}/civil/records/{record.public_id}/")
    documents = page.locator("#h-documents + table tbody tr")
    assert documents.count() == 1
    assert documents.first.inner_text().startswith("1\tGIẤY KHAI SINH\tBản chính\tBản điện tử")
    assert violations_of(page) == []


def violations_of(page: Any) -> list[dict]:
    return axe_violations(page)
