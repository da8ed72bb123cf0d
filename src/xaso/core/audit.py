"""The audit trail: append (``audit_record``), read (``audit_list``) and verify (``audit_verify``).

Decree 13/2023/NĐ-CP on personal data protection requires a record of processing of personal
data; Decree 30/2020/NĐ-CP and the security rules for state information systems (Circular
12/2022/TT-BTTTT) require logs that cannot be altered. Hash chaining makes alteration evident.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID

from django.db import models, transaction
from django.utils import timezone

from .context import current_request_meta
from .models import AuditEntry, AuditHead

GENESIS = "0" * 64


class Actor(Protocol):
    pk: Any
    username: str

    @property
    def agency_code(self) -> str: ...


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    return value


def _canonical(entry: AuditEntry) -> bytes:
    payload = {
        "seq": entry.seq,
        "at": entry.at.isoformat(),
        "actor_id": entry.actor_id,
        "actor_username": entry.actor_username,
        "agency_code": entry.agency_code,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "client_address": entry.client_address,
        "channel": entry.channel,
        "changes": entry.changes,
        "prev_hash": entry.prev_hash,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def entry_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(_canonical(entry)).hexdigest()


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields whose value changed."""
    return {
        k: [_jsonable(before.get(k)), _jsonable(after.get(k))]
        for k in sorted(set(before) | set(after))
        if before.get(k) != after.get(k)
    }


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
    the change it records commit or roll back together."""
    meta = current_request_meta()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(getattr(obj, "public_id", None) or obj.pk)
        object_repr = object_repr or str(obj)[:255]
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
        entry = AuditEntry(
            seq=head.seq + 1,
            at=timezone.now(),
            actor_id=actor.pk if actor is not None else None,
            actor_username=actor.username if actor is not None else "",
            agency_code=actor.agency_code if actor is not None else "",
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr[:255],
            client_address=meta.client_address,
            channel=meta.channel,
            changes=_jsonable(dict(changes or {})),
            prev_hash=head.hash,
        )
        # Round-trip through JSON so the hash is computed on exactly what the database returns.
        entry.changes = json.loads(json.dumps(entry.changes, ensure_ascii=False))
        entry.hash = entry_hash(entry)
        entry.save()
        head.seq = entry.seq
        head.hash = entry.hash
        head.save(update_fields=["seq", "hash"])
    return entry


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str = ""


def _walk(entries: Iterable[AuditEntry], head: AuditHead | None) -> VerifyResult:
    expected_seq = 1
    prev = GENESIS
    checked = 0
    for e in entries:
        if e.seq != expected_seq:
            return VerifyResult(False, checked, expected_seq, f"entry #{expected_seq} is missing")
        if e.prev_hash != prev:
            return VerifyResult(False, checked, e.seq, f"entry #{e.seq} does not follow its predecessor")
        if entry_hash(e) != e.hash:
            return VerifyResult(False, checked, e.seq, f"entry #{e.seq} was altered")
        prev = e.hash
        expected_seq += 1
        checked += 1
    head_seq = head.seq if head else 0
    head_hash = head.hash if head else GENESIS
    if head_seq != checked or head_hash != prev:
        return VerifyResult(
            False, checked, checked + 1, f"entries after #{checked} were removed (head is #{head_seq})"
        )
    return VerifyResult(True, checked)


def audit_verify() -> VerifyResult:
    """Walk the whole chain in order and name the first broken entry."""
    entries = AuditEntry.objects.order_by("seq").iterator(chunk_size=2000)
    return _walk(entries, AuditHead.objects.filter(id=1).first())
