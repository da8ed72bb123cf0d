"""Đăng ký nhận cha, mẹ, con (Law on Civil Status 2014 Arts 24-25) and đăng ký giám hộ /
chấm dứt giám hộ (Law Arts 19-23; Civil Code 2015 Arts 46-63)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xaso.dossiers.models import Dossier
from xaso.org.models import Staff

from ..current import record_current
from ..errors import AgeRequirement, GuardianshipConflict, ParentageConflict
from ..inputs import CleanParty, PersonData, Problems, clean_choice, clean_party, clean_text
from ..lookups import birth_entry_of, guardianship_of, same_person_q
from ..models import CivilParty, CivilRecord, Event, PartyRole
from ..rules import ADULT_AGE, FEE_EXEMPTIONS, PROCEDURES, completed_age
from . import checks
from .common import begin, entry_label, fee_assess, lock, party_copy, party_rows, write
from .marriage import refuse_if_dead

Person = PersonData | Mapping[str, Any]
RECOGNISED_AS = {
    "father": gettext_lazy("cha"),
    "mother": gettext_lazy("mẹ"),
}
REQUESTED_BY = {
    "parent": gettext_lazy("Cha, mẹ nhận con"),
    "child": gettext_lazy("Con nhận cha, mẹ"),
}
#: Civil Code 2015 Art 52-54: a guardian appointed (cử) by the commune People's Committee, or a
#: guardian by law (đương nhiên: grandparents, siblings, children, spouse in the legal order).
GUARDIANSHIP_BASES = {
    "appointed": gettext_lazy("Giám hộ cử"),
    "natural": gettext_lazy("Giám hộ đương nhiên"),
}
#: Civil Code 2015 Art 62: when guardianship ends.
TERMINATION_REASONS = {
    "of_age": gettext_lazy("Người được giám hộ đã thành niên"),
    "capacity_restored": gettext_lazy("Người được giám hộ đã có năng lực hành vi dân sự đầy đủ"),
    "ward_died": gettext_lazy("Người được giám hộ chết"),
    "parents_able": gettext_lazy(
        "Cha, mẹ của người được giám hộ đã đủ điều kiện thực hiện quyền, nghĩa vụ của mình"
    ),
    "adopted": gettext_lazy("Người được giám hộ được nhận làm con nuôi"),
}


def _fee_exemption(p: Problems, value: str) -> str:
    return clean_choice(p, "fee_exemption", value, FEE_EXEMPTIONS) if value else ""


def _same(a: CleanParty | Any, b: CleanParty | Any) -> bool:
    if a.id_number and b.id_number:
        return bool(a.id_number == b.id_number)
    return bool(a.name_folded == b.name_folded and a.birth_year == b.birth_year)


@transaction.atomic
def civil_register_parentage(
    *,
    actor: Staff,
    parent: Person,
    child: Person,
    recognized_as: str,
    requested_by: str = "parent",
    registered_on: date | None = None,
    fee_exemption: str = "",
    signer: Staff | None = None,
    dossier: Dossier | None = None,
    note: str = "",
) -> CivilRecord:
    """Đăng ký nhận cha, mẹ, con: a father or mother recognises a child, or a child a father or
    mother (Law Arts 24-25). The parent is born before the child, a man as father, a woman as
    mother. When the child's birth entry is in the agency's register and names nobody in that
    role, the parent is added to it, marked as added by this entry; when it names someone else,
    only a court can decide (Civil Code 2015 Art 101)."""
    ctx = begin(
        actor=actor,
        event=Event.PARENTAGE,
        registered_on=registered_on,
        signer=signer,
        dossier=dossier,
    )
    p = Problems()
    role = clean_choice(p, "recognized_as", recognized_as, RECOGNISED_AS)
    side = clean_choice(p, "requested_by", requested_by, REQUESTED_BY)
    data = PersonData.of(parent)
    if data is not None and role:
        implied = "male" if role == "father" else "female"
        if data.sex and data.sex != implied:
            p.field(
                "sex_mismatch",
                "parent.sex",
                _("Người được nhận là %(role)s phải có giới tính %(sex)s.")
                % {"role": RECOGNISED_AS[role], "sex": _("nam") if implied == "male" else _("nữ")},
            )
        data = PersonData(**{**data.__dict__, "sex": implied})
    elder = clean_party(
        p, PartyRole.PARENT, data, today=ctx.today, need={"birth", "nationality", "residence"}
    )
    young = clean_party(
        p,
        PartyRole.CHILD,
        child,
        today=ctx.today,
        need={"date_of_birth", "nationality", "residence"},
    )
    content: dict[str, Any] = {
        "recognized_as": role,
        "requested_by": side,
        "note": clean_text(p, "note", note),
    }
    exemption = _fee_exemption(p, fee_exemption)
    p.raise_if_any()
    assert elder is not None and young is not None and young.date_of_birth is not None
    checks.born_after_parent(p, young.date_of_birth, elder)
    checks.event_not_after(p, "child.date_of_birth", young.date_of_birth, ctx.registered_on)
    p.raise_if_any()

    birth = birth_entry_of(ctx.agency, young)
    book = lock(ctx, [elder, young], records=[birth] if birth else [])
    earlier = _parentage_between(ctx.agency, elder, young)
    if earlier is not None:
        raise ParentageConflict(
            "parentage_already_registered",
            _("Việc nhận cha, mẹ, con này đã được đăng ký (%(entry)s).")
            % {"entry": entry_label(earlier)},
        )
    if birth is not None:
        named = record_current(birth).party(role)
        if named is not None:
            code = (
                "parentage_already_registered"
                if _same(named, elder)
                else "parent_already_on_record"
            )
            raise ParentageConflict(
                code,
                _(
                    "Giấy khai sinh (%(entry)s) đã ghi %(role)s là %(name)s: việc xác định lại "
                    "cha, mẹ, con do Tòa án giải quyết."
                )
                % {
                    "entry": entry_label(birth),
                    "role": RECOGNISED_AS[role],
                    "name": named.full_name,
                },
            )
        content["birth_record"] = {"record": str(birth.public_id), "entry": entry_label(birth)}
    fee = fee_assess(
        procedure_code=PROCEDURES[(Event.PARENTAGE, "", "")], personal_exemption=exemption
    )
    record = write(
        ctx,
        book,
        parties=[elder, young],
        content=content,
        fee=fee,
        event_date=ctx.registered_on,
        audit={"birth_record": content.get("birth_record")},
    )
    if birth is not None:
        party_rows(ctx, birth, [elder.with_role(role)], added_by=record)
    return record


def _parentage_between(agency: Any, parent: CleanParty, child: CleanParty) -> CivilRecord | None:
    """An earlier recognition between the same parent and child in the register."""
    child_q = same_person_q(
        id_number=child.id_number, name_folded=child.name_folded, date_of_birth=child.date_of_birth
    )
    if child_q is None:
        return None
    parent_q = same_person_q(
        id_number=parent.id_number,
        name_folded=parent.name_folded,
        date_of_birth=parent.date_of_birth,
    )
    if parent_q is None:  # a parent is often declared by name and year of birth only
        parent_q = Q(name_folded=parent.name_folded, birth_year=parent.birth_year)
    parents = CivilParty.objects.filter(parent_q, record=OuterRef("pk"), role=PartyRole.PARENT)
    children = CivilParty.objects.filter(child_q, record=OuterRef("pk"), role=PartyRole.CHILD)
    return (
        CivilRecord.objects.filter(agency=agency, event=Event.PARENTAGE)
        .filter(Exists(parents), Exists(children))
        .select_related("book")
        .first()
    )


@transaction.atomic
def civil_register_guardianship(
    *,
    actor: Staff,
    ward: Person,
    guardian: Person,
    basis: str,
    appointment_document: str = "",
    ward_condition: str = "",
    registered_on: date | None = None,
    fee_exemption: str = "",
    signer: Staff | None = None,
    dossier: Dossier | None = None,
    note: str = "",
) -> CivilRecord:
    """Đăng ký giám hộ (Law Arts 19-22): the ward and the guardian, appointed (with the document
    appointing them) or by law. The guardian is an adult (Civil Code Art 49); an adult ward is
    under guardianship only for lost or limited capacity (Art 47: ``ward_condition``). A ward
    already under a guardianship the register shows as not ended is refused. Free (Law Art
    11.1)."""
    ctx = begin(
        actor=actor,
        event=Event.GUARDIANSHIP,
        registered_on=registered_on,
        signer=signer,
        dossier=dossier,
    )
    p = Problems()
    minded = clean_party(
        p, PartyRole.WARD, ward, today=ctx.today, need={"date_of_birth", "nationality", "residence"}
    )
    keeper = clean_party(
        p,
        PartyRole.GUARDIAN,
        guardian,
        today=ctx.today,
        need={"date_of_birth", "nationality", "residence"},
    )
    kind = clean_choice(p, "basis", basis, GUARDIANSHIP_BASES)
    content: dict[str, Any] = {
        "basis": kind,
        "appointment_document": clean_text(
            p,
            "appointment_document",
            appointment_document,
            required=_("Cần ghi văn bản cử người giám hộ.") if kind == "appointed" else "",
        ),
        "ward_condition": clean_text(p, "ward_condition", ward_condition),
        "note": clean_text(p, "note", note),
    }
    exemption = _fee_exemption(p, fee_exemption)
    p.raise_if_any()
    assert minded is not None and keeper is not None
    assert minded.date_of_birth is not None and keeper.date_of_birth is not None
    if _same(minded, keeper) and minded.date_of_birth == keeper.date_of_birth:
        p.field("same_person", "guardian", _("Người giám hộ và người được giám hộ là một người."))
    if completed_age(keeper.date_of_birth, ctx.registered_on) < ADULT_AGE:
        p.add(
            AgeRequirement(
                "guardian_age",
                _(
                    "Người giám hộ phải là người thành niên (đủ 18 tuổi, "
                    "Bộ luật Dân sự 2015 Điều 49)."
                ),
                field="guardian.date_of_birth",
            )
        )
    if (
        completed_age(minded.date_of_birth, ctx.registered_on) >= ADULT_AGE
        and not content["ward_condition"]
    ):
        p.add(
            AgeRequirement(
                "ward_adult_without_condition",
                _(
                    "Người được giám hộ đã thành niên: ghi rõ tình trạng mất hoặc hạn chế năng lực "
                    "hành vi dân sự, khó khăn trong nhận thức (Bộ luật Dân sự 2015 Điều 47)."
                ),
                field="ward_condition",
            )
        )
    p.raise_if_any()

    book = lock(ctx, [minded, keeper])
    refuse_if_dead(ctx, [minded, keeper])
    active = guardianship_of(ctx.agency, minded)
    if active is not None:
        raise GuardianshipConflict(
            "ward_already_under_guardianship",
            _("%(name)s đang được giám hộ theo %(entry)s, chưa chấm dứt.")
            % {"name": minded.full_name, "entry": entry_label(active)},
        )
    fee = fee_assess(
        procedure_code=PROCEDURES[(Event.GUARDIANSHIP, "appointment", "")],
        law_exempt=_("đăng ký giám hộ"),
        personal_exemption=exemption,
    )
    return write(
        ctx,
        book,
        variant="appointment",
        parties=[minded, keeper],
        content=content,
        fee=fee,
        event_date=ctx.registered_on,
    )


@transaction.atomic
def civil_register_guardianship_termination(
    *,
    actor: Staff,
    appointment: CivilRecord,
    reason: str,
    reason_detail: str = "",
    registered_on: date | None = None,
    fee_exemption: str = "",
    signer: Staff | None = None,
    dossier: Dossier | None = None,
    note: str = "",
) -> CivilRecord:
    """Đăng ký chấm dứt giám hộ (Law Art 23; Civil Code Art 62): ends an appointment of the
    agency's register that is not ended yet, for one of the reasons of Art 62 (the ward came of
    age: checked against the date of birth)."""
    ctx = begin(
        actor=actor,
        event=Event.GUARDIANSHIP,
        registered_on=registered_on,
        signer=signer,
        dossier=dossier,
    )
    p = Problems()
    why = clean_choice(p, "reason", reason, TERMINATION_REASONS)
    content: dict[str, Any] = {
        "reason": why,
        "reason_detail": clean_text(p, "reason_detail", reason_detail),
        "note": clean_text(p, "note", note),
    }
    exemption = _fee_exemption(p, fee_exemption)
    p.raise_if_any()
    if not (
        appointment.agency_id == ctx.agency.pk
        and appointment.event == Event.GUARDIANSHIP
        and appointment.variant == "appointment"
    ):
        raise GuardianshipConflict(
            "guardianship_not_active",
            _("Việc được chọn không phải một việc đăng ký giám hộ của cơ quan."),
            field="appointment",
        )
    checks.event_not_after(p, "appointment", appointment.registered_on, ctx.registered_on)
    p.raise_if_any()
    book = lock(ctx, [], records=[appointment])
    if appointment.dependents.filter(variant="termination").exists():
        raise GuardianshipConflict(
            "guardianship_not_active",
            _("Việc giám hộ %(entry)s đã được chấm dứt.") % {"entry": entry_label(appointment)},
            field="appointment",
        )
    now = record_current(appointment)
    ward, guardian = now.party(PartyRole.WARD), now.party(PartyRole.GUARDIAN)
    assert ward is not None and guardian is not None
    if why == "of_age" and (
        ward.date_of_birth is None
        or completed_age(ward.date_of_birth, ctx.registered_on) < ADULT_AGE
    ):
        raise AgeRequirement(
            "ward_not_of_age",
            _("Người được giám hộ chưa đủ 18 tuổi vào ngày %(day)s.")
            % {"day": f"{ctx.registered_on:%d/%m/%Y}"},
            field="reason",
        )
    content["appointment"] = {
        "record": str(appointment.public_id),
        "entry": entry_label(appointment),
    }
    fee = fee_assess(
        procedure_code=PROCEDURES[(Event.GUARDIANSHIP, "termination", "")],
        personal_exemption=exemption,
    )
    return write(
        ctx,
        book,
        variant="termination",
        parties=[party_copy(ward), party_copy(guardian)],
        content=content,
        fee=fee,
        event_date=ctx.registered_on,
        target=appointment,
    )
