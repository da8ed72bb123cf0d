"""Reads of the civil status registers, scoped to the actor's agency and role (``permissions``):
a record, book or search outside them is answered exactly like a missing one (404, or nothing
found). Opening a record shows personal data, so ``record_read_for`` writes ``civil.read`` in
the audit trail (Decree 13/2023/NĐ-CP), like ``people.selectors`` does for a person.

Search (``record_search_for``), made for a million entries per agency (issue 4: p95 ≤ 20 ms,
``benchmarks/bench_civil_search.py``). A name is matched as a phrase that starts at a word of
the folded name (``core.text.fold``: tone marks, case, đ/d and NFC/NFD ignored), its last word
possibly cut short — "thi h" finds Nguyễn Thị Hằng, "ang" finds nobody — as the substring search
did, but at word starts. The text index is the tokens of migration 0003: each word suffix of the
subject's, mother's and father's folded names and the subject's tags, prefixed by the agency,
one row per subject keyed by (registration day, entry, role), so that the newest matches come
first without sorting:

- SQLite: FTS5 (``unicode61 remove_diacritics 2`` over text folded here, đ→d included, and
  prefix indexes for 1 to 11 characters), kept by triggers on the parties and entries —
  whoever writes (services, seeder, digitised books, amendments), the index follows in the
  same transaction. The query walks rowids downwards and stops after a page.
- PostgreSQL: the same rows in a table with a tsvector under a GIN index, kept by triggers
  too; the query tests the newest rows one by one and, when they hold too few matches, takes
  every match from the GIN index. (A pg_trgm index on the folded name was measured first: the
  trigrams of common Vietnamese names are in a third of all rows, and one full name took
  160 ms to look up at a million entries.)

An ID number or a date of birth instead picks a handful of people by their B-tree index, and
event or book alone walks the entries by date.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import CharField, Exists, Func, OuterRef, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from xaso.core.audit import audit_record
from xaso.core.errors import InvalidInput
from xaso.core.text import fold
from xaso.org.models import Staff

from . import permissions
from .current import CurrentRecord, current_of, record_current
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


# --- Search -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchPage:
    items: list[CurrentRecord]
    next_cursor: str | None


#: The subject roles in the order of their number in a search key (migration 0003, frozen).
KEY_ROLES = ("child", "deceased", "husband", "wife", "person", "parent", "guardian", "ward")
KEY_EPOCH = date(1800, 1, 1)
_RECORD_MASK = (1 << 36) - 1
#: PostgreSQL: how many of the newest index rows are tested one by one before deciding, and
#: how far a walk goes before the GIN index takes over (``_indexed_records``).
_PG_SHORT = 3000
_PG_LONG = 40000
_WORD = re.compile(r"[^\W_]+")


def search_words(text: str) -> list[str]:
    """The words of a name as the indexes hold them: folded (tone marks, case, đ/d and Unicode
    form ignored), split on anything that is not a letter or digit ("H'Hen Niê" → h, hen, nie)."""
    return _WORD.findall(fold(text))[:12]


def search_key(registered_on: date, record_id: int, role_number: int = 0) -> int:
    """The FTS5 rowid of a subject row: registration day, entry, role — descending rowids are
    the search's order, newest entry first (the triggers of migration 0003 compute the same)."""
    return ((registered_on - KEY_EPOCH).days << 40) | (record_id << 4) | role_number


def _cursor(record: CivilRecord) -> str:
    raw = json.dumps([record.registered_on.isoformat(), record.pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[date, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        day, pk = json.loads(raw)
        if not isinstance(pk, int) or isinstance(pk, bool) or not 0 < pk <= _RECORD_MASK:
            raise ValueError
        found = date.fromisoformat(day)
        if found < KEY_EPOCH:
            raise ValueError
        return found, pk
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput(
            _("Con trỏ phân trang không hợp lệ."), fields={"after": [_("Sai định dạng.")]}
        ) from None


class SpacedName(Func):
    """The folded name after a space, apostrophes and hyphens read as spaces: " nguyen thi hang".
    A phrase starts a word of the name exactly when " " + phrase is in it (the index's rule,
    for the few people an ID number or a date of birth picks)."""

    output_field = CharField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="(' ' || translate(%(expressions)s, '''’-', '   '))"
        )

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template=(
                "(' ' || replace(replace(replace(%(expressions)s, '''', ' '), '’', ' '), '-', ' '))"
            ),
        )


def _named(parties: QuerySet[CivilParty], words: list[str]) -> QuerySet[CivilParty]:
    """The parties whose name holds the phrase ``words`` at the start of a word, the last word
    possibly cut short ("thi h" → Nguyễn Thị Hằng)."""
    if not words:
        return parties
    return parties.annotate(spaced=SpacedName("name_folded")).filter(
        spaced__contains=" " + " ".join(words)
    )


Terms = list[list[tuple[str, bool]]]


def _index_terms(
    *,
    agency_id: int,
    words: list[str],
    parent_words: list[str],
    birth_year: int | None,
    event: str,
    book_id: int | None,
) -> Terms:
    """The tokens the index rows must hold (migration 0003), as groups that must all match, each
    group one token or another, a token with a flag for "or any token it begins": the phrase of
    ``q`` begins a word suffix of the subject's name, that of ``parent`` one of the mother's or
    the father's name; the event, book and year of birth — all within the agency's tokens."""
    agency = f"{agency_id:05d}"
    terms: Terms = []
    if words:
        terms.append([(f"{agency}s{'_'.join(words)}", True)])
    if parent_words:
        phrase = "_".join(parent_words)
        terms.append([(f"{agency}m{phrase}", True), (f"{agency}f{phrase}", True)])
    if birth_year is not None:
        terms.append([(f"{agency}y{birth_year}", False)])
    if event:
        terms.append([(f"{agency}e{event.replace('_', '')}", False)])
    if book_id is not None:
        terms.append([(f"{agency}b{book_id}", False)])
    return terms


def _fts5_query(terms: Terms) -> str:
    return " AND ".join(
        "(" + " OR ".join(f'"{t}"' + ("*" if prefix else "") for t, prefix in group) + ")"
        for group in terms
    )


def _tsquery(terms: Terms) -> str:
    return " & ".join(
        "(" + " | ".join(f"'{t}'" + (":*" if prefix else "") for t, prefix in group) + ")"
        for group in terms
    )


def _pg_terms(terms: Terms, *, words: list[str], birth_year: int | None) -> Terms:
    """On PostgreSQL, one word of the name with a year of birth is one lookup of the tokens
    that join them (migration 0005) instead of two large ones intersected."""
    if len(words) != 1 or birth_year is None:
        return terms
    year_word = f"{terms[0][0][0][:5]}Y{birth_year}{words[0]}"
    return [[(year_word, True)], *(g for g in terms[1:] if g[0][0][5] != "y")]


def _indexed_records(agency_id: int, terms: Terms, before: int | None, wanted: int) -> RawSQL:
    """The ids of the ``wanted`` newest entries one of whose rows holds ``terms``, as a
    subquery. On SQLite, FTS5 walks its rowids downwards and stops as soon as it has seen
    enough entries, however many match. On PostgreSQL, see below."""
    bound = before if before is not None else 1 << 62
    if connection.vendor == "sqlite":
        # An entry's rows have neighbouring rowids: DISTINCT keeps the walk's order.
        return RawSQL(
            "SELECT DISTINCT (rowid >> 4) & %s FROM civil_search WHERE civil_search MATCH %s "
            "AND rowid < %s ORDER BY rowid DESC LIMIT %s",
            [_RECORD_MASK, _fts5_query(terms), bound, wanted],
        )
    # PostgreSQL: civil_search_find (migration 0005) walks the newest rows while the tokens
    # are common and asks the GIN index when they are rare; it says why.
    return RawSQL(
        "SELECT civil_search_find(%s, %s::tsquery, %s, %s, %s, %s, %s)",
        [agency_id, _tsquery(terms), bound >> 4, wanted, _PG_SHORT, _PG_LONG, _pg_enough(wanted)],
    )


def _pg_enough(wanted: int) -> int:
    """Matches among the SHORT newest rows above which walking LONG rows should find
    ``wanted``: the density they show, kept a little on the safe side."""
    return max(1, wanted * _PG_SHORT * 3 // (_PG_LONG * 2))


def search_index_optimize() -> None:
    """Merge the SQLite search index's segments into one (after a bulk load, as a freshly built
    index would be). Nothing to do on PostgreSQL."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO civil_search(civil_search) VALUES ('optimize')")


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
    bears a name in which ``q`` starts at a word (tone marks, case, đ/d and Unicode form
    ignored; the last word may be cut short: "thi h" finds Nguyễn Thị Hằng), born on
    ``birth_date`` or in ``birth_year``, with ``id_number``; whose mother or father bears a
    name in which ``parent`` starts at a word; of ``event`` and in ``book``. The subject
    criteria hold for the same person. Newest entries first; ``after`` continues from a page's
    ``next_cursor``.

    Three ways, by what is asked (the module docstring says why): an ID number or a date of
    birth picks a handful of people by their B-tree index; a name, a parent's name or a year of
    birth goes to the text index (FTS5 on SQLite, a tsvector on PostgreSQL); event or book alone
    walks the entries by date."""
    if event and event not in Event.values:
        raise InvalidInput(
            _("Loại sự kiện hộ tịch không hợp lệ."),
            fields={"event": [_("Giá trị không nằm trong danh sách cho phép.")]},
        )
    book_uuid: UUID | None = None
    if book:
        try:
            book_uuid = UUID(str(book))
        except ValueError:
            raise InvalidInput(
                _("Mã sổ không hợp lệ."), fields={"book": [_("Sai định dạng.")]}
            ) from None
    position = _decode(after) if after else None
    if not permissions.can_read(actor):
        return SearchPage(items=[], next_cursor=None)
    agency_id = actor.agency_id
    records = record_list_for(actor=actor)
    book_id: int | None = None
    if book_uuid is not None:
        book_id = (
            CivilBook.objects.filter(agency_id=agency_id, public_id=book_uuid)
            .values_list("pk", flat=True)
            .first()
        )
        if book_id is None:
            return SearchPage(items=[], next_cursor=None)
    words, parent_words = search_words(q), search_words(parent)
    number = id_number.strip()
    wanted = limit + 1

    in_index = False  # event, book and position are then part of the text index's query
    if number or birth_date is not None:
        # A handful of people, by the (agency, id_number) or (agency, date_of_birth) index.
        people = CivilParty.objects.filter(agency_id=agency_id, role__in=SUBJECT_ROLES)
        if number:
            people = people.filter(id_number=number)
        if birth_date is not None:
            people = people.filter(date_of_birth=birth_date)
        if birth_year is not None:
            people = people.filter(birth_year=birth_year)
        records = records.filter(pk__in=_named(people, words).values("record_id"))
        if parent_words:
            records = records.filter(_parents_named(agency_id, parent_words))
    elif words or parent_words or birth_year is not None:
        terms = _index_terms(
            agency_id=agency_id,
            words=words,
            parent_words=parent_words,
            birth_year=birth_year,
            event=event,
            book_id=book_id,
        )
        if connection.vendor == "postgresql":
            terms = _pg_terms(terms, words=words, birth_year=birth_year)
        before = search_key(*position) if position else None
        records = records.filter(pk__in=_indexed_records(agency_id, terms, before, wanted))
        in_index = True
    if not in_index:
        if event:
            records = records.filter(event=event)
        if book_id is not None:
            records = records.filter(book_id=book_id)
        if position is not None:
            day, pk = position
            records = records.filter(Q(registered_on__lt=day) | Q(registered_on=day, pk__lt=pk))
    rows = list(records.order_by("-registered_on", "-pk")[:wanted])
    more = len(rows) > limit
    rows = rows[:limit]
    return SearchPage(
        items=_current_page(rows), next_cursor=_cursor(rows[-1]) if more and rows else None
    )


def _current_page(rows: list[CivilRecord]) -> list[CurrentRecord]:
    """The entries as they read now: their books, parties and amendments fetched in one query
    each and joined here. Django's prefetch builds a queryset per entry, and select_related
    builds a book per entry: on a page of 50 that cost more than the search itself."""
    ids = [r.pk for r in rows]
    books = CivilBook.objects.in_bulk({r.book_id for r in rows})
    parties: dict[int, list[CivilParty]] = {pk: [] for pk in ids}
    added: list[CivilParty] = []
    for party in CivilParty.objects.filter(record_id__in=ids):
        parties[party.record_id].append(party)
        if party.added_by_id is not None:
            added.append(party)
    if added:  # a parent added by a later recognition names the entry that added them
        by = CivilRecord.objects.in_bulk({p.added_by_id for p in added})
        for party in added:
            party.added_by = by[party.added_by_id]
    amendments: dict[int, list[CivilAmendment]] = {pk: [] for pk in ids}
    for amendment in CivilAmendment.objects.filter(record_id__in=ids).select_related(
        "source__book"
    ):
        amendments[amendment.record_id].append(amendment)
    for r in rows:
        r.book = books[r.book_id]
    return [current_of(r, parties[r.pk], amendments[r.pk]) for r in rows]


def _parents_named(agency_id: int, words: list[str]) -> Exists:
    """The entry's mother or father bears a name holding the phrase ``words``."""
    return Exists(
        _named(
            CivilParty.objects.filter(
                record=OuterRef("pk"), agency_id=agency_id, role__in=PARENT_ROLES
            ),
            words,
        )
    )


def record_summary(now: CurrentRecord) -> dict[str, Any]:
    """The subject(s) and parents of an entry, for a result list."""
    subjects = [v for role, v in now.parties.items() if role in SUBJECT_ROLES]
    parents = [v for role, v in now.parties.items() if role in PARENT_ROLES]
    return {"subjects": subjects, "parents": parents}
