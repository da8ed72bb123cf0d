"""The one-stop documents of real dossiers: the ONLY place that maps the ORM (Dossier, its events,
checklist, applicant and agencies) to the frozen values of ``documents`` (vn-rules.md §1.6).

Each ``*_for`` takes the actor and a dossier the actor may see (``selectors.dossier_get_for``),
refuses a document the dossier's history does not support (``DocumentNotApplicable``, 409: no
refusal notice for a dossier that was not refused), then reads the applicant. That read is a
read of personal data (Decree 13/2023/NĐ-CP) and is audited like ``dossier_applicant_read``:
one ``person.read`` entry per document produced, naming the dossier and the document kind. A
refused request reads nothing and logs nothing.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db.models import Min, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xaso.core.audit import audit_record
from xaso.core.errors import Conflict, InvalidInput, PermissionDenied
from xaso.core.text import nfc, squash_spaces
from xaso.org.models import Agency, Staff
from xaso.people.models import Person
from xaso.procedures.models import Procedure, TimeLimitKind
from xaso.workdays.clock import to_vietnam_time

from .documents import (
    ApologyLetter,
    Channel,
    ControlSheet,
    HandOver,
    Issuer,
    ReceiptSlip,
    RefusalNotice,
    StopNotice,
    SubmittedDocument,
    SupplementItem,
    SupplementRequest,
    TrackingBook,
    TrackingBookRow,
)
from .models import Dossier, DossierEvent, Status
from .selectors import dossier_events, dossier_get_for


class DocumentNotApplicable(Conflict):
    """The dossier's history has no such document: no refusal notice unless it was refused, no
    supplement request unless one was made, and so on."""

    code = "document_not_applicable"


class DocumentKind(enum.StrEnum):
    """The per-dossier documents of the API's ``documents/{kind}.pdf``."""

    RECEIPT = "receipt"
    SUPPLEMENT = "supplement"
    REFUSAL = "refusal"
    APOLOGY = "apology"
    STOP = "stop"
    CONTROL_SHEET = "control_sheet"


#: Who may print the agency's tracking book (Sổ theo dõi hồ sơ): the counter that keeps it and the
#: leader who signs it off. Not the administrator: admins manage accounts, not dossiers, and the
#: book shows applicants' names, addresses and phones.
TRACKING_BOOK_ROLES = frozenset({"reception", "leader"})
#: A longer period is a report, not a register to print (statistics cover it).
TRACKING_BOOK_MAX_DAYS = 366

# Unit names start with the kind of unit (Resolution 1211/2016 names); the date line names the
# place without it ("Xã Thanh Sơn" → "Thanh Sơn, ngày ...").
_UNIT_PREFIXES = (
    "Thành phố",
    "Thị trấn",
    "Đặc khu",
    "Thị xã",
    "Phường",
    "Huyện",
    "Quận",
    "Tỉnh",
    "Xã",
)


def place_name(unit_name: str) -> str:
    """The place of the date line: the unit's name without its kind ("Xã Thanh Sơn" → "Thanh
    Sơn", "Thành phố Hà Nội" → "Hà Nội"). A numbered ward keeps its kind ("Phường 1"): "1, ngày
    ..." names no place."""
    name = squash_spaces(nfc(unit_name))
    for prefix in _UNIT_PREFIXES:
        head, rest = name[: len(prefix)], name[len(prefix) :]
        if head.casefold() == prefix.casefold() and rest.startswith(" "):
            rest = rest.strip()
            return name if rest.isdigit() else rest
    return name


def issuer_for(agency: Agency) -> Issuer:
    """The agency heading a document: its name, the body above it, the place of its unit."""
    parent = agency.parent.name if agency.parent_id and agency.parent else ""
    return Issuer(name=agency.name, parent_name=parent, place=place_name(agency.unit.name))


def lookup_url(code: str) -> str:
    """The public status page of a dossier, as the receipt's QR code opens it."""
    base = str(settings.XASO_PUBLIC_BASE_URL).rstrip("/")
    return f"{base}/lookup/{quote(code, safe='')}/"


def processing_time_words(procedure: Procedure, agency: Agency) -> str:
    """Item 3 of the receipt, the statutory limit as the citizen reads it: "03 ngày làm việc",
    or for a same-day procedure the receiving agency's cut-off (the clock applies that one)."""
    kind, value = procedure.time_limit_kind, procedure.time_limit_value
    if kind == TimeLimitKind.WORKING_DAYS and value is not None:
        return f"{value:02d} ngày làm việc"
    if kind == TimeLimitKind.WORKING_HOURS and value is not None:
        return f"{value:02d} giờ làm việc"
    if kind == TimeLimitKind.SAME_DAY_CUTOFF:
        cutoff: time = agency.same_day_cutoff
        hour = f"{cutoff.hour} giờ" + (f" {cutoff.minute:02d}" if cutoff.minute else "")
        return f"Trong ngày (nhận sau {hour} thì trả kết quả trong ngày làm việc tiếp theo)"
    # Intake refuses unconfirmed limits, so a dossier never gets here; the catalogue may change.
    return str(TimeLimitKind(kind).label)


def _name(staff: Staff | None) -> str:
    return staff.full_name if staff is not None else ""


def _applicant(actor: Staff, dossier: Dossier, kind: DocumentKind) -> Person:
    """The applicant, for a document about to be produced: audited as ``person.read``."""
    audit_record(
        actor=actor,
        action="person.read",
        obj=dossier.applicant,
        changes={"via": "dossier.document", "dossier": dossier.code, "document": kind.value},
    )
    return dossier.applicant


def _last(events: Sequence[DossierEvent], action: str) -> DossierEvent | None:
    found = [e for e in events if e.action == action]
    return found[-1] if found else None


#: What each document of one event is about: the event's action, the refusal when the dossier's
#: history has none, and the status the dossier must still be in (None: any).
_SOURCES: dict[DocumentKind, tuple[str, Any, Status | None]] = {
    DocumentKind.SUPPLEMENT: (
        "request_supplement",
        gettext_lazy("Hồ sơ chưa có yêu cầu bổ sung nên không có phiếu yêu cầu bổ sung."),
        None,
    ),
    DocumentKind.REFUSAL: (
        "refuse",
        gettext_lazy("Hồ sơ không bị từ chối giải quyết nên không có phiếu từ chối."),
        Status.REFUSED,
    ),
    DocumentKind.APOLOGY: (
        "apologize",
        gettext_lazy("Hồ sơ chưa có xin lỗi và hẹn lại nên không có phiếu xin lỗi."),
        None,
    ),
    DocumentKind.STOP: (
        "withdraw",
        gettext_lazy("Hồ sơ không dừng giải quyết theo yêu cầu nên không có thông báo dừng."),
        Status.WITHDRAWN,
    ),
}


def _event_for(dossier: Dossier, kind: DocumentKind) -> DossierEvent:
    """The latest event a document of ``kind`` is about (``_SOURCES``); refused (409, nothing
    read, nothing audited) when the history has none or the dossier left the status."""
    action, message, status = _SOURCES[kind]
    event = _last(list(dossier_events(dossier)), action)
    if event is None or (status is not None and dossier.status != status):
        raise DocumentNotApplicable(str(message))
    return event


def _about(actor: Staff, dossier: Dossier, kind: DocumentKind) -> tuple[DossierEvent, Person]:
    """The event of the document, then the applicant it is addressed to (read and audited only
    once the document is known to apply)."""
    event = _event_for(dossier, kind)
    return event, _applicant(actor, dossier, kind)


def _heading(dossier: Dossier, person: Person, agency: Agency) -> dict[str, Any]:
    """What every per-dossier document opens with: the issuing agency, the code, the procedure
    and the applicant."""
    return {
        "issuer": issuer_for(agency),
        "dossier_code": dossier.code,
        "procedure_name": dossier.procedure.name,
        "applicant_name": person.full_name,
    }


def _signer(event: DossierEvent, default_title: str) -> dict[str, Any]:
    """Who signs a letter: the officer who acted, under their title or the usual one."""
    actor = event.actor
    return {
        "signer_title": (actor.title if actor else "") or default_title,
        "signer_name": _name(actor),
        "issued_at": event.at,
    }


def receipt_for(*, actor: Staff, dossier: Dossier) -> ReceiptSlip:
    """Form 01 as printed at intake: the appointment is the one given that day."""
    received = _last(list(dossier_events(dossier)), "receive")
    person = _applicant(actor, dossier, DocumentKind.RECEIPT)
    receiving = dossier.receiving_agency
    return ReceiptSlip(
        **_heading(dossier, person, receiving),
        applicant_address=person.address,
        applicant_phone=person.phone,
        applicant_email=person.email,
        documents=tuple(
            SubmittedDocument(item.name, item.originals, item.copies)
            for item in dossier.checklist.all()
        ),
        received_at=dossier.received_at,
        due_at=dossier.initial_due_at,
        channel=Channel(dossier.channel),
        officer_name=_name(received.actor) if received is not None else "",
        lookup_url=lookup_url(dossier.code),
        processing_time=processing_time_words(dossier.procedure, receiving),
        result_place=(
            "Qua dịch vụ bưu chính công ích" if dossier.channel == "post" else "Bộ phận Một cửa"
        ),
    )


def supplement_request_for(*, actor: Staff, dossier: Dossier) -> SupplementRequest:
    """Form 02 of the latest supplement request (there is normally only one)."""
    event, person = _about(actor, dossier, DocumentKind.SUPPLEMENT)
    return SupplementRequest(
        **_heading(dossier, person, event.agency),
        applicant_address=person.address,
        received_at=dossier.received_at,
        items=tuple(
            SupplementItem(str(item), event.note) for item in event.data.get("missing", [])
        ),
        officer_name=_name(event.actor),
        contact_phone=event.actor.phone if event.actor else "",
        issued_at=event.at,
    )


def refusal_for(*, actor: Staff, dossier: Dossier) -> RefusalNotice:
    """Form 03, for a refused dossier, with the reason recorded by the refusal."""
    event, person = _about(actor, dossier, DocumentKind.REFUSAL)
    return RefusalNotice(
        **_heading(dossier, person, event.agency),
        applicant_address=person.address,
        reason=dossier.refusal_reason,
        officer_name=_name(event.actor),
        issued_at=event.at,
    )


def apology_for(*, actor: Staff, dossier: Dossier) -> ApologyLetter:
    """The apology and new appointment of the latest ``apologize``: the appointment it replaced
    and the new one, as the event recorded them."""
    event = _event_for(dossier, DocumentKind.APOLOGY)
    old, new = (datetime.fromisoformat(value) for value in event.data["due_at"])
    person = _applicant(actor, dossier, DocumentKind.APOLOGY)
    return ApologyLetter(
        **_heading(dossier, person, event.agency),
        **_signer(event, "Thủ trưởng cơ quan"),
        received_at=dossier.received_at,
        old_due_at=old,
        new_due_at=new,
        reason=str(event.data.get("reason", dossier.apology_reason)),
    )


def stop_notice_for(*, actor: Staff, dossier: Dossier) -> StopNotice:
    """Thông báo dừng giải quyết, for a dossier withdrawn at the applicant's request."""
    event, person = _about(actor, dossier, DocumentKind.STOP)
    return StopNotice(
        **_heading(dossier, person, event.agency),
        **_signer(event, "Người tiếp nhận hồ sơ"),
        applicant_address=person.address,
        received_at=dossier.received_at,
        requested_at=event.at,
        reason=dossier.withdrawal_reason,
    )


#: Rows named after what the event did; the others are named after the step entered.
_ROW_LABELS = {
    "request_supplement": "Yêu cầu bổ sung hồ sơ",
    "approve": "Phê duyệt, chuyển kết quả về Bộ phận Một cửa",
    "mark_ready": "Có kết quả, chờ trả",
    "return_result": "Trả kết quả",
    "refuse": "Từ chối giải quyết",
    "withdraw": "Dừng giải quyết theo yêu cầu",
    "transfer": "Chuyển liên thông",
}
#: Events after which the dossier is with the applicant, not with an officer.
_TO_APPLICANT = frozenset({"request_supplement", "return_result", "refuse", "withdraw"})


def hand_overs(
    dossier: Dossier, events: Sequence[DossierEvent], applicant_name: str
) -> list[HandOver]:
    """Form 05 rows from the events: each row is one holding, from the hand-over that started it
    (``received_at``) to the next hand-over (``done_at``), measured against the deadline of the
    step entered. The hand-over after approval is measured against the statutory appointment
    (processing ends when the result is ready, Decision 766); an apology hands nothing over."""
    moves = [e for e in events if e.action != "apologize"]
    agency_names = dict(
        Agency.objects.filter(
            code__in=[e.data.get("to_agency") for e in moves if e.action == "transfer"]
        ).values_list("code", "name")
    )
    rows = []
    for i, e in enumerate(moves):
        nxt = moves[i + 1] if i + 1 < len(moves) else None
        if e.action in _TO_APPLICANT:
            to_name = applicant_name
        elif e.action == "transfer":
            code = str(e.data.get("to_agency", ""))
            to_name = agency_names.get(code, code)
        elif e.assignee is not None:
            to_name = e.assignee.full_name
        else:
            to_name = _name(nxt.actor) if nxt is not None else ""
        if e.action == "approve":
            deadline: datetime | None = dossier.statutory_due_at
        elif e.action in _TO_APPLICANT:
            deadline = None  # the applicant's time is not the office's (the clock is paused)
        else:
            deadline = e.step_due_at
        label = _ROW_LABELS.get(e.action) or (e.step.name if e.step else e.action)
        rows.append(
            HandOver(
                step=label,
                from_name=applicant_name if e.action == "receive" else _name(e.actor),
                to_name=to_name,
                received_at=e.at,
                deadline=deadline,
                done_at=nxt.at if nxt is not None else None,
                note=e.note,
            )
        )
    return rows


def control_sheet_for(*, actor: Staff, dossier: Dossier) -> ControlSheet:
    """Form 05: every hand-over with its times and on-time / late marks."""
    events = list(dossier_events(dossier))
    person = _applicant(actor, dossier, DocumentKind.CONTROL_SHEET)
    return ControlSheet(
        **_heading(dossier, person, dossier.receiving_agency),
        received_at=dossier.received_at,
        due_at=dossier.due_at,
        handling_agency=dossier.competent_agency.name,
        hand_overs=tuple(hand_overs(dossier, events, person.full_name)),
    )


BUILDERS: dict[DocumentKind, Callable[..., Any]] = {
    DocumentKind.RECEIPT: receipt_for,
    DocumentKind.SUPPLEMENT: supplement_request_for,
    DocumentKind.REFUSAL: refusal_for,
    DocumentKind.APOLOGY: apology_for,
    DocumentKind.STOP: stop_notice_for,
    DocumentKind.CONTROL_SHEET: control_sheet_for,
}


def document_for(*, actor: Staff, code: str, kind: str) -> Any:
    """The frozen value of document ``kind`` of dossier ``code``, for ``render_document``; a
    dossier outside the actor's agencies is 404 like a missing one."""
    dossier = dossier_get_for(actor=actor, code=code)
    return BUILDERS[DocumentKind(kind)](actor=actor, dossier=dossier)


def can_read_tracking_book(actor: Staff) -> bool:
    return bool(actor.is_authenticated and actor.is_active and actor.has_role(*TRACKING_BOOK_ROLES))


def _day_start(day: date) -> datetime:
    return to_vietnam_time(datetime.combine(day, time(0, 0)))


def tracking_book_check(
    *, actor: Staff, start: date, end: date, agency: Agency | None = None
) -> None:
    """Refuse a book the actor may not have (role, another agency) or a period that is not one
    (ends before it starts, longer than ``TRACKING_BOOK_MAX_DAYS``)."""
    if not can_read_tracking_book(actor):
        raise PermissionDenied(_("Bạn không có quyền xem sổ theo dõi hồ sơ."))
    if agency is not None and agency.pk != actor.agency_id:
        raise PermissionDenied(_("Chỉ xem được sổ theo dõi hồ sơ của cơ quan mình."))
    if end < start:
        raise InvalidInput(
            _("Ngày kết thúc phải từ ngày bắt đầu trở đi."),
            fields={"to": [_("Phải từ ngày bắt đầu trở đi.")]},
        )
    if (end - start).days >= TRACKING_BOOK_MAX_DAYS:
        raise InvalidInput(
            _("Mỗi lần in sổ tối đa %(days)s ngày.") % {"days": TRACKING_BOOK_MAX_DAYS},
            fields={"to": [_("Khoảng thời gian quá dài.")]},
        )


def _book_dossiers(agency: Agency, start: date, end: date) -> QuerySet[Dossier]:
    return Dossier.objects.filter(
        receiving_agency_id=agency.pk,
        received_at__gte=_day_start(start),
        received_at__lt=_day_start(end + timedelta(days=1)),
    )


def tracking_book_file_name(start: date, end: date, extension: str, *, tag: str = "") -> str:
    """ "so-theo-doi-ho-so-20260101-20261231.pdf"; ``tag`` makes a stored name unique."""
    suffix = f"-{tag}" if tag else ""
    return f"so-theo-doi-ho-so-{start:%Y%m%d}-{end:%Y%m%d}{suffix}.{extension}"


def tracking_book_size(*, actor: Staff, start: date, end: date) -> int:
    """How many dossiers the actor's book for the period would list (one COUNT, nothing read of
    the applicants, nothing audited): the direct download refuses a book too large to print
    while the caller waits."""
    tracking_book_check(actor=actor, start=start, end=end)
    return _book_dossiers(actor.agency, start, end).count()


def tracking_book_for(
    *, actor: Staff, start: date, end: date, agency: Agency | None = None
) -> TrackingBook:
    """Sổ theo dõi hồ sơ of the actor's agency: the dossiers its counter received from ``start``
    to ``end`` (both included, Vietnam days), in order of reception. The book is the receiving
    counter's register, so a dossier received elsewhere "phi địa giới" is in the other one's.
    Audited once per book as ``dossier.tracking_book`` with the codes whose applicants it shows."""
    tracking_book_check(actor=actor, start=start, end=end, agency=agency)
    own = actor.agency
    received = _book_dossiers(own, start, end)
    dossiers = list(
        received.select_related("procedure", "applicant", "competent_agency").order_by(
            "received_at", "code"
        )
    )
    # "Ngày chuyển hồ sơ đến cơ quan giải quyết": the first hand-over from the counter.
    sent = dict(
        DossierEvent.objects.filter(
            dossier__in=received.values("pk"), action__in=("assign", "transfer")
        )
        .order_by()
        .values("dossier_id")
        .annotate(first=Min("at"))
        .values_list("dossier_id", "first")
    )
    closed_notes = {Status.REFUSED, Status.WITHDRAWN, Status.TRANSFERRED}
    rows = [
        TrackingBookRow(
            dossier_code=d.code,
            procedure_name=d.procedure.name,
            applicant_name=d.applicant.full_name,
            applicant_address=d.applicant.address,
            applicant_phone=d.applicant.phone,
            handling_agency=d.competent_agency.name,
            received_at=d.received_at,
            due_at=d.due_at,
            transferred_at=sent.get(d.pk),
            result_received_at=d.result_ready_at,
            returned_at=d.returned_at,
            note=str(Status(d.status).label) if d.status in closed_notes else "",
        )
        for d in dossiers
    ]
    audit_record(
        actor=actor,
        action="dossier.tracking_book",
        obj=own,
        object_id=own.code,
        changes={
            "from": start.isoformat(),
            "to": end.isoformat(),
            "dossiers": [d.code for d in dossiers],
        },
    )
    return TrackingBook(
        issuer=issuer_for(own), period_start=start, period_end=end, rows=tuple(rows)
    )
