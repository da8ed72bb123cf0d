"""Incoming documents (văn bản đến, Decree 30/2020/NĐ-CP Arts 20-24): registered by the clerk
with the next số đến of the year's incoming register (a paper one with its scan, an electronic
one as the exchange delivered it), assigned by the leader to a lead handler and co-handlers with
a deadline in working days, handled with opinions, completed with an optional link to the reply.
An electronic document's sender is told each step (QCVN 102:2016 status messages)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xaso.core.audit import audit_record
from xaso.core.text import squash_spaces
from xaso.org.models import Staff

from .. import exchange_glue, permissions
from ..errors import (
    DeadlineInvalid,
    DocumentNotFound,
    HandlerInvalid,
    ReplyInvalid,
    TransitionNotAllowed,
)
from ..models import (
    Confidentiality,
    Direction,
    DocumentType,
    HandlingOpinion,
    IncomingDocument,
    IncomingSource,
    IncomingStatus,
    OutgoingDocument,
    OutgoingStatus,
    Urgency,
)
from .files import EXTENSIONS, SCAN_TYPES, check_file
from .numbering import number_next
from .outgoing import _choice, _cleared_staff, _text

S = IncomingStatus
#: Longest handling deadline the leader may set, in working days (about three months).
MAX_DEADLINE_DAYS = 66


def incoming_cleared_ids(document: IncomingDocument) -> set[int]:
    if not document.is_restricted:
        return set()
    return set(document.cleared.values_list("pk", flat=True))


def ensure_visible(actor: Staff, document: IncomingDocument) -> None:
    if not permissions.can_see_incoming(
        actor, document, cleared_ids=incoming_cleared_ids(document)
    ):
        raise DocumentNotFound(_("Không tìm thấy văn bản."))


def _locked(document: IncomingDocument) -> IncomingDocument:
    return (
        IncomingDocument.objects.select_for_update(of=("self",))
        .select_related("agency", "lead_handler")
        .get(pk=document.pk)
    )


def _report(
    document: IncomingDocument, *, status: str, actor: Staff, at: datetime, comment: str = ""
) -> None:
    """The status message back to the sender of an electronic document."""
    if document.source != IncomingSource.ELECTRONIC or not document.message_id:
        return
    exchange_glue.send_status(
        document_message_id=document.message_id,
        sender=document.agency,
        recipient_code=document.sender_code,
        recipient_name=document.sender_name,
        status=status,
        at=at,
        staff_name=actor.full_name or actor.username,
        comment=comment[:1000],
    )


def _number(document: IncomingDocument, *, actor: Staff, at: datetime) -> None:
    register, number = number_next(
        agency=document.agency, direction=Direction.INCOMING, year=timezone.localdate(at).year
    )
    document.register, document.incoming_number = register, number
    document.registered_at, document.registered_by = at, actor
    document.status = S.REGISTERED


@transaction.atomic
def incoming_create_paper(
    *,
    actor: Staff,
    sender_name: str,
    doc_type: str,
    subject: str,
    scan_data: bytes,
    scan_name: str,
    code_number: str = "",
    code_notation: str = "",
    promulgation_date: date | None = None,
    signer_name: str = "",
    urgency: str = Urgency.NORMAL,
    confidentiality: str = Confidentiality.NORMAL,
    cleared: Iterable[str] = (),
    arrived_at: datetime | None = None,
) -> IncomingDocument:
    """Tiếp nhận văn bản đến bằng giấy: the clerk enters it with its scan (PDF, JPEG, PNG) and it
    takes the next số đến of the year (Decree 30/2020 Art 22)."""
    permissions.require(
        permissions.can_register_incoming(actor), _("Chỉ văn thư được vào sổ văn bản đến.")
    )
    now = timezone.now()
    arrived = arrived_at or now
    if arrived > now:
        raise DeadlineInvalid(
            _("Ngày đến không được sau thời điểm hiện tại."),
            fields={"arrived_at": [_("Ngày trong tương lai.")]},
        )
    checked = check_file(scan_data, name=scan_name, accepted=SCAN_TYPES)
    cleared_staff = _cleared_staff(actor, cleared)
    document = IncomingDocument(
        agency=actor.agency,
        source=IncomingSource.PAPER,
        sender_name=_text(
            sender_name,
            field="sender_name",
            label=_("nơi gửi (tác giả)"),
            max_length=255,
            required=True,
        ),
        doc_type=_choice(doc_type, DocumentType, field="doc_type", label=_("Loại văn bản")),
        code_number=_text(
            code_number, field="code_number", label=_("số văn bản"), max_length=16, required=False
        ),
        code_notation=_text(
            code_notation, field="code_notation", label=_("ký hiệu"), max_length=64, required=False
        ),
        promulgation_date=promulgation_date,
        subject=_text(
            subject, field="subject", label=_("trích yếu"), max_length=500, required=True
        ),
        signer_name=_text(
            signer_name, field="signer_name", label=_("người ký"), max_length=128, required=False
        ),
        urgency=_choice(urgency, Urgency, field="urgency", label=_("Độ khẩn")),
        confidentiality=_choice(
            confidentiality, Confidentiality, field="confidentiality", label=_("Độ mật")
        ),
        file_name=checked.name,
        content_type=checked.content_type,
        sha256=checked.sha256,
        arrived_at=arrived,
        created_by=actor,
    )
    if promulgation_date is not None and promulgation_date > timezone.localdate(now):
        raise DeadlineInvalid(
            _("Ngày văn bản không được sau hôm nay."),
            fields={"promulgation_date": [_("Ngày trong tương lai.")]},
        )
    _number(document, actor=actor, at=now)
    document.file.save(
        f"{document.public_id}{EXTENSIONS[checked.content_type]}", checked.content(), save=False
    )
    document.save()
    if document.is_restricted and cleared_staff:
        document.cleared.set(cleared_staff)
    audit_record(
        actor=actor,
        action="document.incoming_create",
        obj=document,
        changes={
            "source": document.source,
            "incoming_number": document.incoming_number,
            "year": document.register.year if document.register else None,
            "sender": document.sender_name,
            "code": document.code_text,
            "sha256": document.sha256,
        },
    )
    return document


@transaction.atomic
def incoming_register(*, actor: Staff, document: IncomingDocument) -> IncomingDocument:
    """Vào sổ văn bản đến: an electronic document received by the exchange takes its số đến;
    the sender is told "registered"."""
    locked = _locked(document)
    ensure_visible(actor, locked)
    permissions.require(
        permissions.can_register_incoming(actor), _("Chỉ văn thư được vào sổ văn bản đến.")
    )
    if locked.status != S.RECEIVED:
        raise TransitionNotAllowed(_("Văn bản đã được vào sổ."))
    now = timezone.now()
    _number(locked, actor=actor, at=now)
    locked.save()
    _report(locked, status="registered", actor=actor, at=now)
    audit_record(
        actor=actor,
        action="document.incoming_register",
        obj=locked,
        changes={
            "status": [S.RECEIVED, S.REGISTERED],
            "incoming_number": locked.incoming_number,
            "year": locked.register.year if locked.register else None,
        },
    )
    return locked


def _handlers(actor: Staff, lead: str, co: Iterable[str]) -> tuple[Staff, list[Staff]]:
    names = [lead, *co]
    wanted = {n.strip() for n in names if n and n.strip()}
    staff = {
        s.username: s
        for s in Staff.objects.filter(
            agency_id=actor.agency_id, is_active=True, username__in=wanted
        ).prefetch_related("roles")
    }
    bad = sorted(
        n for n in wanted if n not in staff or not staff[n].has_role(*permissions.READ_ROLES)
    )
    if not lead or not lead.strip():
        raise HandlerInvalid(_("Cần chọn người chủ trì xử lý."), fields={"lead": [_("Bắt buộc.")]})
    if bad:
        raise HandlerInvalid(
            _("Không thể giao cho %(names)s: không phải cán bộ xử lý văn bản của cơ quan.")
            % {"names": ", ".join(bad)},
            fields={"lead" if lead.strip() in bad else "co_handlers": [_("Cán bộ không hợp lệ.")]},
        )
    lead_staff = staff[lead.strip()]
    co_staff = [
        staff[n]
        for n in sorted({c.strip() for c in co if c and c.strip()})
        if n != lead_staff.username
    ]
    return lead_staff, co_staff


@transaction.atomic
def incoming_assign(
    *,
    actor: Staff,
    document: IncomingDocument,
    lead: str,
    co_handlers: Iterable[str] = (),
    deadline_days: int,
    opinion: str = "",
) -> IncomingDocument:
    """Phân công: the leader names the lead handler (chủ trì) and co-handlers (phối hợp) and the
    deadline in working days from now (``xaso.workdays``); a new assignment replaces the last.
    The sender is told "assigned"."""
    from xaso.workdays.selectors import due_for

    locked = _locked(document)
    ensure_visible(actor, locked)
    permissions.require(
        permissions.can_act(actor, roles=permissions.ASSIGN_ROLES),
        _("Chỉ lãnh đạo được phân công xử lý văn bản đến."),
    )
    if locked.status not in (S.REGISTERED, S.ASSIGNED):
        raise TransitionNotAllowed(_("Chỉ phân công văn bản đã vào sổ và chưa giải quyết xong."))
    if not isinstance(deadline_days, int) or not 1 <= deadline_days <= MAX_DEADLINE_DAYS:
        raise DeadlineInvalid(
            _("Hạn xử lý từ 1 đến %(n)d ngày làm việc.") % {"n": MAX_DEADLINE_DAYS},
            fields={"deadline_days": [_("Không hợp lệ.")]},
        )
    lead_staff, co_staff = _handlers(actor, lead, co_handlers)
    now = timezone.now()
    first = locked.status == S.REGISTERED
    locked.lead_handler = lead_staff
    locked.assigned_by, locked.assigned_at = actor, now
    locked.deadline_days = deadline_days
    locked.due_at = due_for(
        received_at=now, working_days=deadline_days, agency=locked.agency
    ).due_at
    locked.status = S.ASSIGNED
    locked.save()
    locked.co_handlers.set(co_staff)
    if locked.is_restricted:
        # Assigning a confidential document is the leader's decision that its handlers see it.
        locked.cleared.add(lead_staff, *co_staff)
    note = squash_spaces(opinion or "")
    if note:
        HandlingOpinion.objects.create(document=locked, author=actor, text=note[:4000])
    if first:
        _report(locked, status="assigned", actor=actor, at=now)
    audit_record(
        actor=actor,
        action="document.incoming_assign",
        obj=locked,
        changes={
            "lead": lead_staff.username,
            "co_handlers": [s.username for s in co_staff],
            "deadline_days": deadline_days,
            "due_at": locked.due_at,
            "opinion": note,
            "cleared": sorted(incoming_cleared_ids(locked)) if locked.is_restricted else [],
        },
    )
    return locked


def _is_handler(actor: Staff, document: IncomingDocument) -> bool:
    return actor.pk == document.lead_handler_id or document.co_handlers.filter(pk=actor.pk).exists()


@transaction.atomic
def incoming_add_opinion(*, actor: Staff, document: IncomingDocument, text: str) -> HandlingOpinion:
    """Ý kiến xử lý by the leader or a handler of an assigned document; the first handler's
    opinion tells an electronic sender "processing"."""
    locked = _locked(document)
    ensure_visible(actor, locked)
    if locked.status != S.ASSIGNED:
        raise TransitionNotAllowed(_("Chỉ ghi ý kiến xử lý khi văn bản đang được xử lý."))
    handler = _is_handler(actor, locked)
    permissions.require(
        handler or permissions.can_act(actor, roles=permissions.ASSIGN_ROLES),
        _("Chỉ lãnh đạo và người được giao xử lý được ghi ý kiến."),
    )
    clean = _text(text, field="text", label=_("ý kiến"), max_length=4000, required=True)
    handler_ids = {locked.lead_handler_id, *locked.co_handlers.values_list("pk", flat=True)}
    first_by_handler = handler and not locked.opinions.filter(author_id__in=handler_ids).exists()
    opinion = HandlingOpinion.objects.create(document=locked, author=actor, text=clean)
    if first_by_handler:
        _report(locked, status="processing", actor=actor, at=opinion.at)
    audit_record(
        actor=actor, action="document.incoming_opinion", obj=locked, changes={"text": clean}
    )
    return opinion


@transaction.atomic
def incoming_complete(
    *,
    actor: Staff,
    document: IncomingDocument,
    result: str = "",
    reply: OutgoingDocument | None = None,
) -> IncomingDocument:
    """Hoàn thành: the lead handler or the leader closes the document, optionally naming the
    reply (an issued outgoing document of the agency). The sender is told "completed"."""
    locked = _locked(document)
    ensure_visible(actor, locked)
    permissions.require(
        actor.pk == locked.lead_handler_id
        or permissions.can_act(actor, roles=permissions.ASSIGN_ROLES),
        _("Chỉ người chủ trì xử lý hoặc lãnh đạo được kết thúc xử lý văn bản."),
    )
    if locked.status != S.ASSIGNED:
        raise TransitionNotAllowed(_("Chỉ kết thúc văn bản đã được phân công xử lý."))
    if reply is not None and (
        reply.agency_id != locked.agency_id or reply.status != OutgoingStatus.ISSUED
    ):
        raise ReplyInvalid(
            _("Văn bản trả lời phải là văn bản đi đã ban hành của cơ quan."),
            fields={"reply": [_("Không hợp lệ.")]},
        )
    now = timezone.now()
    locked.status = S.COMPLETED
    locked.completed_at, locked.completed_by = now, actor
    locked.result = _text(
        result, field="result", label=_("kết quả"), max_length=1000, required=False
    )
    locked.reply = reply
    locked.save()
    _report(locked, status="completed", actor=actor, at=now, comment=locked.result)
    audit_record(
        actor=actor,
        action="document.incoming_complete",
        obj=locked,
        changes={
            "status": [S.ASSIGNED, S.COMPLETED],
            "result": locked.result,
            "reply": reply.number_notation if reply is not None else None,
            "late": bool(locked.due_at and now > locked.due_at),
        },
    )
    return locked
