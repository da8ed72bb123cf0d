"""The dossier code allocator (mã số hồ sơ)."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction

from xaso.dossiers.models import DossierCodeCounter
from xaso.org.models import Agency

#: The daily sequence has at least this many digits and grows beyond them as needed.
SEQUENCE_MIN_DIGITS = 4


def dossier_code_format(*, agency_code: str, received_on: date, sequence: int) -> str:
    """``<agency code>-YYMMDD-<sequence>``, e.g. ``H25.54.01-261128-0001``."""
    if sequence < 1:
        raise ValueError(f"sequence starts at 1, not {sequence}")
    return f"{agency_code}-{received_on:%y%m%d}-{sequence:0{SEQUENCE_MIN_DIGITS}d}"


def dossier_code_next(*, agency: Agency, received_on: date) -> str:
    """The next dossier code (mã số hồ sơ) of ``agency`` for dossiers received on ``received_on``.

    The rule (vn-rules.md §1.7): the electronic identifier of the receiving agency, "-", the
    reception date as YYMMDD, "-", the number of the dossier among those the agency received that
    day — Circular 01/2018/TT-VPCP Art 19 (``...-YYMMDD-XXXX``, a 4-digit sequence) as restated
    by Circular 03/2025/TT-VPCP Art 13 (amended by Circular 04/2025/TT-VPCP: the agency code of
    Decision 20/2020/QĐ-TTg, and a sequence of "at least 4 digits, length as needed"). So
    ``H25.54.01-261128-0001`` is the first dossier received by H25.54.01 on 28/11/2026, and the
    10 000th of a day is ``...-10000``. The sequence restarts at 1 every day for every agency.

    Unique and gapless: the caller MUST be inside ``transaction.atomic()`` and insert its dossier
    in that same transaction. The counter row of (agency, day) is locked until the caller's
    transaction ends: a concurrent intake waits for it (``SELECT ... FOR UPDATE`` on PostgreSQL;
    on SQLite every transaction begins IMMEDIATE, taking the database write lock, see
    settings.py). If the caller's transaction rolls back, the increment rolls back with it and
    the next intake gets the same number, so the numbers of committed dossiers have no holes.

    ``received_on`` is the reception date in Asia/Ho_Chi_Minh (``timezone.localdate``).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(
            "dossier_code_next must run inside the transaction.atomic() that saves the dossier"
        )
    counter = _counter_locked(agency, received_on)
    counter.last += 1
    counter.save(update_fields=["last"])
    return dossier_code_format(
        agency_code=agency.code, received_on=received_on, sequence=counter.last
    )


def _counter_locked(agency: Agency, day: date) -> DossierCodeCounter:
    """The (agency, day) counter row, created at 0 if new, locked for the caller's transaction.

    The first intakes of a day may race to create the row. On PostgreSQL the loser's INSERT waits
    for the winner's transaction and then fails on the unique constraint: the failed INSERT is
    undone by its savepoint (get_or_create's own, and ours), and the row, committed by now, is
    selected and locked. A winner that rolled back leaves no row, and the loser's INSERT succeeds.
    """
    for _attempt in range(3):
        try:
            with transaction.atomic():
                counter, _created = DossierCodeCounter.objects.select_for_update().get_or_create(
                    agency=agency, day=day
                )
            return counter
        except IntegrityError:
            continue
    raise RuntimeError(f"could not lock the dossier code counter of {agency.code} for {day}")
