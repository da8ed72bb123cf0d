"""Reads of dossiers, scoped to the actor's agencies (receiving or competent); a dossier outside
them is answered like a missing one (404). The public lookup shows no personal data."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from xaso.core.audit import audit_record
from xaso.core.errors import InvalidInput
from xaso.core.text import fold
from xaso.org.models import Staff

from . import permissions
from .errors import DossierNotFound
from .models import CLOCK_RUNNING, Dossier, DossierEvent, Status

PAGE_SIZE = 50
_NOT_FOUND = "Không tìm thấy hồ sơ."


def _scoped(actor: Staff) -> QuerySet[Dossier]:
    if not permissions.can_list(actor):
        return Dossier.objects.none()
    mine = actor.agency_id
    return Dossier.objects.filter(Q(receiving_agency_id=mine) | Q(competent_agency_id=mine))


def encode_cursor(dossier: Dossier) -> str:
    raw = json.dumps([dossier.due_at.isoformat(), dossier.pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        due, pk = json.loads(raw)
        moment = datetime.fromisoformat(due)
        if not isinstance(pk, int) or moment.tzinfo is None:
            raise ValueError
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput(
            _("Con trỏ phân trang không hợp lệ."), fields={"after": [_("Sai định dạng.")]}
        ) from None
    return moment, pk


def dossier_list_for(*, actor: Staff, **filters: Any) -> QuerySet[Dossier]:
    """The actor's work queue, soonest due first, as a keyset page source: ordered by
    (due_at, id), continued ``after`` the cursor of the last row seen (no OFFSET, so the millionth
    row costs what the first does). ``q`` finds a code (prefix), a personal ID (12 digits) or
    the applicant's name, tone marks and case ignored. ``overdue``: past due with the clock
    running (a dossier waiting for a supplement is paused, not overdue)."""
    return _filtered(_scoped(actor), **filters)


def _filtered(
    qs: QuerySet[Dossier],
    *,
    status: str | None = None,
    q: str | None = None,
    overdue: bool | None = None,
    procedure: str | None = None,
    channel: str | None = None,
    assignee: Staff | None = None,
    after: str | None = None,
    now: datetime | None = None,
) -> QuerySet[Dossier]:
    if status:
        if status not in Status.values:
            raise InvalidInput(
                _("Trạng thái không hợp lệ."),
                fields={"status": [_("Giá trị không nằm trong danh sách cho phép.")]},
            )
        qs = qs.filter(status=status)
    if procedure:
        qs = qs.filter(procedure__code=procedure)
    if channel:
        qs = qs.filter(channel=channel)
    if assignee is not None:
        qs = qs.filter(assignee=assignee)
    if overdue is not None:
        moment = now or timezone.now()
        late = Q(status__in=CLOCK_RUNNING, due_at__lt=moment)
        qs = qs.filter(late) if overdue else qs.exclude(late)
    text = (q or "").strip()
    if text:
        if text.isdigit() and len(text) == 12:
            qs = qs.filter(applicant__personal_id=text)
        elif any(c.isdigit() for c in text) and " " not in text:
            qs = qs.filter(code__istartswith=text)
        else:
            qs = qs.filter(applicant__name_folded__contains=fold(text))
    if after:
        due, pk = _decode_cursor(after)
        qs = qs.filter(Q(due_at__gt=due) | Q(due_at=due, pk__gt=pk))
    return qs.select_related("procedure", "applicant", "assignee", "current_step").order_by(
        "due_at", "pk"
    )


#: What a queue row shows (the page, the API list): loading the rest of a dossier and of its
#: procedure (legal bases, fees, documents: JSON decoded field by field) was most of a page's
#: time. Reading another field of a row loads it afterwards, one query a row: add it here.
QUEUE_FIELDS = (
    "code",
    "status",
    "channel",
    "due_at",
    "received_at",
    "step_due_at",
    "receiving_agency_id",
    "competent_agency_id",
    "procedure__code",
    "procedure__name",
    "applicant__family_name",
    "applicant__middle_name",
    "applicant__given_name",
    "assignee__username",
    "assignee__full_name",
    "current_step__name",
)


@dataclass(frozen=True)
class Page:
    items: list[Dossier]
    next_cursor: str | None


def dossier_page_for(*, actor: Staff, limit: int = PAGE_SIZE, **filters: Any) -> Page:
    """One page of ``dossier_list_for`` and the cursor of the next (None at the end).

    "Received here OR decided here", sorted by due time, makes the database sort every dossier
    of the agency (≈ 0.4 s a page at a million). So the page's keys are taken from each half
    separately, each walking its own (agency, due_at, id) index, merged here, and only then are
    the rows loaded: three small queries instead of one full sort."""
    if not permissions.can_list(actor):
        return Page([], None)
    mine = actor.agency_id
    keys: set[tuple[datetime, int]] = set()
    for half in (
        Dossier.objects.filter(receiving_agency_id=mine),
        Dossier.objects.filter(competent_agency_id=mine),
    ):
        keys.update(_filtered(half, **filters).values_list("due_at", "pk")[: limit + 1])
    chosen = [pk for _, pk in sorted(keys)[: limit + 1]]
    rows = (
        list(_filtered(Dossier.objects.filter(pk__in=chosen), **filters).only(*QUEUE_FIELDS))
        if chosen
        else []
    )
    more = len(rows) > limit
    items = rows[:limit]
    return Page(items, encode_cursor(items[-1]) if more and items else None)


def dossier_get_for(*, actor: Staff, code: str) -> Dossier:
    """One dossier by code, if the actor may see it; else 404 like a missing one."""
    dossier = (
        _scoped(actor)
        .select_related(
            "procedure",
            "procedure_version",
            "applicant",
            "receiving_agency",
            "competent_agency",
            "current_step",
            "assignee",
        )
        .filter(code=code)
        .first()
    )
    if dossier is None:
        raise DossierNotFound(_NOT_FOUND)
    return dossier


def _read_logged_key(actor: Staff, code: str) -> str:
    return f"audit:dossier-read:{actor.pk}:{code}:{timezone.localdate().isoformat()}"


def dossier_applicant_read(*, actor: Staff, dossier: Dossier) -> Any:
    """The applicant's details for someone working on the dossier; audited as ``person.read``
    (Decree 13/2023/NĐ-CP), like every read of personal data in ``people``.

    Logged once per official, dossier and day: reopening the page the official has open all
    morning is not a new disclosure, and the log still answers who saw whose details on which
    day (a log entry per reload would make the audit chain, which every write passes through
    one at a time, the bottleneck of the busiest page). Remembered in the cache only once the
    entry has committed, so a rolled-back request is logged again next time."""
    key = _read_logged_key(actor, dossier.code)
    if cache.get(key) is None:
        audit_record(
            actor=actor,
            action="person.read",
            obj=dossier.applicant,
            changes={"via": "dossier", "dossier": dossier.code},
        )
        transaction.on_commit(lambda: cache.set(key, 1, timeout=2 * 86400))
    return dossier.applicant


def dossier_read_logged_today(*, actor: Staff, code: str) -> bool:
    """Whether this official's reading of the dossier's applicant is already logged today."""
    return cache.get(_read_logged_key(actor, code)) is not None


def dossier_events(dossier: Dossier) -> QuerySet[DossierEvent]:
    return dossier.events.select_related("actor", "agency", "step", "assignee").order_by("at", "pk")


@dataclass(frozen=True)
class PublicStatus:
    """What anyone with the dossier code may know: never who applied."""

    code: str
    procedure: str
    status: str
    received_at: datetime
    due_at: datetime
    missing: list[str]


def dossier_public_status(code: str) -> PublicStatus:
    """Tra cứu hồ sơ by code (or QR link), without login (vn-rules.md §1.11)."""
    row = (
        Dossier.objects.filter(code=code.strip())
        .values("code", "procedure__name", "status", "received_at", "due_at", "supplement_missing")
        .first()
    )
    if row is None:
        raise DossierNotFound(_NOT_FOUND)
    missing = row["supplement_missing"] if row["status"] == Status.AWAITING_SUPPLEMENT else []
    return PublicStatus(
        code=row["code"],
        procedure=row["procedure__name"],
        status=str(Status(row["status"]).label),
        received_at=timezone.localtime(row["received_at"]),
        due_at=timezone.localtime(row["due_at"]),
        missing=list(missing or []),
    )


def staff_for_assignment(*, dossier: Dossier, username: str) -> Staff:
    """An officer of the dossier's competent agency, by user name (the services check the role)."""
    from .errors import AssigneeInvalid

    staff = (
        Staff.objects.filter(username=username, agency_id=dossier.competent_agency_id)
        .select_related("agency")
        .prefetch_related("roles")
        .first()
    )
    if staff is None:
        raise AssigneeInvalid(
            _("Không có cán bộ %(username)s ở cơ quan giải quyết hồ sơ.") % {"username": username},
            fields={"assignee": [_("Không có cán bộ này.")]},
        )
    return staff


def agency_for_transfer(*, code: str) -> Any:
    from xaso.org.models import Agency

    from .errors import TransferTargetInvalid

    agency = Agency.objects.select_related("unit__level", "unit__parent__level").filter(code=code)
    found = agency.first()
    if found is None:
        raise TransferTargetInvalid(
            _("Không có cơ quan mã %(code)s.") % {"code": code},
            fields={"agency": [_("Không có cơ quan này.")]},
        )
    return found
