"""The audit trail: append (``audit_record``) and verify (``audit_verify``).

Decree 13/2023/NĐ-CP on personal data protection requires a record of processing of personal
data; Decree 30/2020/NĐ-CP and the security rules for state information systems (Circular
12/2022/TT-BTTTT) require logs that cannot be altered. Hash chaining makes alteration evident:
every entry stores the SHA-256 of its own canonical form, and that form includes the hash of the
entry before it.

The canonical form must give the same bytes for an entry as it was written and as SQLite or
PostgreSQL later return it. What the databases change on the way, and how this module copes:

- datetimes come back in UTC (or, in other configurations, another zone), with microseconds, and
  ``isoformat()`` drops ``.000000``: ``at`` is hashed as UTC with a fixed format;
- ``jsonb`` reorders object keys, drops duplicate keys and returns integral floats such as
  ``1e16`` as integers: keys are sorted, and integral floats are hashed as integers;
- PostgreSQL refuses NUL characters and unpaired surrogates, and longer text than a column
  holds (SQLite keeps it): ``audit_record`` cleans and cuts text before writing and hashing.

The head row (``AuditHead``) holds the last sequence number and hash. Cutting entries off the end
of the chain is noticed by comparing with it; an attacker who also rewinds the head (which the
database triggers refuse) is noticed only against a head hash written down elsewhere, which is why
``xaso audit verify`` prints it and accepts ``--anchor SEQ:HASH``.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .context import current_request_meta
from .models import AuditEntry, AuditHead

GENESIS = "0" * 64

# Every column that the hash covers, in the order they appear in the canonical form.
HASHED_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_username",
    "agency_code",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "client_address",
    "channel",
    "changes",
    "prev_hash",
)


class Actor(Protocol):
    pk: Any
    username: str

    @property
    def agency_code(self) -> str: ...


_SURROGATE = re.compile("[\ud800-\udfff]")


def _clean_text(value: str) -> str:
    """What PostgreSQL can store: no NUL, no unpaired surrogate."""
    if "\x00" in value:
        value = value.replace("\x00", "\ufffd")
    return _SURROGATE.sub("\ufffd", value)


def _jsonable(value: Any) -> Any:
    """A value that survives a round trip through JSON on both databases unchanged."""
    if isinstance(value, str):
        return _clean_text(value)
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)  # jsonb has no NaN or Infinity
        return int(value) if value.is_integer() else value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, Mapping):
        return {_clean_text(str(k)): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((_jsonable(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    return _clean_text(str(value))


def _canonical_json(value: Any) -> Any:
    """Integral floats as integers, whatever the database handed back (see module docstring)."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _canonical_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canonical_json(v) for v in value]
    return value


def _canonical_time(value: datetime) -> str:
    if timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _canonical(entry: AuditEntry | Mapping[str, Any]) -> bytes:
    row = entry if isinstance(entry, Mapping) else {f: getattr(entry, f) for f in HASHED_FIELDS}
    payload = {f: row[f] for f in HASHED_FIELDS}
    payload["at"] = _canonical_time(row["at"])
    payload["changes"] = _canonical_json(row["changes"])
    text = json.dumps(
        payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    )
    return text.encode("utf-8")


def entry_hash(entry: AuditEntry | Mapping[str, Any]) -> str:
    """SHA-256 of the canonical form of an entry (a model instance or a ``values()`` row)."""
    return hashlib.sha256(_canonical(entry)).hexdigest()


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields whose value changed."""
    return {
        k: [_jsonable(before.get(k)), _jsonable(after.get(k))]
        for k in sorted(set(before) | set(after))
        if before.get(k) != after.get(k)
    }


def _fit(field: str, value: str) -> str:
    max_length: int = getattr(AuditEntry._meta.get_field(field), "max_length", None) or 0
    return _clean_text(value)[:max_length] if max_length else _clean_text(value)


def audit_record(
    *,
    actor: Actor | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the chain. Call it inside the service's transaction, so the entry and
    the change it records commit or roll back together. Appends are serialised by the lock on the
    head row (PostgreSQL) or by the database write lock taken at BEGIN IMMEDIATE (SQLite)."""
    with transaction.atomic():
        head, _created = AuditHead.objects.select_for_update().get_or_create(id=1)
        entry = _entry(
            seq=head.seq + 1,
            prev_hash=head.hash,
            actor=actor,
            action=action,
            obj=obj,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr,
            changes=changes,
        )
        entry.save()
        head.seq = entry.seq
        head.hash = entry.hash
        head.save(update_fields=["seq", "hash"])
    return entry


@dataclass(frozen=True)
class AuditItem:
    """One entry for ``audit_record_many``: the arguments ``audit_record`` takes besides the
    actor."""

    action: str
    obj: models.Model | None = None
    object_type: str = ""
    object_id: str = ""
    object_repr: str = ""
    changes: Mapping[str, Any] | None = None


def audit_record_many(*, actor: Actor | None, items: Iterable[AuditItem]) -> list[AuditEntry]:
    """Append several entries in one go, chained in the order given, exactly as that many
    ``audit_record`` calls would — but with one lock and read of the head, one insert, and the
    head's steps sent in one batch, so a service that records hundreds of writes at once (a
    directive delivered to 150 communes) does not pay three round trips per entry. Same
    transaction rules as ``audit_record``."""
    items = list(items)
    if not items:
        return []
    with transaction.atomic():
        head, _created = AuditHead.objects.select_for_update().get_or_create(id=1)
        entries: list[AuditEntry] = []
        seq, prev = head.seq, head.hash
        for item in items:
            seq += 1
            entry = _entry(
                seq=seq,
                prev_hash=prev,
                actor=actor,
                action=item.action,
                obj=item.obj,
                object_type=item.object_type,
                object_id=item.object_id,
                object_repr=item.object_repr,
                changes=item.changes,
            )
            prev = entry.hash
            entries.append(entry)
        # The manager's append-only queryset refuses bulk_create to anything but this module:
        # here the entries are chained under the head lock exactly as audit_record chains them.
        models.QuerySet[AuditEntry](model=AuditEntry).bulk_create(entries)
        # The head moves one entry at a time (the database trigger of migration 0003 refuses a
        # jump): one statement run once per entry, sent together (psycopg pipelines it).
        table = connection.ops.quote_name(AuditHead._meta.db_table)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET seq = %s, hash = %s WHERE id = %s",  # noqa: S608
                [(entry.seq, entry.hash, head.pk) for entry in entries],
            )
        head.seq = seq
        head.hash = prev
    return entries


def _entry(
    *,
    seq: int,
    prev_hash: str,
    actor: Actor | None,
    action: str,
    obj: models.Model | None,
    object_type: str,
    object_id: str,
    object_repr: str,
    changes: Mapping[str, Any] | None,
) -> AuditEntry:
    """The entry that follows ``prev_hash`` in the chain, hashed, not yet saved."""
    meta = current_request_meta()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(getattr(obj, "public_id", None) or obj.pk)
        object_repr = object_repr or str(obj)
    entry = AuditEntry(
        seq=seq,
        at=timezone.now(),
        actor_id=actor.pk if actor is not None else None,
        actor_username=_fit("actor_username", actor.username if actor is not None else ""),
        agency_code=_fit("agency_code", actor.agency_code if actor is not None else ""),
        action=_fit("action", action),
        object_type=_fit("object_type", object_type),
        object_id=_fit("object_id", str(object_id)),
        object_repr=_fit("object_repr", object_repr),
        client_address=_fit("client_address", meta.client_address),
        channel=_fit("channel", meta.channel),
        # Round-trip through JSON so the hash is computed on what the database gives back.
        changes=json.loads(json.dumps(_jsonable(dict(changes or {})), ensure_ascii=False)),
        prev_hash=prev_hash,
    )
    entry.hash = entry_hash(entry)
    return entry


# --- Verification ---------------------------------------------------------------------------

EDITED = "edited"
DELETED = "deleted"
INSERTED = "inserted"
REORDERED = "reordered"
HEAD_MISSING = "head_missing"

KIND_LABELS = {
    EDITED: "sửa",
    DELETED: "xóa",
    INSERTED: "chèn",
    REORDERED: "đảo thứ tự",
    HEAD_MISSING: "mất đầu chuỗi",
}


@dataclass(frozen=True)
class VerifyResult:
    """``ok`` or the first broken entry: its ``seq``, the ``kind`` of tampering (one of
    ``KIND_LABELS``) and a Vietnamese ``reason``. ``head_seq``/``head_hash`` name the last entry
    found intact, for writing down and checking later with ``--anchor``."""

    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str = ""
    kind: str = ""
    head_seq: int = 0
    head_hash: str = GENESIS

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, "")


def _rows(chunk_size: int) -> Iterator[dict[str, Any]]:
    """The chain in seq order, one keyset page at a time: bounded memory, no long transaction
    (a long one would hold SQLite's write lock under IMMEDIATE mode) and no server-side cursor."""
    last = 0
    while True:
        page = list(
            AuditEntry.objects.filter(seq__gt=last)
            .order_by("seq")
            .values(*HASHED_FIELDS, "hash")[:chunk_size]
        )
        yield from page
        if len(page) < chunk_size:
            return
        last = page[-1]["seq"]


def _seq_of(hash_value: str) -> int | None:
    if hash_value == GENESIS:
        return 0
    return AuditEntry.objects.filter(hash=hash_value).values_list("seq", flat=True).first()


def _original_seq(row: Mapping[str, Any], max_steps: int = 100) -> int | None:
    """Where ``row`` stood when it was written: follow its ``prev_hash`` links back to an entry
    still in its place (or to the start) and count the steps. Moved entries found on the way are
    skipped over, so a swap of two neighbours is recognised too."""
    link = row["prev_hash"]
    for steps in range(1, max_steps + 1):
        if link == GENESIS:
            return steps
        linked = AuditEntry.objects.filter(hash=link).values(*HASHED_FIELDS, "hash").first()
        if linked is None:
            return None
        if entry_hash(linked) == linked["hash"]:
            return int(linked["seq"]) + steps
        link = linked["prev_hash"]
    return None


def _diagnose(row: dict[str, Any], prev: str, prevprev: str | None) -> tuple[int, str, str]:
    """Why ``row`` does not continue the chain after the entry whose hash is ``prev``
    (``prevprev`` is the hash of the entry before that)."""
    seq = row["seq"]
    if row["prev_hash"] == prevprev:
        # It links over its predecessor, which therefore was not in the chain when it was written.
        return (
            seq - 1,
            INSERTED,
            _("mục #%(seq)s được chèn vào giữa hai mục liền nhau của chuỗi") % {"seq": seq - 1},
        )
    content_ok = entry_hash(row) == row["hash"]
    if not content_ok:
        orig = _original_seq(row)
        if orig is not None and orig != seq and entry_hash({**row, "seq": orig}) == row["hash"]:
            return (
                seq,
                REORDERED,
                _("mục đang mang số #%(seq)s vốn là mục #%(orig)s") % {"seq": seq, "orig": orig},
            )
    nxt = AuditEntry.objects.filter(seq=seq + 1).values_list("prev_hash", flat=True).first()
    if nxt is not None and nxt == prev:
        # Its successor links over it to its predecessor: it was slipped in between them.
        return (
            seq,
            INSERTED,
            _("mục #%(seq)s được chèn vào giữa hai mục liền nhau của chuỗi") % {"seq": seq},
        )
    if not content_ok:
        return seq, EDITED, _("nội dung mục #%(seq)s đã bị sửa sau khi ghi") % {"seq": seq}
    linked_seq = _seq_of(row["prev_hash"])
    if linked_seq is not None and linked_seq + 1 != seq:
        return (
            seq,
            REORDERED,
            _("mục #%(seq)s nối tiếp mục #%(linked)s chứ không phải mục #%(prev)s")
            % {"seq": seq, "linked": linked_seq, "prev": seq - 1},
        )
    if seq == 1:
        return seq, INSERTED, _("mục #1 không phải là mục đầu tiên của chuỗi")
    return (
        seq - 1,
        EDITED,
        _("mục #%(seq)s đã bị sửa hoặc thay thế: mục #%(next)s không còn nối tiếp nó")
        % {"seq": seq - 1, "next": seq},
    )


def _walk(
    rows: Iterable[Mapping[str, Any]],
    read_head: Callable[[], AuditHead | None],
    anchors: Mapping[int, str] | None = None,
) -> VerifyResult:
    """Check each row against its predecessor, then the end of the chain against the head.

    The head is read before the walk and again after it: appends that commit meanwhile extend the
    chain legitimately, so the last row may lie anywhere between the two heads."""
    anchors = anchors or {}
    head_before = read_head()
    first_head = head_before.seq if head_before else 0
    expected = 1
    prev, prevprev = GENESIS, None
    hash_at_head = GENESIS

    def broken(seq: int, kind: str, reason: str, trusted: int | None = None) -> VerifyResult:
        # Everything before the broken entry checked out; name the last of those and its hash.
        trusted = seq - 1 if trusted is None else trusted
        known = {expected - 1: prev, expected - 2: prevprev, 0: GENESIS}
        trusted_hash = known.get(trusted)
        if trusted_hash is None:
            found = AuditEntry.objects.filter(seq=trusted).values_list("hash", flat=True).first()
            trusted_hash = found or ""
        return VerifyResult(False, trusted, seq, reason, kind, trusted, trusted_hash)

    def beyond_head(seq: int) -> VerifyResult | None:
        head = read_head()
        if head is None:
            return broken(first_head + 1, HEAD_MISSING, _("đầu chuỗi (bảng AuditHead) đã bị xóa"))
        if seq > head.seq:
            return broken(
                head.seq + 1,
                INSERTED,
                _("mục #%(seq)s nằm sau đầu chuỗi (mục #%(head)s): được chèn ngoài hệ thống")
                % {"seq": head.seq + 1, "head": head.seq},
            )
        return None

    for row in rows:
        seq = row["seq"]
        if seq != expected:
            if seq == expected + 1:
                reason = _("mục #%(seq)s đã bị xóa") % {"seq": expected}
            else:
                reason = _("các mục #%(first)s đến #%(last)s đã bị xóa") % {
                    "first": expected,
                    "last": seq - 1,
                }
            return broken(expected, DELETED, reason)
        if row["prev_hash"] != prev or entry_hash(row) != row["hash"]:
            if seq > first_head and (found := beyond_head(seq)) is not None:
                return found
            at, kind, reason = _diagnose(dict(row), prev, prevprev)
            return broken(at, kind, reason)
        if seq in anchors and anchors[seq] != row["hash"]:
            return broken(
                seq, EDITED, _("mục #%(seq)s không khớp mã băm đã ghi lại") % {"seq": seq}
            )
        prevprev, prev = prev, row["hash"]
        if seq == first_head:
            hash_at_head = prev
        expected += 1
    last = expected - 1
    if last < first_head:
        return broken(
            last + 1,
            DELETED,
            _("các mục sau mục #%(last)s đã bị xóa (đầu chuỗi là mục #%(head)s)")
            % {"last": last, "head": first_head},
        )
    if head_before is not None and hash_at_head != head_before.hash:
        return broken(
            first_head,
            EDITED,
            _("mục #%(seq)s không khớp mã băm lưu ở đầu chuỗi") % {"seq": first_head},
        )
    if last > first_head and (found := beyond_head(last)) is not None:
        return found
    if head_before is None and last > 0:
        return broken(1, HEAD_MISSING, _("đầu chuỗi (bảng AuditHead) đã bị xóa"))
    missing = sorted(s for s in anchors if s > last)
    if missing:
        return broken(
            missing[0],
            DELETED,
            _("mục #%(seq)s đã được ghi lại nhưng không còn trong chuỗi") % {"seq": missing[0]},
            trusted=last,
        )
    return VerifyResult(True, last, head_seq=last, head_hash=prev)


def _read_head() -> AuditHead | None:
    return AuditHead.objects.filter(id=1).first()


def audit_verify(
    *, chunk_size: int = 2000, anchors: Mapping[int, str] | None = None
) -> VerifyResult:
    """Walk the whole chain in order and name the first broken entry. ``anchors`` maps sequence
    numbers to hashes written down earlier (e.g. a head hash printed by ``xaso audit verify``)."""
    return _walk(_rows(chunk_size), _read_head, anchors)
