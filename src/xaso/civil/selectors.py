"""Reads of the civil status registers, scoped to the actor's agency and role (``permissions``):
a record, book or search outside them is answered exactly like a missing one (404, or nothing
found). Opening a record shows personal data, so ``record_read_for`` writes ``civil.read`` in
the audit trail (Decree 13/2023/NĐ-CP), like ``people.selectors`` does for a person.

The search (``record_search_for``) is the straightforward indexed one: the subject's folded name
as a substring (``CivilParty.name_folded``, indexed with the agency), exact date/year of birth
and ID number, the parents' folded names, event and book, newest entries first, a keyset page at
a time. Making the substring match fast at a million entries is the search benchmark's work.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from xaso.core.audit import audit_record
from xaso.core.errors import InvalidInput
from xaso.core.text import fold
from xaso.org.models import Staff

from . import permissions
from .current import CurrentRecord, record_current
from .errors import BookNotFound, RecordNotFound
from .models import (
    PARENT_ROLES,
    SUBJECT_ROLES,
    CivilAmendment,
    CivilBook,
    CivilParty,
    CivilRecord,
    Event,
)

PAGE_SIZE = 50
#: What showing a record needs, in a fixed number of queries per page.
RECORD_PREFETCH = (
    Prefetch("parties", queryset=CivilParty.objects.select_related("added_by").order_by("pk")),
    Prefetch("amendments", queryset=CivilAmendment.objects.select_related("source__book")),
)


def record_list_for(*, actor: Staff) -> QuerySet[CivilRecord]:
    """The entries the actor may see: their agency's, for civil status officers and leaders."""
    if not permissions.can_read(actor):
        return CivilRecord.objects.none()
    return CivilRecord.objects.filter(agency_id=actor.agency_id)


def record_get_for(*, actor: Staff, public_id: UUID | str) -> CivilRecord:
    """One entry by its public id (no personal data is shown by this alone: not audited)."""
    try:
        return (
            record_list_for(actor=actor)
            .select_related("book", "target__book", "procedure", "dossier", "signer", "registrar")
            .get(public_id=public_id)
        )
    except (CivilRecord.DoesNotExist, ValueError, ValidationError):
        raise RecordNotFound(_("Không tìm thấy mục hộ tịch.")) from None


def record_read_for(*, actor: Staff, public_id: UUID | str) -> CurrentRecord:
    """One entry with its parties and amendments, as it reads now; audited as ``civil.read``."""
    record = record_get_for(actor=actor, public_id=public_id)
    record = (
        CivilRecord.objects.select_related(
            "book", "target__book", "procedure", "dossier", "signer", "registrar"
        )
        .prefetch_related(*RECORD_PREFETCH)
        .get(pk=record.pk)
    )
    audit_record(
        actor=actor,
        action="civil.read",
        obj=record,
        object_id=str(record.public_id),
        changes={"via": "public_id"},
    )
    return record_current(record)


def book_list_for(
    *, actor: Staff, event: str | None = None, year: int | None = None
) -> QuerySet[CivilBook]:
    """The actor's agency's books, newest year first."""
    if not permissions.can_read(actor):
        return CivilBook.objects.none()
    qs = CivilBook.objects.filter(agency_id=actor.agency_id)
    if event:
        if event not in Event.values:
            raise InvalidInput(
                _("Loại sự kiện hộ tịch không hợp lệ."),
                fields={"event": [_("Giá trị không nằm trong danh sách cho phép.")]},
            )
        qs = qs.filter(event=event)
    if year is not None:
        qs = qs.filter(year=year)
    return qs.select_related("closed_by").order_by("-year", "event")


def book_get_for(*, actor: Staff, public_id: UUID | str) -> CivilBook:
    try:
        return book_list_for(actor=actor).get(public_id=public_id)
    except (CivilBook.DoesNotExist, ValueError, ValidationError):
        raise BookNotFound(_("Không tìm thấy sổ hộ tịch.")) from None


@dataclass(frozen=True)
class SearchPage:
    items: list[CurrentRecord]
    next_cursor: str | None


def _cursor(record: CivilRecord) -> str:
    raw = json.dumps([record.registered_on.isoformat(), record.pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[date, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        day, pk = json.loads(raw)
        if not isinstance(pk, int):
            raise ValueError
        return date.fromisoformat(day), pk
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput(
            _("Con trỏ phân trang không hợp lệ."), fields={"after": [_("Sai định dạng.")]}
        ) from None


def record_search_for(
    *,
    actor: Staff,
    q: str = "",
    parent: str = "",
    birth_date: date | None = None,
    birth_year: int | None = None,
    id_number: str = "",
    event: str = "",
    book: UUID | str | None = None,
    after: str | None = None,
    limit: int = PAGE_SIZE,
) -> SearchPage:
    """Entries of the actor's agency whose subject (the child, the deceased, a spouse, ...)
    bears a name containing ``q`` (tone marks, case, đ/d and Unicode form ignored), born on
    ``birth_date`` or in ``birth_year``, with ``id_number``; whose mother or father bears a name
    containing ``parent``; of ``event`` and in ``book``. The subject criteria must hold for the
    same person. Newest entries first; ``after`` continues from a page's ``next_cursor``."""
    qs = record_list_for(actor=actor)
    subject = Q()
    if q.strip():
        subject &= Q(name_folded__contains=fold(q))
    if birth_date is not None:
        subject &= Q(date_of_birth=birth_date)
    if birth_year is not None:
        subject &= Q(birth_year=birth_year)
    if id_number.strip():
        subject &= Q(id_number=id_number.strip())
    if subject:
        qs = qs.filter(
            Exists(
                CivilParty.objects.filter(
                    subject,
                    record=OuterRef("pk"),
                    agency_id=actor.agency_id,
                    role__in=SUBJECT_ROLES,
                )
            )
        )
    if parent.strip():
        qs = qs.filter(
            Exists(
                CivilParty.objects.filter(
                    record=OuterRef("pk"),
                    agency_id=actor.agency_id,
                    role__in=PARENT_ROLES,
                    name_folded__contains=fold(parent),
                )
            )
        )
    if event:
        if event not in Event.values:
            raise InvalidInput(
                _("Loại sự kiện hộ tịch không hợp lệ."),
                fields={"event": [_("Giá trị không nằm trong danh sách cho phép.")]},
            )
        qs = qs.filter(event=event)
    if book:
        try:
            qs = qs.filter(book__public_id=UUID(str(book)))
        except ValueError:
            raise InvalidInput(
                _("Mã sổ không hợp lệ."), fields={"book": [_("Sai định dạng.")]}
            ) from None
    if after:
        day, pk = _decode(after)
        qs = qs.filter(Q(registered_on__lt=day) | Q(registered_on=day, pk__lt=pk))
    rows = list(
        qs.select_related("book")
        .prefetch_related(*RECORD_PREFETCH)
        .order_by("-registered_on", "-pk")[: limit + 1]
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return SearchPage(
        items=[record_current(r) for r in rows],
        next_cursor=_cursor(rows[-1]) if more and rows else None,
    )


def record_summary(now: CurrentRecord) -> dict[str, Any]:
    """The subject(s) and parents of an entry, for a result list."""
    subjects = [v for role, v in now.parties.items() if role in SUBJECT_ROLES]
    parents = [v for role, v in now.parties.items() if role in PARENT_ROLES]
    return {"subjects": subjects, "parents": parents}
