"""Reads of the catalogue. The catalogue is public information: no scoping by agency."""

from __future__ import annotations

import re

from django.db.models import Case, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Length

from xaso.core.errors import NotFound
from xaso.core.text.normalize import fold

from .models import Procedure, ProcedureStep, ProcedureVersion

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
    """Every procedure with its documents and fees, for export."""
    return Procedure.objects.order_by("code").prefetch_related("documents", "fees")
