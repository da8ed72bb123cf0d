"""One month of dossiers of agency A (October 2026), each built through the real services with
stated times, one per rule of the statistics; plus dossiers that must not be counted for A.

Procedure 1.004873 has a limit of 3 working days: received Monday 05/10 09:00, it is due
Thursday 08/10 17:00. Office hours 07:30-11:30, 13:00-17:00 (8 working hours a day)."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.dossiers.world import World, receive, vn
from xaso.dossiers import services
from xaso.dossiers.models import Dossier

MISSING = ["Bản sao giấy tờ tùy thân"]


def process(w: World, d: Dossier, *, assigned: datetime) -> Dossier:
    return services.dossier_assign(actor=w.all_a, dossier=d, assignee=w.specialist, at=assigned)


def finish(w: World, d: Dossier, *, ready: datetime) -> Dossier:
    """Specialist → leader → approved → result ready at ``ready``."""
    d = services.dossier_forward(
        actor=w.all_a, dossier=d, assignee=w.leader, at=ready - timedelta(minutes=2)
    )
    d = services.dossier_approve(actor=w.all_a, dossier=d, at=ready - timedelta(minutes=1))
    return services.dossier_mark_ready(actor=w.all_a, dossier=d, at=ready)


def ret(w: World, d: Dossier, at: datetime) -> Dossier:
    return services.dossier_return_result(actor=w.all_a, dossier=d, at=at)


def build_october(w: World) -> dict[str, Dossier]:
    made: dict[str, Dossier] = {}

    # Early, online: result ready Wednesday 07/10 (due Thursday 08/10 17:00), returned 08/10.
    d = receive(w, at=vn(2026, 10, 5, 9, 0), channel="online")
    d = process(w, d, assigned=vn(2026, 10, 5, 9, 30))
    d = finish(w, d, ready=vn(2026, 10, 7, 10, 0))
    made["early"] = ret(w, d, vn(2026, 10, 8, 9, 0))

    # On time: ready on the due day before 17:00; returned Friday 09/10.
    d = receive(w, at=vn(2026, 10, 5, 9, 0))
    d = process(w, d, assigned=vn(2026, 10, 5, 9, 30))
    d = finish(w, d, ready=vn(2026, 10, 8, 16, 0))
    made["on_time"] = ret(w, d, vn(2026, 10, 9, 9, 0))

    # Late: ready Friday 09/10, after the due time; not returned yet.
    d = receive(w, at=vn(2026, 10, 5, 9, 0))
    d = process(w, d, assigned=vn(2026, 10, 5, 9, 30))
    made["late"] = finish(w, d, ready=vn(2026, 10, 9, 10, 0))

    # Late because a supplement was asked twice, although ready long before the due time.
    d = receive(w, at=vn(2026, 10, 5, 9, 0))
    d = process(w, d, assigned=vn(2026, 10, 5, 9, 30))
    for asked, got in (
        (vn(2026, 10, 5, 10, 0), vn(2026, 10, 5, 14, 0)),
        (vn(2026, 10, 5, 15, 0), vn(2026, 10, 6, 8, 0)),
    ):
        d = services.dossier_request_supplement(actor=w.all_a, dossier=d, missing=MISSING, at=asked)
        d = services.dossier_receive_supplement(actor=w.all_a, dossier=d, at=got)
    made["twice"] = finish(w, d, ready=vn(2026, 10, 6, 14, 0))

    # Supplement time excluded: asked Tuesday 06/10 08:00, received Friday 09/10 08:00 = 24
    # working hours, so the statutory due time moves from 08/10 17:00 to Tuesday 13/10 17:00;
    # ready 13/10 15:00 is on time (late without the exclusion).
    d = receive(w, at=vn(2026, 10, 5, 9, 0))
    d = process(w, d, assigned=vn(2026, 10, 5, 9, 30))
    d = services.dossier_request_supplement(
        actor=w.all_a, dossier=d, missing=MISSING, at=vn(2026, 10, 6, 8, 0)
    )
    d = services.dossier_receive_supplement(actor=w.all_a, dossier=d, at=vn(2026, 10, 9, 8, 0))
    made["paused"] = finish(w, d, ready=vn(2026, 10, 13, 15, 0))

    # Carried over from September: received Monday 28/09 (due Thursday 01/10 17:00), ready
    # 01/10 10:00: on time, resolved in October.
    d = receive(w, at=vn(2026, 9, 28, 9, 0))
    d = process(w, d, assigned=vn(2026, 9, 28, 9, 30))
    made["carried"] = finish(w, d, ready=vn(2026, 10, 1, 10, 0))

    # Finished in September, returned in October: only "returned" counts it.
    d = receive(w, at=vn(2026, 9, 21, 9, 0))
    d = process(w, d, assigned=vn(2026, 9, 21, 9, 30))
    d = finish(w, d, ready=vn(2026, 9, 22, 10, 0))
    made["returned_only"] = ret(w, d, vn(2026, 10, 2, 9, 0))

    # Withdrawn Tuesday 13/10 (due Thursday 15/10): stopped at the applicant's request.
    d = receive(w, at=vn(2026, 10, 12, 9, 0))
    made["withdrawn"] = services.dossier_withdraw(
        actor=w.all_a, dossier=d, reason="Xin rút hồ sơ", at=vn(2026, 10, 13, 9, 0)
    )

    # Refused on the day of reception, by post.
    d = receive(w, at=vn(2026, 10, 12, 9, 0), channel="post")
    made["refused"] = services.dossier_refuse(
        actor=w.all_a, dossier=d, reason="Không đủ điều kiện", at=vn(2026, 10, 12, 10, 0)
    )

    # Pending within time at the end of October: received Thursday 29/10, due Tuesday 03/11.
    d = receive(w, at=vn(2026, 10, 29, 9, 0), channel="online")
    made["pending"] = process(w, d, assigned=vn(2026, 10, 29, 9, 30))

    # Overdue at the end of October: received Monday 26/10, due Thursday 29/10 17:00.
    d = receive(w, at=vn(2026, 10, 26, 9, 0))
    made["overdue"] = process(w, d, assigned=vn(2026, 10, 26, 9, 30))

    # Waiting for the supplement at the end of October, asked Tuesday 27/10 before the due
    # time (Thursday 29/10 17:00): pending within time, measured at the request.
    d = receive(w, at=vn(2026, 10, 26, 9, 0))
    d = process(w, d, assigned=vn(2026, 10, 26, 9, 30))
    made["awaiting"] = services.dossier_request_supplement(
        actor=w.all_a, dossier=d, missing=MISSING, at=vn(2026, 10, 27, 9, 0)
    )

    # Not A's in October: received in November; received by A but transferred to B.
    made["november"] = receive(w, at=vn(2026, 11, 2, 9, 0))
    d = receive(w, at=vn(2026, 10, 12, 9, 0))
    made["transferred"] = services.dossier_transfer(
        actor=w.all_a, dossier=d, agency=w.b, at=vn(2026, 10, 12, 10, 0)
    )
    # B's own: received, still pending (due Thursday 15/10) — overdue at the end of October.
    made["b_own"] = receive(w, at=vn(2026, 10, 12, 9, 0), actor=w.reception_b)
    # C (another province): never seen by A's or B's superiors.
    made["c_own"] = receive(w, at=vn(2026, 10, 12, 9, 0), actor=w.reception_c)
    return made
