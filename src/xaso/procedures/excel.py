"""The catalogue as an Excel workbook: one sheet of procedures, one of documents, one of fees,
and one of the internal procedures (a row per step; the version's decision, date and template
mark repeated on each row of the procedure, and checked to agree). A workbook without that sheet
(older exports) leaves every procedure's internal procedure as it is.

Plain values go in plain cells; nested parts of the exchange record (legal bases, results, the
limit as written per channel, source references) go in cells holding JSON, so a province can edit
the workbook and load it back without losing anything. Reading builds the same records as the
JSON file and goes through the same checks (``services.catalogue_import``).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any, BinaryIO

from xaso.core.text.normalize import fold
from xaso.org.models import Role

from .records import FEE_KNOWN, TIME_KNOWN
from .services import Rejection
from .steps import STEP_ROLES

SHEET_PROCEDURES = "Thủ tục"
SHEET_DOCUMENTS = "Thành phần hồ sơ"
SHEET_FEES = "Phí, lệ phí"
SHEET_STEPS = "Quy trình nội bộ"

Getter = Callable[[dict[str, Any]], Any]


def _pt(key: str) -> Getter:
    return lambda r: (r.get("processing_time") or {}).get(key)


def _fee(key: str) -> Getter:
    return lambda r: (r.get("fees") or {}).get(key)


def _norm(key: str) -> Getter:
    return lambda r: ((r.get("processing_time") or {}).get("normalized") or {}).get(key)


# (header, json-encoded?, getter, record path)
PROC_COLUMNS: list[tuple[str, bool, Getter, tuple[str, ...]]] = [
    ("Mã thủ tục", False, lambda r: r.get("code"), ("code",)),
    ("Tên thủ tục", False, lambda r: r.get("name"), ("name",)),
    ("Lĩnh vực", False, lambda r: r.get("field"), ("field",)),
    ("Cấp thực hiện", False, lambda r: r.get("implementing_level"), ("implementing_level",)),
    ("Loại thủ tục", False, lambda r: r.get("procedure_type"), ("procedure_type",)),
    ("Đối tượng thực hiện", False, lambda r: r.get("applicants"), ("applicants",)),
    ("Quyết định công bố", False, lambda r: r.get("publishing_decision"), ("publishing_decision",)),
    ("Cơ quan thực hiện", False, lambda r: r.get("implementing_agency"), ("implementing_agency",)),
    (
        "Cách thức nộp (JSON)",
        True,
        lambda r: r.get("submission_channels"),
        ("submission_channels",),
    ),
    ("Loại thời hạn", False, _norm("kind"), ("processing_time", "normalized", "kind")),
    ("Thời hạn (số)", False, _norm("value"), ("processing_time", "normalized", "value")),
    ("Giờ chốt", False, _norm("cutoff_hour"), ("processing_time", "normalized", "cutoff_hour")),
    ("Thời hạn theo kênh (JSON)", True, _pt("by_channel"), ("processing_time", "by_channel")),
    (
        "Câu nêu thời hạn (JSON)",
        True,
        _pt("statements_in_procedure_text"),
        ("processing_time", "statements_in_procedure_text"),
    ),
    ("Căn cứ thời hạn", False, _pt("normalized_basis"), ("processing_time", "normalized_basis")),
    ("Ghi chú thời hạn", False, _pt("note"), ("processing_time", "note")),
    (
        "Thời hạn - thông tin thêm (JSON)",
        True,
        lambda r: {
            k: v for k, v in (r.get("processing_time") or {}).items() if k not in TIME_KNOWN
        },
        ("processing_time", "*"),
    ),
    ("Lệ phí (đồng)", False, _fee("amount_vnd"), ("fees", "amount_vnd")),
    (
        "Phí khác nhau theo kênh",
        False,
        _fee("amount_differs_by_channel"),
        ("fees", "amount_differs_by_channel"),
    ),
    ("Bảng ghi miễn phí", False, _fee("free_in_table"), ("fees", "free_in_table")),
    (
        "Theo mức HĐND tỉnh",
        False,
        _fee("provincial_rate_applies"),
        ("fees", "provincial_rate_applies"),
    ),
    ("Miễn, giảm (JSON)", True, _fee("exemptions"), ("fees", "exemptions")),
    ("Ghi chú phí", False, _fee("note"), ("fees", "note")),
    (
        "Phí - thông tin thêm (JSON)",
        True,
        lambda r: {k: v for k, v in (r.get("fees") or {}).items() if k not in FEE_KNOWN},
        ("fees", "*"),
    ),
    (
        "Ghi chú hồ sơ (JSON)",
        True,
        lambda r: (r.get("dossier") or {}).get("notes"),
        ("dossier", "notes"),
    ),
    ("Yêu cầu, điều kiện", False, lambda r: r.get("conditions"), ("conditions",)),
    ("Kết quả (JSON)", True, lambda r: r.get("results"), ("results",)),
    (
        "Mức độ trực tuyến",
        False,
        lambda r: r.get("online_service_level"),
        ("online_service_level",),
    ),
    (
        "Nguồn mức độ trực tuyến (JSON)",
        True,
        lambda r: r.get("online_service_level_source"),
        ("online_service_level_source",),
    ),
    ("Căn cứ pháp lý (JSON)", True, lambda r: r.get("legal_bases"), ("legal_bases",)),
    ("Nguồn (JSON)", True, lambda r: r.get("source"), ("source",)),
]
DOC_COLUMNS = [
    ("Mã thủ tục", None),
    ("STT", None),
    ("Loại", "kind"),
    ("Trường hợp", "case"),
    ("Tên giấy tờ", "name"),
    ("Bản chính/bản sao", "original_or_copy"),
    ("Số bản chính", "count_original"),
    ("Số bản sao", "count_copy"),
    ("Tệp mẫu", "form_file"),
]
FEE_COLUMNS = [
    ("Mã thủ tục", None),
    ("STT", None),
    ("Kênh", "channel"),
    ("Ghi trên Cổng", "as_written"),
    ("Số tiền", "amount"),
    ("Đơn vị tiền", "currency"),
    ("Tính theo", "per"),
    ("Mô tả", "description"),
]
INT_KEYS = {"count_original", "count_copy", "amount"}
#: (header, key): version keys repeat on each step row; "order" is the step's number.
STEP_COLUMNS = [
    ("Mã thủ tục", None),
    ("Quyết định ban hành", "basis"),
    ("Áp dụng từ", "valid_from"),
    ("Quy trình mẫu chung", "template"),
    ("Bước", "order"),
    ("Công việc", "name"),
    ("Vai trò (reception, specialist, leader, clerk)", "role"),
    ("Số giờ làm việc", "hours"),
    ("Tính vào thời hạn", "counted"),
]
VERSION_KEYS = ("basis", "valid_from", "template")
YES = {"co", "true", "1", "x", "yes"}
NO = {"khong", "false", "0", "no"}


def workbook_bytes(records: Iterable[dict[str, Any]]) -> bytes:
    """The catalogue as an .xlsx file."""
    records = list(records)
    from openpyxl import Workbook  # 22 MB: loaded by the export, not by every web worker

    wb = Workbook()
    procs = wb.active
    assert procs is not None  # noqa: S101 - a new workbook always has one sheet
    procs.title = SHEET_PROCEDURES
    docs = wb.create_sheet(SHEET_DOCUMENTS)
    fees = wb.create_sheet(SHEET_FEES)
    procs.append([h for h, *_ in PROC_COLUMNS])
    docs.append([h for h, _ in DOC_COLUMNS])
    fees.append([h for h, _ in FEE_COLUMNS])
    for r in records:
        row = []
        for _h, as_json, get, _path in PROC_COLUMNS:
            value = get(r)
            row.append(
                json.dumps(value, ensure_ascii=False) if as_json and value is not None else value
            )
        procs.append(row)
        for i, c in enumerate((r.get("dossier") or {}).get("components", []), 1):
            docs.append([r["code"], i, *(c.get(k) for _h, k in DOC_COLUMNS[2:])])
        for i, f in enumerate((r.get("fees") or {}).get("by_channel", []), 1):
            fees.append([r["code"], i, *(f.get(k) for _h, k in FEE_COLUMNS[2:])])
    steps = wb.create_sheet(SHEET_STEPS)
    steps.append([h for h, _ in STEP_COLUMNS])
    for r in records:
        ip = r.get("internal_procedure")
        if not ip:
            continue
        day = date.fromisoformat(ip["valid_from"])
        for i, step in enumerate(ip["steps"], 1):
            steps.append(
                [r["code"], ip["basis"], day, ip["template"], i]
                + [step[k] for k in ("name", "role", "hours", "counted")]
            )
            steps.cell(row=steps.max_row, column=3).number_format = "DD/MM/YYYY"
    for ws in (procs, docs, fees, steps):
        ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _cell_int(value: Any) -> Any:
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _text(value: Any) -> Any:
    return (
        str(value).strip()
        if isinstance(value, int | float) and not isinstance(value, bool)
        else value
    )


def _set(record: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = record
    for key in path[:-1]:
        node = node.setdefault(key, {})
    if path[-1] == "*":
        node.update(value or {})
    else:
        node[path[-1]] = value


def workbook_records(stream: BinaryIO) -> tuple[list[dict[str, Any]], list[str], list[Rejection]]:
    """Records, their locations and the rows refused while reading the workbook."""
    try:
        from openpyxl import load_workbook

        wb = load_workbook(stream, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        return (
            [],
            [],
            [Rejection("Tệp", None, ["Tệp không phải bảng tính Excel (.xlsx) đọc được."])],
        )
    missing = [n for n in (SHEET_PROCEDURES, SHEET_DOCUMENTS, SHEET_FEES) if n not in wb.sheetnames]
    if missing:
        names = ", ".join(f"“{n}”" for n in missing)
        return [], [], [Rejection("Tệp", None, [f"Thiếu trang {names}."])]
    rejections: list[Rejection] = []
    records: list[dict[str, Any]] = []
    locations: list[str] = []
    by_code: dict[str, dict[str, Any]] = {}
    rows = wb[SHEET_PROCEDURES].iter_rows(values_only=True)
    header = [str(h or "").strip() for h in next(rows, ())]
    expected = [h for h, *_ in PROC_COLUMNS]
    if header[: len(expected)] != expected:
        return (
            [],
            [],
            [Rejection(f"Trang “{SHEET_PROCEDURES}”", None, ["Dòng tiêu đề không đúng mẫu."])],
        )
    for n, row in enumerate(rows, 2):
        if not any(v not in (None, "") for v in row):
            continue
        where = f"Trang “{SHEET_PROCEDURES}”, dòng {n}"
        record: dict[str, Any] = {"dossier": {"components": []}, "fees": {"by_channel": []}}
        reasons = []
        for (header_text, as_json, _get, path), value in zip(PROC_COLUMNS, row, strict=False):
            if as_json and isinstance(value, str) and value.strip():
                try:
                    value = json.loads(value)
                except ValueError:
                    reasons.append(f"Cột “{header_text}” không phải JSON hợp lệ.")
                    continue
            elif as_json:
                value = None
            elif path[-1] in ("value", "cutoff_hour", "amount_vnd"):
                value = _cell_int(value)
            elif path[0] in ("code", "publishing_decision"):
                value = _text(value)
            _set(record, path, value)
        pt = record.get("processing_time", {})
        if pt.get("normalized", {}).get("kind") in (None, ""):
            pt["normalized"] = None
        elif pt["normalized"].get("cutoff_hour") is None:
            pt["normalized"].pop("cutoff_hour")
        for key in ("submission_channels", "results", "legal_bases"):
            if record.get(key) is None:
                record[key] = []
        code = record.get("code")
        if isinstance(code, str):
            # Registered even when refused, so its document and fee rows are not refused again.
            by_code.setdefault(code.strip(), record)
        if reasons:
            rejections.append(Rejection(where, code if isinstance(code, str) else None, reasons))
            continue
        records.append(record)
        locations.append(where)
    for sheet, columns, target in (
        (SHEET_DOCUMENTS, DOC_COLUMNS, ("dossier", "components")),
        (SHEET_FEES, FEE_COLUMNS, ("fees", "by_channel")),
    ):
        drows = wb[sheet].iter_rows(values_only=True)
        next(drows, None)
        for n, row in enumerate(drows, 2):
            if not any(v not in (None, "") for v in row):
                continue
            code = _text(row[0])
            owner = by_code.get(code.strip()) if isinstance(code, str) else None
            if owner is None:
                rejections.append(
                    Rejection(
                        f"Trang “{sheet}”, dòng {n}",
                        code if isinstance(code, str) else None,
                        [f"Mã thủ tục “{code}” không có trong trang “{SHEET_PROCEDURES}”."],
                    )
                )
                continue
            item = {
                key: (_cell_int(v) if key in INT_KEYS else v)
                for (_h, key), v in zip(columns[2:], row[2:], strict=False)
                if key is not None
            }
            for _h, missing_key in columns[2 + len(row[2:]) :]:
                if missing_key is not None:
                    item.setdefault(missing_key, None)
            owner[target[0]][target[1]].append(item)
    if SHEET_STEPS in wb.sheetnames:
        rejections.extend(_read_steps(wb[SHEET_STEPS].iter_rows(values_only=True), by_code))
    wb.close()
    return records, locations, rejections


def _cell_date(value: Any) -> Any:
    """ISO text of a date cell or of a date typed as dd/mm/yyyy; anything else as it is (the
    record check then says what is wrong with it)."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        text = value.strip()
        try:
            return datetime.strptime(text, "%d/%m/%Y").date().isoformat()
        except ValueError:
            return text
    return value


def _cell_bool(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    word = fold(str(value)) if value is not None else ""
    if word in YES:
        return True
    if word in NO:
        return False
    return value


_ROLE_WORDS = {fold(str(Role(r).label)): str(r) for r in STEP_ROLES} | {
    str(r): str(r) for r in STEP_ROLES
}


def _cell_role(value: Any) -> Any:
    """A role code, or its Vietnamese label as the sheet may show it."""
    if not isinstance(value, str):
        return value
    return _ROLE_WORDS.get(fold(value), _ROLE_WORDS.get(value.strip(), value.strip()))


def _read_steps(
    rows: Iterable[tuple[Any, ...]], by_code: dict[str, dict[str, Any]]
) -> list[Rejection]:
    """Put each procedure's internal procedure (its rows of the steps sheet, by step number)
    into its record; refuse rows of unknown procedures, numbers that repeat and version columns
    that disagree between the rows of one procedure."""
    rejections: list[Rejection] = []
    grouped: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    next(iter(rows), None)
    for n, row in enumerate(rows, 2):
        if not any(v not in (None, "") for v in row):
            continue
        where = f"Trang “{SHEET_STEPS}”, dòng {n}"
        cells = dict(zip([k for _h, k in STEP_COLUMNS], list(row) + [None] * 9, strict=False))
        code = _text(row[0])
        if not isinstance(code, str) or code.strip() not in by_code:
            rejections.append(
                Rejection(
                    where,
                    code if isinstance(code, str) else None,
                    [f"Mã thủ tục “{code}” không có trong trang “{SHEET_PROCEDURES}”."],
                )
            )
            continue
        item = {
            "basis": "" if cells["basis"] is None else str(cells["basis"]).strip(),
            "valid_from": _cell_date(cells["valid_from"]),
            "template": _cell_bool(cells["template"]),
            "order": _cell_int(cells["order"]),
            "name": "" if cells["name"] is None else str(cells["name"]),
            "role": _cell_role(cells["role"]),
            "hours": _cell_int(cells["hours"]),
            "counted": _cell_bool(cells["counted"]),
        }
        grouped.setdefault(code.strip(), []).append((n, item))
    for code, items in grouped.items():
        first = items[0][1]
        reasons = []
        for n, item in items[1:]:
            for header, key in zip([h for h, _k in STEP_COLUMNS[1:4]], VERSION_KEYS, strict=True):
                if item[key] != first[key]:
                    reasons.append(f"Dòng {n}: cột “{header}” khác dòng {items[0][0]}.")
        orders = [item["order"] for _n, item in items]
        if not all(isinstance(o, int) and not isinstance(o, bool) for o in orders):
            reasons.append("Cột “Bước” phải là số thứ tự của bước.")
        elif len(set(orders)) != len(orders):
            reasons.append("Cột “Bước” có số thứ tự bị trùng.")
        if reasons:
            rejections.append(Rejection(f"Trang “{SHEET_STEPS}”", code, reasons))
            continue
        by_code[code]["internal_procedure"] = {
            **{key: first[key] for key in VERSION_KEYS},
            "steps": [
                {k: item[k] for k in ("name", "role", "hours", "counted")}
                for _n, item in sorted(items, key=lambda pair: pair[1]["order"])
            ],
        }
    return rejections
