"""The catalogue exchange format: one JSON object per procedure, exactly the shape of the shipped
``data/procedures-commune.json`` (documented in docs of the seed: procedures-commune.md).

``record_check`` lists every reason a record is refused, in Vietnamese; ``record_fields`` turns a
checked record into model values (``record_internal`` its internal procedure); ``procedure_record``
turns a stored procedure back into the same record, with its current internal procedure, so
export → import gives the same rows. The seed file carries no internal procedure: each procedure
then gets the generic template of ``steps``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.utils import timezone

from xaso.core.text.normalize import fold

from .models import (
    DocumentKind,
    OnlineLevel,
    OriginalOrCopy,
    Procedure,
    ProcedureVersion,
    TimeLimitKind,
)
from .steps import InternalProcedure, StepSpec, steps_problems

CODE_RE = re.compile(r"^[0-9]{1,2}\.[0-9]{6}$")

TOP_KEYS = (
    "code",
    "name",
    "field",
    "implementing_level",
    "procedure_type",
    "applicants",
    "publishing_decision",
    "implementing_agency",
    "submission_channels",
    "processing_time",
    "fees",
    "dossier",
    "conditions",
    "results",
    "online_service_level",
    "online_service_level_source",
    "legal_bases",
    "source",
    "internal_procedure",
)
INTERNAL_KEYS = ("basis", "valid_from", "template", "steps")
STEP_KEYS = ("name", "role", "hours", "counted")
REQUIRED_TEXT = {"code": "mã thủ tục", "name": "tên thủ tục", "field": "lĩnh vực"}
OPTIONAL_TEXT = ("implementing_level", "procedure_type", "applicants", "publishing_decision")
NULLABLE_TEXT = ("implementing_agency", "conditions")
TIME_KNOWN = (
    "by_channel",
    "statements_in_procedure_text",
    "normalized",
    "normalized_basis",
    "note",
)
FEE_KNOWN = (
    "by_channel",
    "amount_vnd",
    "amount_differs_by_channel",
    "free_in_table",
    "provincial_rate_applies",
    "exemptions",
    "note",
)
ONLINE_WORDS = {
    "toan trinh": OnlineLevel.FULL,
    "mot phan": OnlineLevel.PARTIAL,
    "khong": OnlineLevel.NONE,
}
ONLINE_NAMES = {
    OnlineLevel.FULL: "toàn trình",
    OnlineLevel.PARTIAL: "một phần",
    OnlineLevel.NONE: "không",
}
LIMIT_KINDS = ("working_days", "working_hours", "same_day_cutoff", "days")

# What ``needs_confirmation`` may list, with the words shown on the badge.
CONFIRM_LABELS = {
    "time_limit": "Thời hạn giải quyết",
    "fees": "Phí, lệ phí",
    "online_level": "Mức độ dịch vụ trực tuyến",
    "implementing_agency": "Cơ quan thực hiện",
    "conditions": "Yêu cầu, điều kiện",
    "results": "Kết quả thực hiện",
    "documents": "Thành phần hồ sơ",
    "legal_bases": "Căn cứ pháp lý",
}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_str_list(value: Any, *, nullable: bool = False) -> bool:
    if value is None:
        return nullable
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _check_limit(value: Any, label: str, errors: list[str]) -> None:
    """A normalised limit: null, or {kind, value[, cutoff_hour]}."""
    if value is None:
        return
    if not isinstance(value, dict):
        errors.append(f"{label} phải là một đối tượng hoặc null.")
        return
    kind = value.get("kind")
    if kind not in LIMIT_KINDS:
        errors.append(
            f"{label}: loại “{kind}” không hợp lệ "
            "(working_days, working_hours, same_day_cutoff, days hoặc null)."
        )
        return
    if not _is_int(value.get("value")):
        errors.append(f"{label}: số “{value.get('value')}” phải là số nguyên không âm.")
    if kind == "same_day_cutoff":
        hour = value.get("cutoff_hour")
        if not (isinstance(hour, int) and _is_int(hour) and hour <= 23):
            errors.append(f"{label}: giờ chốt “{hour}” phải là số nguyên từ 0 đến 23.")
        if value.get("value") not in (0, None):
            errors.append(f"{label}: thời hạn trong ngày phải có số là 0.")
    elif "cutoff_hour" in value and value["cutoff_hour"] is not None:
        errors.append(f"{label}: chỉ thời hạn trong ngày mới có giờ chốt.")


def _check_processing_time(pt: Any, errors: list[str]) -> None:
    if not isinstance(pt, dict):
        errors.append("Thời hạn giải quyết (processing_time) phải là một đối tượng.")
        return
    rows = pt.get("by_channel", [])
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        errors.append(
            "Thời hạn theo kênh (processing_time.by_channel) phải là danh sách đối tượng."
        )
    else:
        for i, row in enumerate(rows, 1):
            if not isinstance(row.get("as_written"), str | None):
                errors.append(f"Thời hạn theo kênh, dòng {i}: chữ ghi phải là chuỗi hoặc null.")
            _check_limit(row.get("normalized"), f"Thời hạn theo kênh, dòng {i}", errors)
    if not _is_str_list(pt.get("statements_in_procedure_text"), nullable=True):
        errors.append("Câu nêu thời hạn (statements_in_procedure_text) phải là danh sách chuỗi.")
    _check_limit(pt.get("normalized"), "Thời hạn giải quyết", errors)
    for key in ("if_verification_needed", "extension_for_complex_requests"):
        if key in pt:
            _check_limit(pt[key], f"Thời hạn ({key})", errors)
    for key in ("normalized_basis", "note"):
        if not isinstance(pt.get(key), str | None):
            errors.append(f"Thời hạn giải quyết: “{key}” phải là chuỗi hoặc null.")


def _check_fees(fees: Any, errors: list[str]) -> None:
    if not isinstance(fees, dict):
        errors.append("Phí, lệ phí (fees) phải là một đối tượng.")
        return
    if fees.get("amount_vnd") is not None and not _is_int(fees.get("amount_vnd")):
        errors.append(
            f"Lệ phí “{fees.get('amount_vnd')}” phải là số đồng nguyên không âm hoặc null."
        )
    for key in ("amount_differs_by_channel", "free_in_table", "provincial_rate_applies"):
        if not isinstance(fees.get(key), bool | None):
            errors.append(f"Phí, lệ phí: “{key}” phải là true, false hoặc null.")
    if not _is_str_list(fees.get("exemptions"), nullable=True):
        errors.append("Trường hợp miễn, giảm (fees.exemptions) phải là danh sách chuỗi.")
    rows = fees.get("by_channel", [])
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        errors.append("Phí theo kênh (fees.by_channel) phải là danh sách đối tượng.")
        return
    for i, row in enumerate(rows, 1):
        if row.get("amount") is not None and not _is_int(row.get("amount")):
            errors.append(f"Phí theo kênh, dòng {i}: số tiền “{row.get('amount')}” không hợp lệ.")
        for key in ("channel", "as_written", "currency", "per", "description"):
            if not isinstance(row.get(key), str | None):
                errors.append(f"Phí theo kênh, dòng {i}: “{key}” phải là chuỗi hoặc null.")
        currency = row.get("currency")
        if isinstance(currency, str) and not re.fullmatch("[A-Z]{3}", currency):
            errors.append(f"Phí theo kênh, dòng {i}: đơn vị tiền “{currency}” không hợp lệ.")


def _check_dossier(dossier: Any, errors: list[str]) -> None:
    if not isinstance(dossier, dict):
        errors.append("Hồ sơ (dossier) phải là một đối tượng.")
        return
    if not _is_str_list(dossier.get("notes"), nullable=True):
        errors.append("Ghi chú hồ sơ (dossier.notes) phải là danh sách chuỗi.")
    rows = dossier.get("components", [])
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        errors.append("Thành phần hồ sơ (dossier.components) phải là danh sách đối tượng.")
        return
    for i, row in enumerate(rows, 1):
        where = f"Thành phần hồ sơ, dòng {i}"
        if not (isinstance(row.get("name"), str) and row["name"].strip()):
            errors.append(f"{where}: thiếu tên giấy tờ.")
        if row.get("kind") not in DocumentKind.values:
            errors.append(f"{where}: loại “{row.get('kind')}” không hợp lệ.")
        if row.get("original_or_copy") not in OriginalOrCopy.values:
            errors.append(
                f"{where}: bản chính/bản sao “{row.get('original_or_copy')}” không hợp lệ."
            )
        for key in ("count_original", "count_copy"):
            if not _is_int(row.get(key, 0)):
                errors.append(f"{where}: số bản “{row.get(key)}” phải là số nguyên không âm.")
        for key in ("case", "form_file"):
            if not isinstance(row.get(key), str | None):
                errors.append(f"{where}: “{key}” phải là chuỗi hoặc null.")


def _check_internal_procedure(record: dict[str, Any], errors: list[str]) -> None:
    """``internal_procedure``: null (keep the current one), or the version to be current —
    {basis, valid_from (YYYY-MM-DD), template, steps: [{name, role, hours, counted}]} — whose
    counted hours fill the record's own time limit (vn-rules.md §1.5)."""
    ip = record.get("internal_procedure")
    if ip is None:
        return
    label = "Quy trình nội bộ"
    if not isinstance(ip, dict):
        errors.append(f"{label} (internal_procedure) phải là một đối tượng hoặc null.")
        return
    before = len(errors)
    for key in ip:
        if key not in INTERNAL_KEYS:
            errors.append(f"{label}: trường “{key}” không có trong mẫu.")
    if not isinstance(ip.get("template"), bool):
        errors.append(f"{label}: “template” phải là true hoặc false.")
    basis = ip.get("basis")
    if not isinstance(basis, str):
        errors.append(f"{label}: quyết định ban hành (basis) phải là chuỗi.")
    elif not basis.strip() and ip.get("template") is False:
        errors.append(f"{label}: thiếu quyết định ban hành (basis).")
    valid_from = ip.get("valid_from")
    try:
        day = date.fromisoformat(valid_from) if isinstance(valid_from, str) else None
    except ValueError:
        day = None
    if day is None:
        errors.append(f"{label}: ngày áp dụng “{valid_from}” không phải ngày dạng YYYY-MM-DD.")
    elif day > timezone.localdate():
        errors.append(
            f"{label}: ngày áp dụng {day:%d/%m/%Y} chưa đến; chỉ nhập quy trình đã có hiệu lực."
        )
    steps = ip.get("steps")
    if not isinstance(steps, list) or not all(isinstance(st, dict) for st in steps):
        errors.append(f"{label}: các bước (steps) phải là danh sách đối tượng.")
        return
    for i, st in enumerate(steps, 1):
        where = f"{label}, bước {i}"
        for key in st:
            if key not in STEP_KEYS:
                errors.append(f"{where}: trường “{key}” không có trong mẫu.")
        if not isinstance(st.get("name"), str) or not isinstance(st.get("role"), str):
            errors.append(f"{where}: tên công việc và vai trò phải là chuỗi.")
        hours = st.get("hours")
        if hours is not None and not _is_int(hours):
            errors.append(f"{where}: số giờ “{hours}” phải là số nguyên không âm hoặc null.")
        if not isinstance(st.get("counted", True), bool):
            errors.append(f"{where}: “counted” phải là true hoặc false.")
    if len(errors) > before:
        return
    pt = record.get("processing_time") or {}
    normalized = pt.get("normalized") if isinstance(pt, dict) else None
    kind, value = (
        (normalized.get("kind"), normalized.get("value"))
        if isinstance(normalized, dict)
        else (TimeLimitKind.UNCONFIRMED.value, None)
    )
    errors.extend(
        f"{label}: {problem}"
        for problem in steps_problems(_steps(steps), kind=str(kind), value=value)
    )


def _steps(rows: Iterable[dict[str, Any]]) -> tuple[StepSpec, ...]:
    return tuple(
        StepSpec(
            name=" ".join(str(r["name"]).split()),
            role=r["role"],
            hours=r.get("hours"),
            counted=r.get("counted", True),
        )
        for r in rows
    )


def record_internal(record: dict[str, Any]) -> InternalProcedure | None:
    """The internal procedure of a checked record, or None when it leaves the current one."""
    ip = record.get("internal_procedure")
    if ip is None:
        return None
    return InternalProcedure(
        basis=" ".join(ip["basis"].split()),
        valid_from=date.fromisoformat(ip["valid_from"]),
        template=ip["template"],
        steps=_steps(ip["steps"]),
    )


def version_internal(version: ProcedureVersion) -> InternalProcedure:
    """A stored version as the exchange carries it (steps prefetched in order, or queried)."""
    return InternalProcedure(
        basis=version.basis,
        valid_from=version.valid_from,
        template=version.is_template,
        steps=tuple(
            StepSpec(s.name, s.role, s.hours, s.counted)
            for s in sorted(version.steps.all(), key=lambda s: s.order)
        ),
    )


def internal_record(ip: InternalProcedure | None) -> dict[str, Any] | None:
    if ip is None:
        return None
    return {
        "basis": ip.basis,
        "valid_from": ip.valid_from.isoformat(),
        "template": ip.template,
        "steps": [
            {"name": s.name, "role": s.role, "hours": s.hours, "counted": s.counted}
            for s in ip.steps
        ],
    }


def current_version(p: Procedure) -> ProcedureVersion | None:
    """The current (published) version, from ``current_versions`` when prefetched."""
    versions = getattr(p, "current_versions", None)
    if versions is None:
        versions = list(p.versions.filter(is_current=True))
    return versions[0] if versions else None


def record_check(record: Any) -> list[str]:
    """Every reason this record cannot be imported (empty when it can)."""
    if not isinstance(record, dict):
        return ["Mục phải là một đối tượng JSON."]
    errors: list[str] = []
    for key in record:
        if key not in TOP_KEYS:
            errors.append(f"Trường “{key}” không có trong mẫu danh mục.")
    for key, label in REQUIRED_TEXT.items():
        value = record.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            errors.append(f"Thiếu {label}.")
        elif not isinstance(value, str):
            errors.append(f"Trường “{key}” phải là chuỗi ký tự.")
    code = record.get("code")
    if isinstance(code, str) and code.strip() and not CODE_RE.match(code.strip()):
        errors.append(f"Mã thủ tục “{code}” không đúng dạng (ví dụ 1.001193).")
    for key in OPTIONAL_TEXT + NULLABLE_TEXT:
        if not isinstance(record.get(key), str | None):
            errors.append(f"Trường “{key}” phải là chuỗi ký tự.")
    if not _is_str_list(record.get("submission_channels", [])):
        errors.append("Cách thức nộp (submission_channels) phải là danh sách chuỗi.")
    _check_processing_time(record.get("processing_time", {}), errors)
    _check_fees(record.get("fees", {}), errors)
    _check_dossier(record.get("dossier", {}), errors)
    results = record.get("results", [])
    if not isinstance(results, list) or not all(
        isinstance(r, dict) and isinstance(r.get("name"), str) for r in results
    ):
        errors.append("Kết quả (results) phải là danh sách đối tượng có tên.")
    bases = record.get("legal_bases", [])
    if not isinstance(bases, list) or not all(
        isinstance(b, dict) and isinstance(b.get("number"), str) for b in bases
    ):
        errors.append("Căn cứ pháp lý (legal_bases) phải là danh sách đối tượng có số hiệu.")
    level = record.get("online_service_level")
    if level is not None and (not isinstance(level, str) or fold(level) not in ONLINE_WORDS):
        errors.append(
            f"Mức độ dịch vụ trực tuyến “{level}” không hợp lệ "
            "(toàn trình, một phần, không hoặc null)."
        )
    for key in ("online_service_level_source", "source"):
        if not isinstance(record.get(key), dict | None):
            errors.append(f"Trường “{key}” phải là một đối tượng hoặc null.")
    if not errors:
        _check_internal_procedure(record, errors)
    return errors


def record_fields(
    record: dict[str, Any],
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """Model values of a checked record: (procedure fields, document rows, fee rows)."""
    pt = record.get("processing_time") or {}
    fees = record.get("fees") or {}
    dossier = record.get("dossier") or {}
    normalized = pt.get("normalized")
    if normalized is None:
        kind, value, cutoff = TimeLimitKind.UNCONFIRMED.value, None, None
    else:
        kind, value = normalized["kind"], normalized["value"]
        cutoff = normalized.get("cutoff_hour") if kind == "same_day_cutoff" else None
    level = record.get("online_service_level")
    source = record.get("source") or {}
    fields: dict[str, Any] = {
        "code": record["code"].strip(),
        "name": record["name"].strip(),
        "field": record["field"].strip(),
        "implementing_level": record.get("implementing_level") or "",
        "procedure_type": record.get("procedure_type") or "",
        "applicants": record.get("applicants") or "",
        "publishing_decision": record.get("publishing_decision") or "",
        "implementing_agency": record.get("implementing_agency"),
        "submission_channels": list(record.get("submission_channels") or []),
        "conditions": record.get("conditions"),
        "time_limit_kind": kind,
        "time_limit_value": value,
        "time_limit_cutoff_hour": cutoff,
        "time_limit_by_channel": pt.get("by_channel", []),
        "time_limit_statements": pt.get("statements_in_procedure_text"),
        "time_limit_basis": pt.get("normalized_basis"),
        "time_limit_note": pt.get("note"),
        "time_limit_extra": {k: v for k, v in pt.items() if k not in TIME_KNOWN},
        "fee_amount_vnd": fees.get("amount_vnd"),
        "fee_differs_by_channel": fees.get("amount_differs_by_channel"),
        "fee_free_in_table": fees.get("free_in_table"),
        "fee_provincial_rate": fees.get("provincial_rate_applies"),
        "fee_exemptions": fees.get("exemptions"),
        "fee_note": fees.get("note"),
        "fee_extra": {k: v for k, v in fees.items() if k not in FEE_KNOWN},
        "dossier_notes": dossier.get("notes"),
        "results": record.get("results", []),
        "legal_bases": record.get("legal_bases", []),
        "online_level": ONLINE_WORDS[fold(level)] if level else OnlineLevel.UNKNOWN.value,
        "online_level_source": record.get("online_service_level_source"),
        "source": source,
        "source_url": source.get("portal_url") or "",
    }
    fields["name_folded"] = fold(fields["name"])
    documents = [
        {
            "order": i,
            "kind": c["kind"],
            "case": c.get("case"),
            "name": c["name"],
            "original_or_copy": c["original_or_copy"],
            "count_original": c.get("count_original", 0),
            "count_copy": c.get("count_copy", 0),
            "form_file": c.get("form_file"),
        }
        for i, c in enumerate(dossier.get("components", []), 1)
    ]
    fee_rows = [
        {
            "order": i,
            "channel": f.get("channel"),
            "as_written": f.get("as_written"),
            "amount": f.get("amount"),
            "currency": f.get("currency"),
            "per": f.get("per"),
            "description": f.get("description"),
        }
        for i, f in enumerate(fees.get("by_channel", []), 1)
    ]
    return fields, documents, fee_rows


def missing_fields(fields: dict[str, Any], documents: Iterable[object]) -> list[str]:
    """What the source left unsaid and a province must confirm before citizens rely on it."""
    out = []
    if fields["time_limit_kind"] == TimeLimitKind.UNCONFIRMED:
        out.append("time_limit")
    if fields["fee_amount_vnd"] is None and not fields["fee_differs_by_channel"]:
        out.append("fees")
    if fields["online_level"] == OnlineLevel.UNKNOWN:
        out.append("online_level")
    if fields["implementing_agency"] is None:
        out.append("implementing_agency")
    if fields["conditions"] is None:
        out.append("conditions")
    if not fields["results"] or any(r.get("code") is None for r in fields["results"]):
        out.append("results")
    if not list(documents):
        out.append("documents")
    if not fields["legal_bases"]:
        out.append("legal_bases")
    return out


def _limit(kind: str, value: int | None, cutoff: int | None) -> dict[str, Any] | None:
    if kind == TimeLimitKind.UNCONFIRMED:
        return None
    if kind == TimeLimitKind.SAME_DAY_CUTOFF:
        return {"kind": kind, "value": value if value is not None else 0, "cutoff_hour": cutoff}
    return {"kind": kind, "value": value}


def procedure_record(p: Procedure) -> dict[str, Any]:
    """The exchange record of a stored procedure (documents and fees prefetched or queried)."""
    extra = dict(p.time_limit_extra)
    pt: dict[str, Any] = {"by_channel": p.time_limit_by_channel}
    if "unit_missing_in_source" in extra:
        pt["unit_missing_in_source"] = extra.pop("unit_missing_in_source")
    pt["statements_in_procedure_text"] = p.time_limit_statements
    pt["normalized"] = _limit(p.time_limit_kind, p.time_limit_value, p.time_limit_cutoff_hour)
    for key in ("if_verification_needed", "extension_for_complex_requests"):
        if key in extra:
            pt[key] = extra.pop(key)
    pt["normalized_basis"] = p.time_limit_basis
    pt.update(extra)
    pt["note"] = p.time_limit_note
    fees: dict[str, Any] = {
        "by_channel": [
            {
                "channel": f.channel,
                "as_written": f.as_written,
                "amount": f.amount,
                "currency": f.currency,
                "per": f.per,
                "description": f.description,
            }
            for f in p.fees.all()
        ],
        "amount_vnd": p.fee_amount_vnd,
        "amount_differs_by_channel": p.fee_differs_by_channel,
        "free_in_table": p.fee_free_in_table,
        "provincial_rate_applies": p.fee_provincial_rate,
        "exemptions": p.fee_exemptions,
        "note": p.fee_note,
        **p.fee_extra,
    }
    components = [
        {
            "kind": d.kind,
            "case": d.case,
            "name": d.name,
            "original_or_copy": d.original_or_copy,
            "count_original": d.count_original,
            "count_copy": d.count_copy,
            "form_file": d.form_file,
        }
        for d in p.documents.all()
    ]
    return {
        "code": p.code,
        "name": p.name,
        "field": p.field,
        "implementing_level": p.implementing_level,
        "procedure_type": p.procedure_type,
        "applicants": p.applicants,
        "publishing_decision": p.publishing_decision,
        "implementing_agency": p.implementing_agency,
        "submission_channels": p.submission_channels,
        "processing_time": pt,
        "fees": fees,
        "dossier": {"components": components, "notes": p.dossier_notes},
        "conditions": p.conditions,
        "results": p.results,
        "online_service_level": ONLINE_NAMES.get(OnlineLevel(p.online_level)),
        "online_service_level_source": p.online_level_source,
        "legal_bases": p.legal_bases,
        "source": p.source,
        "internal_procedure": internal_record(
            version_internal(version) if (version := current_version(p)) else None
        ),
    }
