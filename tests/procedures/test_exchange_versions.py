"""The internal procedure in the catalogue exchange: exported with each procedure (JSON and a
fourth Excel sheet), imported back as the current version — a changed one published as a new
version, an unchanged one left alone, a generic template never replacing a published one —
with every bad value refused and nothing written."""

from __future__ import annotations

import copy
import io
import json
from datetime import date, timedelta

import pytest
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from tests.factories import staff
from tests.procedures.test_exchange import _wipe, seed, snapshot
from xaso.core.models import AuditEntry
from xaso.procedures.exchange import (
    catalogue_import_file,
    catalogue_json,
    catalogue_records,
    catalogue_xlsx,
)
from xaso.procedures.models import Procedure, ProcedureVersion
from xaso.procedures.services import CatalogueRejected, catalogue_import, version_publish

pytestmark = pytest.mark.django_db

LIMIT_24H = "1.004837"
SAME_DAY = "1.001193"
OWN = {
    "basis": "Quyết định 57/QĐ-UBND ngày 02/01/2026",
    "valid_from": "2026-01-05",
    "template": False,
    "steps": [
        {"name": "Tiếp nhận hồ sơ", "role": "reception", "hours": 2, "counted": True},
        {"name": "Thẩm định", "role": "specialist", "hours": 14, "counted": True},
        {"name": "Ký duyệt", "role": "leader", "hours": 4, "counted": True},
        {"name": "Vào số, đóng dấu", "role": "clerk", "hours": 4, "counted": True},
        {"name": "Trả kết quả", "role": "reception", "hours": None, "counted": False},
    ],
}


def publish_own(code: str = LIMIT_24H, ip: dict = OWN) -> ProcedureVersion:
    return version_publish(
        actor=staff(roles=("admin",)),
        procedure=Procedure.objects.get(code=code),
        valid_from=date.fromisoformat(ip["valid_from"]),
        basis=ip["basis"],
        steps=[(s["name"], s["role"], s["hours"], s["counted"]) for s in ip["steps"]],
    )


def current_internal() -> dict[str, dict]:
    """Each procedure's current internal procedure as the exchange writes it."""
    return {r["code"]: r["internal_procedure"] for r in catalogue_records()}


def record(data: list[dict], code: str) -> dict:
    return next(r for r in data if r["code"] == code)


def test_json_round_trip_carries_the_published_versions(catalogue):
    publish_own()
    same_day = {
        "basis": "QĐ 58/QĐ-UBND",
        "valid_from": "2026-02-01",
        "template": False,
        "steps": [
            {"name": "Tiếp nhận và giải quyết", "role": "reception", "hours": 6, "counted": True},
            {"name": "Lãnh đạo ký", "role": "leader", "hours": 2, "counted": True},
        ],
    }
    publish_own(SAME_DAY, same_day)
    exported = catalogue_json()
    records = json.loads(exported)
    assert record(records, LIMIT_24H)["internal_procedure"] == OWN
    assert record(records, SAME_DAY)["internal_procedure"] == same_day
    _wipe()
    result = catalogue_import_file(exported.encode())
    assert len(result.created) == 60
    assert catalogue_json() == exported
    v = Procedure.objects.get(code=LIMIT_24H).versions.get()
    assert (v.number, v.status, v.is_current, v.is_template) == (1, "published", True, False)
    # Imported again into the same catalogue: nothing changes, no version is added.
    before = snapshot()
    again = catalogue_import_file(exported.encode())
    assert (len(again.created), len(again.updated), len(again.unchanged)) == (0, 0, 60)
    assert snapshot() == before


def test_excel_round_trip_carries_the_published_versions(catalogue):
    publish_own()
    workbook = catalogue_xlsx()
    sheet = load_workbook(io.BytesIO(workbook))["Quy trình nội bộ"]
    rows = [[c.value for c in row] for row in sheet.iter_rows() if row[0].value == LIMIT_24H]
    assert [r[4:] for r in rows] == [
        [1, "Tiếp nhận hồ sơ", "reception", 2, True],
        [2, "Thẩm định", "specialist", 14, True],
        [3, "Ký duyệt", "leader", 4, True],
        [4, "Vào số, đóng dấu", "clerk", 4, True],
        [5, "Trả kết quả", "reception", None, False],
    ]
    assert {(r[0], r[1], r[2].date(), r[3]) for r in rows} == {
        (LIMIT_24H, OWN["basis"], date(2026, 1, 5), False)
    }
    assert sheet.cell(row=2, column=3).number_format == "DD/MM/YYYY"
    assert sheet.max_row == 1 + 60 * 4 - 4 + 5  # 59 templates of 4 steps, one of 5
    exported = catalogue_json()
    _wipe()
    result = catalogue_import_file(workbook)
    assert len(result.created) == 60
    assert catalogue_json() == exported
    again = catalogue_import_file(workbook)
    assert (len(again.created), len(again.updated), len(again.unchanged)) == (0, 0, 60)


def test_a_changed_internal_procedure_is_published_as_the_next_version(catalogue):
    publish_own()
    data = json.loads(catalogue_json())
    changed = copy.deepcopy(OWN)
    changed["basis"] = "Quyết định 90/QĐ-UBND"
    changed["steps"][1]["hours"], changed["steps"][3]["hours"] = 16, 2
    record(data, LIMIT_24H)["internal_procedure"] = changed
    result = catalogue_import(data)
    assert (result.updated, len(result.unchanged)) == ([LIMIT_24H], 59)
    p = Procedure.objects.get(code=LIMIT_24H)
    assert list(p.versions.order_by("number").values_list("number", "is_current", "basis")) == [
        (1, False, "Quy trình mẫu chung (tỉnh thay bằng quy trình nội bộ đã ban hành)"),
        (2, False, OWN["basis"]),
        (3, True, "Quyết định 90/QĐ-UBND"),
    ]
    assert current_internal()[LIMIT_24H] == changed
    entry = AuditEntry.objects.get(action="procedure.import_update")
    assert entry.changes == {"internal_procedure": [2, 3]}


def test_without_internal_procedures_the_current_ones_stay(catalogue):
    publish_own()
    before = current_internal()
    data = seed()  # the shipped file has none
    record(data, LIMIT_24H)["name"] += " (sửa)"
    result = catalogue_import(data)
    assert result.updated == [LIMIT_24H]
    assert current_internal() == before
    # An Excel file from before the steps sheet existed does the same.
    wb = load_workbook(io.BytesIO(catalogue_xlsx()))
    del wb["Quy trình nội bộ"]
    out = io.BytesIO()
    wb.save(out)
    result = catalogue_import_file(out.getvalue())
    assert (len(result.updated), len(result.unchanged)) == (0, 60)
    assert current_internal() == before


def test_a_template_never_replaces_a_published_internal_procedure(catalogue):
    exported_with_templates = json.loads(catalogue_json())
    publish_own()
    before = snapshot()
    with pytest.raises(CatalogueRejected) as caught:
        catalogue_import(exported_with_templates)
    [rejection] = caught.value.rejections
    assert str(rejection) == (
        f"Mục 16 (mã {LIMIT_24H}): Quy trình nội bộ: thủ tục đang dùng quy trình đã ban hành "
        f"(phiên bản 2, {OWN['basis']}); tệp chỉ có quy trình mẫu chung. Bỏ quy trình nội bộ "
        "của thủ tục này khỏi tệp để giữ quy trình đang dùng."
    )
    assert snapshot() == before


def _future() -> str:
    return (timezone.localdate() + timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    ("change", "reasons"),
    [
        (
            lambda ip: ip["steps"].pop(1),
            [
                "Quy trình nội bộ: Tổng số giờ các bước (10 giờ) phải bằng thời hạn giải quyết "
                "(24 giờ làm việc)."
            ],
        ),
        (
            lambda ip: ip["steps"][2].update(role="admin"),
            ["Quy trình nội bộ: Bước 3: vai trò “admin” không thực hiện được bước xử lý hồ sơ."],
        ),
        (
            lambda ip: ip["steps"].insert(0, ip["steps"].pop()),
            [
                "Quy trình nội bộ: Các bước không tính vào thời hạn (trả kết quả) phải ở cuối "
                "quy trình."
            ],
        ),
        (lambda ip: ip.update(basis=" "), ["Quy trình nội bộ: thiếu quyết định ban hành (basis)."]),
        (
            lambda ip: ip.update(valid_from="05/01/2026"),
            ["Quy trình nội bộ: ngày áp dụng “05/01/2026” không phải ngày dạng YYYY-MM-DD."],
        ),
        (
            lambda ip: ip.update(valid_from=_future()),
            [
                "Quy trình nội bộ: ngày áp dụng {future} chưa đến; chỉ nhập quy trình đã có "
                "hiệu lực."
            ],
        ),
        (
            lambda ip: ip.update(template="no"),
            ["Quy trình nội bộ: “template” phải là true hoặc false."],
        ),
        (
            lambda ip: ip.update(version=3),
            ["Quy trình nội bộ: trường “version” không có trong mẫu."],
        ),
        (
            lambda ip: ip["steps"][0].update(hours="2", minutes=0),
            [
                "Quy trình nội bộ, bước 1: trường “minutes” không có trong mẫu.",
                "Quy trình nội bộ, bước 1: số giờ “2” phải là số nguyên không âm hoặc null.",
            ],
        ),
        (
            lambda ip: ip.update(steps={"1": "Tiếp nhận"}),
            ["Quy trình nội bộ: các bước (steps) phải là danh sách đối tượng."],
        ),
    ],
    ids=[
        "hours-short",
        "admin-role",
        "return-first",
        "no-basis",
        "date-format",
        "future",
        "template-not-bool",
        "unknown-key",
        "bad-step",
        "steps-not-list",
    ],
)
def test_each_bad_internal_procedure_has_its_reason(catalogue, change, reasons):
    data = seed()
    ip = copy.deepcopy(OWN)
    change(ip)
    record(data, LIMIT_24H)["internal_procedure"] = ip
    before = snapshot()
    with pytest.raises(CatalogueRejected) as caught:
        catalogue_import(data)
    future = date.fromisoformat(_future())
    assert [r.reasons for r in caught.value.rejections] == [
        [r.format(future=f"{future:%d/%m/%Y}") for r in reasons]
    ]
    assert snapshot() == before


def test_internal_procedure_not_an_object(catalogue):
    data = seed()
    record(data, LIMIT_24H)["internal_procedure"] = ["Tiếp nhận"]
    with pytest.raises(CatalogueRejected) as caught:
        catalogue_import(data)
    assert caught.value.rejections[0].reasons == [
        "Quy trình nội bộ (internal_procedure) phải là một đối tượng hoặc null."
    ]


def _workbook_with(rows: list[list]) -> bytes:
    """The exported workbook with the steps of 1.004837 replaced by ``rows``."""
    wb = load_workbook(io.BytesIO(catalogue_xlsx()))
    sheet = wb["Quy trình nội bộ"]
    keep = [[c.value for c in r] for r in sheet.iter_rows(min_row=2) if r[0].value != LIMIT_24H]
    sheet.delete_rows(2, sheet.max_row)
    for r in keep + rows:
        sheet.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_excel_accepts_what_a_person_types(catalogue):
    """Role labels, dates typed as text, yes/no words, rows out of order."""
    basis = "QĐ 57"
    rows = [
        [LIMIT_24H, basis, "05/01/2026", "không", 3, "Ký duyệt", "Lãnh đạo", 4, "có"],
        [LIMIT_24H, basis, "05/01/2026", "không", 1, "Tiếp nhận", "reception", "2", "có"],
        [LIMIT_24H, basis, "05/01/2026", "không", 2, "Thẩm định", "Chuyên môn", 18, "x"],
        [LIMIT_24H, basis, "05/01/2026", "không", 4, "Trả kết quả", "Văn thư", None, "không"],
    ]
    result = catalogue_import_file(_workbook_with(rows))
    assert result.updated == [LIMIT_24H]
    assert current_internal()[LIMIT_24H] == {
        "basis": basis,
        "valid_from": "2026-01-05",
        "template": False,
        "steps": [
            {"name": "Tiếp nhận", "role": "reception", "hours": 2, "counted": True},
            {"name": "Thẩm định", "role": "specialist", "hours": 18, "counted": True},
            {"name": "Ký duyệt", "role": "leader", "hours": 4, "counted": True},
            {"name": "Trả kết quả", "role": "clerk", "hours": None, "counted": False},
        ],
    }


def test_excel_rows_that_disagree_are_refused(catalogue):
    rows = [
        [LIMIT_24H, "QĐ 57", date(2026, 1, 5), False, 1, "Tiếp nhận", "reception", 4, True],
        [LIMIT_24H, "QĐ 58", date(2026, 1, 5), False, 2, "Thẩm định", "specialist", 12, True],
        [LIMIT_24H, "QĐ 57", date(2026, 1, 6), False, 2, "Ký", "leader", 8, True],
        ["9.000000", "QĐ 1", date(2026, 1, 5), False, 1, "Tiếp nhận", "reception", 4, True],
    ]
    before = snapshot()
    with pytest.raises(CatalogueRejected) as caught:
        catalogue_import_file(_workbook_with(rows))
    last = 1 + 59 * 4 + 4
    assert [str(r) for r in caught.value.rejections] == [
        f"Trang “Quy trình nội bộ”, dòng {last} (mã 9.000000): "
        "Mã thủ tục “9.000000” không có trong trang “Thủ tục”.",
        f"Trang “Quy trình nội bộ” (mã {LIMIT_24H}): "
        f"Dòng {last - 2}: cột “Quyết định ban hành” khác dòng {last - 3}. "
        f"Dòng {last - 1}: cột “Áp dụng từ” khác dòng {last - 3}. "
        "Cột “Bước” có số thứ tự bị trùng.",
    ]
    assert snapshot() == before


def test_excel_bad_step_values_go_through_the_record_checks(catalogue):
    rows = [
        [LIMIT_24H, "QĐ 57", "mùng 5", "có lẽ", 1, "Tiếp nhận", "Thủ quỹ", 24, True],
    ]
    with pytest.raises(CatalogueRejected) as caught:
        catalogue_import_file(_workbook_with(rows))
    [rejection] = caught.value.rejections
    assert rejection.code == LIMIT_24H
    assert rejection.reasons == [
        "Quy trình nội bộ: “template” phải là true hoặc false.",
        "Quy trình nội bộ: ngày áp dụng “mùng 5” không phải ngày dạng YYYY-MM-DD.",
    ]


def test_the_empty_workbook_names_only_the_required_sheets(db):
    out = io.BytesIO()
    Workbook().save(out)
    with pytest.raises(CatalogueRejected) as caught:
        catalogue_import_file(out.getvalue())
    assert [str(r) for r in caught.value.rejections] == [
        "Tệp: Thiếu trang “Thủ tục”, “Thành phần hồ sơ”, “Phí, lệ phí”."
    ]
