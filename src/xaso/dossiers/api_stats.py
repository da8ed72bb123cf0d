"""Statistics of the one-stop shop (Decision 766/QĐ-TTg): counts only, never personal data."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from xaso.core.schemas import ErrorOut
from xaso.org.models import Staff

from .stats import Counts, Report, dossier_stats_for

router = Router(tags=["stats"])


class StatsFilter(Schema):
    date_from: date | None = Field(None, alias="from", description="Ngày đầu kỳ (YYYY-MM-DD)")
    date_to: date | None = Field(None, alias="to", description="Ngày cuối kỳ (YYYY-MM-DD)")
    agency: str = Field("", max_length=64, description="Mã cơ quan (mặc định: cơ quan mình)")
    group_by: Literal["procedure", "channel", "agency"] = "procedure"


class CountsOut(Schema):
    received_carried_over: int
    received_new: int
    received_online: int
    received_total: int
    resolved: int
    resolved_early: int
    resolved_on_time: int
    resolved_late: int
    refused: int
    withdrawn: int
    pending: int
    pending_in_time: int
    pending_overdue: int
    pending_supplement: int
    returned: int
    on_time_rate: float | None = Field(description="% trước hạn và đúng hạn / đã giải quyết")
    online_rate: float | None = Field(description="% trực tuyến / mới tiếp nhận")


class RowOut(CountsOut):
    key: str
    label: str


class AgencyRef(Schema):
    code: str
    name: str


class StatsOut(Schema):
    agency: AgencyRef
    agency_count: int
    date_from: date = Field(alias="from")
    date_to: date = Field(alias="to")
    as_of: datetime
    group_by: str
    totals: CountsOut
    rows: list[RowOut]


def _counts(c: Counts) -> dict[str, object]:
    out: dict[str, object] = {name: getattr(c, name) for name in Counts.names()}
    out["on_time_rate"] = c.on_time_rate
    out["online_rate"] = c.online_rate
    return out


def report_out(report: Report) -> dict[str, object]:
    return {
        "agency": {"code": report.agency.code, "name": report.agency.name},
        "agency_count": report.agency_count,
        "from": report.date_from,
        "to": report.date_to,
        "as_of": report.as_of,
        "group_by": report.group_by,
        "totals": _counts(report.totals),
        "rows": [{"key": r.key, "label": r.label, **_counts(r.counts)} for r in report.rows],
    }


@router.get(
    "/stats/dossiers",
    response={200: StatsOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    by_alias=True,
)
def stats_dossiers(request: HttpRequest, filters: Query[StatsFilter]) -> dict[str, object]:
    """Tình hình giải quyết hồ sơ trong kỳ [from, to] (mặc định: từ đầu tháng đến hôm nay) của
    cơ quan mình, hoặc của cơ quan cấp dưới (giám sát, lãnh đạo, quản trị) cùng các cơ quan
    trực thuộc nó; nhóm theo thủ tục, kênh nộp hoặc cơ quan. Đúng hạn theo Quyết định 766."""
    actor: Staff = request.auth  # type: ignore[attr-defined]
    report = dossier_stats_for(
        actor=actor,
        date_from=filters.date_from,
        date_to=filters.date_to,
        agency_code=filters.agency,
        group_by=filters.group_by,
    )
    return report_out(report)
