"""The one transition table of the dossier workflow and the one ``_transition()`` every action
goes through (STYLE.md §2): table, permission, change, event (Form 05 data), audit — all in one
transaction; a refused action changes nothing.

The states and their national codes are in ``models.Status``; the flow follows Decree 118/2025
Arts 17-22 (vn-rules.md §1.5): received → in processing, step by step → (awaiting supplement →
in processing) → approved or refused → result ready → returned; plus withdrawal at the
applicant's request and transfer to the competent agency (liên thông).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xaso.core.audit import audit_record
from xaso.core.errors import PermissionDenied
from xaso.org.models import Staff

from .. import permissions
from ..errors import DossierNotFound, TransitionNotAllowed
from ..models import Dossier, DossierEvent, Status
from ..notices import notice_queue
from ..permissions import Side

S = Status
RECEPTION, SPECIALIST, LEADER, CLERK = "reception", "specialist", "leader", "clerk"


@dataclass(frozen=True)
class Rule:
    """``to``: the next status (None: the status stays, e.g. an apology); ``roles``: who may act;
    ``side``: whose staff — the competent agency's, or either agency's (counter actions)."""

    to: Status | None
    roles: frozenset[str]
    side: Side = "competent"


def _r(to: Status | None, *roles: str, side: Side = "competent") -> Rule:
    return Rule(to, frozenset(roles), side)


#: (current status, action) → rule. "" is "no dossier yet" (the intake).
TRANSITIONS: Mapping[tuple[str, str], Rule] = {
    ("", "receive"): _r(S.RECEIVED, RECEPTION, side="either"),
    (S.RECEIVED, "assign"): _r(S.IN_PROCESSING, RECEPTION, LEADER),
    (S.TRANSFERRED, "assign"): _r(S.IN_PROCESSING, RECEPTION, LEADER),
    (S.IN_PROCESSING, "forward"): _r(S.IN_PROCESSING, RECEPTION, SPECIALIST, LEADER),
    (S.IN_PROCESSING, "request_supplement"): _r(
        S.AWAITING_SUPPLEMENT, RECEPTION, SPECIALIST, LEADER
    ),
    (S.AWAITING_SUPPLEMENT, "receive_supplement"): _r(
        S.IN_PROCESSING, RECEPTION, SPECIALIST, side="either"
    ),
    (S.IN_PROCESSING, "approve"): _r(S.APPROVED, LEADER),
    (S.RECEIVED, "refuse"): _r(S.REFUSED, RECEPTION, LEADER),
    (S.IN_PROCESSING, "refuse"): _r(S.REFUSED, LEADER),
    (S.APPROVED, "mark_ready"): _r(S.RESULT_READY, RECEPTION, LEADER, CLERK),
    (S.RESULT_READY, "return_result"): _r(S.RETURNED, RECEPTION, side="either"),
    (S.RECEIVED, "transfer"): _r(S.TRANSFERRED, RECEPTION, LEADER),
    (S.IN_PROCESSING, "transfer"): _r(S.TRANSFERRED, LEADER),
    **{
        (status, "withdraw"): _r(S.WITHDRAWN, RECEPTION, side="either")
        for status in (S.RECEIVED, S.IN_PROCESSING, S.AWAITING_SUPPLEMENT, S.TRANSFERRED)
    },
    **{
        (status, "apologize"): _r(None, RECEPTION, LEADER)
        for status in (
            S.RECEIVED,
            S.IN_PROCESSING,
            S.AWAITING_SUPPLEMENT,
            S.APPROVED,
            S.TRANSFERRED,
        )
    },
}

ACTIONS = tuple(sorted({action for (_status, action) in TRANSITIONS if action != "receive"}))


def rule_for(status: str, action: str) -> Rule:
    """The rule of ``action`` from ``status``, or ``TransitionNotAllowed``."""
    rule = TRANSITIONS.get((status, action))
    if rule is None:
        label = Status(status).label if status else _("chưa tiếp nhận")
        raise TransitionNotAllowed(
            _("Không thể thực hiện thao tác “%(action)s” khi hồ sơ đang ở trạng thái “%(status)s”.")
            % {"action": ACTION_LABELS.get(action, action), "status": label}
        )
    return rule


ACTION_LABELS = {
    "receive": gettext_lazy("tiếp nhận"),
    "assign": gettext_lazy("phân công xử lý"),
    "forward": gettext_lazy("chuyển bước xử lý"),
    "request_supplement": gettext_lazy("yêu cầu bổ sung"),
    "receive_supplement": gettext_lazy("nhận hồ sơ bổ sung"),
    "approve": gettext_lazy("phê duyệt"),
    "refuse": gettext_lazy("từ chối giải quyết"),
    "apologize": gettext_lazy("xin lỗi và hẹn lại"),
    "mark_ready": gettext_lazy("có kết quả"),
    "return_result": gettext_lazy("trả kết quả"),
    "withdraw": gettext_lazy("rút hồ sơ"),
    "transfer": gettext_lazy("chuyển liên thông"),
}


def require_rule(rule: Rule, actor: Staff, dossier: Dossier) -> None:
    if not permissions.can_act(actor, dossier, roles=rule.roles, side=rule.side):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này trên hồ sơ này."))


def record(
    dossier: Dossier,
    *,
    action: str,
    actor: Staff,
    from_status: str,
    at: datetime,
    note: str = "",
    data: Mapping[str, Any] | None = None,
) -> DossierEvent:
    """Append the event (with the step the dossier is now in) and the audit entry."""
    event = DossierEvent.objects.create(
        dossier=dossier,
        action=action,
        from_status=from_status,
        to_status=dossier.status,
        actor=actor,
        agency_id=actor.agency_id,
        step=dossier.current_step,
        assignee=dossier.assignee,
        step_due_at=dossier.step_due_at,
        note=note,
        data=dict(data or {}),
        at=at,
    )
    changes: dict[str, Any] = {"status": [from_status, dossier.status]}
    if dossier.current_step_id is not None:
        changes["step"] = dossier.current_step.order if dossier.current_step else None
    if dossier.assignee_id is not None:
        changes["assignee"] = dossier.assignee.username if dossier.assignee else None
    if note:
        changes["note"] = note
    changes.update(data or {})
    audit_record(
        actor=actor,
        action=f"dossier.{action}",
        obj=dossier,
        object_id=dossier.code,
        changes=changes,
    )
    return event


def _transition(
    dossier: Dossier,
    *,
    action: str,
    actor: Staff,
    at: datetime | None = None,
    change: Callable[[Dossier, datetime], Mapping[str, Any] | None] | None = None,
    note: str = "",
    notify: bool = False,
) -> Dossier:
    """Take ``action`` on ``dossier``: lock its row, check the table and the actor's right, apply
    ``change`` (which may refuse with a DomainError, and returns the event's extra data), set the
    next status, append the event and the audit entry, and with ``notify`` queue the applicant's
    notice of that event (sent after commit). Returns the fresh dossier; the object passed in is
    left as it was. Outside the actor's agencies the dossier does not exist (404)."""
    at = at or timezone.now()
    with transaction.atomic():
        locked = (
            Dossier.objects.select_for_update(of=("self",))
            .select_related("receiving_agency", "competent_agency", "current_step", "assignee")
            .get(pk=dossier.pk)
        )
        if not permissions.can_see(actor, locked):
            raise DossierNotFound(_("Không tìm thấy hồ sơ."))
        rule = rule_for(locked.status, action)
        require_rule(rule, actor, locked)
        from_status = locked.status
        data = change(locked, at) if change is not None else None
        if rule.to is not None:
            locked.status = rule.to
        locked.save()
        event = record(
            locked,
            action=action,
            actor=actor,
            from_status=from_status,
            at=at,
            note=note,
            data=data,
        )
        if notify:
            notice_queue(event=event)
    return locked
