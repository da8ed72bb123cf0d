"""Reads of the catalogue. The catalogue is public information: no scoping by agency."""

from __future__ import annotations

import re

from django.db.models import Case, Count, F, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Length

from xaso.core.errors import NotFound
from xaso.core.text.normalize import fold

from .models import Procedure, ProcedureStep, ProcedureVersion, VersionStatus

CODE_PREFIX_RE = re.compile(r"^[0-9][0-9.]*$")
LIST_FIELDS = (
    "code",
    "name",
    "field",
    "time_limit_kind",
    "time_limit_value",
    "time_limit_cutoff_hour",
    "fee_amount_vnd",
    "fee_differs_by_channel",
    "fee_provincial_rate",
    "online_level",
    "needs_confirmation",
)


def procedure_search(q: str = "", *, limit: int | None = None) -> QuerySet[Procedure]:
    """Procedures whose code starts with ``q`` or whose name has every word of ``q`` as the start
    of a word, tone marks and case ignored ("dang ky khai sinh" finds "Thủ tục đăng ký khai sinh").
    Names holding the whole phrase come first, shorter (more exact) names before longer ones.
    Prefix searches use the indexes on ``code`` and ``name_folded``; a word inside a name is a
    scan, cheap at catalogue sizes (a few thousand rows)."""
    qs = Procedure.objects.only(*LIST_FIELDS)
    folded = fold(q or "")
    if not folded:
        return qs.order_by("code")[:limit] if limit else qs.order_by("code")
    if CODE_PREFIX_RE.match(folded):
        qs = qs.filter(code__startswith=folded).order_by("code")
        return qs[:limit] if limit else qs
    cond = Q()
    for word in folded.split():
        cond &= Q(name_folded__startswith=word) | Q(name_folded__contains=f" {word}")
    qs = (
        qs.filter(cond)
        .annotate(
            phrase=Case(When(name_folded__contains=folded, then=Value(0)), default=Value(1)),
            name_length=Length("name_folded"),
        )
        .order_by("phrase", "name_length", "code")
    )
    return qs[:limit] if limit else qs


def procedure_get(code: str) -> Procedure:
    """One procedure with everything the counter needs, in a fixed number of queries."""
    steps = ProcedureStep.objects.order_by("order")
    current = ProcedureVersion.objects.filter(is_current=True).prefetch_related(
        Prefetch("steps", queryset=steps)
    )
    try:
        return Procedure.objects.prefetch_related(
            "documents",
            "fees",
            "forms",
            Prefetch("versions", queryset=current, to_attr="current_versions"),
        ).get(code=code)
    except Procedure.DoesNotExist:
        raise NotFound(f"Không có thủ tục mã {code} trong danh mục.") from None


def catalogue_all() -> QuerySet[Procedure]:
    """Every procedure with its documents, fees and current internal procedure, for export."""
    steps = ProcedureStep.objects.order_by("order")
    current = ProcedureVersion.objects.filter(is_current=True).prefetch_related(
        Prefetch("steps", queryset=steps)
    )
    return Procedure.objects.order_by("code").prefetch_related(
        "documents", "fees", Prefetch("versions", queryset=current, to_attr="current_versions")
    )


def version_draft_for(procedure: Procedure) -> ProcedureVersion | None:
    """The draft of the next internal procedure being prepared, if any (at most one)."""
    return procedure.versions.filter(status=VersionStatus.DRAFT).first()


def version_list_for(procedure: Procedure) -> QuerySet[ProcedureVersion]:
    """Every version of the procedure's internal procedure, the draft first then newest first,
    with its steps and how many dossiers were received with it (they keep it to the end)."""
    return (
        procedure.versions.annotate(dossier_count=Count("dossiers"))
        .select_related("published_by")
        .prefetch_related(Prefetch("steps", queryset=ProcedureStep.objects.order_by("order")))
        .order_by(F("number").desc(nulls_first=True))
    )
