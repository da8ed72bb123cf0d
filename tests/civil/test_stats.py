"""Thống kê hộ tịch: counts by kind of registration, the subject's sex, births and deaths on time
and late, corrections, extract copies asked for and documents issued, for the agency and, for a
supervisor, aggregated over the agencies below; the page and its Excel export per role."""

from __future__ import annotations

from datetime import date
from io import BytesIO
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from tests.civil.world import CHILD, MOTHER, birth, death, leader_titled, marriage
from xaso.civil import services, stats
from xaso.civil.certificates.services import certificate_issue
from xaso.core.errors import NotFound, PermissionDenied
from xaso.org.models import Agency, Staff, StaffRole
from xaso.org.selectors import agency_tree_changed

YEAR = {"from": "01/01/2026", "to": "31/12/2026"}


def _populate(w: Any) -> dict[str, Any]:
    """In A: two births (on time, female; late, male), two deaths (on time, late), a marriage, a
    correction, an extract copy of 2 copies, an original and a copy issued; in B: one birth."""
    leader_titled(w)
    on_time = services.civil_register_birth(actor=w.officer, **birth())
    services.civil_register_birth(
        actor=w.officer,
        **birth(
            child={**CHILD, "given_name": "Nam", "sex": "male", "date_of_birth": date(2026, 1, 1)},
        ),
    )
    services.civil_register_death(actor=w.officer, **death())
    services.civil_register_death(
        actor=w.officer,
        **death(
            deceased={
                "family_name": "Hà",
                "given_name": "Văn",
                "sex": "male",
                "birth_year": 1950,
                "nationality": "Việt Nam",
            },
            date_of_death=date(2026, 4, 1),
        ),
    )
    services.civil_register_marriage(actor=w.officer, **marriage())
    services.civil_register_change(
        actor=w.officer,
        target=on_time,
        kind="correction",
        changes=[{"role": "child", "field": "middle_name", "value": "Thanh"}],
        reason="Ghi sai",
        requester={"full_name": "Trần Thị Mỹ", "relationship": "mother"},
        registered_on=date(2026, 5, 10),
    )
    services.civil_register_extract_copy(
        actor=w.officer,
        source=on_time,
        requester={"full_name": "Trần Thị Mỹ", "relationship": "mother"},
        copies=2,
        registered_on=date(2026, 5, 11),
    )
    certificate_issue(actor=w.leader, record=on_time, medium="paper")
    certificate_issue(actor=w.leader, record=on_time, medium="paper")
    services.civil_register_birth(
        actor=w.officer_b,
        **birth(mother={**MOTHER, "id_number": ""}, child={**CHILD, "given_name": "Tây"}),
    )
    return {"birth": on_time}


def _row(report: stats.CivilReport, event: str, variant: str = "") -> stats.KindRow:
    return next(r for r in report.rows if (r.event, r.variant) == (event, variant))


def _supervised(w: Any) -> Staff:
    district = factories.agency(code="H98", name="UBND tỉnh Thử Nghiệm")
    Agency.objects.filter(pk__in=[w.a.pk, w.b.pk]).update(parent=district)
    agency_tree_changed()
    s = factories.staff(agency_obj=district, roles=(), username="giamsat_tinh")
    StaffRole.objects.create(staff=s, role="supervisor")
    return Staff.objects.select_related("agency").prefetch_related("roles").get(pk=s.pk)


# --- The figures ---------------------------------------------------------------------------------


def test_counts_for_the_agency(w):
    _populate(w)
    report = stats.civil_stats_for(
        actor=w.officer, date_from=date(2026, 1, 1), date_to=date(2026, 12, 31)
    )
    assert report.agency == w.a and report.agency_count == 1
    b = _row(report, "birth")
    assert (b.total, b.male, b.female, b.sex_unknown, b.on_time, b.late) == (2, 1, 1, 0, 1, 1)
    d = _row(report, "death")
    assert (d.total, d.male, d.female, d.on_time, d.late) == (2, 2, 0, 1, 1)
    m = _row(report, "marriage")
    assert (m.total, m.male, m.on_time) == (1, None, None)
    c = _row(report, "change", "correction")
    assert (c.total, c.male, c.female, c.on_time) == (1, 0, 1, None)
    assert _row(report, "change", "change").total == 0
    assert _row(report, "extract_copy").total == 1
    assert (report.total, report.on_time, report.late) == (7, 2, 2)
    assert report.copies_requested == 2
    assert report.documents == {"original": 1, "copy": 1, "extract": 0}
    assert [(a.code, a.total, a.late) for a in report.agencies] == [("H98.01", 7, 2)]


def test_period_counts_by_registration_date(w):
    _populate(w)
    report = stats.civil_stats_for(
        actor=w.officer, date_from=date(2026, 3, 1), date_to=date(2026, 3, 31)
    )
    assert report.total == 2  # the two births of 10/03
    assert (report.copies_requested, _row(report, "death").total) == (0, 0)


def test_rows_cover_every_kind(w):
    report = stats.civil_stats_for(actor=w.officer)
    kinds = [(r.event, r.variant) for r in report.rows]
    assert len(kinds) == 20 and kinds[0] == ("birth", "") and ("foreign_record", "divorce") in kinds
    assert report.total == 0 and report.documents_total == 0


def test_supervisor_sees_the_agencies_below(w):
    _populate(w)
    boss = _supervised(w)
    report = stats.civil_stats_for(
        actor=boss, date_from=date(2026, 1, 1), date_to=date(2026, 12, 31)
    )
    assert report.agency_count == 3
    assert _row(report, "birth").total == 3
    assert [(a.code, a.by_event.get("birth", 0), a.total) for a in report.agencies] == [
        ("H98", 0, 0),
        ("H98.01", 2, 7),
        ("H98.02", 1, 1),
    ]
    only_b = stats.civil_stats_for(
        actor=boss, date_from=date(2026, 1, 1), date_to=date(2026, 12, 31), agency_code="H98.02"
    )
    assert (only_b.agency, only_b.total) == (w.b, 1)


def test_agency_outside_is_not_found(w):
    with pytest.raises(NotFound):
        stats.civil_stats_for(actor=w.officer, agency_code="H98.02")
    boss = _supervised(w)
    elsewhere = factories.agency(code="H97.01")
    with pytest.raises(NotFound):
        stats.civil_stats_for(actor=boss, agency_code=elsewhere.code)


@pytest.mark.parametrize("who", ["reception", "clerk", "land"])
def test_other_staff_may_not(w, who):
    with pytest.raises(PermissionDenied):
        stats.civil_stats_for(actor=getattr(w, who))


def test_query_count_does_not_grow(w):
    report_args = {"date_from": date(2026, 1, 1), "date_to": date(2026, 12, 31)}
    with CaptureQueriesContext(connection) as empty:
        stats.civil_stats_for(actor=w.officer, **report_args)
    _populate(w)
    with CaptureQueriesContext(connection) as full:
        stats.civil_stats_for(actor=w.officer, **report_args)
    assert len(full) == len(empty)


# --- The page and the export ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["officer", "leader", "generalist", "supervisor", "admin"])
def test_page_for_those_who_may(client, w, who):
    _populate(w)
    client.force_login(getattr(w, who))
    r = client.get("/civil/stats/", YEAR)
    assert r.status_code == 200
    assert r.context["report"].total == 7
    assert '<strong data-testid="total">7</strong>' in r.content.decode()


@pytest.mark.parametrize("who", ["reception", "clerk", "land"])
def test_page_closed_to_other_staff(client, w, who):
    client.force_login(getattr(w, who))
    assert client.get("/civil/stats/").status_code == 403
    assert client.get("/civil/stats/export.xlsx").status_code == 403


def test_page_defaults_to_this_month_and_checks_the_period(client, w):
    client.force_login(w.officer)
    r = client.get("/civil/stats/")
    assert r.status_code == 200 and r.context["report"].date_from.day == 1
    r = client.get("/civil/stats/", {"from": "31/12/2026", "to": "01/01/2026"})
    assert r.status_code == 400
    assert r.context["form"].errors["from"] == ["Phải trước hoặc bằng ngày kết thúc."]
    r = client.get("/civil/stats/", {"from": "2026/01/01"})
    assert r.status_code == 400
    r = client.get("/civil/stats/", {**YEAR, "agency": "H98.02"})
    assert r.status_code == 400  # not an agency this officer may choose


def test_supervisor_page_has_the_agency_table(client, w):
    _populate(w)
    boss = _supervised(w)
    client.force_login(boss)
    r = client.get("/civil/stats/", {**YEAR, "agency": "H98"})
    assert r.status_code == 200
    rows = {a.code: cells for a, cells in r.context["agency_rows"]}
    assert rows["H98.01"][:3] == [2, 2, 1] and rows["H98.02"][0] == 1
    assert 'data-testid="by-agency"' in r.content.decode()


def test_excel_export(client, w):
    from openpyxl import load_workbook

    _populate(w)
    boss = _supervised(w)
    client.force_login(boss)
    r = client.get("/civil/stats/export.xlsx", {**YEAR, "agency": "H98"})
    assert r.status_code == 200
    assert r["Content-Disposition"] == (
        'attachment; filename="thong-ke-ho-tich-H98-20260101-20261231.xlsx"'
    )
    wb = load_workbook(BytesIO(r.content))
    assert wb.sheetnames == ["Theo loại việc", "Theo cơ quan"]
    ws = wb["Theo loại việc"]
    assert ws["A3"].value == "Kỳ báo cáo: 01/01/2026 - 31/12/2026"
    assert [c.value for c in ws[6]] == ["Khai sinh", 3, 1, 2, 0, 2, 1]
    by_agency = wb["Theo cơ quan"]
    assert [c.value for c in by_agency[3]][:5] == ["H98.01", "UBND xã Đông", 2, 2, 1]
    client.force_login(w.officer)
    r = client.get("/civil/stats/export.xlsx", YEAR)
    assert load_workbook(BytesIO(r.content)).sheetnames == ["Theo loại việc"]
    r = client.get("/civil/stats/export.xlsx", {"from": "x"})
    assert r.status_code == 400
