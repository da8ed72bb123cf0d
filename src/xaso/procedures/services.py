"""Writes to the procedure catalogue: import (all or nothing), edits that confirm missing values,
publishing a province's internal procedure, and form templates. Every write is audited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from xaso.core.audit import audit_record, diff
from xaso.core.errors import InvalidInput
from xaso.org.models import Role, Staff

from . import permissions
from .forms_files import form_file_check
from .models import (
    Procedure,
    ProcedureDocument,
    ProcedureFee,
    ProcedureForm,
    ProcedureStep,
    ProcedureVersion,
    TimeLimitKind,
)
from .records import missing_fields, record_check, record_fields
from .steps import TEMPLATE_BASIS, StepSpec, template_steps

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


def _version_add(
    procedure: Procedure, *, valid_from: date, basis: str, template: bool, steps: list[StepSpec]
) -> ProcedureVersion:
    last = procedure.versions.order_by("-number").first()
    procedure.versions.filter(is_current=True).update(is_current=False)
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        number=(last.number + 1) if last else 1,
        valid_from=valid_from,
        is_current=True,
        is_template=template,
        basis=basis,
    )
    ProcedureStep.objects.bulk_create(
        ProcedureStep(
            version=version, order=i, name=s.name, role=s.role, hours=s.hours, counted=s.counted
        )
        for i, s in enumerate(steps, 1)
    )
    return version


def _template_version(procedure: Procedure, today: date) -> None:
    _version_add(
        procedure,
        valid_from=today,
        basis=TEMPLATE_BASIS,
        template=True,
        steps=template_steps(procedure.time_limit_hours),
    )


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


@transaction.atomic
def catalogue_import(
    data: Any,
    actor: Staff | None = None,
    *,
    locations: Sequence[str] | None = None,
    rejections: Sequence[Rejection] = (),
    today: date | None = None,
) -> ImportResult:
    """Load a catalogue (the seed file's shape): new codes are created, changed ones updated,
    identical ones left untouched. All or nothing: one bad item refuses the whole file."""
    if actor is not None:
        permissions.require_manage_catalogue(actor)
    refused = catalogue_check(data, locations=locations, rejections=rejections)
    if refused:
        raise CatalogueRejected(refused)
    today = today or timezone.localdate()
    result = ImportResult()
    codes = [r["code"].strip() for r in data]
    existing = {
        p.code: p
        for p in Procedure.objects.filter(code__in=codes).prefetch_related("documents", "fees")
    }
    for record in data:
        fields, docs, fees = record_fields(record)
        fields["needs_confirmation"] = missing_fields(fields, docs)
        current = existing.get(fields["code"])
        if current is None:
            procedure = Procedure.objects.create(**fields)
            _write_rows(procedure, docs, fees)
            _template_version(procedure, today)
            result.created.append(procedure.code)
            continue
        before = {k: getattr(current, k) for k in fields}
        old_docs, old_fees = _rows(current)
        if before == fields and old_docs == docs and old_fees == fees:
            result.unchanged.append(current.code)
            continue
        old_hours = current.time_limit_hours
        for k, v in fields.items():
            setattr(current, k, v)
        current.save()
        if (old_docs, old_fees) != (docs, fees):
            _write_rows(current, docs, fees)
        if (
            current.time_limit_hours != old_hours
            and current.versions.filter(is_current=True, is_template=True).exists()
        ):
            _template_version(current, today)
        changes = diff(before, fields)
        if old_docs != docs:
            changes["documents"] = [len(old_docs), len(docs)]
        if old_fees != fees:
            changes["fees"] = [len(old_fees), len(fees)]
        audit_record(actor=actor, action="procedure.import_update", obj=current, changes=changes)
        result.updated.append(current.code)
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


@transaction.atomic
def version_publish(
    *,
    actor: Staff,
    procedure: Procedure,
    valid_from: date,
    basis: str,
    steps: Sequence[tuple[str, str, int | None, bool]],
) -> ProcedureVersion:
    """Replace the current internal procedure by the one the province approved (vn-rules.md
    §1.5): ordered (name, role, hours, counted) steps; counted hours fill the statutory limit."""
    permissions.require_manage_catalogue(actor)
    if not basis.strip():
        raise InvalidInput(
            "Cần ghi quyết định ban hành quy trình nội bộ.", fields={"basis": ["Bắt buộc."]}
        )
    if not steps:
        raise InvalidInput("Quy trình nội bộ phải có ít nhất một bước.")
    for i, (name, role, hours, _counted) in enumerate(steps, 1):
        if not name.strip() or role not in Role.values or (hours is not None and hours < 0):
            raise InvalidInput(f"Bước {i} không hợp lệ (tên, vai trò hoặc số giờ).")
    limit = procedure.time_limit_hours
    total = sum(h or 0 for _n, _r, h, counted in steps if counted)
    if (
        limit is not None
        and procedure.time_limit_kind != TimeLimitKind.SAME_DAY_CUTOFF
        and total != limit
    ):
        raise InvalidInput(
            f"Tổng số giờ các bước ({total} giờ) phải bằng thời hạn giải quyết "
            f"({limit} giờ làm việc)."
        )
    if procedure.time_limit_kind == TimeLimitKind.SAME_DAY_CUTOFF and total > 8:
        raise InvalidInput(
            f"Thủ tục giải quyết trong ngày: tổng số giờ các bước ({total} giờ) vượt quá 8 giờ."
        )
    version = _version_add(
        procedure,
        valid_from=valid_from,
        basis=basis.strip(),
        template=False,
        steps=[StepSpec(n.strip(), r, h, c) for n, r, h, c in steps],
    )
    audit_record(
        actor=actor,
        action="procedure.version_publish",
        obj=procedure,
        changes={
            "version": [None, version.number],
            "basis": [None, version.basis],
            "hours": [None, total],
        },
    )
    return version


@transaction.atomic
def form_attach(
    *, actor: Staff, procedure: Procedure, title: str, upload: UploadedFile
) -> ProcedureForm:
    """Attach a downloadable form template (PDF, DOC or DOCX, checked by content)."""
    permissions.require_manage_catalogue(actor)
    if not title.strip():
        raise InvalidInput("Cần đặt tên cho mẫu đơn.", fields={"title": ["Bắt buộc."]})
    content_type, extension = form_file_check(upload)
    upload.name = f"{procedure.code}{extension}"
    form = ProcedureForm.objects.create(
        procedure=procedure,
        title=title.strip(),
        file=upload,
        content_type=content_type,
        size=upload.size or 0,
        uploaded_by=actor,
    )
    audit_record(
        actor=actor,
        action="procedure.form_attach",
        obj=procedure,
        changes={"form": [None, form.title]},
    )
    return form


@transaction.atomic
def form_delete(*, actor: Staff, form: ProcedureForm) -> None:
    permissions.require_manage_catalogue(actor)
    procedure, title, name = form.procedure, form.title, form.file.name or ""
    storage = form.file.storage
    form.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))
    audit_record(
        actor=actor, action="procedure.form_delete", obj=procedure, changes={"form": [title, None]}
    )
