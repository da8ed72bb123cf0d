"""Synthetic volume: ``xaso seed --dossiers N`` fills the demo with N made-up dossiers.

What it is for: load tests and benchmarks (the work queue at a million dossiers), and a demo that
looks lived-in. Everything it writes is SYNTHETIC — invented citizens with invented personal IDs,
names drawn from a list, invented dates — and must never be mixed with real records: run it only
on a demo or benchmark database.

How it stays realistic:

- dossiers are spread over the last ``days`` days across the demo's receiving agencies (those with
  reception staff), with most on working days in office hours (counter, post) and a few online at
  any hour and on days off;
- codes follow the official pattern and are unique and gapless per agency and day: the seeder
  continues any sequence already in ``DossierCodeCounter`` and leaves each counter at the last
  number it gave, so a real intake afterwards takes the next one;
- due dates come from the working-day clock (``xaso.workdays.clock``) exactly as at intake, one
  ``WorkCalendar`` for the whole run; only procedures whose limit is confirmed (working days,
  working hours or same day with cut-off) are used;
- each dossier follows the workflow's transitions (receive → assign → forward → approve →
  mark_ready → return_result, sometimes with a supplement request, an apology, a refusal or a
  withdrawal) and its events stop at "now": recent dossiers are still pending, a few old ones are
  overdue; the dossier's fields are those the services would have left after those events;
- applicants are ``people.Person`` rows of the receiving agency with 12-digit personal IDs that
  agree with their date of birth and sex (vn-rules.md §4); some come back for another dossier.

How it stays fast (a million dossiers in minutes): the rows are built in memory and written with
``bulk_create`` in batches, one transaction per batch (so a batch is all or nothing and the
counters always match the committed dossiers). Nothing goes through the services: no permission
checks, and no audit entry per row — ONE audit entry ``dossier.seed`` records the whole run.

Deterministic: the same ``seed`` on a fresh database on the same day gives the same codes, names,
personal IDs, times and statuses. Run it while nobody receives dossiers (the counters are not
locked for the whole run).
"""

from __future__ import annotations

import itertools
import random
import time as _time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xaso.core.audit import audit_record
from xaso.core.errors import InvalidInput
from xaso.people.models import Person
from xaso.workdays.selectors import work_calendar

from ..models import (
    Channel,
    Dossier,
    DossierChecklistItem,
    DossierCodeCounter,
    DossierEvent,
)
from ..services.codes import dossier_code_format
from .bulk import _Table
from .people import _person
from .story import _Clock, _Story, _Writer
from .world import (
    DEFAULT_BATCH,
    DEMO_AGENCIES,
    SeedRefused,
    SeedResult,
    _Desk,
    _desks,
    _Proc,
    _procedures,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")


__all__ = ["DEFAULT_BATCH", "DEMO_AGENCIES", "SeedRefused", "SeedResult", "dossiers_seed"]


# --- Where the dossiers fall ------------------------------------------------------------------


def _slots(
    clock: _Clock, desks: list[_Desk], first: date, today: date, now: datetime, count: int
) -> list[tuple[date, int, int]]:
    """(day, desk index, how many) for every day and desk, adding up to exactly ``count``:
    working days weigh 1, days off 0.05 (online only), today by the share of it gone by."""
    weights: list[tuple[date, int, float]] = []
    d = first
    while d <= today:
        w = 1.0 if clock.working(d) else 0.05
        if d == today:
            w *= max(
                0.0,
                min(1.0, (now - datetime.combine(d, datetime.min.time(), VN)) / timedelta(days=1)),
            )
        for i in range(len(desks)):
            weights.append((d, i, w))
        d += timedelta(days=1)
    total = sum(w for _d, _i, w in weights) or 1.0
    exact = [count * w / total for _d, _i, w in weights]
    counts = [int(x) for x in exact]
    short = count - sum(counts)
    by_remainder = sorted(range(len(exact)), key=lambda k: (counts[k] - exact[k], k))
    for k in by_remainder[:short]:
        counts[k] += 1
    return [(d, i, n) for (d, i, _w), n in zip(weights, counts, strict=True) if n]


def _times(
    rng: random.Random, clock: _Clock, desk: _Desk, day: date, n: int, now: datetime
) -> list[tuple[datetime, str]]:
    """``n`` reception moments of ``day`` with their channels, in order."""
    out: list[tuple[datetime, str]] = []
    working = clock.working(day)
    midnight = datetime.combine(day, datetime.min.time(), VN)
    segments = desk.hours.segments(day)
    span_end = min(now, midnight + timedelta(days=1)) - timedelta(seconds=1)
    for _k in range(n):
        roll = rng.random()
        channel = (
            Channel.ONLINE
            if (not working or roll < 0.25)
            else (Channel.POST if roll < 0.30 else Channel.COUNTER)
        )
        at: datetime | None = None
        if channel != Channel.ONLINE:
            s, e = segments[0] if rng.random() < 0.55 else segments[1]
            e = min(e, span_end)
            if e > s:
                at = s + timedelta(seconds=rng.randrange(int((e - s).total_seconds())))
        if at is None:
            channel = Channel.ONLINE
            at = midnight + timedelta(
                seconds=rng.randrange(max(1, int((span_end - midnight).total_seconds())))
            )
        out.append((at.replace(microsecond=0), str(channel)))
    out.sort(key=lambda x: x[0])
    return out


@dataclass
class _Row:
    desk: _Desk
    proc: _Proc
    channel: str
    at: datetime
    who: int | dict[str, Any]  # a returning applicant's pk, or the row of a new Person
    code: str
    counted_from: datetime
    due_at: datetime
    story: _Story


# --- The run ---------------------------------------------------------------------------------


def dossiers_seed(
    *,
    count: int,
    agency_code: str | None = None,
    days: int = 365,
    seed: int = 0,
    now: datetime | None = None,
    batch_size: int = DEFAULT_BATCH,
    progress: Callable[[int, int, float], None] | None = None,
) -> SeedResult:
    """Create ``count`` synthetic dossiers over the ``days`` days up to ``now`` (see the module
    docstring). Refused (``SeedRefused``) without the demo. One audit entry for the run."""
    if count < 1:
        raise InvalidInput(_("Số hồ sơ cần tạo phải lớn hơn 0."), fields={"dossiers": []})
    if days < 1:
        raise InvalidInput(_("Số ngày phải lớn hơn 0."), fields={"days": []})
    started = _time.monotonic()
    now = timezone.localtime(now or timezone.now(), VN)
    today = now.date()
    first = today - timedelta(days=days - 1)
    desks = _desks(agency_code)
    procs = _procedures()
    proc_cum = list(itertools.accumulate(p.weight for p in procs))
    clock = _Clock(work_calendar())
    writer = _Writer(clock, now)
    rng = random.Random(seed)
    names: dict[str, str] = {}

    counters = {
        (c.agency_id, c.day): c.last
        for c in DossierCodeCounter.objects.filter(
            agency__in=[d.receiving for d in desks], day__gte=first, day__lte=today
        )
    }
    slots = _slots(clock, desks, first, today, now, count)

    made = people = events = 0
    batch: list[_Row] = []
    touched: dict[tuple[int, date], int] = {}

    tables = {m: _Table(m) for m in (Person, Dossier, DossierEvent, DossierChecklistItem)}
    if connection.vendor == "sqlite":
        # The unique and search indexes take rows in random order: with SQLite's default 2 MB
        # page cache every insert reads pages back from disk. 1 GB keeps them in memory.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size=-1000000")

    def flush() -> None:
        nonlocal people, events
        stamp = timezone.now()
        with transaction.atomic():
            # Ids are given here, inside the batch's transaction (on SQLite it holds the write
            # lock from BEGIN IMMEDIATE); the sequences are moved past them before the commit.
            ids = {m: t.next_id() for m, t in tables.items()}
            person_rows = []
            for r in batch:
                if isinstance(r.who, dict):
                    r.who["id"] = ids[Person]
                    ids[Person] += 1
                    r.who["created_at"] = r.who["updated_at"] = stamp
                    person_rows.append(r.who)
            tables[Person].insert(person_rows)
            people += len(person_rows)
            dossier_rows, event_rows, item_rows = [], [], []
            for r in batch:
                desk, proc, st = r.desk, r.proc, r.story
                applicant = r.who["id"] if isinstance(r.who, dict) else r.who
                desk.pool.append(applicant)
                dossier_id = ids[Dossier]
                ids[Dossier] += 1
                dossier_rows.append(
                    {
                        "id": dossier_id,
                        "code": r.code,
                        "receiving_agency_id": desk.receiving.pk,
                        "competent_agency_id": desk.competent.pk,
                        "procedure_id": proc.id,
                        "procedure_version_id": proc.version_id,
                        "applicant_id": applicant,
                        "channel": str(r.channel),
                        "status": str(st.status),
                        "current_step_id": st.step.id if st.step else None,
                        "assignee_id": st.assignee,
                        "step_due_at": st.step_due_at,
                        "received_at": r.at,
                        "counted_from": r.counted_from,
                        "initial_due_at": r.due_at,
                        "statutory_due_at": st.statutory_due_at,
                        "due_at": st.due_at,
                        "created_at": stamp,
                        "updated_at": stamp,
                        **st.fields,
                    }
                )
                for e in st.events:
                    e["id"] = ids[DossierEvent]
                    ids[DossierEvent] += 1
                    e["dossier_id"] = dossier_id
                    event_rows.append(e)
                for doc_id, order, name, originals, copies in proc.documents:
                    item_rows.append(
                        {
                            "id": ids[DossierChecklistItem],
                            "dossier_id": dossier_id,
                            "document_id": doc_id,
                            "order": order,
                            "name": name,
                            "originals": originals,
                            "copies": copies,
                        }
                    )
                    ids[DossierChecklistItem] += 1
            tables[Dossier].insert(dossier_rows)
            tables[DossierEvent].insert(event_rows)
            tables[DossierChecklistItem].insert(item_rows)
            events += len(event_rows)
            for t in tables.values():
                t.reset_sequence()
            DossierCodeCounter.objects.bulk_create(
                [DossierCodeCounter(agency_id=a, day=d, last=n) for (a, d), n in touched.items()],
                update_conflicts=True,
                unique_fields=["agency", "day"],
                update_fields=["last"],
            )
        batch.clear()
        touched.clear()
        if progress is not None:
            progress(made, count, _time.monotonic() - started)

    for day, index, n in slots:
        desk = desks[index]
        key = (desk.receiving.pk, day)
        sequence = counters.get(key, 0)
        for at, channel in _times(rng, clock, desk, day, n, now):
            proc = rng.choices(procs, cum_weights=proc_cum)[0]
            sequence += 1
            code = dossier_code_format(
                agency_code=desk.receiving.code, received_on=day, sequence=sequence
            )
            who: int | dict[str, Any]
            if desk.pool and rng.random() < 0.3:
                who = desk.pool[rng.randrange(len(desk.pool))]
            else:
                who = _person(rng, desk, day, names)
            counted_from, due = clock.appointment(proc, at, desk.hours)
            story = writer.story(rng, desk, proc, channel, at, counted_from, due)
            batch.append(_Row(desk, proc, channel, at, who, code, counted_from, due, story))
            counters[key] = touched[key] = sequence
            made += 1
            if len(batch) >= batch_size:
                flush()
    if batch:
        flush()
    if connection.vendor == "postgresql":
        # Fresh planner statistics: right after a bulk load the autovacuum daemon has not
        # sampled the tables yet, and the first queries would be planned for empty ones.
        with connection.cursor() as cursor:
            for table in tables.values():
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table.model._meta.db_table)}")

    with transaction.atomic():
        audit_record(
            actor=None,
            action="dossier.seed",
            object_type="dossiers.dossier",
            changes={
                "count": made,
                "people": people,
                "events": events,
                "agencies": [d.receiving.code for d in desks],
                "days": days,
                "from": first.isoformat(),
                "to": today.isoformat(),
                "seed": seed,
                "synthetic": True,
            },
        )
    # Bulk inserts send no signal (dossiers.apps): the queues of every agency seeded, and
    # whatever showed its applicants, are rendered afresh.
    from xaso.core.pagecache import pages_changed

    agency_ids = {a.pk for d in desks for a in (d.receiving, d.competent)}
    pages_changed("people", *(f"dossiers:{pk}" for pk in sorted(agency_ids)))
    return SeedResult(
        count=made,
        people=people,
        events=events,
        agencies=[d.receiving.code for d in desks],
        first_day=first,
        last_day=today,
        seconds=_time.monotonic() - started,
    )
