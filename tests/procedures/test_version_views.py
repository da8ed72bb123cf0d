"""The internal procedure's versions page: everyone logged in reads the versions; agency
administrators keep a draft, publish it or discard it; refusals shown in Vietnamese with the
input kept, and nothing published."""

from __future__ import annotations

import pytest

from tests.factories import staff
from xaso.procedures.models import Procedure, ProcedureVersion

pytestmark = pytest.mark.django_db

CODE = "1.004837"  # 3 working days = 24 working hours
URL = f"/procedures/{CODE}/versions/"


def form_data(action: str, steps: list[tuple], **extra: str) -> dict[str, str]:
    data = {
        "action": action,
        "basis": "Quyết định 57/QĐ-UBND",
        "valid_from": "05/01/2026",
        "steps-TOTAL_FORMS": str(len(steps) + 1),
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
        **extra,
    }
    for i, (order, name, role, hours, counted) in enumerate(steps):
        data[f"steps-{i}-order"] = str(order)
        data[f"steps-{i}-name"] = name
        data[f"steps-{i}-role"] = role
        data[f"steps-{i}-hours"] = "" if hours is None else str(hours)
        if counted:
            data[f"steps-{i}-counted"] = "on"
    return data  # the last row is left blank, as the page offers it


GOOD = [
    (1, "Tiếp nhận hồ sơ", "reception", 2, True),
    (3, "Ký duyệt", "leader", 4, True),  # typed out of order: the numbers decide
    (2, "Thẩm định", "specialist", 18, True),
    (4, "Trả kết quả", "reception", None, False),
]


def current(code: str = CODE) -> ProcedureVersion:
    return ProcedureVersion.objects.get(procedure__code=code, is_current=True)


def versions() -> list[tuple]:
    return list(
        ProcedureVersion.objects.filter(procedure__code=CODE)
        .order_by("pk")
        .values_list("number", "status", "is_current", "basis")
    )


def test_an_officer_reads_the_versions_but_cannot_change_them(client, catalogue):
    client.force_login(staff(roles=("reception", "leader")))
    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Phiên bản 1" in html and "đang áp dụng" in html and "quy trình mẫu chung" in html
    assert "0 hồ sơ tiếp nhận theo phiên bản này" in html
    assert 'name="action"' not in html
    before = versions()
    assert client.post(URL, form_data("publish", GOOD)).status_code == 403
    assert versions() == before
    assert (
        'href="/procedures/1.004837/versions/"'
        in client.get(f"/procedures/{CODE}/").content.decode()
    )


def test_the_editor_starts_from_the_current_version(client, catalogue):
    client.force_login(staff(roles=("admin",)))
    page = client.get(URL)
    formset = page.context["formset"]
    assert [f.initial["name"] for f in formset.forms[:4]] == [
        "Tiếp nhận, kiểm tra và chuyển hồ sơ",
        "Thẩm định, xử lý và dự thảo kết quả",
        "Xem xét, ký duyệt kết quả",
        "Trả kết quả cho người yêu cầu",
    ]
    assert len(formset.forms) == 6  # and two blank rows to add steps
    assert "Soạn phiên bản mới" in page.content.decode()


def test_save_then_publish(client, catalogue):
    admin = staff(roles=("admin",))
    client.force_login(admin)
    r = client.post(URL, form_data("save", GOOD))
    assert (r.status_code, r["Location"]) == (302, URL)
    page = client.get(URL)
    html = page.content.decode()
    assert "Đã lưu bản nháp quy trình nội bộ." in html
    assert "Sửa bản nháp" in html and "Bỏ bản nháp" in html
    assert [f.initial["name"] for f in page.context["formset"].forms[:4]] == [
        "Tiếp nhận hồ sơ",
        "Thẩm định",
        "Ký duyệt",
        "Trả kết quả",
    ]
    assert current().number == 1
    r = client.post(URL, form_data("publish", GOOD))
    assert (r.status_code, r["Location"]) == (302, f"/procedures/{CODE}/")
    v = current()
    assert (v.number, v.basis, v.published_by) == (2, "Quyết định 57/QĐ-UBND", admin)
    assert [(s.order, s.name, s.hours, s.counted) for s in v.steps.all()] == [
        (1, "Tiếp nhận hồ sơ", 2, True),
        (2, "Thẩm định", 18, True),
        (3, "Ký duyệt", 4, True),
        (4, "Trả kết quả", None, False),
    ]
    detail = client.get(f"/procedures/{CODE}/").content.decode()
    assert (
        "Đã ban hành quy trình nội bộ phiên bản 2; hồ sơ tiếp nhận từ nay theo phiên bản này."
        in detail
    )
    assert versions() == [
        (
            1,
            "published",
            False,
            "Quy trình mẫu chung (tỉnh thay bằng quy trình nội bộ đã ban hành)",
        ),
        (2, "published", True, "Quyết định 57/QĐ-UBND"),
    ]


def test_a_rule_broken_at_publishing_keeps_the_draft_and_says_why(client, catalogue):
    client.force_login(staff(roles=("admin",)))
    short = [(1, "Tiếp nhận hồ sơ", "reception", 2, True), (2, "Thẩm định", "specialist", 10, True)]
    r = client.post(URL, form_data("publish", short, basis=""))
    assert r.status_code == 400
    html = r.content.decode()
    assert "Quy trình nội bộ chưa ban hành được." in html
    assert "Cần ghi quyết định ban hành quy trình nội bộ." in html
    assert "Tổng số giờ các bước (12 giờ) phải bằng thời hạn giải quyết (24 giờ làm việc)." in html
    assert current().number == 1
    # What was typed is kept, as a draft and on the page.
    assert versions()[-1][:3] == (None, "draft", False)
    assert r.context["formset"].forms[1].cleaned_data["name"] == "Thẩm định"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (form_data("save", GOOD, valid_from="31/02/2026"), "Nhập một ngày hợp lệ."),
        (
            form_data("save", [(1, "Tiếp nhận", "admin", 2, True)]),
            "Hãy chọn một lựa chọn hợp lệ. admin không phải là một trong các lựa chọn khả thi.",
        ),
        (
            form_data("save", [(1, "Tiếp nhận", "reception", -2, True)]),
            "Đảm bảo giá trị này lớn hơn hoặc bằng với 0 .",
        ),
        (
            form_data("save", [(1, "", "reception", 2, True)]),
            "Bước 1: thiếu tên công việc.",
        ),
    ],
    ids=["bad-date", "admin-role", "negative-hours", "no-name"],
)
def test_bad_input_is_shown_and_nothing_saved(client, catalogue, data, message):
    client.force_login(staff(roles=("admin",)))
    before = versions()
    r = client.post(URL, data)
    assert r.status_code == 400
    assert message in r.content.decode()
    assert versions() == before


def test_discard(client, catalogue):
    client.force_login(staff(roles=("admin",)))
    client.post(URL, form_data("save", GOOD))
    assert ProcedureVersion.objects.filter(status="draft").count() == 1
    r = client.post(URL, {"action": "discard"})
    assert (r.status_code, r["Location"]) == (302, URL)
    assert ProcedureVersion.objects.filter(status="draft").count() == 0
    r = client.post(URL, {"action": "discard"})
    assert r.status_code == 404
    assert "Thủ tục 1.004837 không có bản nháp quy trình." in r.content.decode()
    assert client.post(URL, {"action": "drop-table"}).status_code == 400


def test_unknown_procedure_404(client, catalogue):
    client.force_login(staff(roles=("admin",)))
    assert client.get("/procedures/9.999999/versions/").status_code == 404
    assert Procedure.objects.filter(code="9.999999").count() == 0
