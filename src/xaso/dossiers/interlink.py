"""Một cửa liên thông over the exchange: a one-stop dossier handed to the competent agency of
another level, and its result handed back (Decree 118/2025/NĐ-CP Art 18, chuyển hồ sơ; Decree
45/2020/NĐ-CP, electronic dossiers and results; vn-rules.md §1.1, §1.5). The dossier travels as an
edXML package of kind ``dossier`` (QCVN 102:2016/BTTTT, the same exchange as official documents,
``xaso.exchange``): its code, procedure, the applicant's essentials, the appointment, the scans and
the officer's note. The receiving agency's statuses (arrived, registered, processing, completed,
refused) come back as edXML status messages; its result comes back as a package of kind
``dossier_result`` answering the first one.

At the sending agency the dossier takes the workflow's ``transfer`` action (RECEIVED or IN
PROCESSING → TRANSFERRED, by the roles the transition table gives it): it is being processed
elsewhere and its clock keeps running (``models.CLOCK_RUNNING``). When the result arrives the
system records, as the control sheet's (Form 05) next hand-over, either "có kết quả" (→
RESULT_READY, the applicant is told, the counter returns it) or "từ chối giải quyết" (→ REFUSED
with the other agency's reason). A package the other agency refused leaves the dossier
TRANSFERRED with the refusal shown: its officers take it back with ``assign``.

When the applicant withdraws a dossier that is being processed elsewhere (rút hồ sơ, Decree
118/2025/NĐ-CP Art 21, which replaced Decree 61/2018 as amended by Decree 107/2021: the one-stop
unit checks where the dossier stands and, while no decision has been taken, stops it with a
"Thông báo dừng giải quyết hồ sơ"), the request to stop goes the same way, a package of kind
``dossier_withdrawal`` answering the first one, with the applicant's reason. The other agency's
copy is withdrawn with that reason (its clock stops, it leaves its officers' hands, the event and
audit entry are written, and a copy it sent further is asked to stop in turn); one it can no
longer stop (it has decided or sent its result) refuses the package with the reason, which the
sender's officers see beside the hand-over.

At the receiving agency the package becomes a dossier in its queue (its own code, the sender's
code beside it), received at arrival and due when the sender's appointment is; its officers process
it with the usual actions, then record the result here (``dossier_interlink_reply``), which sends
it back. Nothing here runs for a package the exchange has already handed over (exactly once per
message id and recipient).
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xaso.core.audit import audit_record
from xaso.core.errors import Conflict, DomainError, InvalidInput, NotFound
from xaso.core.text import squash_spaces
from xaso.exchange import edxml
from xaso.exchange import services as exchange
from xaso.org.models import Agency, Staff
from xaso.people.services import person_upsert
from xaso.procedures.selectors import procedure_get
from xaso.workdays.clock import to_vietnam_time

from . import permissions, timing
from .errors import DossierNotFound, ReasonRequired, TransitionNotAllowed
from .interlink_models import (
    STATUS_RANK,
    DossierInterlink,
    InterlinkDirection,
    InterlinkOutcome,
    InterlinkStatus,
    WithdrawalStatus,
)
from .models import Channel, Dossier, DossierAttachment, DossierEvent, Status
from .notices import notice_queue
from .services.attachments import SIGNATURES, attachment_check
from .services.codes import dossier_code_next
from .services.intake import _current_version
from .services.workflow import TRANSITIONS, _transition, require_rule, rule_for

log = logging.getLogger("xaso.dossiers.interlink")

#: The package kind of a dossier sent for liên thông, of the result sent back and of the request to
#: stop. Until the exchange knows ``dossier_result`` / ``dossier_withdrawal`` these travel as
#: ``dossier`` packages marked ``extra["interlink"] = "result"`` / ``"withdrawal"``; the receiving
#: handler reads either.
REQUEST_KIND = "dossier"
RESULT_KIND = "dossier_result" if "dossier_result" in edxml.KINDS else "dossier"
WITHDRAWAL_KIND = "dossier_withdrawal" if "dossier_withdrawal" in edxml.KINDS else "dossier"
DOCUMENT_TYPE = "HS"
#: The applicant's data the other agency needs to decide and contact them, nothing more
#: (Decree 13/2023/NĐ-CP: minimisation). Carried in ``extra`` as ``applicant_<name>``.
APPLICANT_SENT = ("full_name", "personal_id", "phone", "address")
#: Parts a dossier package must carry in ``extra``.
REQUIRED = ("dossier_code", "procedure_code", "applicant_full_name", "due_at")


# --- Errors -------------------------------------------------------------------------------------


class InterlinkTargetInvalid(InvalidInput):
    """The agency to send to is this dossier's own, or is not in the exchange directory."""

    code = "interlink_target_invalid"


class InterlinkActive(Conflict):
    """The dossier is already being processed elsewhere and has no answer yet."""

    code = "interlink_active"


class InterlinkNoScans(Conflict):
    """An electronic dossier is sent with its scans: digitise first (Decree 45/2020)."""

    code = "interlink_no_scans"


class InterlinkRefused(DomainError):
    """A dossier package this agency cannot take (the exchange sends "refused" back)."""

    code = "interlink_refused"
    status = 422


class InterlinkNotIncoming(NotFound):
    """The dossier did not come here by liên thông: there is no one to send a result to."""

    code = "interlink_not_incoming"


class InterlinkResultSent(Conflict):
    code = "interlink_result_sent"


class InterlinkOutcomeInvalid(InvalidInput):
    code = "interlink_outcome_invalid"


class InterlinkWithdrawalRefused(InterlinkRefused):
    """A request to stop that this agency cannot apply: it has decided or sent its result
    (Decree 118/2025 Art 21 stops only a dossier with no decision yet), or the request is
    malformed. The exchange sends the reason back as "refused"."""

    code = "interlink_withdrawal_refused"


# --- Helpers ------------------------------------------------------------------------------------


def _org(agency: Agency) -> edxml.Organization:
    return edxml.Organization(code=agency.code, name=agency.name)


def directory_name(code: str) -> str | None:
    """The name of the agency ``code`` in the exchange directory (this node's or another's)."""
    from xaso.exchange.models import RemoteAgency

    agency = Agency.objects.filter(code=code, is_active=True).only("name").first()
    if agency is not None:
        return agency.name
    remote = RemoteAgency.objects.filter(code=code).only("name").first()
    return remote.name if remote is not None else None


def directory_choices(*, exclude: str = "") -> list[tuple[str, str]]:
    """(code, "code — name") of every agency the exchange can deliver to, for the form's select."""
    from xaso.exchange.models import RemoteAgency

    rows = dict(Agency.objects.filter(is_active=True).values_list("code", "name"))
    rows.update(RemoteAgency.objects.values_list("code", "name"))
    return [(c, f"{c} — {n}") for c, n in sorted(rows.items()) if c != exclude]


def _changed(dossier: Dossier) -> None:
    from xaso.core.pagecache import pages_changed

    from .apps import dossier_scopes

    pages_changed(*dossier_scopes(dossier))


def _store_file(
    dossier: Dossier, *, data: bytes, title: str, actor: Staff | None
) -> DossierAttachment:
    """A scan or result file kept with ``dossier``, its type recognised by content."""
    kind = next(((t, e) for m, t, e in SIGNATURES if data.startswith(m)), None)
    if kind is None:
        raise InterlinkRefused(
            _("Tệp “%(name)s” không phải PDF, JPEG hoặc PNG.") % {"name": title[:100]}
        )
    content_type, extension = kind
    attachment = DossierAttachment(
        dossier=dossier,
        title=(squash_spaces(title) or _("Tệp liên thông"))[:300],
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=actor,
    )
    attachment.file.save(
        f"{dossier.code}-{attachment.public_id}{extension}", ContentFile(data), save=False
    )
    attachment.save()
    return attachment


def _system_event(
    dossier: Dossier,
    *,
    action: str,
    from_status: str,
    agency_id: int,
    at: datetime,
    note: str = "",
    data: dict[str, Any],
) -> DossierEvent:
    """A hand-over the exchange made, not an official: the event (Form 05 data) and the audit
    entry, with no actor."""
    event = DossierEvent.objects.create(
        dossier=dossier,
        action=action,
        from_status=from_status,
        to_status=dossier.status,
        actor=None,
        agency_id=agency_id,
        step=dossier.current_step,
        assignee=dossier.assignee,
        step_due_at=dossier.step_due_at,
        note=note,
        data=data,
        at=at,
    )
    audit_record(
        actor=None,
        action=f"dossier.{action}",
        obj=dossier,
        object_id=dossier.code,
        changes={"status": [from_status, dossier.status], **data},
    )
    return event


def _send_status(
    row: DossierInterlink, agency: Agency, status: str, *, comment: str = "", staff: str = ""
) -> None:
    exchange.exchange_send_status(
        status=edxml.StatusPackage(
            message_id=str(uuid.uuid4()),
            document_message_id=row.message_id,
            sender=_org(agency),
            recipient=edxml.Organization(code=row.peer_code, name=row.peer_name),
            status=status,
            at=timezone.now(),
            staff_name=staff,
            comment=comment,
        )
    )


# --- Selectors ----------------------------------------------------------------------------------


def interlinks_of(dossier: Dossier) -> list[DossierInterlink]:
    """The dossier's liên thông hand-overs, oldest first (the caller has checked it may see it)."""
    return list(
        DossierInterlink.objects.filter(dossier=dossier)
        .select_related("result_attachment")
        .order_by("created_at", "id")
    )


def incoming_of(dossier: Dossier) -> DossierInterlink | None:
    return DossierInterlink.objects.filter(dossier=dossier, direction=InterlinkDirection.IN).first()


def can_send(actor: Staff, dossier: Dossier) -> bool:
    """Whether the transition table lets ``actor`` transfer the dossier now (no queries)."""
    rule = TRANSFER_RULES.get(dossier.status)
    return rule is not None and permissions.can_act(
        actor, dossier, roles=rule.roles, side=rule.side
    )


def _rules() -> dict[str, Any]:
    from .services.workflow import TRANSITIONS

    return {s: r for (s, a), r in TRANSITIONS.items() if a == "transfer"}


TRANSFER_RULES = _rules()


# --- Sending (the agency that holds the dossier) -------------------------------------------------


def dossier_interlink_send(
    *, dossier: Dossier, to_code: str, note: str = "", actor: Staff
) -> DossierInterlink:
    """Chuyển liên thông: send the dossier to the competent agency ``to_code`` of another level
    over the exchange. The workflow's ``transfer`` rule decides who may (its roles, of the
    competent agency) and from which status; the dossier becomes TRANSFERRED, the package (code,
    procedure, the applicant's name, ID, phone and address, the appointment, every scan, the
    note) goes into the exchange's outbox in the same transaction, delivered after commit."""
    code = squash_spaces(to_code or "")
    text = squash_spaces(note or "")
    holder: dict[str, DossierInterlink] = {}

    def change(d: Dossier, when: datetime) -> dict[str, Any]:
        if not code:
            raise InterlinkTargetInvalid(
                _("Chọn cơ quan nhận hồ sơ liên thông."),
                fields={"to": [_("Trường này là bắt buộc.")]},
            )
        if code in (d.competent_agency.code, d.receiving_agency.code):
            raise InterlinkTargetInvalid(
                _("Hồ sơ đang thuộc cơ quan này; chọn cơ quan khác."),
                fields={"to": [_("Chọn cơ quan khác.")]},
            )
        name = directory_name(code)
        if name is None:
            raise InterlinkTargetInvalid(
                _("Không có cơ quan mã %(code)s trong danh bạ liên thông.") % {"code": code},
                fields={"to": [_("Không có cơ quan này.")]},
            )
        active = DossierInterlink.objects.filter(
            dossier=d, direction=InterlinkDirection.OUT, outcome=""
        ).exclude(status=InterlinkStatus.REFUSED)
        if active.exists():
            raise InterlinkActive(_("Hồ sơ đang được xử lý liên thông, chưa có kết quả trả về."))
        scans = list(DossierAttachment.objects.filter(dossier=d).order_by("uploaded_at", "id"))
        if not scans:
            raise InterlinkNoScans(
                _("Hồ sơ chưa có bản quét: cần số hóa hồ sơ trước khi chuyển liên thông.")
            )
        message_id = str(uuid.uuid4())
        row = DossierInterlink.objects.create(
            dossier=d,
            direction=InterlinkDirection.OUT,
            peer_code=code,
            peer_name=name[:255],
            message_id=message_id,
            status=InterlinkStatus.SENT,
            status_at=when,
            note=text,
            sent_by=actor,
            created_at=when,
        )
        exchange.exchange_send(package=_package(d, row, scans, when))
        d.assignee = None
        d.step_due_at = None
        holder["row"] = row
        return {"interlink_to": code, "message_id": message_id}

    _transition(dossier, action="transfer", actor=actor, change=change, note=text)
    return holder["row"]


def _package(
    d: Dossier, row: DossierInterlink, scans: list[DossierAttachment], when: datetime
) -> edxml.DocumentPackage:
    person = d.applicant
    extra = {
        "interlink": "request",
        "dossier_code": d.code,
        "procedure_code": d.procedure.code,
        "procedure_name": d.procedure.name,
        "channel": d.channel,
        "received_at": to_vietnam_time(d.received_at).isoformat(),
        "due_at": to_vietnam_time(d.due_at).isoformat(),
        "note": row.note,
    }
    for name in APPLICANT_SENT:
        value = getattr(person, name, None)
        if value:
            extra[f"applicant_{name}"] = str(value)
    attachments = []
    for scan in scans:
        with scan.file.open("rb") as f:
            data = f.read()
        ext = next((e for _m, t, e in SIGNATURES if t == scan.content_type), "")
        attachments.append(
            edxml.Attachment(
                name=f"{scan.public_id}{ext}",
                content_type=scan.content_type,
                data=data,
                description=scan.title,
            )
        )
    agency = d.competent_agency
    return edxml.DocumentPackage(
        message_id=row.message_id,
        sender=_org(agency),
        recipients=[edxml.Organization(code=row.peer_code, name=row.peer_name)],
        code_number=d.code,
        code_notation="",
        place=agency.unit.name if agency.unit_id else "",
        promulgation_date=to_vietnam_time(when).date(),
        document_type=DOCUMENT_TYPE,
        document_type_name=_("Hồ sơ thủ tục hành chính"),
        subject=_("Hồ sơ %(code)s: %(procedure)s")
        % {"code": d.code, "procedure": d.procedure.name},
        summary=row.note,
        due_date=to_vietnam_time(d.due_at).date(),
        kind=REQUEST_KIND,
        attachments=attachments,
        extra=extra,
    )


# --- Receiving (the exchange's handlers) --------------------------------------------------------


def package_received(package: edxml.DocumentPackage, agency: Agency) -> object:
    """The exchange's handler of ``dossier`` (``dossier_result``, ``dossier_withdrawal``) packages
    for ``agency``: a dossier to process here, the result of one this agency sent, or the request
    to stop one it received. A DomainError refuses the package; the exchange then keeps nothing
    this wrote and sends "refused" back."""
    marked = package.extra.get("interlink")
    if package.kind == "dossier_result" or marked == "result":
        return _result_received(package, agency)
    if package.kind == "dossier_withdrawal" or marked == "withdrawal":
        return _withdrawal_received(package, agency)
    return _dossier_received(package, agency)


def _dossier_received(package: edxml.DocumentPackage, agency: Agency) -> Dossier:
    extra = package.extra
    missing = [k for k in REQUIRED if not squash_spaces(extra.get(k, ""))]
    if missing:
        raise InterlinkRefused(
            _("Gói hồ sơ liên thông thiếu thông tin bắt buộc: %(fields)s.")
            % {"fields": ", ".join(missing)}
        )
    if not package.attachments:
        raise InterlinkRefused(_("Gói hồ sơ liên thông không có tệp hồ sơ nào."))
    existing = DossierInterlink.objects.filter(
        message_id=package.message_id, direction=InterlinkDirection.IN
    ).first()
    if existing is not None:  # the exchange hands a message over once; this guards a replay
        return existing.dossier
    try:
        procedure = procedure_get(extra["procedure_code"].strip())
    except NotFound:
        raise InterlinkRefused(
            _("Thủ tục %(code)s không có trong danh mục của cơ quan nhận.")
            % {"code": extra["procedure_code"].strip()[:40]}
        ) from None
    version = _current_version(procedure)
    try:
        due = datetime.fromisoformat(extra["due_at"])
    except ValueError:
        raise InterlinkRefused(_("Ngày hẹn trả kết quả của hồ sơ không hợp lệ.")) from None
    if due.tzinfo is None:
        raise InterlinkRefused(_("Ngày hẹn trả kết quả của hồ sơ thiếu múi giờ."))
    now = to_vietnam_time(timezone.now())
    code = dossier_code_next(agency=agency, received_on=now.date())

    def given(name: str) -> str | None:
        return squash_spaces(extra.get(f"applicant_{name}", "")) or None

    person = person_upsert(
        actor=None,
        agency=agency,
        full_name=given("full_name"),
        personal_id=given("personal_id"),
        phone=given("phone"),
        address=given("address"),
    )
    channel = extra.get("channel", "")
    first_step = version.steps.all()[0]
    dossier = Dossier.objects.create(
        code=code,
        receiving_agency=agency,
        competent_agency=agency,
        procedure=procedure,
        procedure_version=version,
        applicant=person,
        channel=channel if channel in Channel.values else Channel.ONLINE,
        status=Status.RECEIVED,
        current_step=first_step,
        assignee=None,
        step_due_at=timing.step_deadline(step=first_step, start=now, agency=agency),
        received_at=now,
        counted_from=now,
        initial_due_at=due,
        statutory_due_at=due,
        due_at=due,
    )
    for i, att in enumerate(package.attachments, start=1):
        _store_file(dossier, data=att.data, title=att.description or att.name or str(i), actor=None)
    row = DossierInterlink.objects.create(
        dossier=dossier,
        direction=InterlinkDirection.IN,
        peer_code=package.sender.code,
        peer_name=(package.sender.name or directory_name(package.sender.code) or "")[:255],
        peer_dossier_code=extra["dossier_code"].strip()[:64],
        message_id=package.message_id,
        status=InterlinkStatus.REGISTERED,
        status_at=now,
        note=squash_spaces(extra.get("note", "")),
        created_at=now,
    )
    _system_event(
        dossier,
        action="receive",
        from_status="",
        agency_id=agency.pk,
        at=now,
        note=row.note,
        data={
            "procedure": procedure.code,
            "interlink_from": row.peer_code,
            "peer_dossier_code": row.peer_dossier_code,
            "message_id": row.message_id,
            "due_at": due.isoformat(),
        },
    )
    # "registered" carries this agency's dossier code: the sender shows it beside its own.
    _send_status(row, agency, InterlinkStatus.REGISTERED, comment=code)
    _changed(dossier)
    return dossier


def _result_received(package: edxml.DocumentPackage, agency: Agency) -> DossierInterlink:
    """The other agency's result of a dossier this agency sent: kept with the dossier, which
    continues here — result ready for the applicant, or refused with the other agency's reason."""
    row = (
        DossierInterlink.objects.select_for_update()
        .filter(
            message_id=package.reply_to or "",
            direction=InterlinkDirection.OUT,
            peer_code=package.sender.code,
        )
        .first()
    )
    if row is None:
        raise InterlinkRefused(
            _("Không có hồ sơ liên thông nào đã gửi tới %(code)s ứng với kết quả này.")
            % {"code": package.sender.code}
        )
    if row.outcome:
        raise InterlinkResultSent(_("Hồ sơ này đã nhận kết quả liên thông."))
    outcome = package.extra.get("outcome", "")
    if outcome not in InterlinkOutcome.values:
        raise InterlinkRefused(_("Kết quả liên thông không ghi rõ giải quyết hay từ chối."))
    reason = squash_spaces(package.extra.get("reason", ""))
    if outcome == InterlinkOutcome.REFUSED and not reason:
        raise InterlinkRefused(_("Kết quả từ chối giải quyết phải ghi rõ lý do."))
    now = timezone.now()
    dossier = Dossier.objects.select_for_update(of=("self",)).get(pk=row.dossier_id)
    attachment = None
    if package.attachments:
        att = package.attachments[0]
        attachment = _store_file(
            dossier,
            data=att.data,
            title=_("Kết quả giải quyết liên thông (%(agency)s)") % {"agency": row.peer_code},
            actor=None,
        )
    row.outcome = outcome
    row.outcome_reason = reason
    row.result_message_id = package.message_id
    row.result_attachment = attachment
    row.result_at = now
    row.status = InterlinkStatus.COMPLETED
    row.status_at = now
    peer_code = squash_spaces(package.extra.get("peer_dossier_code", ""))
    if peer_code and not row.peer_dossier_code:
        row.peer_dossier_code = peer_code[:64]
    row.save()
    data = {
        "interlink_from": row.peer_code,
        "message_id": package.message_id,
        "outcome": outcome,
    }
    if dossier.status == Status.TRANSFERRED:
        from_status = dossier.status
        if outcome == InterlinkOutcome.APPROVED:
            dossier.status = Status.RESULT_READY
            dossier.result_ready_at = now
            action = "mark_ready"
        else:
            dossier.status = Status.REFUSED
            dossier.refusal_reason = reason
            action = "refuse"
            data["reason"] = reason
        dossier.finished_at = dossier.finished_at or now
        dossier.assignee = None
        dossier.step_due_at = None
        dossier.save()
        event = _system_event(
            dossier,
            action=action,
            from_status=from_status,
            agency_id=dossier.competent_agency_id,
            at=now,
            data=data,
        )
        if action == "mark_ready":
            notice_queue(event=event)
    else:
        # Its officers took it back meanwhile: the result is kept and shown, the status stays.
        audit_record(
            actor=None,
            action="dossier.interlink_result",
            obj=dossier,
            object_id=dossier.code,
            changes=data,
        )
    _changed(dossier)
    return row


def status_received(status: edxml.StatusPackage) -> None:
    """The exchange's status handler: only statuses about our dossier or withdrawal packages (at
    the sender) or result packages (at the receiver) matter — one indexed lookup, others
    ignored."""
    mid = status.document_message_id
    # Locked: the other agency's statuses and its result arrive over several connections at
    # once (two nodes' workers); each must see the row the one before it wrote.
    row = (
        DossierInterlink.objects.select_for_update(of=("self",))
        .filter(
            Q(message_id=mid, direction=InterlinkDirection.OUT)
            | Q(withdrawal_message_id=mid, direction=InterlinkDirection.OUT)
            | Q(result_message_id=mid, direction=InterlinkDirection.IN)
        )
        .select_related("dossier")
        .first()
    )
    if row is None or row.peer_code != status.sender.code:
        return
    if row.direction == InterlinkDirection.IN:
        row.result_status = status.status
        row.result_status_comment = status.comment
        row.save(update_fields=["result_status", "result_status_comment"])
    elif row.withdrawal_message_id == mid:
        # The exchange's answer to the request to stop: "arrived" once the other agency's copy
        # is withdrawn (its handler ran), "refused" with its reason when it could not be.
        answers: dict[str, str] = {
            InterlinkStatus.ARRIVED: WithdrawalStatus.APPLIED,
            InterlinkStatus.REFUSED: WithdrawalStatus.REFUSED,
        }
        answer = answers.get(status.status)
        if answer is None or row.withdrawal_status != WithdrawalStatus.SENT:
            return
        row.withdrawal_status = answer
        row.withdrawal_comment = status.comment
        row.withdrawal_at = status.at
        row.save(update_fields=["withdrawal_status", "withdrawal_comment", "withdrawal_at"])
    else:
        if row.status != InterlinkStatus.COMPLETED and (
            status.status == InterlinkStatus.REFUSED
            or STATUS_RANK.get(status.status, -1) > STATUS_RANK[row.status]
        ):
            row.status = status.status
            row.status_at = status.at
            row.status_comment = status.comment
        if (
            status.status == InterlinkStatus.REGISTERED
            and status.comment
            and not (row.peer_dossier_code)
        ):
            row.peer_dossier_code = status.comment[:64]
        row.save(update_fields=["status", "status_at", "status_comment", "peer_dossier_code"])
    audit_record(
        actor=None,
        action="dossier.interlink_status",
        obj=row,
        object_id=row.dossier.code,
        changes={
            "peer": row.peer_code,
            "message_id": mid,
            "status": status.status,
            "comment": status.comment,
        },
    )
    _changed(row.dossier)


def event_recorded(event: DossierEvent) -> None:
    """Called for every new event. At the receiving agency, an incoming interlinked dossier was
    assigned: tell the sender it is being processed. At any agency, a dossier was withdrawn: ask
    the agencies it was sent to, which have not answered, to stop theirs too. Other actions
    return at once; an assign or a withdrawal costs one indexed lookup."""
    if event.action == "withdraw":
        _withdrawal_pass_on(event)
        return
    if event.action != "assign":
        return
    row = DossierInterlink.objects.filter(
        dossier_id=event.dossier_id, direction=InterlinkDirection.IN
    ).first()
    if row is None or STATUS_RANK[row.status] >= STATUS_RANK[InterlinkStatus.PROCESSING]:
        return
    row.status = InterlinkStatus.PROCESSING
    row.status_at = event.at
    row.save(update_fields=["status", "status_at"])
    agency = Agency.objects.get(pk=event.agency_id)
    staff = event.assignee.full_name if event.assignee is not None else ""
    _send_status(row, agency, InterlinkStatus.PROCESSING, staff=staff)


# --- Withdrawal (rút hồ sơ) passed on -----------------------------------------------------------


def _withdrawal_pass_on(event: DossierEvent) -> None:
    """Rút hồ sơ of a dossier being processed elsewhere (Decree 118/2025 Art 21): in the
    withdrawal's own transaction, a request to stop goes to every agency the dossier was sent to
    that has neither refused the package nor sent its result, once per hand-over."""
    rows = list(
        DossierInterlink.objects.select_for_update(of=("self",))
        .filter(
            dossier_id=event.dossier_id,
            direction=InterlinkDirection.OUT,
            outcome="",
            withdrawal_message_id__isnull=True,
        )
        .exclude(status=InterlinkStatus.REFUSED)
        .select_related("dossier__competent_agency__unit")
        .order_by("created_at", "id")
    )
    if not rows:
        return
    reason = squash_spaces(str(event.data.get("reason", ""))) or rows[0].dossier.withdrawal_reason
    for row in rows:
        row.withdrawal_message_id = str(uuid.uuid4())
        row.withdrawal_status = WithdrawalStatus.SENT
        row.withdrawal_reason = reason
        row.withdrawal_comment = ""
        row.withdrawal_at = event.at
        row.save(
            update_fields=[
                "withdrawal_message_id",
                "withdrawal_status",
                "withdrawal_reason",
                "withdrawal_comment",
                "withdrawal_at",
            ]
        )
        exchange.exchange_send(package=_withdrawal_package(row, event))
        audit_record(
            actor=event.actor,
            action="dossier.interlink_withdraw",
            obj=row,
            object_id=row.dossier.code,
            changes={
                "to": row.peer_code,
                "peer_dossier_code": row.peer_dossier_code,
                "reason": reason,
                "message_id": row.withdrawal_message_id,
            },
        )


def _withdrawal_package(row: DossierInterlink, event: DossierEvent) -> edxml.DocumentPackage:
    d = row.dossier
    agency = d.competent_agency
    return edxml.DocumentPackage(
        message_id=str(row.withdrawal_message_id),
        sender=_org(agency),
        recipients=[edxml.Organization(code=row.peer_code, name=row.peer_name)],
        code_number=d.code,
        code_notation="",
        place=agency.unit.name if agency.unit_id else "",
        promulgation_date=to_vietnam_time(event.at).date(),
        document_type=DOCUMENT_TYPE,
        document_type_name=_("Thông báo dừng giải quyết hồ sơ"),
        subject=_("Dừng giải quyết hồ sơ %(code)s theo yêu cầu của người nộp")
        % {"code": row.peer_dossier_code or d.code},
        summary=row.withdrawal_reason,
        signer_name=event.actor.full_name if event.actor is not None else "",
        reply_to=row.message_id,
        kind=WITHDRAWAL_KIND,
        extra={
            "interlink": "withdrawal",
            "dossier_code": row.peer_dossier_code,
            "peer_dossier_code": d.code,
            "reason": row.withdrawal_reason,
        },
    )


def _withdrawal_received(package: edxml.DocumentPackage, agency: Agency) -> DossierInterlink:
    """The request to stop a dossier this agency received by liên thông (Decree 118/2025 Art
    21): its copy is withdrawn with the applicant's reason while no decision has been taken here.
    A dossier already decided, refused or with its result sent refuses the package with the
    reason (the exchange sends it back); a request seen before changes nothing."""
    row = (
        DossierInterlink.objects.select_for_update()
        .filter(
            message_id=package.reply_to or "",
            direction=InterlinkDirection.IN,
            peer_code=package.sender.code,
        )
        .first()
    )
    if row is None:
        raise InterlinkWithdrawalRefused(
            _("Không có hồ sơ liên thông nào nhận từ %(code)s ứng với yêu cầu dừng này.")
            % {"code": package.sender.code}
        )
    if row.withdrawal_status == WithdrawalStatus.APPLIED:
        return row  # stopped by an earlier request: nothing more to do
    reason = squash_spaces(package.extra.get("reason", ""))
    if not reason:
        raise InterlinkWithdrawalRefused(_("Yêu cầu dừng giải quyết phải ghi rõ lý do."))
    dossier = Dossier.objects.select_for_update(of=("self",)).get(pk=row.dossier_id)
    if row.result_message_id:
        raise InterlinkWithdrawalRefused(
            _(
                "Hồ sơ %(code)s đã có kết quả (%(outcome)s) gửi về cơ quan chuyển lúc %(at)s: "
                "không thể dừng giải quyết."
            )
            % {
                "code": dossier.code,
                "outcome": InterlinkOutcome(row.outcome).label,
                "at": to_vietnam_time(row.result_at or row.status_at).strftime("%H:%M %d/%m/%Y"),
            }
        )
    if dossier.status != Status.WITHDRAWN and (dossier.status, "withdraw") not in TRANSITIONS:
        raise InterlinkWithdrawalRefused(
            _("Hồ sơ %(code)s đang ở trạng thái “%(status)s”: không thể dừng giải quyết.")
            % {"code": dossier.code, "status": Status(dossier.status).label}
        )
    now = timezone.now()
    data = {
        "reason": reason,
        "interlink_from": row.peer_code,
        "peer_dossier_code": row.peer_dossier_code,
        "message_id": package.message_id,
    }
    row.withdrawal_message_id = package.message_id
    row.withdrawal_status = WithdrawalStatus.APPLIED
    row.withdrawal_reason = reason
    row.withdrawal_at = now
    row.save()
    if dossier.status == Status.WITHDRAWN:
        # Withdrawn here already (the applicant asked this agency too): nothing left to stop.
        audit_record(
            actor=None,
            action="dossier.interlink_withdrawal",
            obj=dossier,
            object_id=dossier.code,
            changes=data,
        )
    else:
        from_status = dossier.status
        dossier.status = Status.WITHDRAWN
        dossier.withdrawal_reason = reason
        dossier.finished_at = dossier.finished_at or now
        dossier.assignee = None
        dossier.step_due_at = None
        dossier.save()
        # The event (Form 05: dừng giải quyết) also asks any agency this one sent the dossier
        # on to in turn to stop it (event_recorded).
        _system_event(
            dossier,
            action="withdraw",
            from_status=from_status,
            agency_id=agency.pk,
            at=now,
            note=reason,
            data=data,
        )
    _changed(dossier)
    return row


# --- The result (the agency that processed it) ---------------------------------------------------


def dossier_interlink_reply(
    *,
    dossier: Dossier,
    outcome: str,
    reason: str = "",
    upload: UploadedFile | None = None,
    actor: Staff,
) -> DossierInterlink:
    """Gửi kết quả liên thông: the agency that processed a dossier received by liên thông sends
    its result back — "approved" once its leader approved it (the workflow's ``mark_ready``
    follows, by its roles), or "refused" with the reason (the workflow's ``refuse``, by its
    roles; a dossier its leader already refused keeps that reason unless another is given) —
    with the result file (PDF, JPEG or PNG), and reports "completed". Once only."""
    if not permissions.can_see(actor, dossier):
        raise DossierNotFound(_("Không tìm thấy hồ sơ."))
    if outcome not in InterlinkOutcome.values:
        raise InterlinkOutcomeInvalid(
            _("Kết quả phải là approved (giải quyết) hoặc refused (từ chối)."),
            fields={"outcome": [_("Giá trị không nằm trong danh sách cho phép.")]},
        )
    text = squash_spaces(reason or "")
    if upload is not None:
        attachment_check(upload)
    with transaction.atomic():
        row = (
            DossierInterlink.objects.select_for_update()
            .filter(dossier=dossier, direction=InterlinkDirection.IN)
            .first()
        )
        if row is None:
            raise InterlinkNotIncoming(
                _("Hồ sơ này không phải hồ sơ liên thông nhận từ cơ quan khác.")
            )
        if row.result_message_id:
            raise InterlinkResultSent(_("Kết quả của hồ sơ này đã được gửi."))
        fresh = Dossier.objects.select_related("competent_agency", "receiving_agency").get(
            pk=dossier.pk
        )
        _finish_here(fresh, outcome, text, actor)
        fresh.refresh_from_db()
        if outcome == InterlinkOutcome.REFUSED:
            text = text or fresh.refusal_reason
        attachment = None
        if upload is not None:
            upload.seek(0)
            attachment = _store_file(
                fresh,
                data=upload.read(),
                title=_("Kết quả giải quyết gửi %(agency)s") % {"agency": row.peer_code},
                actor=actor,
            )
        now = timezone.now()
        row.outcome = outcome
        row.outcome_reason = text
        row.result_message_id = str(uuid.uuid4())
        row.result_attachment = attachment
        row.result_at = now
        row.status = InterlinkStatus.COMPLETED
        row.status_at = now
        row.save()
        agency = fresh.competent_agency
        _send_status(row, agency, InterlinkStatus.COMPLETED, staff=actor.full_name, comment=text)
        exchange.exchange_send(package=_result_package(fresh, row, agency, actor, attachment, now))
        audit_record(
            actor=actor,
            action="dossier.interlink_reply",
            obj=row,
            object_id=fresh.code,
            changes={
                "to": row.peer_code,
                "peer_dossier_code": row.peer_dossier_code,
                "outcome": outcome,
                "reason": text,
                "message_id": row.result_message_id,
                "file": attachment.sha256 if attachment else None,
            },
        )
        _changed(fresh)
    return row


def _finish_here(d: Dossier, outcome: str, reason: str, actor: Staff) -> None:
    """The workflow step that ends the dossier here, through the one transition table."""

    def stamp(x: Dossier, when: datetime) -> dict[str, Any]:
        x.result_ready_at = when
        x.finished_at = x.finished_at or when
        x.assignee = None
        x.step_due_at = None
        return {"interlink": "result"}

    def refuse(x: Dossier, when: datetime) -> dict[str, Any]:
        x.refusal_reason = reason
        x.finished_at = x.finished_at or when
        x.assignee = None
        x.step_due_at = None
        return {"reason": reason, "interlink": "result"}

    steps: dict[tuple[str, str], tuple[str, Callable[[Dossier, datetime], Any] | None]] = {
        (InterlinkOutcome.APPROVED, Status.APPROVED): ("mark_ready", stamp),
        (InterlinkOutcome.APPROVED, Status.RESULT_READY): ("mark_ready", None),
        (InterlinkOutcome.REFUSED, Status.RECEIVED): ("refuse", refuse),
        (InterlinkOutcome.REFUSED, Status.IN_PROCESSING): ("refuse", refuse),
        (InterlinkOutcome.REFUSED, Status.REFUSED): ("refuse", None),
    }
    step = steps.get((outcome, d.status))
    if step is None:
        if outcome == InterlinkOutcome.APPROVED:
            raise TransitionNotAllowed(
                _("Hồ sơ cần được lãnh đạo phê duyệt trước khi gửi kết quả giải quyết.")
            )
        raise TransitionNotAllowed(
            _("Không thể gửi kết quả từ chối khi hồ sơ đang ở trạng thái “%(status)s”.")
            % {"status": Status(d.status).label}
        )
    action, change = step
    if change is None:
        # Already done through the workflow: the same roles must still send the result.
        source = Status.APPROVED if action == "mark_ready" else Status.IN_PROCESSING
        require_rule(rule_for(source, action), actor, d)
        return
    if action == "refuse" and not reason:
        raise ReasonRequired(
            _("Cần ghi rõ lý do từ chối."), fields={"reason": [_("Trường này là bắt buộc.")]}
        )
    _transition(d, action=action, actor=actor, change=change)


def _result_package(
    d: Dossier,
    row: DossierInterlink,
    agency: Agency,
    actor: Staff,
    attachment: DossierAttachment | None,
    when: datetime,
) -> edxml.DocumentPackage:
    attachments = []
    if attachment is not None:
        with attachment.file.open("rb") as f:
            data = f.read()
        ext = next((e for _m, t, e in SIGNATURES if t == attachment.content_type), "")
        attachments.append(
            edxml.Attachment(
                name=f"ket-qua-{row.peer_dossier_code}{ext}",
                content_type=attachment.content_type,
                data=data,
                description=attachment.title,
            )
        )
    return edxml.DocumentPackage(
        message_id=str(row.result_message_id),
        sender=_org(agency),
        recipients=[edxml.Organization(code=row.peer_code, name=row.peer_name)],
        code_number=d.code,
        code_notation="",
        place=agency.unit.name if agency.unit_id else "",
        promulgation_date=to_vietnam_time(when).date(),
        document_type=DOCUMENT_TYPE,
        document_type_name=_("Kết quả giải quyết hồ sơ thủ tục hành chính"),
        subject=_("Kết quả giải quyết hồ sơ %(code)s") % {"code": row.peer_dossier_code},
        summary=row.outcome_reason,
        signer_name=actor.full_name,
        reply_to=row.message_id,
        kind=RESULT_KIND,
        attachments=attachments,
        extra={
            "interlink": "result",
            "dossier_code": row.peer_dossier_code,
            "peer_dossier_code": d.code,
            "outcome": row.outcome,
            "reason": row.outcome_reason,
        },
    )


def register_handlers() -> None:
    """Hand the exchange our handlers (from ``DossiersConfig.ready``)."""
    from xaso.exchange import registry

    registry.register_document_handler(REQUEST_KIND, package_received)
    if RESULT_KIND != REQUEST_KIND:
        registry.register_document_handler(RESULT_KIND, package_received)
    if WITHDRAWAL_KIND != REQUEST_KIND:
        registry.register_document_handler(WITHDRAWAL_KIND, package_received)
    registry.register_status_handler(status_received)


__all__ = [
    "dossier_interlink_reply",
    "dossier_interlink_send",
    "event_recorded",
    "package_received",
    "register_handlers",
    "status_received",
]
