"""The one-stop dossiers over JSON: intake, the work queue, one dossier, the workflow actions,
and the public status lookup (no login, rate-limited per client address)."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any, Literal

import ninja
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from ninja import Field, Query, Router, Schema
from ninja.responses import NinjaJSONEncoder

from xaso.core.errors import InvalidInput
from xaso.core.pagecache import kept
from xaso.core.ratelimit import public_lookup_allowed
from xaso.core.schemas import ErrorOut
from xaso.org.models import Staff

from . import selectors, services
from .errors import Throttled
from .models import CLOCK_RUNNING, Dossier, Status
from .timing import next_due

router = Router(tags=["dossiers"])

ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}
#: The actions of ``services.workflow.TRANSITIONS`` (a test keeps the two equal).
ActionName = Literal[
    "apologize",
    "approve",
    "assign",
    "forward",
    "mark_ready",
    "receive_supplement",
    "refuse",
    "request_supplement",
    "return_result",
    "transfer",
    "withdraw",
]


def _vn(moment: datetime | None) -> datetime | None:
    return timezone.localtime(moment) if moment is not None else None


class ApplicantIn(Schema):
    full_name: str | None = Field(None, max_length=260)
    personal_id: str | None = Field(None, max_length=20, alias="id_number")
    date_of_birth: date | None = None
    phone: str | None = Field(None, max_length=32)
    email: str | None = Field(None, max_length=254)
    address: str | None = Field(None, max_length=255)

    model_config = {"populate_by_name": True}


class ChecklistIn(Schema):
    document: int = Field(description="Số thứ tự giấy tờ trong thành phần hồ sơ của thủ tục")
    originals: int = Field(0, ge=0, le=99)
    copies: int = Field(0, ge=0, le=99)


class DossierIn(Schema):
    procedure: str = Field(max_length=20, description="Mã thủ tục, ví dụ 1.001193")
    channel: Literal["counter", "post", "online"]
    applicant: ApplicantIn
    checklist: list[ChecklistIn] = []
    competent_agency: str | None = Field(
        None, description="Mã cơ quan có thẩm quyền nếu khác cơ quan tiếp nhận (phi địa giới)"
    )
    note: str = Field("", max_length=2000)


class StepOut(Schema):
    order: int
    name: str
    role: str


class SupplementOut(Schema):
    count: int
    requested_at: datetime | None
    received_at: datetime | None
    missing: list[str]
    late: bool = Field(description="Yêu cầu bổ sung quá một lần: tính trễ hạn (QĐ 766)")
    paused_seconds: int


class ChecklistOut(Schema):
    order: int
    name: str
    originals: int
    copies: int


class DossierOut(Schema):
    code: str
    status: str
    status_label: str
    national_status: int = Field(description="Mã trạng thái đồng bộ DVCQG (1-10)")
    procedure: str
    procedure_name: str
    channel: str
    national_channel: int = Field(
        description="KenhThucHien: 1 trực tiếp, 2 trực tuyến, 3 bưu chính"
    )
    receiving_agency: str
    competent_agency: str
    received_at: datetime
    counted_from: datetime
    due_at: datetime
    initial_due_at: datetime
    statutory_due_at: datetime
    overdue: bool
    step: StepOut | None
    assignee: str | None
    step_due_at: datetime | None
    supplement: SupplementOut
    apologized_at: datetime | None
    apology_reason: str
    finished_at: datetime | None
    result_ready_at: datetime | None
    returned_at: datetime | None
    refusal_reason: str
    withdrawal_reason: str
    checklist: list[ChecklistOut]


class ApplicantOut(Schema):
    personal_id: str
    full_name: str
    date_of_birth: date | None
    phone: str
    email: str
    address: str


class EventOut(Schema):
    action: str
    from_status: str
    to_status: str
    actor: str | None
    agency: str
    step: int | None
    assignee: str | None
    step_due_at: datetime | None
    note: str
    data: dict[str, Any]
    at: datetime


class DossierDetailOut(DossierOut):
    applicant: ApplicantOut
    events: list[EventOut]


class DossierListItemOut(Schema):
    code: str
    status: str
    status_label: str
    procedure: str
    procedure_name: str
    channel: str
    applicant_name: str
    due_at: datetime
    overdue: bool
    step: str | None
    assignee: str | None


class DossierPageOut(Schema):
    items: list[DossierListItemOut]
    next: str | None = Field(description="Con trỏ trang sau (tham số after), null khi hết")


class ListIn(Schema):
    status: str | None = None
    q: str | None = Field(None, max_length=100)
    overdue: bool | None = None
    procedure: str | None = Field(None, max_length=20)
    channel: Literal["counter", "post", "online"] | None = None
    mine: bool = Field(False, description="Chỉ hồ sơ đang giao cho tôi")
    after: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=200)


class ActionIn(Schema):
    """The fields of every action; each action reads its own (see the action's description)."""

    assignee: str | None = Field(None, description="assign, forward: tên đăng nhập cán bộ")
    step: int | None = Field(
        None, description="assign, forward: số thứ tự bước (mặc định: kế tiếp)"
    )
    missing: list[str] = Field([], description="request_supplement: giấy tờ, nội dung cần bổ sung")
    reason: str = Field("", max_length=2000, description="refuse, withdraw, apologize: lý do")
    new_due_at: datetime | None = Field(None, description="apologize: ngày hẹn trả mới")
    agency: str | None = Field(None, description="transfer: mã cơ quan nhận hồ sơ")
    note: str = Field("", max_length=2000)


class PublicStatusOut(Schema):
    code: str
    procedure: str
    status: str
    received_at: datetime
    due_at: datetime
    missing: list[str]


def _overdue(d: Dossier, now: datetime) -> bool:
    return d.status in CLOCK_RUNNING and d.due_at < now


def _dossier(d: Dossier, *, checklist: bool = True) -> dict[str, Any]:
    now = timezone.now()
    step = d.current_step
    return {
        "code": d.code,
        "status": d.status,
        "status_label": str(Status(d.status).label),
        "national_status": d.national_status,
        "procedure": d.procedure.code,
        "procedure_name": d.procedure.name,
        "channel": d.channel,
        "national_channel": d.national_channel,
        "receiving_agency": d.receiving_agency.code,
        "competent_agency": d.competent_agency.code,
        "received_at": _vn(d.received_at),
        "counted_from": _vn(d.counted_from),
        "due_at": _vn(d.due_at),
        "initial_due_at": _vn(d.initial_due_at),
        "statutory_due_at": _vn(d.statutory_due_at),
        "overdue": _overdue(d, now),
        "step": {"order": step.order, "name": step.name, "role": step.role} if step else None,
        "assignee": d.assignee.username if d.assignee else None,
        "step_due_at": _vn(d.step_due_at),
        "supplement": {
            "count": d.supplement_count,
            "requested_at": _vn(d.supplement_requested_at),
            "received_at": _vn(d.supplement_received_at),
            "missing": d.supplement_missing,
            "late": d.supplement_late,
            "paused_seconds": d.supplement_paused_seconds,
        },
        "apologized_at": _vn(d.apologized_at),
        "apology_reason": d.apology_reason,
        "finished_at": _vn(d.finished_at),
        "result_ready_at": _vn(d.result_ready_at),
        "returned_at": _vn(d.returned_at),
        "refusal_reason": d.refusal_reason,
        "withdrawal_reason": d.withdrawal_reason,
        "checklist": [
            {"order": c.order, "name": c.name, "originals": c.originals, "copies": c.copies}
            for c in d.checklist.all()
        ]
        if checklist
        else [],
    }


def _actor(request: HttpRequest) -> Staff:
    return request.auth  # type: ignore[attr-defined,no-any-return]


@router.post("/dossiers", response={201: DossierOut, **ERRORS})
def dossier_create(request: HttpRequest, payload: DossierIn) -> ninja.Status:
    """Tiếp nhận hồ sơ (reception staff). The code and the appointment come from the server; a
    procedure whose time limit is not confirmed in working days or hours is refused (409,
    ``time_limit_unconfirmed``) rather than given a guessed appointment."""
    actor = _actor(request)
    competent = (
        selectors.agency_for_transfer(code=payload.competent_agency)
        if payload.competent_agency
        else None
    )
    applicant = payload.applicant.model_dump(exclude_none=True)
    dossier = services.dossier_receive(
        actor=actor,
        procedure_code=payload.procedure,
        channel=payload.channel,
        applicant=applicant,
        checklist=[c.model_dump() for c in payload.checklist],
        competent_agency=competent,
        note=payload.note,
    )
    return ninja.Status(201, _dossier(selectors.dossier_get_for(actor=actor, code=dossier.code)))


@router.get("/dossiers", response={200: DossierPageOut, **ERRORS})
def dossier_list(request: HttpRequest, filters: Query[ListIn]) -> HttpResponse:
    """The caller's work queue, soonest due first; follow ``next`` with ``after`` for more.

    Kept like the work-queue page (core.pagecache): the same official asking the same again
    gets the same bytes until a dossier of the agency, an applicant, the catalogue or the
    official's roles change, or one of the listed dossiers falls due."""
    actor = _actor(request)

    def build() -> tuple[bytes, datetime | None]:
        page = selectors.dossier_page_for(
            actor=actor,
            limit=filters.limit,
            status=filters.status,
            q=filters.q,
            overdue=filters.overdue,
            procedure=filters.procedure,
            channel=filters.channel,
            assignee=actor if filters.mine else None,
            after=filters.after,
        )
        now = timezone.now()
        items = [
            {
                "code": d.code,
                "status": d.status,
                "status_label": str(Status(d.status).label),
                "procedure": d.procedure.code,
                "procedure_name": d.procedure.name,
                "channel": d.channel,
                "applicant_name": d.applicant.full_name,
                "due_at": _vn(d.due_at),
                "overdue": _overdue(d, now),
                "step": d.current_step.name if d.current_step else None,
                "assignee": d.assignee.username if d.assignee else None,
            }
            for d in page.items
        ]
        out = DossierPageOut.model_validate({"items": items, "next": page.next_cursor})
        body = json.dumps(out.model_dump(), cls=NinjaJSONEncoder).encode()
        return body, next_due(page.items, now)

    key = ("api:dossier_list", actor.pk, get_language(), filters.model_dump_json())
    scopes = ("org", "people", "catalogue", f"dossiers:{actor.agency_id}")
    return HttpResponse(kept(key, scopes, build), content_type="application/json")


@router.get("/dossiers/{code}", response={200: DossierDetailOut, **ERRORS})
def dossier_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    """One dossier with its applicant (the read is audited) and its history (Form 05 data)."""
    actor = _actor(request)
    d = selectors.dossier_get_for(actor=actor, code=code)
    person = selectors.dossier_applicant_read(actor=actor, dossier=d)
    body = _dossier(d)
    body["applicant"] = {
        "personal_id": person.personal_id,
        "full_name": person.full_name,
        "date_of_birth": person.date_of_birth,
        "phone": person.phone,
        "email": person.email,
        "address": person.address,
    }
    body["events"] = [
        {
            "action": e.action,
            "from_status": e.from_status,
            "to_status": e.to_status,
            "actor": e.actor.username if e.actor else None,
            "agency": e.agency.code,
            "step": e.step.order if e.step else None,
            "assignee": e.assignee.username if e.assignee else None,
            "step_due_at": _vn(e.step_due_at),
            "note": e.note,
            "data": e.data,
            "at": _vn(e.at),
        }
        for e in selectors.dossier_events(d)
    ]
    return body


def _required(value: Any, field: str) -> Any:
    if value in (None, ""):
        raise InvalidInput("Thiếu thông tin bắt buộc.", fields={field: ["Trường này là bắt buộc."]})
    return value


def _act(actor: Staff, d: Dossier, action: str, p: ActionIn) -> Dossier:
    if action in ("assign", "forward"):
        assignee = selectors.staff_for_assignment(
            dossier=d, username=_required(p.assignee, "assignee")
        )
        fn = services.dossier_assign if action == "assign" else services.dossier_forward
        return fn(actor=actor, dossier=d, assignee=assignee, step=p.step, note=p.note)
    if action == "request_supplement":
        return services.dossier_request_supplement(
            actor=actor, dossier=d, missing=p.missing, note=p.note
        )
    if action == "refuse":
        return services.dossier_refuse(actor=actor, dossier=d, reason=p.reason)
    if action == "withdraw":
        return services.dossier_withdraw(actor=actor, dossier=d, reason=p.reason)
    if action == "apologize":
        return services.dossier_apologize(
            actor=actor,
            dossier=d,
            new_due_at=_required(p.new_due_at, "new_due_at"),
            reason=p.reason,
        )
    if action == "transfer":
        agency = selectors.agency_for_transfer(code=_required(p.agency, "agency"))
        return services.dossier_transfer(actor=actor, dossier=d, agency=agency, note=p.note)
    simple = {
        "receive_supplement": services.dossier_receive_supplement,
        "approve": services.dossier_approve,
        "mark_ready": services.dossier_mark_ready,
        "return_result": services.dossier_return_result,
    }
    return simple[action](actor=actor, dossier=d, note=p.note)


@router.post("/dossiers/{code}/actions/{action}", response={200: DossierOut, **ERRORS})
def dossier_action(
    request: HttpRequest, code: str, action: ActionName, payload: ActionIn
) -> dict[str, Any]:
    """A workflow action: assign / forward {assignee, step?}, request_supplement {missing},
    receive_supplement, approve, refuse {reason}, apologize {new_due_at, reason}, mark_ready,
    return_result, withdraw {reason}, transfer {agency}; ``note`` on any. An action the dossier's
    status does not allow is refused with 409 ``transition_not_allowed`` and changes nothing."""
    actor = _actor(request)
    d = selectors.dossier_get_for(actor=actor, code=code)
    _act(actor, d, action, payload)
    return _dossier(selectors.dossier_get_for(actor=actor, code=code))


def _throttle(request: HttpRequest) -> None:
    """The public lookups' budget per client address (core.ratelimit): the code is guessable,
    the lookup must not become an enumeration tool."""
    if not public_lookup_allowed(request):
        raise Throttled("Tra cứu quá nhiều lần; vui lòng thử lại sau một phút.")


@router.get(
    "/public/dossiers/{code}",
    auth=None,
    response={200: PublicStatusOut, 404: ErrorOut, 429: ErrorOut},
)
def dossier_public(request: HttpRequest, code: str) -> dict[str, Any]:
    """Tra cứu tình trạng hồ sơ, no login: the procedure, the status, the received and due times
    and what is missing when a supplement is requested. Never the applicant's data."""
    _throttle(request)
    s = selectors.dossier_public_status(code)
    return {
        "code": s.code,
        "procedure": s.procedure,
        "status": s.status,
        "received_at": s.received_at,
        "due_at": s.due_at,
        "missing": s.missing,
    }
