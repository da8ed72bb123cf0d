"""Đăng ký khai sinh and đăng ký khai tử (Law on Civil Status 2014 Arts 13-16 and 32-34), and
their re-registration (Decree 123/2015 Arts 24-28; ``others.civil_register_re_registration``
calls the ``_birth``/``_death`` bodies with ``original`` set)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xaso.dossiers.models import Dossier
from xaso.org.models import Staff
from xaso.workdays.selectors import work_calendar

from ..errors import AlreadyRegistered, DatesInconsistent, ParentsMarriageNotFound
from ..inputs import PersonData, Problems, clean_choice, clean_party, clean_text
from ..lookups import birth_entry_of, births_like, couple_marriage, deaths_like
from ..models import CivilParty, CivilRecord, Event, PartyRole
from ..rules import (
    BIRTH_DECLARATION_DAYS,
    DEATH_DECLARATION_DAYS,
    DECLARANTS,
    FEE_EXEMPTIONS,
    PROCEDURES,
    period_end,
)
from . import checks
from .common import Context, begin, entry_label, fee_assess, lock, refuse_duplicates, write

Person = PersonData | Mapping[str, Any]
PARENT_NEEDS = frozenset({"birth", "ethnicity", "nationality", "residence"})
#: How the father's details come onto a birth entry when the agency holds no marriage of the
#: parents: they married elsewhere (the officer notes where), or the father recognises the child
#: in the same registration (procedure 1.000689, khai sinh kết hợp nhận cha, mẹ, con).
FATHER_BASES = {
    "marriage_elsewhere": gettext_lazy("cha mẹ đã đăng ký kết hôn ở nơi khác"),
    "recognition": gettext_lazy("khai sinh kết hợp nhận cha, mẹ, con"),
}
_TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


def _fee_exemption(problems: Problems, value: str) -> str:
    if not value:
        return ""
    return clean_choice(problems, "fee_exemption", value, FEE_EXEMPTIONS)


def _declaration_end(event_day: date, days: int) -> date:
    calendar = work_calendar()
    try:
        return period_end(event_day, days, is_working_day=calendar.is_working_day)
    except Exception:  # dates the official calendar does not cover (before 2000)
        return period_end(event_day, days)


@transaction.atomic
def civil_register_birth(
    *,
    actor: Staff,
    child: Person,
    mother: Person,
    father: Person | None = None,
    declarant: Person,
    place_of_birth: str,
    home_town: str,
    birth_notice: str = "",
    father_basis: str = "",
    parents_marriage: str = "",
    registered_on: date | None = None,
    confirm_duplicate: bool = False,
    fee_exemption: str = "",
    signer: Staff | None = None,
    dossier: Dossier | None = None,
    note: str = "",
) -> CivilRecord:
    """Đăng ký khai sinh: record the content of Law Art 14.1 (the child's name, sex, date and
    place of birth, home town, ethnicity, nationality; the parents' names, years of birth,
    ethnicity, nationality, residence). A registration more than 60 days after the birth is
    late (Law Art 15) and not exempt from the fee (Art 11.1). The father's details need the
    parents' marriage, looked up in the agency's register (Decree 07/2025), or another basis
    (``father_basis``). A child with the same folded name, date of birth and mother already in
    the register is refused as a likely duplicate unless ``confirm_duplicate``."""
    ctx = begin(
        actor=actor, event=Event.BIRTH, registered_on=registered_on, signer=signer, dossier=dossier
    )
    return _birth(
        ctx,
        child=child,
        mother=mother,
        father=father,
        declarant=declarant,
        place_of_birth=place_of_birth,
        home_town=home_town,
        birth_notice=birth_notice,
        father_basis=father_basis,
        parents_marriage=parents_marriage,
        confirm_duplicate=confirm_duplicate,
        fee_exemption=fee_exemption,
        note=note,
    )


def _birth(
    ctx: Context,
    *,
    child: Person,
    mother: Person,
    father: Person | None,
    declarant: Person,
    place_of_birth: str,
    home_town: str,
    birth_notice: str,
    father_basis: str,
    parents_marriage: str,
    confirm_duplicate: bool,
    fee_exemption: str,
    note: str,
    original: Mapping[str, Any] | None = None,
) -> CivilRecord:
    p = Problems()
    today = ctx.today
    kid = clean_party(
        p,
        PartyRole.CHILD,
        child,
        today=today,
        need={"name_parts", "sex", "date_of_birth", "ethnicity", "nationality"},
    )
    mum = clean_party(p, PartyRole.MOTHER, mother, today=today, need=PARENT_NEEDS)
    dad = (
        clean_party(p, PartyRole.FATHER, father, today=today, need=PARENT_NEEDS)
        if father is not None
        else None
    )
    who = clean_party(
        p, PartyRole.DECLARANT, declarant, today=today, relationships=DECLARANTS[Event.BIRTH]
    )
    content: dict[str, Any] = {
        "place_of_birth": clean_text(
            p, "child.place_of_birth", place_of_birth, required=_("Cần khai nơi sinh.")
        ),
        "home_town": clean_text(p, "child.home_town", home_town, required=_("Cần khai quê quán.")),
        "birth_notice": clean_text(p, "birth_notice", birth_notice),
        "note": clean_text(p, "note", note),
    }
    if father_basis:
        father_basis = clean_choice(p, "father_basis", father_basis, FATHER_BASES)
    if father_basis == "marriage_elsewhere":
        content["parents_marriage"] = clean_text(
            p,
            "parents_marriage",
            parents_marriage,
            required=_("Ghi nơi, ngày cha mẹ đăng ký kết hôn."),
        )
    exemption = _fee_exemption(p, fee_exemption)
    p.raise_if_any()
    assert kid is not None and mum is not None and kid.date_of_birth is not None
    dob = kid.date_of_birth
    checks.event_not_after(
        p,
        "child.date_of_birth",
        dob,
        date.fromisoformat(original["registered_on"]) if original else ctx.registered_on,
    )
    checks.born_after_parent(p, dob, mum)
    checks.born_after_parent(p, dob, dad)
    checks.family_name_from_parents(p, kid, [mum, dad], "child.family_name")
    checks.ethnicity_from_parents(p, kid, [mum, dad], "child.ethnicity")
    checks.declarant_entitled(
        p, who, allowed=DECLARANTS[Event.BIRTH], parents={"mother": mum, "father": dad}
    )
    p.raise_if_any()

    variant = "re_registration" if original else ""
    late = False
    if not original:
        due = _declaration_end(dob, BIRTH_DECLARATION_DAYS)
        late = ctx.registered_on > due
        content["declaration_due"] = due.isoformat()
    book = lock(ctx, [kid, mum, dad, who])

    if (
        kid.id_number
        and CivilParty.objects.filter(
            agency=ctx.agency,
            role=PartyRole.CHILD,
            record__event=Event.BIRTH,
            id_number=kid.id_number,
        ).exists()
    ):
        raise AlreadyRegistered(
            _("Người có số định danh %(n)s đã được đăng ký khai sinh tại cơ quan.")
            % {"n": kid.id_number},
            fields={"child.id_number": [_("Đã có trong Sổ đăng ký khai sinh.")]},
        )
    if original:
        from .others import refuse_if_original_on_record

        refuse_if_original_on_record(ctx, Event.BIRTH, [kid])
    refuse_duplicates(
        births_like(
            ctx.agency,
            name_folded=kid.name_folded,
            date_of_birth=dob,
            mother_folded=mum.name_folded,
        ),
        confirmed=confirm_duplicate,
        what=_("việc khai sinh"),
    )
    special = ""
    if dad is not None:
        married = couple_marriage(ctx.agency, man=dad, woman=mum)
        if married is not None:
            content["father_basis"] = "marriage_on_record"
            content["parents_marriage"] = {
                "record": str(married.public_id),
                "entry": entry_label(married),
            }
        elif father_basis:
            content["father_basis"] = father_basis
            special = "recognition" if father_basis == "recognition" else ""
        else:
            raise ParentsMarriageNotFound(
                _(
                    "Sổ đăng ký kết hôn của cơ quan không có việc kết hôn của %(father)s và "
                    "%(mother)s. Nếu cha mẹ đã đăng ký kết hôn ở nơi khác, ghi nơi và ngày đăng "
                    "ký; nếu chưa, đăng ký khai sinh kết hợp nhận cha, mẹ, con."
                )
                % {"father": dad.full_name, "mother": mum.full_name},
                fields={"father_basis": [_("Chọn căn cứ ghi thông tin người cha.")]},
            )
    if original:
        content["original"] = dict(original)
    fee = fee_assess(
        procedure_code=PROCEDURES[(Event.BIRTH, variant, special)],
        law_exempt="" if late or original else _("đăng ký khai sinh đúng hạn"),
        personal_exemption=exemption,
    )
    return write(
        ctx,
        book,
        variant=variant,
        parties=[kid, mum, dad, who],
        content=content,
        fee=fee,
        event_date=dob,
        late=late,
        audit={"special": special},
    )


@transaction.atomic
def civil_register_death(
    *,
    actor: Staff,
    deceased: Person,
    declarant: Person,
    date_of_death: date,
    place_of_death: str,
    time_of_death: str = "",
    cause: str = "",
    death_notice: str = "",
    registered_on: date | None = None,
    confirm_duplicate: bool = False,
    fee_exemption: str = "",
    signer: Staff | None = None,
    dossier: Dossier | None = None,
    note: str = "",
) -> CivilRecord:
    """Đăng ký khai tử: the deceased's identity, the time, place and cause of death and the
    death notice (giấy báo tử) (Law Arts 32-34). The death is after the birth and not after the
    registration; a registration more than 15 days after the death is late (Law Art 33) and not
    exempt from the fee (Art 11.1). A death already registered for the same personal ID number
    is refused; one for the same folded name and date of birth asks ``confirm_duplicate``."""
    ctx = begin(
        actor=actor, event=Event.DEATH, registered_on=registered_on, signer=signer, dossier=dossier
    )
    return _death(
        ctx,
        deceased=deceased,
        declarant=declarant,
        date_of_death=date_of_death,
        place_of_death=place_of_death,
        time_of_death=time_of_death,
        cause=cause,
        death_notice=death_notice,
        confirm_duplicate=confirm_duplicate,
        fee_exemption=fee_exemption,
        note=note,
    )


def _death(
    ctx: Context,
    *,
    deceased: Person,
    declarant: Person,
    date_of_death: date,
    place_of_death: str,
    time_of_death: str,
    cause: str,
    death_notice: str,
    confirm_duplicate: bool,
    fee_exemption: str,
    note: str,
    original: Mapping[str, Any] | None = None,
) -> CivilRecord:
    p = Problems()
    dead = clean_party(
        p, PartyRole.DECEASED, deceased, today=ctx.today, need={"sex", "birth", "nationality"}
    )
    who = clean_party(
        p, PartyRole.DECLARANT, declarant, today=ctx.today, relationships=DECLARANTS[Event.DEATH]
    )
    content: dict[str, Any] = {
        "place_of_death": clean_text(
            p, "place_of_death", place_of_death, required=_("Cần khai nơi chết.")
        ),
        "time_of_death": clean_text(p, "time_of_death", time_of_death),
        "cause": clean_text(p, "cause", cause),
        "death_notice": clean_text(p, "death_notice", death_notice),
        "note": clean_text(p, "note", note),
    }
    if content["time_of_death"] and not _TIME.match(content["time_of_death"]):
        p.field("invalid_time", "time_of_death", _("Giờ chết ghi dạng HH:MM, ví dụ 14:30."))
    if date_of_death > ctx.today:
        p.field("date_in_future", "date_of_death", _("Ngày chết không thể sau hôm nay."))
    exemption = _fee_exemption(p, fee_exemption)
    p.raise_if_any()
    assert dead is not None
    checks.event_not_after(
        p,
        "date_of_death",
        date_of_death,
        date.fromisoformat(original["registered_on"]) if original else ctx.registered_on,
    )
    born = dead.date_of_birth
    if (born is not None and date_of_death < born) or (
        dead.birth_year is not None and date_of_death.year < dead.birth_year
    ):
        p.add(
            DatesInconsistent(
                "death_before_birth",
                _("Ngày chết trước ngày sinh của người chết."),
                field="date_of_death",
            )
        )
    checks.declarant_entitled(p, who, allowed=DECLARANTS[Event.DEATH], parents={})
    p.raise_if_any()

    variant = "re_registration" if original else ""
    late = False
    if not original:
        due = _declaration_end(date_of_death, DEATH_DECLARATION_DAYS)
        late = ctx.registered_on > due
        content["declaration_due"] = due.isoformat()
    book = lock(ctx, [dead, who])
    if (
        dead.id_number
        and CivilParty.objects.filter(
            agency=ctx.agency,
            role=PartyRole.DECEASED,
            record__event=Event.DEATH,
            id_number=dead.id_number,
        ).exists()
    ):
        raise AlreadyRegistered(
            _("Việc khai tử của người có số định danh %(n)s đã được đăng ký tại cơ quan.")
            % {"n": dead.id_number},
            fields={"deceased.id_number": [_("Đã có trong Sổ đăng ký khai tử.")]},
        )
    if original:
        from .others import refuse_if_original_on_record

        refuse_if_original_on_record(ctx, Event.DEATH, [dead])
    if born is not None:
        refuse_duplicates(
            deaths_like(ctx.agency, name_folded=dead.name_folded, date_of_birth=born),
            confirmed=confirm_duplicate,
            what=_("việc khai tử"),
        )
    birth = birth_entry_of(ctx.agency, dead)
    if birth is not None:
        content["birth_record"] = {"record": str(birth.public_id), "entry": entry_label(birth)}
    if original:
        content["original"] = dict(original)
    fee = fee_assess(
        procedure_code=PROCEDURES[(Event.DEATH, variant, "")],
        law_exempt="" if late or original else _("đăng ký khai tử đúng hạn"),
        personal_exemption=exemption,
    )
    return write(
        ctx,
        book,
        variant=variant,
        parties=[dead, who],
        content=content,
        fee=fee,
        event_date=date_of_death,
        late=late,
    )
