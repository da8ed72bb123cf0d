"""Writes to the catalogue itself: the import of a whole catalogue (all or nothing) and the edits
that confirm what the published source left unsaid. Every write is audited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from xaso.core.audit import audit_record, diff
from xaso.core.errors import InvalidInput
from xaso.org.models import Staff

from .. import permissions
from ..models import (
    Procedure,
    ProcedureDocument,
    ProcedureFee,
    ProcedureStep,
    ProcedureVersion,
    TimeLimitKind,
)
from ..records import (
    current_version,
    missing_fields,
    record_check,
    record_fields,
    record_internal,
    version_internal,
)
from ..steps import InternalProcedure
from .versions import _template_version, _version_add

DOC_KEYS = (
    "order",
    "kind",
    "case",
    "name",
    "original_or_copy",
    "count_original",
    "count_copy",
    "form_file",
)
FEE_KEYS = ("order", "channel", "as_written", "amount", "currency", "per", "description")


@dataclass(frozen=True)
class Rejection:
    """One refused item of an import: where it is, its code if readable, and every reason."""

    where: str
    code: str | None
    reasons: list[str]

    def __str__(self) -> str:
        label = f"{self.where} (mã {self.code})" if self.code else self.where
        return f"{label}: " + " ".join(self.reasons)


class CatalogueRejected(InvalidInput):
    """The import file has at least one bad item: nothing was written."""

    code = "catalogue_rejected"

    def __init__(self, rejections: Sequence[Rejection]) -> None:
        self.rejections = list(rejections)
        super().__init__(
            f"Không nhập danh mục: {len(self.rejections)} mục bị từ chối, chưa ghi gì.",
            fields={r.where: r.reasons for r in self.rejections},
        )


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def catalogue_check(
    data: Any, *, locations: Sequence[str] | None = None, rejections: Sequence[Rejection] = ()
) -> list[Rejection]:
    """Every refused item of ``data`` (a list of records), duplicates included."""
    if not isinstance(data, list):
        return [
            Rejection("Tệp", None, ["Tệp danh mục phải là một danh sách (mảng JSON) các thủ tục."])
        ]
    out = list(rejections)
    seen: dict[str, str] = {}
    for i, record in enumerate(data):
        where = locations[i] if locations else f"Mục {i + 1}"
        reasons = record_check(record)
        code = record.get("code") if isinstance(record, dict) else None
        code = code.strip() if isinstance(code, str) and code.strip() else None
        if code is not None:
            if code in seen:
                reasons.append(f"Mã thủ tục {code} bị trùng với {seen[code].lower()}.")
            else:
                seen[code] = where
        if reasons:
            out.append(Rejection(where, code, reasons))
    return out


def _rows(procedure: Procedure) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    docs = [{k: getattr(d, k) for k in DOC_KEYS} for d in procedure.documents.all()]
    fees = [{k: getattr(f, k) for k in FEE_KEYS} for f in procedure.fees.all()]
    return docs, fees


def _write_rows(
    procedure: Procedure, docs: list[dict[str, Any]], fees: list[dict[str, Any]]
) -> None:
    procedure.documents.all().delete()
    procedure.fees.all().delete()
    ProcedureDocument.objects.bulk_create(ProcedureDocument(procedure=procedure, **d) for d in docs)
    ProcedureFee.objects.bulk_create(ProcedureFee(procedure=procedure, **f) for f in fees)


def _internal_refusals(
    data: list[dict[str, Any]], existing: dict[str, Procedure], locations: Sequence[str] | None
) -> list[Rejection]:
    """A generic template in the file never replaces an internal procedure the province has
    published: the file was most likely exported where none was, and would silently undo it."""
    out = []
    for i, record in enumerate(data):
        ip = record_internal(record)
        procedure = existing.get(record["code"].strip())
        version = current_version(procedure) if procedure is not None else None
        if ip is None or not ip.template or version is None or version.is_template:
            continue
        out.append(
            Rejection(
                locations[i] if locations else f"Mục {i + 1}",
                procedure.code if procedure else None,
                [
                    f"Quy trình nội bộ: thủ tục đang dùng quy trình đã ban hành "
                    f"(phiên bản {version.number}, {version.basis}); tệp chỉ có quy trình mẫu "
                    "chung. Bỏ quy trình nội bộ của thủ tục này khỏi tệp để giữ quy trình "
                    "đang dùng."
                ],
            )
        )
    return out


def _apply_internal(
    procedure: Procedure,
    ip: InternalProcedure | None,
    *,
    old_hours: int | None,
    today: date,
    actor: Staff | None,
) -> tuple[int | None, int] | None:
    """Bring the procedure's current internal procedure in line with the record; returns
    (old number, new number) when a version was published. Without one in the record, a
    generic template follows a changed time limit, as before; with one, it becomes current
    unless it is the current one already."""
    version = current_version(procedure)
    if ip is None:
        if version is not None and version.is_template and procedure.time_limit_hours != old_hours:
            new = _template_version(procedure, today)
            return version.number, new.number or 0
        return None
    if version is not None and version_internal(version) == ip:
        return None
    new = _version_from(procedure, ip, actor)
    return (version.number if version else None), new.number or 0


def _version_from(
    procedure: Procedure, ip: InternalProcedure, actor: Staff | None
) -> ProcedureVersion:
    return _version_add(
        procedure,
        valid_from=ip.valid_from,
        basis=ip.basis,
        template=ip.template,
        steps=ip.steps,
        actor=actor,
    )


@transaction.atomic
def catalogue_import(
    data: Any,
    actor: Staff | None = None,
    *,
    locations: Sequence[str] | None = None,
    rejections: Sequence[Rejection] = (),
    today: date | None = None,
) -> ImportResult:
    """Load a catalogue (the seed file's shape, plus each procedure's internal procedure when
    the file has it): new codes are created, changed ones updated, identical ones left
    untouched; a changed internal procedure is published as a new version (dossiers received
    before keep theirs). All or nothing: one bad item refuses the whole file."""
    if actor is not None:
        permissions.require_manage_catalogue(actor)
    refused = catalogue_check(data, locations=locations, rejections=rejections)
    if refused:
        raise CatalogueRejected(refused)
    today = today or timezone.localdate()
    result = ImportResult()
    codes = [r["code"].strip() for r in data]
    current = ProcedureVersion.objects.filter(is_current=True).prefetch_related(
        Prefetch("steps", queryset=ProcedureStep.objects.order_by("order"))
    )
    existing: dict[str, Procedure] = {
        p.code: p
        for p in Procedure.objects.filter(code__in=codes)
        .select_for_update(of=("self",))
        .prefetch_related(
            "documents",
            "fees",
            Prefetch("versions", queryset=current, to_attr="current_versions"),
        )
    }
    refused = _internal_refusals(data, existing, locations)
    if refused:
        raise CatalogueRejected(refused)
    for record in data:
        fields, docs, fees = record_fields(record)
        fields["needs_confirmation"] = missing_fields(fields, docs)
        ip = record_internal(record)
        found = existing.get(fields["code"])
        if found is None:
            procedure = Procedure.objects.create(**fields)
            _write_rows(procedure, docs, fees)
            if ip is None:
                _template_version(procedure, today)
            else:
                _version_from(procedure, ip, actor)
            result.created.append(procedure.code)
            continue
        procedure = found
        before = {k: getattr(procedure, k) for k in fields}
        old_docs, old_fees = _rows(procedure)
        old_hours = procedure.time_limit_hours
        for k, v in fields.items():
            setattr(procedure, k, v)
        if before != fields:
            procedure.save()
        if (old_docs, old_fees) != (docs, fees):
            _write_rows(procedure, docs, fees)
        published = _apply_internal(procedure, ip, old_hours=old_hours, today=today, actor=actor)
        changes = diff(before, fields)
        if old_docs != docs:
            changes["documents"] = [len(old_docs), len(docs)]
        if old_fees != fees:
            changes["fees"] = [len(old_fees), len(fees)]
        if published is not None:
            changes["internal_procedure"] = list(published)
        if not changes:
            result.unchanged.append(procedure.code)
            continue
        audit_record(actor=actor, action="procedure.import_update", obj=procedure, changes=changes)
        result.updated.append(procedure.code)
    if result.created or result.updated:
        audit_record(
            actor=actor,
            action="procedure.catalogue_import",
            object_type="procedures.procedure",
            object_repr=f"Nhập danh mục: {len(result.created)} mới, {len(result.updated)} sửa",
            changes={"created": [None, result.created], "updated": [None, result.updated]},
        )
    return result


# Fields an administrator may set to confirm what the source left unsaid.
EDITABLE = (
    "time_limit_kind",
    "time_limit_value",
    "time_limit_cutoff_hour",
    "fee_amount_vnd",
    "online_level",
    "implementing_agency",
    "conditions",
)


@transaction.atomic
def procedure_update(*, actor: Staff, procedure: Procedure, **changes: Any) -> Procedure:
    """Confirm or correct a procedure's time limit, fee, online level, agency or conditions."""
    permissions.require_manage_catalogue(actor)
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise InvalidInput(f"Không sửa được trường: {', '.join(unknown)}.")
    before = {k: getattr(procedure, k) for k in EDITABLE}
    after = {**before, **changes}
    kind = after["time_limit_kind"]
    errors: dict[str, list[str]] = {}
    if kind not in TimeLimitKind.values:
        errors["time_limit_kind"] = [f"Loại thời hạn “{kind}” không hợp lệ."]
    elif kind == TimeLimitKind.UNCONFIRMED:
        after["time_limit_value"] = after["time_limit_cutoff_hour"] = None
    elif kind == TimeLimitKind.SAME_DAY_CUTOFF:
        after["time_limit_value"] = 0
        hour = after["time_limit_cutoff_hour"]
        if not isinstance(hour, int) or not 0 <= hour <= 23:
            errors["time_limit_cutoff_hour"] = ["Giờ chốt phải là số nguyên từ 0 đến 23."]
    else:
        after["time_limit_cutoff_hour"] = None
        value = after["time_limit_value"]
        if not isinstance(value, int) or value < 1:
            errors["time_limit_value"] = ["Thời hạn phải là số nguyên dương."]
    fee = after["fee_amount_vnd"]
    if fee is not None and (not isinstance(fee, int) or fee < 0):
        errors["fee_amount_vnd"] = ["Lệ phí phải là số đồng nguyên không âm."]
    if errors:
        raise InvalidInput("Dữ liệu thủ tục không hợp lệ.", fields=errors)
    old_hours = procedure.time_limit_hours
    for k, v in after.items():
        setattr(procedure, k, v)
    fields = {
        k: getattr(procedure, k)
        for k in (
            "time_limit_kind",
            "fee_amount_vnd",
            "fee_differs_by_channel",
            "online_level",
            "implementing_agency",
            "conditions",
            "results",
            "legal_bases",
        )
    }
    procedure.needs_confirmation = missing_fields(fields, procedure.documents.all())
    procedure.save()
    if (
        procedure.time_limit_hours != old_hours
        and procedure.versions.filter(is_current=True, is_template=True).exists()
    ):
        _template_version(procedure, timezone.localdate())
    audit_record(actor=actor, action="procedure.update", obj=procedure, changes=diff(before, after))
    return procedure
