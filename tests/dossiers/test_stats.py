"""The one-stop statistics (Decision 766): exact figures from dossiers built through the real
services, past periods rebuilt from timestamps, superiors and isolation, constant queries."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from tests.dossiers.stats_world import MISSING, build_october, finish, process
from tests.dossiers.world import BIRTH, World, receive, vn
from xaso.core.errors import NotFound
from xaso.dossiers import services
from xaso.dossiers.stats import (
    Counts,
    GroupByInvalid,
    PeriodInvalid,
    dossier_stats_for,
    period_bounds,
)
from xaso.org.models import Agency
from xaso.org.selectors import agency_tree_changed

OCT = {"date_from": date(2026, 10, 1), "date_to": date(2026, 10, 31)}


def counts(**values: int) -> dict[str, int]:
    """A full ``Counts`` as a dict: the values given, zero for the others."""
    return asdict(Counts(**values))


#: Agency A in October 2026 (see stats_world.build_october).
A_OCTOBER = counts(
    received_carried_over=1,
    received_new=10,
    received_online=2,
    received_total=11,
    resolved=8,
    resolved_early=3,
    resolved_on_time=3,
    resolved_late=2,
    refused=1,
    withdrawn=1,
    pending=3,
    pending_in_time=2,
    pending_overdue=1,
    pending_supplement=1,
    returned=3,
)
#: Agency B in October: the dossier transferred from A and its own, both still pending and
#: past their due time (Thursday 15/10 17:00).
B_OCTOBER = counts(received_new=2, received_total=2, pending=2, pending_overdue=2)


def test_october_of_one_agency_by_procedure(world: World) -> None:
    build_october(world)
    report = dossier_stats_for(actor=world.reception, **OCT)
    assert report.agency == world.a
    assert report.agency_count == 1
    assert report.as_of == vn(2026, 11, 1, 0, 0)
    assert [(r.key, r.label) for r in report.rows] == [
        ("1.004873", "Thủ tục cấp Giấy xác nhận tình trạng hôn nhân")
    ]
    assert asdict(report.rows[0].counts) == A_OCTOBER
    assert asdict(report.totals) == A_OCTOBER
    assert report.totals.on_time_rate == 75.0  # (3 early + 3 on time) / 8 resolved
    assert report.totals.online_rate == 20.0  # 2 online / 10 new


def test_october_by_channel(world: World) -> None:
    build_october(world)
    report = dossier_stats_for(actor=world.reception, group_by="channel", **OCT)
    got = {r.key: (r.label, asdict(r.counts)) for r in report.rows}
    assert list(got) == ["counter", "post", "online"]
    assert got["counter"] == (
        "Trực tiếp",
        counts(
            received_carried_over=1,
            received_new=7,
            received_total=8,
            resolved=6,
            resolved_early=1,
            resolved_on_time=3,
            resolved_late=2,
            withdrawn=1,
            pending=2,
            pending_in_time=1,
            pending_overdue=1,
            pending_supplement=1,
            returned=2,
        ),
    )
    assert got["post"] == (
        "Bưu chính công ích",
        counts(received_new=1, received_total=1, resolved=1, resolved_early=1, refused=1),
    )
    assert got["online"] == (
        "Trực tuyến",
        counts(
            received_new=2,
            received_online=2,
            received_total=2,
            resolved=1,
            resolved_early=1,
            pending=1,
            pending_in_time=1,
            returned=1,
        ),
    )
    assert asdict(report.totals) == A_OCTOBER
    assert [r.counts.online_rate for r in report.rows] == [0.0, 0.0, 100.0]


def test_groups_by_procedure_separately(world: World) -> None:
    # Same day limit: received 10:00, ready 16:00 the same day = on time; another 11:00 the
    # next day = late (due 05/10 17:00).
    d = receive(world, BIRTH, at=vn(2026, 10, 5, 10, 0))
    d = process(world, d, assigned=vn(2026, 10, 5, 10, 30))
    finish(world, d, ready=vn(2026, 10, 5, 16, 0))
    d = receive(world, BIRTH, at=vn(2026, 10, 5, 10, 0))
    d = process(world, d, assigned=vn(2026, 10, 5, 10, 30))
    finish(world, d, ready=vn(2026, 10, 6, 11, 0))
    d = receive(world, at=vn(2026, 10, 5, 10, 0))
    report = dossier_stats_for(actor=world.reception, **OCT)
    rows = {r.key: asdict(r.counts) for r in report.rows}
    assert rows == {
        "1.001193": counts(
            received_new=2,
            received_total=2,
            resolved=2,
            resolved_on_time=1,
            resolved_late=1,
        ),
        "1.004873": counts(received_new=1, received_total=1, pending=1, pending_overdue=1),
    }
    assert [r.counts.on_time_rate for r in report.rows] == [50.0, None]


def test_supplement_time_is_excluded(world: World) -> None:
    d = receive(world, at=vn(2026, 10, 5, 9, 0))
    d = process(world, d, assigned=vn(2026, 10, 5, 9, 30))
    d = services.dossier_request_supplement(
        actor=world.all_a, dossier=d, missing=MISSING, at=vn(2026, 10, 6, 8, 0)
    )
    d = services.dossier_receive_supplement(actor=world.all_a, dossier=d, at=vn(2026, 10, 9, 8, 0))
    d = finish(world, d, ready=vn(2026, 10, 13, 15, 0))
    assert (d.initial_due_at, d.statutory_due_at) == (
        vn(2026, 10, 8, 17, 0),
        vn(2026, 10, 13, 17, 0),
    )
    totals = dossier_stats_for(actor=world.reception, **OCT).totals
    assert (totals.resolved, totals.resolved_on_time, totals.resolved_late) == (1, 1, 0)


def test_a_second_supplement_request_is_late_whatever_the_times(world: World) -> None:
    d = receive(world, at=vn(2026, 10, 5, 9, 0))
    d = process(world, d, assigned=vn(2026, 10, 5, 9, 30))
    for asked, got in (
        (vn(2026, 10, 5, 10, 0), vn(2026, 10, 5, 14, 0)),
        (vn(2026, 10, 5, 15, 0), vn(2026, 10, 6, 8, 0)),
    ):
        d = services.dossier_request_supplement(
            actor=world.all_a, dossier=d, missing=MISSING, at=asked
        )
        d = services.dossier_receive_supplement(actor=world.all_a, dossier=d, at=got)
    # Still in processing at the end of the period: overdue, although long before its due time.
    early_cut = dossier_stats_for(
        actor=world.reception, date_from=date(2026, 10, 5), date_to=date(2026, 10, 6)
    ).totals
    assert (early_cut.pending, early_cut.pending_overdue) == (1, 1)
    finish(world, d, ready=vn(2026, 10, 6, 14, 0))
    totals = dossier_stats_for(actor=world.reception, **OCT).totals
    assert (totals.resolved, totals.resolved_early, totals.resolved_late) == (1, 0, 1)


def test_past_periods_are_rebuilt_from_the_timestamps(world: World) -> None:
    build_october(world)
    # 05/10-07/10: "on time" and "late" were not finished yet and not overdue (due 08/10 17:00);
    # "paused" was waiting for its supplement (received only on 09/10).
    first_week = dossier_stats_for(
        actor=world.reception, date_from=date(2026, 10, 5), date_to=date(2026, 10, 7)
    )
    assert first_week.as_of == vn(2026, 10, 8, 0, 0)
    assert asdict(first_week.totals) == counts(
        received_new=5,
        received_online=1,
        received_total=5,
        resolved=2,
        resolved_early=1,
        resolved_late=1,
        pending=3,
        pending_in_time=3,
        pending_supplement=1,
    )
    # 01/10-12/10: "paused" is pending and within its due time only thanks to the supplement
    # pause (13/10 17:00 instead of 08/10 17:00); "withdrawn" stops only on 13/10.
    twelve_days = dossier_stats_for(
        actor=world.reception, date_from=date(2026, 10, 1), date_to=date(2026, 10, 12)
    )
    assert asdict(twelve_days.totals) == counts(
        received_carried_over=1,
        received_new=7,
        received_online=1,
        received_total=8,
        resolved=6,
        resolved_early=2,
        resolved_on_time=2,
        resolved_late=2,
        refused=1,
        pending=2,
        pending_in_time=2,
        returned=3,
    )


def test_a_supplement_after_the_period_does_not_rescue_it(world: World) -> None:
    """Overdue at the end of a period stays overdue in that period's figures, although a
    supplement asked later moved its statutory due time (the due time as it stood then)."""
    d = receive(world, at=vn(2026, 10, 5, 9, 0))
    d = process(world, d, assigned=vn(2026, 10, 5, 9, 30))
    d = services.dossier_request_supplement(
        actor=world.all_a, dossier=d, missing=MISSING, at=vn(2026, 10, 12, 9, 0)
    )
    d = services.dossier_receive_supplement(actor=world.all_a, dossier=d, at=vn(2026, 10, 16, 9, 0))
    assert d.statutory_due_at == vn(2026, 10, 14, 17, 0)  # 32 working hours later

    def pending(to: date) -> tuple[int, int, int]:
        t = dossier_stats_for(actor=world.reception, date_from=date(2026, 10, 5), date_to=to)
        return t.totals.pending, t.totals.pending_overdue, t.totals.pending_supplement

    assert pending(date(2026, 10, 7)) == (1, 0, 0)  # due 08/10 17:00, not yet
    assert pending(date(2026, 10, 9)) == (1, 1, 0)  # overdue before the request
    assert pending(date(2026, 10, 13)) == (1, 1, 1)  # asked on 12/10, after the due time
    assert pending(date(2026, 10, 16)) == (1, 1, 0)  # 17/10 00:00 is after 14/10 17:00


def test_a_period_not_over_is_judged_now(world: World) -> None:
    receive(world, at=vn(2026, 10, 26, 9, 0))  # due Thursday 29/10 17:00
    period = {"date_from": date(2026, 10, 1), "date_to": date(2026, 11, 30)}
    before = dossier_stats_for(actor=world.reception, now=vn(2026, 10, 29, 12, 0), **period)
    assert before.as_of == vn(2026, 10, 29, 12, 0)
    assert (before.totals.pending_in_time, before.totals.pending_overdue) == (1, 0)
    after = dossier_stats_for(actor=world.reception, now=vn(2026, 10, 30, 8, 0), **period)
    assert (after.totals.pending_in_time, after.totals.pending_overdue) == (0, 1)


def test_the_default_period_is_this_month_to_today(world: World) -> None:
    receive(world, at=vn(2026, 10, 30, 9, 0))
    receive(world, at=vn(2026, 11, 2, 9, 0))
    report = dossier_stats_for(actor=world.reception, now=vn(2026, 11, 3, 10, 0))
    assert (report.date_from, report.date_to) == (date(2026, 11, 1), date(2026, 11, 3))
    assert (report.totals.received_carried_over, report.totals.received_new) == (1, 1)


def _superior(world: World) -> Agency:
    top = factories.agency(
        code="H98", unit_obj=world.a.unit.parent, name="Trung tâm Phục vụ hành chính công tỉnh"
    )
    Agency.objects.filter(pk__in=[world.a.pk, world.b.pk]).update(parent=top)
    agency_tree_changed()
    return top


def test_staff_see_their_own_agency_only(world: World) -> None:
    build_october(world)
    assert asdict(dossier_stats_for(actor=world.specialist_b, **OCT).totals) == B_OCTOBER
    for actor in (world.reception, world.supervisor, world.leader, world.admin):
        with pytest.raises(NotFound) as caught:
            dossier_stats_for(actor=actor, agency_code="H98.02", **OCT)
        assert caught.value.message == "Không tìm thấy cơ quan có mã H98.02."
    with pytest.raises(NotFound):
        dossier_stats_for(actor=world.reception, agency_code="H00.00", **OCT)


def test_superiors_aggregate_the_agencies_below_and_no_other(world: World) -> None:
    build_october(world)
    top = _superior(world)
    boss = factories.staff(agency_obj=top, roles=("supervisor",), username="giamsat_tinh")
    report = dossier_stats_for(actor=boss, group_by="agency", **OCT)
    assert report.agency == top
    assert report.agency_count == 3
    assert [(r.key, asdict(r.counts)) for r in report.rows] == [
        ("H98", counts()),
        ("H98.01", A_OCTOBER),
        ("H98.02", B_OCTOBER),
    ]
    assert asdict(report.totals) == {k: A_OCTOBER[k] + B_OCTOBER[k] for k in A_OCTOBER}
    assert report.totals.online_rate == 16.7  # 2 / 12
    only_b = dossier_stats_for(actor=boss, agency_code="H98.02", **OCT)
    assert (only_b.agency, only_b.agency_count) == (world.b, 1)
    assert asdict(only_b.totals) == B_OCTOBER
    with pytest.raises(NotFound):
        dossier_stats_for(actor=boss, agency_code="H97.01", **OCT)  # another province's commune
    # A counter officer of the superior agency sees their own agency, not those below.
    clerk = factories.staff(agency_obj=top, roles=("reception",), username="motcua_tinh")
    own = dossier_stats_for(actor=clerk, group_by="agency", **OCT)
    assert own.agency_count == 1
    assert [(r.key, asdict(r.counts)) for r in own.rows] == [("H98", counts())]
    with pytest.raises(NotFound):
        dossier_stats_for(actor=clerk, agency_code="H98.01", **OCT)


def test_bad_periods_and_groups_are_refused(world: World) -> None:
    with pytest.raises(PeriodInvalid) as caught:
        dossier_stats_for(
            actor=world.reception, date_from=date(2026, 10, 2), date_to=date(2026, 10, 1)
        )
    assert caught.value.message == "Ngày bắt đầu phải trước hoặc bằng ngày kết thúc."
    assert caught.value.fields == {"from": ["Phải trước hoặc bằng ngày kết thúc."]}
    with pytest.raises(PeriodInvalid):
        period_bounds(date(2000, 1, 1), date(2026, 1, 1))
    with pytest.raises(GroupByInvalid):
        dossier_stats_for(actor=world.reception, group_by="applicant", **OCT)


def _queries(world: World, actor, group_by: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        dossier_stats_for(actor=actor, group_by=group_by, **OCT)
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("group_by", "expected"), [("procedure", 1), ("channel", 1), ("agency", 2)]
)
def test_queries_are_few_and_do_not_grow_with_dossiers(
    world: World, group_by: str, expected: int
) -> None:
    top = _superior(world)
    boss = factories.staff(agency_obj=top, roles=("supervisor",), username="giamsat_tinh")
    _queries(world, boss, group_by)  # the agency tree is read once, then cached
    build_october(world)
    assert _queries(world, boss, group_by) == expected
    for day in (5, 6, 7, 8, 9, 12, 13, 14):
        receive(world, BIRTH, at=vn(2026, 10, day, 9, 0), channel="online")
        receive(world, at=vn(2026, 10, day, 9, 0), actor=world.reception_b)
    assert _queries(world, boss, group_by) == expected
    assert dossier_stats_for(actor=boss, **OCT).totals.received_new == 12 + 16
