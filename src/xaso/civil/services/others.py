"""Đăng ký lại khai sinh, kết hôn, khai tử (Decree 123/2015 Arts 24-28); ghi vào Sổ hộ tịch việc
hộ tịch của công dân Việt Nam đã được giải quyết ở nước ngoài (district powers given to the
commune by Decree 120/2025); cấp bản sao trích lục hộ tịch and xác nhận thông tin hộ tịch
(Decree 87/2020)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xaso.dossiers.models import Dossier
from xaso.org.models import Staff

from ..errors import (
    AlreadyRegistered,
    DatesInconsistent,
    FieldInvalid,
    ForeignRecordInvalid,
    RecordNotFound,
    ReRegistrationNotAllowed,
)
from ..inputs import CleanParty, PersonData, Problems, clean_choice, clean_party, clean_text
from ..lookups import birth_entry_of, death_of, marriage_between
from ..models import CivilRecord, Event, PartyRole
from ..rules import FEE_EXEMPTIONS, PROCEDURES, RE_REGISTRATION_BEFORE, REQUESTERS
from . import births, checks, marriage
from .books import book_copies_add
from .common import Context, begin, entry_label, fee_assess, lock, write

Person = PersonData | Mapping[str, Any]

#: What each re-registration takes besides the original registration, with the defaults of the
#: optional parts (the arguments of ``civil_register_birth`` / ``_death`` / ``_marriage``).
RE_REGISTRATION_DETAILS: dict[str, dict[str, Any]] = {
    Event.BIRTH: {
        "child": None,
        "mother": None,
        "father": None,
        "declarant": None,
        "place_of_birth": "",
        "home_town": "",
        "birth_notice": "",
        "father_basis": "",
        "parents_marriage": "",
        "confirm_duplicate": False,
        "fee_exemption": "",
        "note": "",
    },
    Event.DEATH: {
        "deceased": None,
        "declarant": None,
        "date_of_death": None,
        "place_of_death": "",
        "time_of_death": "",
        "cause": "",
        "death_notice": "",
        "confirm_duplicate": False,
        "fee_exemption": "",
        "note": "",
    },
    Event.MARRIAGE: {"husband": None, "wife": None, "fee_exemption": "", "note": ""},
}


def refuse_if_original_on_record(ctx: Context, event: str, parties: list[CleanParty]) -> None:
    """Re-registration is for an event whose book is lost (Decree 123/2015 Art 24): if the
    agency's own register holds it, an extract copy is what the person needs."""
    found: CivilRecord | None = None
    if event == Event.BIRTH:
        found = birth_entry_of(ctx.agency, parties[0])
    elif event == Event.DEATH:
        found = death_of(ctx.agency, parties[0])
    elif event == Event.MARRIAGE:
        fact = marriage_between(ctx.agency, parties[0], parties[1])
        found = fact.record if fact else None
    if found is not None:
        raise ReRegistrationNotAllowed(
            "original_on_record",
            _(
                "Sổ hộ tịch của cơ quan còn lưu việc này (%(entry)s): cấp bản sao trích lục, "
                "không đăng ký lại."
            )
            % {"entry": entry_label(found)},
        )


@transaction.atomic
def civil_register_re_registration(
    *,
    actor: Staff,
    event: str,
    original_registered_on: date,
    original_place: str,
    original_number: str = "",
    details: Mapping[str, Any],
    registered_on: date | None = None,
    signer: Staff | None = None,
    dossier: Dossier | None = None,
) -> CivilRecord:
    """Đăng ký lại: a birth, marriage or death registered in Viet Nam before 1 January 2016 whose
    book and original paper are both lost (Decree 123/2015 Art 24). Written into the event's
    own book, marked as a re-registration with the original registration's date and place; the
    event's own checks apply (a marriage's ages on the original date). Not late, not exempt."""
    p = Problems()
    kind = clean_choice(p, "event", event, RE_REGISTRATION_DETAILS)
    place = clean_text(
        p, "original_place", original_place, required=_("Cần ghi nơi đã đăng ký trước đây.")
    )
    number = clean_text(p, "original_number", original_number)
    unknown = sorted(set(details) - set(RE_REGISTRATION_DETAILS[kind])) if kind else []
    for key in unknown:
        p.field("unknown_field", f"details.{key}", _("Trường không hỗ trợ."))
    p.raise_if_any()
    if original_registered_on >= RE_REGISTRATION_BEFORE:
        raise ReRegistrationNotAllowed(
            "original_after_2016",
            _(
                "Chỉ đăng ký lại việc đã đăng ký trước ngày 01/01/2016 (Nghị định 123/2015 Điều "
                "24)."
            ),
            field="original_registered_on",
        )
    ctx = begin(
        actor=actor, event=kind, registered_on=registered_on, signer=signer, dossier=dossier
    )
    if original_registered_on > ctx.registered_on:
        raise DatesInconsistent(
            "event_after_registration",
            _("Ngày đăng ký trước đây sau ngày đăng ký lại."),
            field="original_registered_on",
        )
    original = {
        "registered_on": original_registered_on.isoformat(),
        "place": place,
        "number": number,
    }
    values = {**RE_REGISTRATION_DETAILS[kind], **details}
    if kind == Event.BIRTH:
        return births._birth(ctx, original=original, **values)
    if kind == Event.DEATH:
        if values["date_of_death"] is None:
            raise FieldInvalid("required", _("Cần khai ngày chết."), field="details.date_of_death")
        return births._death(ctx, original=original, **values)
    return marriage._marriage(ctx, original=original, **values)


FOREIGN_VARIANTS = {
    "birth": gettext_lazy("Khai sinh"),
    "marriage": gettext_lazy("Kết hôn"),
    "divorce": gettext_lazy("Ly hôn, hủy việc kết hôn"),
    "death": gettext_lazy("Khai tử"),
}


@transaction.atomic
def civil_register_foreign_record(
    *,
    actor: Staff,
    variant: str,
    foreign_authority: str,
    country: str,
    foreign_document: str,
    event_date: date | None = None,
    place_of_event: str = "",
    child: Person | None = None,
    mother: Person | None = None,
    father: Person | None = None,
    husband: Person | None = None,
    wife: Person | None = None,
    deceased: Person | None = None,
    registered_on: date | None = None,
    fee_exemption: str = "",
    signer: Staff | None = None,
    dossier: Dossier | None = None,
    note: str = "",
) -> CivilRecord:
    """Ghi vào Sổ hộ tịch a birth, marriage, divorce or death of a Vietnamese citizen decided by
    a foreign authority: who, when, which authority and paper. At least one party is
    Vietnamese. A marriage is checked against Vietnamese law as of its date (ages) and the
    register (neither party married here); a divorce is noted beside the marriage entry when
    the register holds it (``marriage.civil_note_divorce``)."""
    ctx = begin(
        actor=actor,
        event=Event.FOREIGN_RECORD,
        registered_on=registered_on,
        signer=signer,
        dossier=dossier,
    )
    p = Problems()
    kind = clean_choice(p, "variant", variant, FOREIGN_VARIANTS)
    content: dict[str, Any] = {
        "foreign_authority": clean_text(
            p,
            "foreign_authority",
            foreign_authority,
            required=_("Cần ghi cơ quan nước ngoài đã giải quyết."),
        ),
        "country": clean_text(p, "country", country, required=_("Cần ghi tên nước.")),
        "foreign_document": clean_text(
            p,
            "foreign_document",
            foreign_document,
            required=_("Cần ghi số, ngày giấy tờ nước ngoài."),
        ),
        "place_of_event": clean_text(p, "place_of_event", place_of_event),
        "note": clean_text(p, "note", note),
    }
    exemption = (
        clean_choice(p, "fee_exemption", fee_exemption, FEE_EXEMPTIONS) if (fee_exemption) else ""
    )
    today = ctx.today
    parties: list[CleanParty | None] = []
    if kind == "birth":
        kid = clean_party(
            p,
            PartyRole.CHILD,
            child,
            today=today,
            need={"name_parts", "sex", "date_of_birth", "nationality"},
        )
        mum = (
            clean_party(p, PartyRole.MOTHER, mother, today=today, need={"birth", "nationality"})
            if mother is not None
            else None
        )
        dad = (
            clean_party(p, PartyRole.FATHER, father, today=today, need={"birth", "nationality"})
            if father is not None
            else None
        )
        parties = [kid, mum, dad]
    elif kind in ("marriage", "divorce"):
        need = {"date_of_birth", "nationality"}
        parties = [
            clean_party(p, PartyRole.HUSBAND, husband, today=today, need=need),
            clean_party(p, PartyRole.WIFE, wife, today=today, need=need),
        ]
    elif kind == "death":
        parties = [
            clean_party(
                p, PartyRole.DECEASED, deceased, today=today, need={"sex", "birth", "nationality"}
            )
        ]
    if kind and kind != "birth" and event_date is None:
        p.field("required", "event_date", _("Cần ghi ngày xảy ra sự kiện."))
    p.raise_if_any()
    known = [x for x in parties if x is not None]
    if kind == "birth":
        assert known[0].date_of_birth is not None
        event_date = known[0].date_of_birth
        for parent in known[1:]:
            checks.born_after_parent(p, event_date, parent)
    assert event_date is not None
    if event_date > today:
        p.field("date_in_future", "event_date", _("Ngày xảy ra sự kiện không thể sau hôm nay."))
    checks.event_not_after(p, "event_date", event_date, ctx.registered_on)
    if not any(checks.is_vietnamese(x) for x in known):
        p.add(
            ForeignRecordInvalid(
                "no_vietnamese_party",
                _("Chỉ ghi vào Sổ hộ tịch việc hộ tịch của công dân Việt Nam."),
                field="nationality",
            )
        )
    if kind == "marriage":
        checks.marriage_ages(p, known, event_date)
    if kind == "death":
        dead = known[0]
        if (dead.date_of_birth and event_date < dead.date_of_birth) or (
            dead.birth_year and event_date.year < dead.birth_year
        ):
            p.add(
                DatesInconsistent(
                    "death_before_birth",
                    _("Ngày chết trước ngày sinh của người chết."),
                    field="event_date",
                )
            )
    p.raise_if_any()

    married: CivilRecord | None = None
    if kind == "divorce":
        fact = marriage_between(ctx.agency, known[0], known[1])
        married = fact.record if fact else None
    book = lock(ctx, known, records=[married] if married else [])
    if kind == "birth" and birth_entry_of(ctx.agency, known[0]) is not None:
        raise AlreadyRegistered(_("Sổ hộ tịch của cơ quan đã có việc khai sinh của người này."))
    if kind == "death" and death_of(ctx.agency, known[0]) is not None:
        raise AlreadyRegistered(_("Sổ hộ tịch của cơ quan đã có việc khai tử của người này."))
    if kind == "marriage":
        if marriage_between(ctx.agency, known[0], known[1]) is not None:
            raise AlreadyRegistered(_("Sổ hộ tịch của cơ quan đã có việc kết hôn này."))
        marriage.refuse_if_dead(ctx, known)
        marriage.refuse_if_married(ctx, known)
    if married is not None:
        if married.event_date and event_date < married.event_date:
            raise DatesInconsistent(
                "divorce_before_marriage", _("Ngày ly hôn trước ngày kết hôn."), field="event_date"
            )
        content["marriage_record"] = {
            "record": str(married.public_id),
            "entry": entry_label(married),
        }
    fee = fee_assess(
        procedure_code=PROCEDURES[(Event.FOREIGN_RECORD, kind, "")], personal_exemption=exemption
    )
    record = write(
        ctx,
        book,
        variant=kind,
        parties=parties,
        content=content,
        fee=fee,
        event_date=event_date,
        target=married,
    )
    if married is not None:
        marriage.civil_note_divorce(
            actor=actor,
            marriage=married,
            decided_on=event_date,
            authority=f"{content['foreign_authority']}, {content['country']}",
            decision=content["foreign_document"],
            source=record,
        )
    return record


#: Entries an extract is issued from (a confirmation or a copy is not itself copied).
COPYABLE = (
    Event.BIRTH,
    Event.DEATH,
    Event.MARRIAGE,
    Event.PARENTAGE,
    Event.GUARDIANSHIP,
    Event.CHANGE,
    Event.FOREIGN_RECORD,
)
MAX_COPIES = 50


def _own(ctx: Context, record: CivilRecord) -> CivilRecord:
    if record.agency_id != ctx.agency.pk:
        raise RecordNotFound(_("Không tìm thấy mục hộ tịch."))
    return record


@transaction.atomic
def civil_register_extract_copy(
    *,
    actor: Staff,
    source: CivilRecord,
    requester: Person,
    copies: int = 1,
    purpose: str = "",
    registered_on: date | None = None,
    fee_exemption: str = "",
    signer: Staff | None = None,
    dossier: Dossier | None = None,
    note: str = "",
) -> CivilRecord:
    """Cấp bản sao trích lục hộ tịch (Decree 87/2020): copies of the extract of an entry of the
    agency's register, issued any time after it, counted on the entry (``copies_issued``). The
    requester is the person concerned, their family, guardian or someone authorised. Fee from
    the catalogue (procedure 2.000635)."""
    ctx = begin(
        actor=actor,
        event=Event.EXTRACT_COPY,
        registered_on=registered_on,
        signer=signer,
        dossier=dossier,
    )
    p = Problems()
    who = clean_party(p, PartyRole.REQUESTER, requester, today=ctx.today, relationships=REQUESTERS)
    if not 1 <= copies <= MAX_COPIES:
        p.field("copies_invalid", "copies", _("Số bản sao từ 1 đến %(n)d.") % {"n": MAX_COPIES})
    content: dict[str, Any] = {
        "purpose": clean_text(p, "purpose", purpose),
        "copies": copies,
        "note": clean_text(p, "note", note),
    }
    exemption = (
        clean_choice(p, "fee_exemption", fee_exemption, FEE_EXEMPTIONS) if (fee_exemption) else ""
    )
    p.raise_if_any()
    _own(ctx, source)
    if source.event not in COPYABLE:
        raise FieldInvalid(
            "invalid_choice", _("Không cấp bản sao trích lục từ loại việc này."), field="source"
        )
    checks.event_not_after(p, "source", source.registered_on, ctx.registered_on)
    p.raise_if_any()
    book = lock(ctx, [who], records=[source])
    content["source"] = {
        "record": str(source.public_id),
        "entry": entry_label(source),
        "event": source.event,
    }
    fee = fee_assess(
        procedure_code=PROCEDURES[(Event.EXTRACT_COPY, "", "")],
        personal_exemption=exemption,
        copies=copies,
    )
    record = write(
        ctx,
        book,
        parties=[who],
        content=content,
        fee=fee,
        event_date=ctx.registered_on,
        target=source,
        copies=copies,
        audit={"source": str(source.public_id), "copies": copies},
    )
    book_copies_add(source, copies)
    return record


@transaction.atomic
def civil_register_info_confirmation(
    *,
    actor: Staff,
    requester: Person,
    records: Sequence[CivilRecord],
    purpose: str,
    registered_on: date | None = None,
    fee_exemption: str = "",
    signer: Staff | None = None,
    dossier: Dossier | None = None,
    note: str = "",
) -> CivilRecord:
    """Xác nhận thông tin hộ tịch (Decree 87/2020): one confirmation of several events or several
    people of the agency's register, for a stated purpose. Fee from the catalogue (2.002516)."""
    ctx = begin(
        actor=actor,
        event=Event.INFO_CONFIRMATION,
        registered_on=registered_on,
        signer=signer,
        dossier=dossier,
    )
    p = Problems()
    who = clean_party(p, PartyRole.REQUESTER, requester, today=ctx.today, relationships=REQUESTERS)
    content: dict[str, Any] = {
        "purpose": clean_text(p, "purpose", purpose, required=_("Cần ghi mục đích sử dụng.")),
        "note": clean_text(p, "note", note),
    }
    chosen = list({r.pk: r for r in records}.values())
    if not chosen:
        p.field("required", "records", _("Cần chọn ít nhất một mục hộ tịch."))
    if len(chosen) > MAX_COPIES:
        p.field("too_long", "records", _("Nhiều nhất %(n)d mục.") % {"n": MAX_COPIES})
    exemption = (
        clean_choice(p, "fee_exemption", fee_exemption, FEE_EXEMPTIONS) if (fee_exemption) else ""
    )
    p.raise_if_any()
    for r in chosen:
        _own(ctx, r)
        checks.event_not_after(p, "records", r.registered_on, ctx.registered_on)
    p.raise_if_any()
    book = lock(ctx, [who])
    content["records"] = [
        {"record": str(r.public_id), "entry": entry_label(r), "event": r.event} for r in chosen
    ]
    fee = fee_assess(
        procedure_code=PROCEDURES[(Event.INFO_CONFIRMATION, "", "")], personal_exemption=exemption
    )
    return write(ctx, book, parties=[who], content=content, fee=fee, event_date=ctx.registered_on)
