"""Synthetic civil status volume: ``xaso seed --civil N`` fills the demo communes' register books
with N made-up entries (births, deaths, marriages, marital status confirmations).

What it is for: the search benchmark (``benchmarks/bench_civil_search.py``, a million entries)
and a demo whose registers look decades old. Everything it writes is SYNTHETIC — invented people
with invented personal IDs, names drawn from lists — and must never be mixed with real registers:
run it only on a demo or benchmark database, while nobody registers (the books are not locked for
the whole run).

How it stays realistic (``names`` for the people):

- entries fall on working days (Monday to Friday) of the last ``years`` years, shared by the demo
  communes that keep registers (``civil.demo.DEMO_AGENCIES``) while their unit existed (Thạch
  Khoán and Lâm Thao until 30/6/2025, Thanh Sơn from 1/7/2025);
- one book per event, agency and year, its entries numbered 1, 2, 3, ... without gaps in date
  order; a book the agency already keeps is continued after its last entry (never before it),
  a closed book is left alone; the books of past years the seeder opened are closed on 31/12 by
  the commune's leader with their totals, as ``services.book_close`` would;
- births are mostly declared within the 60 days (Law on Civil Status Art 15), one in ten late;
  deaths within the 15 days (Art 33), one in ten late; the late flag, declaration due date and
  fee (from the catalogue, ``services.fee_assess``) follow; spouses are of marriage age; parents
  are older than their children and often the couples married earlier in the same commune, so
  siblings share parents;
- personal ID numbers agree with the date of birth and sex and are unique in the agency; they
  appear on entries registered from 2016, when numbers began to be given at birth registration.

How it stays fast (a million entries in minutes): rows are built in memory and written in
batches with plain multi-row INSERTs on SQLite and COPY on PostgreSQL (``dossiers.seeding.bulk``),
one transaction per batch, so a batch is all or nothing and every book's counter always matches
its committed entries. Entries are generated in date order across all books, so the search index
(``selectors``: SQLite FTS5 filled by triggers) receives keys in ascending order. Nothing goes
through the services: no permission check and no audit entry per row — ONE audit entry
``civil.seed`` records the run. Parties are not linked to ``people.Person`` (a register keeps
what was declared; the seeder does not invent citizens' current records).

Deterministic: the same ``seed`` on the same database on the same day gives the same entries.
"""

from __future__ import annotations

from .run import CivilSeedResult, civil_seed

__all__ = ["CivilSeedResult", "civil_seed"]
