"""Import and export: JSON and Excel round trips, all-or-nothing refusals with exact reasons."""

from __future__ import annotations

import copy
import io
import json

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from xaso.core.models import AuditEntry
from xaso.procedures.exchange import (
    SEED_PATH,
    catalogue_import_file,
    catalogue_json,
    catalogue_records,
    catalogue_xlsx,
)
from xaso.procedures.models import (
    Procedure,
    ProcedureDocument,
    ProcedureFee,
    ProcedureStep,
    ProcedureVersion,
)
from xaso.procedures.services import CatalogueRejected, catalogue_import

pytestmark = pytest.mark.django_db


def seed() -> list[dict]:
    return json.loads(SEED_PATH.read_text(encoding="utf-8"))


def snapshot() -> dict[str, list[dict]]:
    """Every catalogue row without surrogate keys and timestamps."""
    procs = [
        {k: v for k, v in row.items() if k not in ("id", "updated_at")}
        for row in Procedure.objects.order_by("code").values()
    ]
    docs = list(
        ProcedureDocument.objects.order_by("procedure__code", "order").values(
            "procedure__code",
            "order",
            "kind",
            "case",
            "name",
            "original_or_copy",
            "count_original",
            "count_copy",
            "form_file",
        )
    )
    fees = list(
        ProcedureFee.objects.order_by("procedure__code", "order").values(
            "procedure__code",
            "order",
            "channel",
            "as_written",
            "amount",
            "currency",
            "per",
            "description",
        )
    )
    versions = list(
        ProcedureVersion.objects.order_by("procedure__code", "number").values(
            "procedure__code", "number", "valid_from", "is_current", "is_template", "basis"
        )
    )
    steps = list(
        ProcedureStep.objects.order_by(
            "version__procedure__code", "version__number", "order"
        ).values("version__procedure__code", "order", "name", "role", "hours", "counted")
    )
    return {
        "procedures": procs,
        "documents": docs,
        "fees": fees,
        "versions": versions,
        "steps": steps,
    }


def _wipe() -> None:
    Procedure.objects.all().delete()
    assert Procedure.objects.count() == ProcedureDocument.objects.count() == 0


def test_json_export_is_the_seed_file_with_each_internal_procedure(catalogue):
    records = catalogue_records()
    without = [{k: v for k, v in r.items() if k != "internal_procedure"} for r in records]
    assert without == sorted(seed(), key=lambda r: r["code"])
    marital = next(r for r in records if r["code"] == "1.004873")  # 3 working days
    assert marital["internal_procedure"] == {
        "basis": "Quy trình mẫu chung (tỉnh thay bằng quy trình nội bộ đã ban hành)",
        "valid_from": timezone.localdate().isoformat(),
        "template": True,
        "steps": [
            {
                "name": "Tiếp nhận, kiểm tra và chuyển hồ sơ",
                "role": "reception",
                "hours": 4,
                "counted": True,
            },
            {
                "name": "Thẩm định, xử lý và dự thảo kết quả",
                "role": "specialist",
                "hours": 12,
                "counted": True,
            },
            {"name": "Xem xét, ký duyệt kết quả", "role": "leader", "hours": 8, "counted": True},
            {
                "name": "Trả kết quả cho người yêu cầu",
                "role": "reception",
                "hours": 0,
                "counted": False,
            },
        ],
    }


def test_json_round_trip_into_empty_database(catalogue):
    before = snapshot()
    exported = catalogue_json().encode()
    _wipe()
    result = catalogue_import_file(exported)
    assert len(result.created) == 60
    assert snapshot() == before


def test_excel_round_trip_into_empty_database(catalogue):
    before = snapshot()
    workbook = catalogue_xlsx()
    wb = load_workbook(io.BytesIO(workbook), read_only=True)
    assert wb.sheetnames == ["Thủ tục", "Thành phần hồ sơ", "Phí, lệ phí", "Quy trình nội bộ"]
    assert wb["Thủ tục"].max_row == 61
    assert wb["Thành phần hồ sơ"].max_row == 305
    assert wb["Phí, lệ phí"].max_row == 157
    _wipe()
    result = catalogue_import_file(workbook)
    assert len(result.created) == 60
    assert snapshot() == before
    again = catalogue_import_file(workbook)
    assert (len(again.created), len(again.updated), len(again.unchanged)) == (0, 0, 60)


def test_import_updates_changed_procedure_and_audits(catalogue):
    data = seed()
    guardianship = next(r for r in data if r["code"] == "1.004837")
    guardianship["processing_time"]["normalized"] = {"kind": "working_days", "value": 5}
    guardianship["dossier"]["components"].pop()
    result = catalogue_import(data)
    assert (result.created, result.updated, len(result.unchanged)) == ([], ["1.004837"], 59)
    p = Procedure.objects.get(code="1.004837")
    assert (p.time_limit_kind, p.time_limit_value) == ("working_days", 5)
    entry = AuditEntry.objects.get(action="procedure.import_update")
    assert entry.changes["time_limit_value"] == [3, 5]
    assert entry.changes["documents"] == [7, 6]
    # The generic internal procedure follows the new limit in a new version.
    versions = list(p.versions.order_by("number"))
    assert [(v.number, v.is_current) for v in versions] == [(1, False), (2, True)]
    assert sum(s.hours for s in versions[1].steps.all() if s.counted) == 40


def _refused(data) -> CatalogueRejected:
    with pytest.raises(CatalogueRejected) as caught:
        catalogue_import(data)
    return caught.value


def test_bad_file_refused_whole_with_every_reason(db):
    data = seed()[:4]
    good_first = copy.deepcopy(data[0])
    del data[1]["code"]
    data[2]["processing_time"]["normalized"] = {"kind": "weeks", "value": 2}
    data[3]["code"] = good_first["code"]
    data.append(copy.deepcopy(good_first))
    data[4]["code"] = "1.999999"
    data[4]["fees"]["amount_vnd"] = "8.000 đồng"
    data[4]["dossier"]["components"][0]["count_copy"] = -1
    data[4]["submission_channels"] = "Trực tiếp"
    audit_before = AuditEntry.objects.count()
    exc = _refused(data)
    assert [str(r) for r in exc.rejections] == [
        "Mục 2: Thiếu mã thủ tục.",
        "Mục 3 (mã 1.000894): Thời hạn giải quyết: loại “weeks” không hợp lệ "
        "(working_days, working_hours, same_day_cutoff, days hoặc null).",
        "Mục 4 (mã 1.001193): Mã thủ tục 1.001193 bị trùng với mục 1.",
        "Mục 5 (mã 1.999999): Cách thức nộp (submission_channels) phải là danh sách chuỗi. "
        "Lệ phí “8.000 đồng” phải là số đồng nguyên không âm hoặc null. "
        "Thành phần hồ sơ, dòng 1: số bản “-1” phải là số nguyên không âm.",
    ]
    assert exc.message == "Không nhập danh mục: 4 mục bị từ chối, chưa ghi gì."
    assert exc.code == "catalogue_rejected"
    assert Procedure.objects.count() == 0
    assert AuditEntry.objects.count() == audit_before


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (
            lambda r: r.update(code="1001193"),
            "Mã thủ tục “1001193” không đúng dạng (ví dụ 1.001193).",
        ),
        (lambda r: r.update(name="  "), "Thiếu tên thủ tục."),
        (lambda r: r.update(name=12), "Trường “name” phải là chuỗi ký tự."),
        (lambda r: r.update(extra=1), "Trường “extra” không có trong mẫu danh mục."),
        (
            lambda r: r["processing_time"].update(
                normalized={"kind": "working_days", "value": "3"}
            ),
            "Thời hạn giải quyết: số “3” phải là số nguyên không âm.",
        ),
        (
            lambda r: r["processing_time"].update(
                normalized={"kind": "same_day_cutoff", "value": 0, "cutoff_hour": 25}
            ),
            "Thời hạn giải quyết: giờ chốt “25” phải là số nguyên từ 0 đến 23.",
        ),
        (
            lambda r: r.update(online_service_level="cấp độ 4"),
            "Mức độ dịch vụ trực tuyến “cấp độ 4” không hợp lệ "
            "(toàn trình, một phần, không hoặc null).",
        ),
        (
            lambda r: r["dossier"]["components"][0].update(original_or_copy="scan"),
            "Thành phần hồ sơ, dòng 1: bản chính/bản sao “scan” không hợp lệ.",
        ),
    ],
)
def test_each_bad_value_has_its_reason(db, change, reason):
    data = seed()[:1]
    change(data[0])
    exc = _refused(data)
    assert exc.rejections[0].reasons == [reason]
    assert Procedure.objects.count() == 0


def test_bad_file_refused_when_catalogue_exists(catalogue):
    before = snapshot()
    data = seed()
    data[0]["processing_time"]["normalized"] = {"kind": "working_days", "value": 9}  # valid change
    data[59]["code"] = ""  # one bad item
    exc = _refused(data)
    assert [str(r) for r in exc.rejections] == ["Mục 60: Thiếu mã thủ tục."]
    assert snapshot() == before


def test_not_a_list_and_not_json(db):
    with pytest.raises(CatalogueRejected) as caught:
        catalogue_import({"procedures": []})
    assert [str(r) for r in caught.value.rejections] == [
        "Tệp: Tệp danh mục phải là một danh sách (mảng JSON) các thủ tục."
    ]
    with pytest.raises(CatalogueRejected) as caught:
        catalogue_import_file(b"{not json")
    assert [str(r) for r in caught.value.rejections] == [
        "Tệp: Tệp không phải JSON hợp lệ (JSONDecodeError)."
    ]


def test_bad_excel_rows_refused_with_sheet_and_row(catalogue):
    wb = load_workbook(io.BytesIO(catalogue_xlsx()))
    procs = wb["Thủ tục"]
    assert (procs["A3"].value, procs["A4"].value) == ("1.000593", "1.000656")
    assert (procs["J1"].value, procs["AD1"].value) == ("Loại thời hạn", "Căn cứ pháp lý (JSON)")
    procs["J3"] = "tuần"
    procs["AD4"] = "[không phải json"
    wb["Thành phần hồ sơ"].append(
        ["9.000000", 1, "submit", None, "Tờ khai", "original", 1, 0, None]
    )
    out = io.BytesIO()
    wb.save(out)
    before = snapshot()
    with pytest.raises(CatalogueRejected) as caught:
        catalogue_import_file(out.getvalue())
    assert [str(r) for r in caught.value.rejections] == [
        "Trang “Thủ tục”, dòng 4 (mã 1.000656): "
        "Cột “Căn cứ pháp lý (JSON)” không phải JSON hợp lệ.",
        "Trang “Thành phần hồ sơ”, dòng 306 (mã 9.000000): "
        "Mã thủ tục “9.000000” không có trong trang “Thủ tục”.",
        "Trang “Thủ tục”, dòng 3 (mã 1.000593): Thời hạn giải quyết: loại “tuần” không hợp lệ "
        "(working_days, working_hours, same_day_cutoff, days hoặc null).",
    ]
    assert snapshot() == before


def test_excel_without_its_sheets(db):
    from openpyxl import Workbook

    out = io.BytesIO()
    Workbook().save(out)
    with pytest.raises(CatalogueRejected) as caught:
        catalogue_import_file(out.getvalue())
    assert [str(r) for r in caught.value.rejections] == [
        "Tệp: Thiếu trang “Thủ tục”, “Thành phần hồ sơ”, “Phí, lệ phí”."
    ]
