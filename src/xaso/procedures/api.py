"""The procedure catalogue over JSON: public information, so no login (auth=None)."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema

from xaso.core.schemas import ErrorOut

from . import display, selectors
from .models import Procedure

router = Router(tags=["procedures"])


class TimeLimitOut(Schema):
    kind: str = Field(description="working_days, same_day_cutoff, working_hours, days, unconfirmed")
    value: int | None
    cutoff_hour: int | None
    hours: int | None = Field(
        description="Thời hạn tính bằng giờ làm việc (8 giờ/ngày), nếu xác định"
    )
    text: str


class ProcedureSummaryOut(Schema):
    code: str
    name: str
    field: str
    time_limit: TimeLimitOut
    fee_amount_vnd: int | None
    online_level: str = Field(description="full, partial, none, unknown")
    needs_confirmation: list[str]


class FeeOut(Schema):
    channel: str | None
    as_written: str | None
    amount: int | None
    currency: str | None
    per: str | None
    description: str | None


class FeesOut(Schema):
    amount_vnd: int | None
    text: str
    differs_by_channel: bool | None
    provincial_rate_applies: bool | None
    exemptions: list[str]
    note: str | None
    by_channel: list[FeeOut]


class DocumentOut(Schema):
    order: int
    kind: str = Field(description="submit, present, case, general")
    case: str | None
    name: str
    original_or_copy: str = Field(description="original, copy, original+copy")
    count_original: int
    count_copy: int
    form_file: str | None


class ResultOut(Schema):
    name: str
    code: str | None


class LegalBasisOut(Schema):
    number: str
    title: str | None


class StepOut(Schema):
    order: int
    name: str
    role: str
    hours: int | None
    counted: bool


class InternalProcedureOut(Schema):
    number: int
    valid_from: date
    is_template: bool
    basis: str
    steps: list[StepOut]


class FormOut(Schema):
    title: str
    content_type: str
    size: int
    url: str


class ProcedureOut(ProcedureSummaryOut):
    implementing_level: str
    procedure_type: str
    applicants: str
    publishing_decision: str
    implementing_agency: str | None
    submission_channels: list[str]
    conditions: str | None
    time_limit_as_written: list[str]
    time_limit_statements: list[str]
    fees: FeesOut
    documents: list[DocumentOut]
    dossier_notes: list[str]
    results: list[ResultOut]
    legal_bases: list[LegalBasisOut]
    internal_procedure: InternalProcedureOut | None
    forms: list[FormOut]
    source_url: str


class SearchIn(Schema):
    q: str = Field("", max_length=200)
    limit: int = Field(50, ge=1, le=500)


def _limit(p: Procedure) -> dict[str, object]:
    return {
        "kind": p.time_limit_kind,
        "value": p.time_limit_value,
        "cutoff_hour": p.time_limit_cutoff_hour,
        "hours": p.time_limit_hours,
        "text": display.time_limit_text(p),
    }


def _summary(p: Procedure) -> dict[str, object]:
    return {
        "code": p.code,
        "name": p.name,
        "field": p.field,
        "time_limit": _limit(p),
        "fee_amount_vnd": p.fee_amount_vnd,
        "online_level": p.online_level,
        "needs_confirmation": p.needs_confirmation,
    }


@router.get("/procedures", auth=None, response={200: list[ProcedureSummaryOut], 422: ErrorOut})
def procedure_list(request: HttpRequest, filters: Query[SearchIn]) -> list[dict[str, object]]:
    """Search the catalogue by code prefix or by name, tone marks and case ignored."""
    return [_summary(p) for p in selectors.procedure_search(filters.q, limit=filters.limit)]


@router.get("/procedures/{code}", auth=None, response={200: ProcedureOut, 404: ErrorOut})
def procedure_detail(request: HttpRequest, code: str) -> dict[str, object]:
    """Everything the counter needs about one procedure, with what still needs confirmation."""
    p = selectors.procedure_get(code)
    versions = getattr(p, "current_versions", [])
    version = versions[0] if versions else None
    return {
        **_summary(p),
        "implementing_level": p.implementing_level,
        "procedure_type": p.procedure_type,
        "applicants": p.applicants,
        "publishing_decision": p.publishing_decision,
        "implementing_agency": p.implementing_agency,
        "submission_channels": p.submission_channels,
        "conditions": p.conditions,
        "time_limit_as_written": display.time_limit_as_written(p),
        "time_limit_statements": p.time_limit_statements or [],
        "fees": {
            "amount_vnd": p.fee_amount_vnd,
            "text": display.fee_text(p),
            "differs_by_channel": p.fee_differs_by_channel,
            "provincial_rate_applies": p.fee_provincial_rate,
            "exemptions": p.fee_exemptions or [],
            "note": p.fee_note,
            "by_channel": list(p.fees.all()),
        },
        "documents": list(p.documents.all()),
        "dossier_notes": p.dossier_notes or [],
        "results": p.results,
        "legal_bases": p.legal_bases,
        "internal_procedure": None
        if version is None
        else {
            "number": version.number,
            "valid_from": version.valid_from,
            "is_template": version.is_template,
            "basis": version.basis,
            "steps": list(version.steps.all()),
        },
        "forms": [
            {
                "title": f.title,
                "content_type": f.content_type,
                "size": f.size,
                "url": reverse("procedures:form_download", args=[p.code, f.public_id]),
            }
            for f in p.forms.all()
        ],
        "source_url": p.source_url,
    }
