"""Reads of the catalogue. The catalogue is public information: no scoping by agency."""

from __future__ import annotations

import re

from django.db.models import Prefetch, Q, QuerySet

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
    "online_level",
    "needs_confirmation",
)


def procedure_search(q: str = "", *, limit: int | None = None) -> QuerySet[Procedure]:
    """Procedures whose code starts with ``q`` or whose name contains every word of ``q``, tone
    marks and case ignored ("dang ky khai sinh" finds "Thủ tục đăng ký khai sinh"). The prefix
    search on the code and on ``name_folded`` uses their indexes; a word inside the name is a scan,
    cheap at catalogue sizes (a few thousand rows)."""
    qs = Procedure.objects.only(*LIST_FIELDS).order_by("code")
    folded = fold(q or "")
    if folded:
        if CODE_PREFIX_RE.match(folded):
            qs = qs.filter(code__startswith=folded)
        else:
            cond = Q()
            for word in folded.split():
                cond &= Q(name_folded__contains=word)
            qs = qs.filter(cond | Q(code__startswith=folded))
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
