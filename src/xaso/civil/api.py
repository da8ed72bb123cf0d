"""The civil status registers over JSON (mounted at /api/v1/civil): one POST per kind of
registration, a record, the books, the search, and the catalogue terms of each registration.

Registering is for the agency's civil status officers and leaders (403 for other staff); what is
outside the caller's agency, or outside what their role may see, is 404 like a missing one.
Every refusal of the law's rules is 4xx ``{"code", "message", "fields"}`` with the codes listed
in ``xaso.civil.errors``."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import ninja
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router

from xaso.core.errors import InvalidInput, PermissionDenied
from xaso.core.schemas import ErrorOut
from xaso.dossiers.models import Dossier
from xaso.dossiers.selectors import dossier_get_for
from xaso.org.models import Staff
from xaso.procedures.models import Procedure

from . import permissions, selectors, services
from .current import CurrentRecord, record_current
from .errors import SignerInvalid
from .models import BOOK_NAMES, CivilBook, CivilRecord, Event
from .rules import PROCEDURES
from .schemas import (
    BirthIn,
    BookCloseIn,
    BookOut,
    BooksIn,
    ChangeIn,
    CommonIn,
    DeathIn,
    DivorceIn,
    EventTermsOut,
    ExtractCopyIn,
    ForeignRecordIn,
    GuardianshipIn,
    GuardianshipTerminationIn,
    InfoConfirmationIn,
    MaritalStatusIn,
    MarriageIn,
    ParentageIn,
    PartyIn,
    RecordOut,
    ReRegistrationIn,
    SearchIn,
    SearchPageOut,
)
from .services.common import entry_label

router = Router(tags=["civil"])

ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}
CREATED: dict[int, Any] = {201: RecordOut, **ERRORS}


def _actor(request: HttpRequest) -> Staff:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _registrar(request: HttpRequest) -> Staff:
    """The caller, who must be allowed to register (checked before any id is looked up, so a
    caller without the role gets 403, not a 404 for the ids in the payload)."""
    actor = _actor(request)
    permissions.require_register(actor)
    return actor


def _party(p: PartyIn | None) -> dict[str, Any] | None:
    return None if p is None else p.model_dump(exclude_none=True)


def _common(actor: Staff, payload: CommonIn) -> dict[str, Any]:
    signer: Staff | None = None
    if payload.signer:
        signer = (
            Staff.objects.select_related("agency")
            .prefetch_related("roles")
            .filter(username=payload.signer, agency_id=actor.agency_id)
            .first()
        )
        if signer is None:
            raise SignerInvalid(
                "signer_invalid",
                _("Người ký phải là lãnh đạo đang công tác của cơ quan đăng ký."),
                field="signer",
            )
    dossier: Dossier | None = None
    if payload.dossier:
        dossier = dossier_get_for(actor=actor, code=payload.dossier)
    return {"registered_on": payload.registered_on, "signer": signer, "dossier": dossier}


def _extra(payload: CommonIn) -> dict[str, Any]:
    return {"fee_exemption": payload.fee_exemption or "", "note": payload.note}


def _book_ref(book: CivilBook) -> dict[str, Any]:
    return {
        "id": book.public_id,
        "event": book.event,
        "year": book.year,
        "number": book.number,
        "label": str(book),
    }


def _person(view: Any) -> dict[str, Any]:
    return {
        "role": view.role,
        "full_name": view.full_name,
        "sex": view.sex,
        "date_of_birth": view.date_of_birth,
        "birth_year": view.birth_year,
        "id_number": view.id_number,
    }


def record_out(now: CurrentRecord) -> dict[str, Any]:
    """A record as the API shows it: its current values and the amendments behind them."""
    r = now.record
    return {
        "id": r.public_id,
        "event": r.event,
        "event_label": str(Event(r.event).label),
        "variant": r.variant,
        "book": _book_ref(r.book),
        "entry_number": r.entry_number,
        "page": r.page,
        "registered_on": r.registered_on,
        "event_date": r.event_date,
        "late": r.late,
        "valid_until": r.valid_until,
        "target": r.target.public_id if r.target_id and r.target else None,
        "procedure": r.procedure.code if r.procedure_id and r.procedure else None,
        "fee_amount_vnd": r.fee_amount_vnd,
        "fee_note": r.fee_note,
        "copies_issued": r.copies_issued,
        "registrar": r.registrar_name,
        "signer": {"name": r.signer_name, "title": r.signer_title} if r.signer_id else None,
        "dossier": r.dossier.code if r.dossier_id and r.dossier else None,
        "parties": [
            {
                "role": v.role,
                "family_name": v.family_name,
                "middle_name": v.middle_name,
                "given_name": v.given_name,
                "full_name": v.full_name,
                "sex": v.sex,
                "date_of_birth": v.date_of_birth,
                "birth_year": v.birth_year,
                "id_number": v.id_number,
                "ethnicity": v.ethnicity,
                "nationality": v.nationality,
                "residence": v.residence,
                "relationship": v.relationship,
                "added_by": v.added_by,
                "amended": sorted(v.amended),
            }
            for v in now.parties.values()
        ],
        "content": now.content,
        "amendments": [
            {
                "kind": a.kind,
                "role": a.role,
                "field": a.field,
                "old_value": a.old_value,
                "new_value": a.new_value,
                "effective_on": a.effective_on,
                "basis": a.basis,
                "source": a.source.public_id if a.source_id and a.source else None,
                "source_entry": entry_label(a.source) if a.source_id and a.source else None,
            }
            for a in now.amendments
        ],
    }


def _written(record: CivilRecord) -> ninja.Status:
    """201 with the record just written (the writer's own entry: not audited as a read)."""
    fresh = (
        CivilRecord.objects.select_related(
            "book", "target", "procedure", "dossier", "signer", "registrar"
        )
        .prefetch_related(*selectors.RECORD_PREFETCH)
        .get(pk=record.pk)
    )
    return ninja.Status(201, record_out(record_current(fresh)))


# --- Registrations ----------------------------------------------------------------------------


@router.post("/birth", response=CREATED)
def birth_register(request: HttpRequest, payload: BirthIn) -> ninja.Status:
    """Đăng ký khai sinh. 409 ``likely_duplicate`` (repeat with ``confirm_duplicate``), 409
    ``parents_marriage_not_found`` (give ``father_basis``), 400 for the law's checks."""
    actor = _registrar(request)
    child = payload.child.model_dump(exclude_none=True)
    place, home = child.pop("place_of_birth"), child.pop("home_town")
    record = services.civil_register_birth(
        actor=actor,
        child=child,
        mother=_party(payload.mother) or {},
        father=_party(payload.father),
        declarant=_party(payload.declarant) or {},
        place_of_birth=place,
        home_town=home,
        birth_notice=payload.birth_notice,
        father_basis=payload.father_basis or "",
        parents_marriage=payload.parents_marriage,
        confirm_duplicate=payload.confirm_duplicate,
        **_common(actor, payload),
        **_extra(payload),
    )
    return _written(record)


@router.post("/death", response=CREATED)
def death_register(request: HttpRequest, payload: DeathIn) -> ninja.Status:
    """Đăng ký khai tử."""
    actor = _registrar(request)
    record = services.civil_register_death(
        actor=actor,
        deceased=_party(payload.deceased) or {},
        declarant=_party(payload.declarant) or {},
        date_of_death=payload.date_of_death,
        place_of_death=payload.place_of_death,
        time_of_death=payload.time_of_death,
        cause=payload.cause,
        death_notice=payload.death_notice,
        confirm_duplicate=payload.confirm_duplicate,
        **_common(actor, payload),
        **_extra(payload),
    )
    return _written(record)


@router.post("/marriage", response=CREATED)
def marriage_register(request: HttpRequest, payload: MarriageIn) -> ninja.Status:
    """Đăng ký kết hôn. 409 ``party_already_married`` / ``party_deceased`` from the register."""
    actor = _registrar(request)
    record = services.civil_register_marriage(
        actor=actor,
        husband=_party(payload.husband) or {},
        wife=_party(payload.wife) or {},
        **_common(actor, payload),
        **_extra(payload),
    )
    return _written(record)


@router.post("/marital-status", response=CREATED)
def marital_status_register(request: HttpRequest, payload: MaritalStatusIn) -> ninja.Status:
    """Cấp Giấy xác nhận tình trạng hôn nhân (valid 6 months)."""
    actor = _registrar(request)
    record = services.civil_register_marital_status(
        actor=actor,
        person=_party(payload.person) or {},
        declared_status=payload.declared_status,
        purpose=payload.purpose,
        purpose_kind=payload.purpose_kind,
        intended_spouse=_party(payload.intended_spouse),
        confirm_duplicate=payload.confirm_duplicate,
        **_common(actor, payload),
        **_extra(payload),
    )
    return _written(record)


@router.post("/parentage", response=CREATED)
def parentage_register(request: HttpRequest, payload: ParentageIn) -> ninja.Status:
    """Đăng ký nhận cha, mẹ, con."""
    actor = _registrar(request)
    record = services.civil_register_parentage(
        actor=actor,
        parent=_party(payload.parent) or {},
        child=_party(payload.child) or {},
        recognized_as=payload.recognized_as,
        requested_by=payload.requested_by,
        **_common(actor, payload),
        **_extra(payload),
    )
    return _written(record)


@router.post("/guardianship", response=CREATED)
def guardianship_register(request: HttpRequest, payload: GuardianshipIn) -> ninja.Status:
    """Đăng ký giám hộ."""
    actor = _registrar(request)
    record = services.civil_register_guardianship(
        actor=actor,
        ward=_party(payload.ward) or {},
        guardian=_party(payload.guardian) or {},
        basis=payload.basis,
        appointment_document=payload.appointment_document,
        ward_condition=payload.ward_condition,
        **_common(actor, payload),
        **_extra(payload),
    )
    return _written(record)


@router.post("/guardianship-termination", response=CREATED)
def guardianship_termination_register(
    request: HttpRequest, payload: GuardianshipTerminationIn
) -> ninja.Status:
    """Đăng ký chấm dứt giám hộ."""
    actor = _registrar(request)
    appointment = selectors.record_get_for(actor=actor, public_id=payload.appointment)
    record = services.civil_register_guardianship_termination(
        actor=actor,
        appointment=appointment,
        reason=payload.reason,
        reason_detail=payload.reason_detail,
        **_common(actor, payload),
        **_extra(payload),
    )
    return _written(record)


@router.post("/change", response=CREATED)
def change_register(request: HttpRequest, payload: ChangeIn) -> ninja.Status:
    """Thay đổi, cải chính, bổ sung thông tin hộ tịch, xác định lại dân tộc of an entry of the
    caller's agency (``target``); the entry stays, the change is recorded against it."""
    actor = _registrar(request)
    target = selectors.record_get_for(actor=actor, public_id=payload.target)
    record = services.civil_register_change(
        actor=actor,
        target=target,
        kind=payload.kind,
        changes=[c.model_dump() for c in payload.changes],
        reason=payload.reason,
        requester=_party(payload.requester) or {},
        subject_consent=payload.subject_consent,
        **_common(actor, payload),
        **_extra(payload),
    )
    return _written(record)


@router.post("/re-registration", response=CREATED)
def re_registration_register(request: HttpRequest, payload: ReRegistrationIn) -> ninja.Status:
    """Đăng ký lại khai sinh, kết hôn, khai tử: ``event`` and the matching section
    (``birth``, ``death`` or ``marriage``, shaped as the event's own registration)."""
    actor = _registrar(request)
    section = getattr(payload, payload.event)
    if section is None:
        raise InvalidInput(
            _("Thiếu nội dung của việc đăng ký lại."),
            fields={payload.event: [_("Trường này là bắt buộc.")]},
        )
    details = section.model_dump(exclude_none=True)
    if payload.event == "birth":
        child = details["child"]
        details["place_of_birth"] = child.pop("place_of_birth")
        details["home_town"] = child.pop("home_town")
    details["fee_exemption"] = payload.fee_exemption or ""
    details["note"] = payload.note
    record = services.civil_register_re_registration(
        actor=actor,
        event=payload.event,
        original_registered_on=payload.original.registered_on,
        original_place=payload.original.place,
        original_number=payload.original.number,
        details=details,
        **_common(actor, payload),
    )
    return _written(record)


@router.post("/foreign-record", response=CREATED)
def foreign_record_register(request: HttpRequest, payload: ForeignRecordIn) -> ninja.Status:
    """Ghi vào Sổ hộ tịch việc khai sinh, kết hôn, ly hôn, khai tử của công dân Việt Nam đã giải
    quyết ở nước ngoài (``variant``)."""
    actor = _registrar(request)
    record = services.civil_register_foreign_record(
        actor=actor,
        variant=payload.variant,
        foreign_authority=payload.foreign_authority,
        country=payload.country,
        foreign_document=payload.foreign_document,
        event_date=payload.event_date,
        place_of_event=payload.place_of_event,
        child=_party(payload.child),
        mother=_party(payload.mother),
        father=_party(payload.father),
        husband=_party(payload.husband),
        wife=_party(payload.wife),
        deceased=_party(payload.deceased),
        **_common(actor, payload),
        **_extra(payload),
    )
    return _written(record)


@router.post("/extract-copy", response=CREATED)
def extract_copy_register(request: HttpRequest, payload: ExtractCopyIn) -> ninja.Status:
    """Cấp bản sao trích lục hộ tịch of an entry (``source``); counted on it."""
    actor = _registrar(request)
    source = selectors.record_get_for(actor=actor, public_id=payload.source)
    record = services.civil_register_extract_copy(
        actor=actor,
        source=source,
        requester=_party(payload.requester) or {},
        copies=payload.copies,
        purpose=payload.purpose,
        **_common(actor, payload),
        **_extra(payload),
    )
    return _written(record)


@router.post("/info-confirmation", response=CREATED)
def info_confirmation_register(request: HttpRequest, payload: InfoConfirmationIn) -> ninja.Status:
    """Xác nhận thông tin hộ tịch of one or more entries of the caller's agency."""
    actor = _registrar(request)
    records = [selectors.record_get_for(actor=actor, public_id=pk) for pk in payload.records]
    record = services.civil_register_info_confirmation(
        actor=actor,
        requester=_party(payload.requester) or {},
        records=records,
        purpose=payload.purpose,
        **_common(actor, payload),
        **_extra(payload),
    )
    return _written(record)


@router.post("/records/{record_id}/divorce", response={200: RecordOut, **ERRORS})
def record_divorce(request: HttpRequest, record_id: UUID, payload: DivorceIn) -> dict[str, Any]:
    """Ghi chú ly hôn / hủy việc kết hôn beside a marriage entry, from a court's decision."""
    actor = _registrar(request)
    marriage = selectors.record_get_for(actor=actor, public_id=record_id)
    services.civil_note_divorce(
        actor=actor,
        marriage=marriage,
        kind=payload.kind,
        decided_on=payload.decided_on,
        authority=payload.authority,
        decision=payload.decision,
    )
    return record_out(selectors.record_read_for(actor=actor, public_id=record_id))


# --- Reads ------------------------------------------------------------------------------------


@router.get("/records/{record_id}", response={200: RecordOut, **ERRORS})
def record_detail(request: HttpRequest, record_id: UUID) -> dict[str, Any]:
    """One entry as it reads now, with the amendments behind it. Audited (``civil.read``)."""
    return record_out(selectors.record_read_for(actor=_actor(request), public_id=record_id))


def _book_out(book: CivilBook) -> dict[str, Any]:
    return {
        **_book_ref(book),
        "name": str(BOOK_NAMES[Event(book.event)]),
        "opened_on": book.opened_on,
        "entries": book.last_number,
        "last_registered_on": book.last_registered_on,
        "entries_per_page": book.entries_per_page,
        "closed_on": book.closed_on,
        "closed_by": book.closed_by.username if book.closed_by_id and book.closed_by else None,
        "closing_signer_name": book.closing_signer_name,
        "closing_signer_title": book.closing_signer_title,
        "total_entries": book.total_entries,
        "total_pages": book.total_pages,
        "closing_totals": book.closing_totals,
    }


@router.get("/books", response={200: list[BookOut], **ERRORS})
def book_list(request: HttpRequest, filters: Query[BooksIn]) -> list[dict[str, Any]]:
    """The caller's agency's register books, newest year first."""
    books = selectors.book_list_for(
        actor=_actor(request), event=filters.event or None, year=filters.year
    )
    return [_book_out(b) for b in books]


@router.post("/books/{book_id}/close", response={200: BookOut, **ERRORS})
def book_close(request: HttpRequest, book_id: UUID, payload: BookCloseIn) -> dict[str, Any]:
    """Khóa sổ (the leader, from 31 December of the book's year): totals of entries and pages."""
    actor = _actor(request)
    book = selectors.book_get_for(actor=actor, public_id=book_id)
    if not permissions.can_close_book(actor, book.agency):
        raise PermissionDenied(_("Chỉ lãnh đạo cơ quan được khóa sổ hộ tịch."))
    return _book_out(services.book_close(actor=actor, book=book, closed_on=payload.closed_on))


@router.get("/search", response={200: SearchPageOut, **ERRORS})
def record_search(request: HttpRequest, filters: Query[SearchIn]) -> dict[str, Any]:
    """Search the caller's agency's registers: ``q`` a part of the name (tone marks, case, đ/d
    ignored), ``birth_date`` or ``birth_year``, ``id_number`` (same person), ``parent`` a part
    of the mother's or father's name, ``event``, ``book``. Newest first; follow ``next``."""
    page = selectors.record_search_for(
        actor=_actor(request),
        q=filters.q,
        parent=filters.parent,
        birth_date=filters.birth_date,
        birth_year=filters.birth_year,
        id_number=filters.id_number,
        event=filters.event,
        book=filters.book,
        after=filters.after,
        limit=filters.limit,
    )
    items = []
    for now in page.items:
        summary = selectors.record_summary(now)
        r = now.record
        items.append(
            {
                "id": r.public_id,
                "event": r.event,
                "variant": r.variant,
                "book": _book_ref(r.book),
                "entry_number": r.entry_number,
                "registered_on": r.registered_on,
                "event_date": r.event_date,
                "subjects": [_person(v) for v in summary["subjects"]],
                "parents": [_person(v) for v in summary["parents"]],
            }
        )
    return {"items": items, "next": page.next_cursor}


@router.get("/events", response={200: list[EventTermsOut], **ERRORS})
def event_terms(request: HttpRequest) -> list[dict[str, Any]]:
    """Each kind of registration with its catalogue procedure, time limit and fee, as the
    catalogue publishes them (null where the catalogue is silent: nothing is invented)."""
    procedures = {p.code: p for p in Procedure.objects.filter(code__in=set(PROCEDURES.values()))}
    rows = []
    for (event, variant, case), code in PROCEDURES.items():
        p = procedures.get(code) if code else None
        rows.append(
            {
                "event": event,
                "variant": variant,
                "case": case,
                "procedure": code,
                "procedure_name": p.name if p else None,
                "time_limit_kind": p.time_limit_kind if p else None,
                "time_limit_value": p.time_limit_value if p else None,
                "time_limit_cutoff_hour": p.time_limit_cutoff_hour if p else None,
                "fee_amount_vnd": p.fee_amount_vnd if p else None,
                "fee_provincial_rate": p.fee_provincial_rate if p else None,
                "needs_confirmation": list(p.needs_confirmation) if p else [],
            }
        )
    return rows
