"""Đăng ký kết hôn (Law on Civil Status 2014 Arts 17-18; Marriage and Family Law 2014 Arts 5 and
8), xác nhận tình trạng hôn nhân (Decree 123/2015 Arts 21-23), and the note of a divorce or
annulment beside a marriage entry (Law Art 3.2)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xaso.core.audit import audit_record
from xaso.dossiers.models import Dossier
from xaso.org.models import Staff

from .. import permissions
from ..errors import (
    AmendmentInvalid,
    DatesInconsistent,
    MaritalStatusContradicts,
    PartyAlreadyMarried,
    PartyDeceased,
    PreviousConfirmationValid,
)
from ..inputs import CleanParty, PersonData, Problems, clean_choice, clean_party, clean_text
from ..lookups import confirmations_valid, current_marriage, death_of, marriages_of
from ..models import AmendmentKind, CivilAmendment, CivilRecord, Event, PartyRole
from ..rules import FEE_EXEMPTIONS, PROCEDURES, marital_confirmation_valid_until
from . import checks
from .books import agency_lock
from .common import Context, begin, entry_label, fee_assess, lock, write

Person = PersonData | Mapping[str, Any]
SPOUSE_NEEDS = frozenset({"date_of_birth", "ethnicity", "nationality", "residence"})
MARITAL_STATUSES = {
    "single": gettext_lazy("Chưa đăng ký kết hôn với ai"),
    "married": gettext_lazy("Đang có vợ/chồng"),
    "divorced": gettext_lazy("Đã ly hôn, chưa kết hôn với người khác"),
    "widowed": gettext_lazy("Vợ/chồng đã chết, chưa kết hôn với người khác"),
}
PURPOSES = {
    "marriage": gettext_lazy("Để đăng ký kết hôn"),
    "other": gettext_lazy("Mục đích khác"),
}


def refuse_if_dead(ctx: Context, parties: list[CleanParty]) -> None:
    for party in parties:
        death = death_of(ctx.agency, party)
        if death is not None:
            raise PartyDeceased(
                _("Sổ đăng ký khai tử có việc khai tử của %(name)s (%(entry)s).")
                % {"name": party.full_name, "entry": entry_label(death)},
                fields={party.role: [entry_label(death)]},
            )


def refuse_if_married(ctx: Context, parties: list[CleanParty]) -> None:
    """Marriage and Family Law 2014 Art 5.2.c forbids marrying while married; the agency looks
    the parties up in its own register (Decree 07/2025) instead of asking for paper."""
    for party in parties:
        fact = current_marriage(ctx.agency, party)
        if fact is not None:
            spouse = fact.spouse.full_name if fact.spouse else ""
            raise PartyAlreadyMarried(
                _(
                    "%(name)s đang có vợ/chồng theo Sổ đăng ký kết hôn của cơ quan: kết hôn với "
                    "%(spouse)s (%(entry)s), chưa có ghi chú ly hôn hay khai tử."
                )
                % {"name": party.full_name, "spouse": spouse, "entry": entry_label(fact.record)},
                fields={party.role: [entry_label(fact.record)]},
            )


def _fee_exemption(p: Problems, value: str) -> str:
    return clean_choice(p, "fee_exemption", value, FEE_EXEMPTIONS) if value else ""


@transaction.atomic
def civil_register_marriage(
    *,
    actor: Staff,
    husband: Person,
    wife: Person,
    registered_on: date | None = None,
    fee_exemption: str = "",
    signer: Staff | None = None,
    dossier: Dossier | None = None,
    note: str = "",
) -> CivilRecord:
    """Đăng ký kết hôn: both parties' names, dates of birth, ethnicity, nationality, residence
    and identity papers (Law Art 17.2). The man is fully 20, the woman fully 18 on the day
    (Marriage and Family Law Art 8); neither is married or dead according to the agency's
    register. Free for Vietnamese citizens (Law Art 11.1)."""
    ctx = begin(
        actor=actor,
        event=Event.MARRIAGE,
        registered_on=registered_on,
        signer=signer,
        dossier=dossier,
    )
    return _marriage(ctx, husband=husband, wife=wife, fee_exemption=fee_exemption, note=note)


def _marriage(
    ctx: Context,
    *,
    husband: Person,
    wife: Person,
    fee_exemption: str,
    note: str,
    original: Mapping[str, Any] | None = None,
) -> CivilRecord:
    p = Problems()
    man = clean_party(p, PartyRole.HUSBAND, husband, today=ctx.today, need=SPOUSE_NEEDS)
    woman = clean_party(p, PartyRole.WIFE, wife, today=ctx.today, need=SPOUSE_NEEDS)
    content: dict[str, Any] = {"note": clean_text(p, "note", note)}
    exemption = _fee_exemption(p, fee_exemption)
    p.raise_if_any()
    assert man is not None and woman is not None
    married_on = date.fromisoformat(original["registered_on"]) if original else ctx.registered_on
    for party in (man, woman):
        assert party.date_of_birth is not None
        checks.event_not_after(p, f"{party.role}.date_of_birth", party.date_of_birth, married_on)
    if not p:
        checks.marriage_ages(p, [man, woman], married_on)
    p.raise_if_any()

    variant = "re_registration" if original else ""
    book = lock(ctx, [man, woman])
    if original:
        from .others import refuse_if_original_on_record

        refuse_if_original_on_record(ctx, Event.MARRIAGE, [man, woman])
        content["original"] = dict(original)
    refuse_if_dead(ctx, [man, woman])
    refuse_if_married(ctx, [man, woman])
    vietnamese = checks.is_vietnamese(man) and checks.is_vietnamese(woman)
    fee = fee_assess(
        procedure_code=PROCEDURES[(Event.MARRIAGE, variant, "")],
        law_exempt=_("đăng ký kết hôn của công dân Việt Nam")
        if vietnamese and not original
        else "",
        personal_exemption=exemption,
    )
    return write(
        ctx,
        book,
        variant=variant,
        parties=[man, woman],
        content=content,
        fee=fee,
        event_date=married_on,
    )


@transaction.atomic
def civil_register_marital_status(
    *,
    actor: Staff,
    person: Person,
    declared_status: str,
    purpose: str,
    purpose_kind: str = "other",
    intended_spouse: Person | None = None,
    registered_on: date | None = None,
    confirm_duplicate: bool = False,
    fee_exemption: str = "",
    signer: Staff | None = None,
    dossier: Dossier | None = None,
    note: str = "",
) -> CivilRecord:
    """Xác nhận tình trạng hôn nhân: the person's identity, residence and marital status, the
    purpose it is for, valid 6 months (Decree 123/2015 Arts 21-23). The status declared must not
    contradict the agency's register. For the purpose of marrying, the intended spouse is named
    and the person must meet the conditions to marry (Art 22.3: age, not married). A previous
    confirmation still valid must be returned or declared lost (Art 23): ``confirm_duplicate``."""
    ctx = begin(
        actor=actor,
        event=Event.MARITAL_STATUS,
        registered_on=registered_on,
        signer=signer,
        dossier=dossier,
    )
    p = Problems()
    who = clean_party(
        p,
        PartyRole.PERSON,
        person,
        today=ctx.today,
        need={"sex", "date_of_birth", "nationality", "residence"},
    )
    status = clean_choice(p, "declared_status", declared_status, MARITAL_STATUSES)
    kind = clean_choice(p, "purpose_kind", purpose_kind, PURPOSES)
    content: dict[str, Any] = {
        "declared_status": status,
        "purpose_kind": kind,
        "purpose": clean_text(p, "purpose", purpose, required=_("Cần ghi mục đích sử dụng.")),
        "note": clean_text(p, "note", note),
    }
    spouse = None
    if kind == "marriage":
        if intended_spouse is None:
            p.field(
                "required",
                "intended_spouse",
                _("Xác nhận để kết hôn cần ghi người dự định kết hôn."),
            )
        else:
            spouse = clean_party(
                p,
                "intended_spouse",
                intended_spouse,
                today=ctx.today,
                need={"birth", "nationality"},
            )
    exemption = _fee_exemption(p, fee_exemption)
    p.raise_if_any()
    assert who is not None
    if spouse is not None:
        content["intended_spouse"] = {
            "full_name": spouse.full_name,
            "birth_year": spouse.birth_year,
            "nationality": spouse.nationality,
            "residence": spouse.residence,
            "id_number": spouse.id_number,
        }
    if kind == "marriage":
        checks.marriage_ages(p, [who], ctx.registered_on)
        p.raise_if_any()

    book = lock(ctx, [who])
    refuse_if_dead(ctx, [who])
    facts = marriages_of(ctx.agency, who)
    on_record = facts[-1].status if facts else "single"
    if any(f.status == "married" for f in facts):
        on_record = "married"
    content["status_on_record"] = on_record
    content["marriages_on_record"] = [
        {"record": str(f.record.public_id), "entry": entry_label(f.record), "status": f.status}
        for f in facts
    ]
    contradicts = (status == "single" and facts) or (
        status in ("divorced", "widowed") and on_record == "married"
    )
    if contradicts:
        raise MaritalStatusContradicts(
            _(
                "Tình trạng hôn nhân khai là «%(declared)s» nhưng Sổ đăng ký kết hôn của cơ quan "
                "ghi: %(entries)s."
            )
            % {
                "declared": MARITAL_STATUSES[status],
                "entries": "; ".join(
                    f"{entry_label(f.record)} ({MARITAL_STATUSES[f.status]})" for f in facts
                ),
            },
            fields={"declared_status": [str(MARITAL_STATUSES[on_record])]},
        )
    if kind == "marriage":
        if status == "married":
            raise PartyAlreadyMarried(
                _("Người đang có vợ/chồng không được cấp xác nhận để kết hôn."),
                fields={"declared_status": [str(MARITAL_STATUSES[status])]},
            )
        refuse_if_married(ctx, [who])
    previous = confirmations_valid(ctx.agency, who, on=ctx.registered_on)
    if previous and not confirm_duplicate:
        raise PreviousConfirmationValid(
            _(
                "Giấy xác nhận tình trạng hôn nhân cấp trước (%(entries)s) còn giá trị: người "
                "yêu cầu phải nộp lại hoặc trình bày việc bị mất rồi mới cấp giấy mới."
            )
            % {"entries": ", ".join(entry_label(r) for r in previous)},
            fields={"confirm_duplicate": [str(r.public_id) for r in previous]},
        )
    if previous:
        content["previous_confirmations"] = [str(r.public_id) for r in previous]
    fee = fee_assess(
        procedure_code=PROCEDURES[(Event.MARITAL_STATUS, "", "")], personal_exemption=exemption
    )
    return write(
        ctx,
        book,
        parties=[who],
        content=content,
        fee=fee,
        valid_until=marital_confirmation_valid_until(ctx.registered_on),
    )


DIVORCE_KINDS: dict[str, Any] = {
    AmendmentKind.DIVORCE: gettext_lazy("ly hôn"),
    AmendmentKind.ANNULMENT: gettext_lazy("hủy việc kết hôn trái pháp luật"),
}


@transaction.atomic
def civil_note_divorce(
    *,
    actor: Staff,
    marriage: CivilRecord,
    decided_on: date,
    authority: str,
    decision: str,
    kind: str = AmendmentKind.DIVORCE,
    source: CivilRecord | None = None,
) -> CivilAmendment:
    """Ghi chú ly hôn: note beside a marriage entry that a court's judgment or decision (or a
    foreign authority's, recorded in the foreign-record book: ``source``) ended it (Law Art 3.2).
    The entry itself is not changed; the marriage reads as ended from then on."""
    permissions.require_register(actor, marriage.agency)
    p = Problems()
    clean_choice(p, "kind", kind, DIVORCE_KINDS)
    authority = clean_text(p, "authority", authority, required=_("Cần ghi cơ quan quyết định."))
    decision = clean_text(
        p, "decision", decision, required=_("Cần ghi số, ngày bản án hoặc quyết định.")
    )
    if decided_on > timezone.localdate():
        p.field("date_in_future", "decided_on", _("Ngày quyết định không thể sau hôm nay."))
    p.raise_if_any()
    is_marriage = marriage.event == Event.MARRIAGE or (
        marriage.event == Event.FOREIGN_RECORD and marriage.variant == "marriage"
    )
    if not is_marriage:
        raise AmendmentInvalid(
            "amendment_target_invalid",
            _("Chỉ ghi chú ly hôn vào một việc kết hôn."),
            field="marriage",
        )
    if marriage.event_date and decided_on < marriage.event_date:
        raise DatesInconsistent(
            "divorce_before_marriage", _("Ngày ly hôn trước ngày kết hôn."), field="decided_on"
        )
    agency_lock(marriage.agency)
    locked = CivilRecord.objects.select_for_update().get(pk=marriage.pk)
    if locked.amendments.filter(kind__in=list(DIVORCE_KINDS)).exists():
        raise AmendmentInvalid(
            "marriage_already_ended",
            _("Việc kết hôn này đã được ghi chú chấm dứt."),
            field="marriage",
        )
    amendment = CivilAmendment.objects.create(
        record=locked,
        source=source,
        kind=kind,
        role="",
        field="ended_on",
        old_value="",
        new_value=decided_on.isoformat(),
        effective_on=decided_on,
        basis=f"{decision} — {authority}",
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="civil.note_divorce",
        obj=locked,
        object_id=str(locked.public_id),
        changes={
            "kind": kind,
            "decided_on": decided_on,
            "authority": authority,
            "decision": decision,
            "source": str(source.public_id) if source else None,
        },
    )
    return amendment
