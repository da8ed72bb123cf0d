"""Numbers of official documents: số văn bản đi and số đến, from the register's counter.

Decree 30/2020/NĐ-CP Appendix I Part I §II.3: the number runs from 01 on 1 January to 31
December in the agency's register, Arabic digits, a leading 0 below 10; the notation is the type
abbreviation and the issuing agency's (``QĐ-UBND``), for công văn the agency's and the drafting
unit's (``UBND-VP``). Incoming numbers (số đến) restart each year too (vn-rules.md §5.1).
"""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from xaso.org.models import Agency, AgencyKind

from ..errors import AgencyAbbreviationMissing
from ..models import OFFICIAL_LETTER, DocumentRegister

#: An abbreviation is written in capitals without spaces (UBND, VP, HĐND, TTPVHCC).
_ABBREVIATION = re.compile(r"^[A-ZĐ0-9][A-ZĐ0-9.]*$")
_KIND_ABBREVIATIONS = {AgencyKind.PEOPLES_COMMITTEE: "UBND"}


def agency_abbreviation(agency: Agency) -> str:
    """The agency's abbreviation in notations: its short name when that is an abbreviation
    ("UBND", "VP"), else the usual one of its kind (Ủy ban nhân dân → UBND)."""
    short = (agency.short_name or "").strip()
    if short and _ABBREVIATION.match(short):
        return short
    fallback = _KIND_ABBREVIATIONS.get(AgencyKind(agency.kind)) if agency.kind else None
    if fallback:
        return fallback
    raise AgencyAbbreviationMissing(
        _(
            "%(agency)s chưa có chữ viết tắt để ghi ký hiệu văn bản; quản trị cơ quan cần nhập "
            "tên viết tắt (ví dụ UBND)."
        )
        % {"agency": agency.name}
    )


def notation_for(*, agency: Agency, doc_type: str, drafting_unit: str = "") -> str:
    """``QĐ-UBND``; for công văn ``UBND-VP`` (or ``UBND`` without a drafting unit)."""
    agency_abbr = agency_abbreviation(agency)
    unit = drafting_unit.strip().upper()
    if doc_type == OFFICIAL_LETTER:
        return f"{agency_abbr}-{unit}" if unit else agency_abbr
    return f"{doc_type}-{agency_abbr}"


def register_locked(
    *, agency: Agency, direction: str, year: int, series: str = ""
) -> DocumentRegister:
    """The register row, created at 0 if new, locked until the caller's transaction ends.

    The first numbers of a year may race to create the row: on PostgreSQL the loser's INSERT
    waits for the winner and fails on the unique constraint, its savepoint undoes it, and the
    committed row is then selected and locked (as ``dossiers.services.codes``). On SQLite every
    transaction begins IMMEDIATE and holds the database write lock."""
    for _attempt in range(3):
        try:
            with transaction.atomic():
                register, _created = DocumentRegister.objects.select_for_update().get_or_create(
                    agency=agency, direction=direction, series=series, year=year
                )
            return register
        except IntegrityError:
            continue
    raise RuntimeError(f"could not lock the {direction} register of {agency.code} for {year}")


def number_next(
    *, agency: Agency, direction: str, year: int, series: str = ""
) -> tuple[DocumentRegister, int]:
    """The register and the next number in it. Unique and gapless: the caller MUST be inside
    the ``transaction.atomic()`` that saves the numbered document; a rollback gives the number
    back to the next caller."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("number_next must run inside the transaction that saves the document")
    register = register_locked(agency=agency, direction=direction, year=year, series=series)
    register.last_number += 1
    register.save(update_fields=["last_number"])
    return register, register.last_number
