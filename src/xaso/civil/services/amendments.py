"""Thay đổi, cải chính, bổ sung thông tin hộ tịch, xác định lại dân tộc (Law on Civil Status 2014
Arts 26-29; Civil Code 2015 Arts 27-29; since 1 July 2025 the commune handles every age, Decree
120/2025).

The registration is an entry of the change book; what it changes is recorded as
``CivilAmendment`` rows against the entry changed, which stays as it was written. Reading the
entry applies them (``current.record_current``); only the derived search column
``CivilParty.name_folded`` is brought up to date, so the person is found by their new name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xaso.core.text import InvalidPersonalId, fold, squash_spaces, validate_personal_id
from xaso.dossiers.models import Dossier
from xaso.org.models import Staff
from xaso.people.models import Sex

from ..current import NAME_PARTS, PARTY_FIELDS, CurrentRecord, PartyView, record_current, value_text
from ..errors import AmendmentInvalid
from ..inputs import (
    EARLIEST_BIRTH_YEAR,
    ROLE_SEX,
    PersonData,
    Problems,
    clean_choice,
    clean_party,
    clean_text,
)
from ..models import (
    SUBJECT_ROLES,
    AmendmentKind,
    CivilAmendment,
    CivilParty,
    CivilRecord,
    Event,
    PartyRole,
)
from ..rules import (
    FEE_EXEMPTIONS,
    NAME_CHANGE_CONSENT_AGE,
    PROCEDURES,
    REQUESTERS,
    completed_age,
    name_is_valid,
)
from .common import begin, entry_label, fee_assess, lock, party_copy, write

KINDS = {
    "change": gettext_lazy("Thay đổi họ, chữ đệm, tên"),
    "correction": gettext_lazy("Cải chính thông tin hộ tịch"),
    "supplement": gettext_lazy("Bổ sung thông tin hộ tịch"),
    "ethnicity": gettext_lazy("Xác định lại dân tộc"),
}
#: Entries whose content may be changed, and the fields of ``content`` each admits.
CONTENT_FIELDS: dict[str, tuple[str, ...]] = {
    Event.BIRTH: ("place_of_birth", "home_town"),
    Event.DEATH: ("place_of_death", "time_of_death", "cause"),
    Event.MARRIAGE: (),
    Event.PARENTAGE: (),
    Event.GUARDIANSHIP: (),
    Event.FOREIGN_RECORD: ("place_of_event",),
}
_NAME_FIELDS = (*NAME_PARTS, "full_name")
_TEXT_LIMIT = {
    "family_name": 64,
    "middle_name": 128,
    "given_name": 64,
    "full_name": 260,
    "ethnicity": 64,
    "nationality": 64,
    "residence": 255,
}


@dataclass(frozen=True)
class Change:
    """One value to change: ``role`` the party (empty: a field of the entry's content)."""

    role: str
    field: str
    value: str

    @classmethod
    def of(cls, data: Change | Mapping[str, Any]) -> Change:
        if isinstance(data, Change):
            return data
        return cls(
            role=str(data.get("role") or ""),
            field=str(data.get("field") or ""),
            value=str(data.get("value") if data.get("value") is not None else ""),
        )


def _invalid(code: str, message: str, where: str) -> AmendmentInvalid:
    return AmendmentInvalid(code, message, field=where)


def _value(p: Problems, where: str, role: str, field: str, raw: str, today: date) -> str | None:
    """The new value in its stored text form, or None (problem recorded)."""
    value = squash_spaces(raw)
    if not value:
        p.add(_invalid("required", _("Cần ghi giá trị mới."), where))
        return None
    if field in _NAME_FIELDS:
        words = value.split(" ") if field == "full_name" else [value]
        if not all(name_is_valid(w) for w in words):
            p.add(
                _invalid(
                    "name_invalid_characters",
                    _("Họ, chữ đệm, tên chỉ gồm chữ cái (không có chữ số hay ký hiệu)."),
                    where,
                )
            )
            return None
    if field in _TEXT_LIMIT and len(value) > _TEXT_LIMIT[field]:
        p.add(
            _invalid(
                "too_long", _("Quá dài: tối đa %(n)d ký tự.") % {"n": _TEXT_LIMIT[field]}, where
            )
        )
        return None
    if field == "sex":
        if value not in Sex.values:
            p.add(_invalid("invalid_choice", _("Giới tính phải là nam hoặc nữ."), where))
            return None
        if role in ROLE_SEX:
            p.add(
                _invalid(
                    "amendment_field_not_allowed",
                    _("Giới tính của %(role)s đi theo vai trò, không thay đổi được.")
                    % {"role": PartyRole(role).label.lower()},
                    where,
                )
            )
            return None
    if field == "date_of_birth":
        try:
            day = date.fromisoformat(value)
        except ValueError:
            p.add(_invalid("invalid_date", _("Không phải ngày hợp lệ (YYYY-MM-DD)."), where))
            return None
        if day > today:
            p.add(_invalid("date_in_future", _("Ngày sinh không thể sau hôm nay."), where))
            return None
    if field == "birth_year" and not (
        value.isdigit() and EARLIEST_BIRTH_YEAR <= int(value) <= today.year
    ):
        p.add(_invalid("birth_year_invalid", _("Năm sinh không hợp lệ."), where))
        return None
    return value


def _allowed(kind: str, role: str, field: str, target: CivilRecord) -> bool:
    if kind == "change":
        return bool(role) and field in _NAME_FIELDS
    if kind == "ethnicity":
        return bool(role) and field == "ethnicity"
    if role:
        return field in PARTY_FIELDS
    return field in CONTENT_FIELDS.get(target.event, ())


def _parents_ethnicities(now: CurrentRecord) -> set[str]:
    return {
        fold(view.ethnicity)
        for role in (PartyRole.MOTHER, PartyRole.FATHER)
        if (view := now.party(role)) is not None and view.ethnicity
    }


def _check(
    p: Problems,
    *,
    kind: str,
    now: CurrentRecord,
    changes: list[Change],
    today: date,
    registered_on: date,
    subject_consent: bool,
) -> list[tuple[Change, str, str]]:
    """Each change with its old and new text, checked against the entry's current values."""
    target = now.record
    done: list[tuple[Change, str, str]] = []
    seen: set[tuple[str, str]] = set()
    views: dict[str, PartyView] = {}
    for i, change in enumerate(changes):
        where = f"changes.{i}"
        if (change.role, change.field) in seen:
            p.add(_invalid("amendment_duplicate", _("Trường này được ghi hai lần."), where))
            continue
        seen.add((change.role, change.field))
        if change.role and now.party(change.role) is None:
            p.add(
                _invalid(
                    "amendment_field_not_allowed",
                    _("Mục hộ tịch không có người ở vai trò này."),
                    where,
                )
            )
            continue
        if not _allowed(kind, change.role, change.field, target):
            p.add(
                _invalid(
                    "amendment_field_not_allowed",
                    _("Không được %(kind)s trường «%(field)s» bằng thủ tục này.")
                    % {"kind": str(KINDS[kind]).lower(), "field": change.field},
                    where,
                )
            )
            continue
        if change.role:
            view = views.get(change.role) or _copy_view(now.parties[change.role])
            views[change.role] = view
            old = value_text(view.get(change.field))
        else:
            old = value_text(now.content.get(change.field))
        new = _value(p, where, change.role, change.field, change.value, today)
        if new is None:
            continue
        if fold(new) == fold(old) and new == old:
            p.add(_invalid("amendment_no_change", _("Giá trị mới giống giá trị đang ghi."), where))
            continue
        if kind == "supplement" and old:
            p.add(
                _invalid(
                    "supplement_field_not_empty",
                    _(
                        "Bổ sung chỉ ghi vào thông tin còn trống; thông tin này đã có, "
                        "hãy cải chính."
                    ),
                    where,
                )
            )
            continue
        if kind == "correction" and not old:
            p.add(
                _invalid(
                    "correction_field_empty", _("Thông tin này còn trống: hãy bổ sung."), where
                )
            )
            continue
        if kind == "ethnicity" and target.event == Event.BIRTH:
            allowed = _parents_ethnicities(now)
            if allowed and fold(new) not in allowed:
                p.add(
                    _invalid(
                        "ethnicity_not_from_parent",
                        _(
                            "Chỉ xác định lại theo dân tộc của cha hoặc của mẹ (Bộ luật "
                            "Dân sự 2015 Điều 29)."
                        ),
                        where,
                    )
                )
                continue
        if change.role:
            views[change.role].set(change.field, new)
        done.append((change, old, new))
    # A changed name, date of birth or sex must still agree with the personal ID number; a
    # person aged 9 or more consents to a change of their own name (Civil Code Arts 27-28).
    for role, view in views.items():
        if view.id_number and view.amended & {"id_number", "date_of_birth", "birth_year", "sex"}:
            check_on = view.date_of_birth or (
                date(view.birth_year, 1, 1) if view.birth_year else None
            )
            try:
                validate_personal_id(
                    view.id_number,
                    date_of_birth=check_on,
                    sex=view.sex or None,  # type: ignore[arg-type]
                    today=today,
                )
            except InvalidPersonalId as exc:
                p.add(_invalid(exc.code, exc.message, f"{role}.id_number"))
        if (
            kind == "change"
            and role in SUBJECT_ROLES
            and view.date_of_birth is not None
            and completed_age(view.date_of_birth, registered_on) >= NAME_CHANGE_CONSENT_AGE
            and not subject_consent
        ):
            p.add(
                _invalid(
                    "consent_required",
                    _(
                        "Người từ đủ 9 tuổi trở lên phải đồng ý việc thay đổi họ, tên của "
                        "mình (Bộ luật Dân sự 2015 Điều 27, 28)."
                    ),
                    "subject_consent",
                )
            )
    return done


def _copy_view(view: PartyView) -> PartyView:
    copy = PartyView.of(view.row)
    for name in PARTY_FIELDS:
        setattr(copy, name, view.get(name))
    copy.amended = set()
    return copy


@transaction.atomic
def civil_register_change(
    *,
    actor: Staff,
    target: CivilRecord,
    kind: str,
    changes: Iterable[Change | Mapping[str, Any]],
    reason: str,
    requester: PersonData | Mapping[str, Any],
    subject_consent: bool = False,
    registered_on: date | None = None,
    fee_exemption: str = "",
    signer: Staff | None = None,
    dossier: Dossier | None = None,
    note: str = "",
) -> CivilRecord:
    """Register a change of name (``change``), a correction of a wrong value (``correction``),
    a supplement of a missing one (``supplement``) or the re-determination of ethnicity to the
    father's or mother's (``ethnicity``) of an entry of the agency's register. The entry stays
    as written; each changed value becomes a ``CivilAmendment`` against it."""
    ctx = begin(
        actor=actor, event=Event.CHANGE, registered_on=registered_on, signer=signer, dossier=dossier
    )
    p = Problems()
    kind = clean_choice(p, "kind", kind, KINDS)
    who = clean_party(p, PartyRole.REQUESTER, requester, today=ctx.today, relationships=REQUESTERS)
    content: dict[str, Any] = {
        "kind": kind,
        "reason": clean_text(p, "reason", reason, required=_("Cần ghi lý do.")),
        "note": clean_text(p, "note", note),
    }
    wanted = [Change.of(c) for c in changes]
    if not wanted:
        p.field("required", "changes", _("Cần ghi ít nhất một thông tin thay đổi."))
    exemption = (
        clean_choice(p, "fee_exemption", fee_exemption, FEE_EXEMPTIONS) if (fee_exemption) else ""
    )
    p.raise_if_any()
    if (
        target.agency_id != ctx.agency.pk
        or target.event not in CONTENT_FIELDS
        or (target.event == Event.GUARDIANSHIP and target.variant != "appointment")
    ):
        raise AmendmentInvalid(
            "amendment_target_invalid",
            _("Không thay đổi, cải chính được mục hộ tịch này."),
            field="target",
        )
    if target.registered_on > ctx.registered_on:
        raise AmendmentInvalid(
            "amendment_target_invalid",
            _("Mục hộ tịch được đăng ký sau ngày đăng ký thay đổi."),
            field="target",
        )
    book = lock(ctx, [who], records=[target])
    now = record_current(
        CivilRecord.objects.prefetch_related("parties__added_by", "amendments").get(pk=target.pk)
    )
    done = _check(
        p,
        kind=kind,
        now=now,
        changes=wanted,
        today=ctx.today,
        registered_on=ctx.registered_on,
        subject_consent=subject_consent,
    )
    p.raise_if_any()

    roles = [c.role for c, _old, _new in done if c.role]
    subject_role = next((r for r in roles if r in SUBJECT_ROLES), roles[0] if roles else None)
    if subject_role is None:
        subject_role = next((r for r in now.parties if r in SUBJECT_ROLES), None)
    subject = now.party(subject_role) if subject_role else None
    content["target"] = {"record": str(target.public_id), "entry": entry_label(target)}
    content["changes"] = [
        {"role": c.role, "field": c.field, "old": old, "new": new} for c, old, new in done
    ]
    content["subject_consent"] = subject_consent
    fee = fee_assess(
        procedure_code=PROCEDURES[(Event.CHANGE, kind, "")], personal_exemption=exemption
    )
    parties = [who, party_copy(subject, PartyRole.PERSON) if subject is not None else None]
    record = write(
        ctx,
        book,
        variant=kind,
        parties=parties,
        content=content,
        fee=fee,
        event_date=ctx.registered_on,
        target=target,
        audit={"target": str(target.public_id), "changes": content["changes"]},
    )
    CivilAmendment.objects.bulk_create(
        [
            CivilAmendment(
                record=target,
                source=record,
                kind=AmendmentKind(kind),
                role=c.role,
                field=c.field,
                old_value=old,
                new_value=new,
                effective_on=ctx.registered_on,
                basis=content["reason"],
                recorded_by=actor,
            )
            for c, old, new in done
        ]
    )
    _refresh_search_names(target, {c.role for c, _o, _n in done if c.field in _NAME_FIELDS})
    return record


def _refresh_search_names(target: CivilRecord, roles: set[str]) -> None:
    """Bring the derived search column of the renamed parties to their current name."""
    if not roles:
        return
    now = record_current(
        CivilRecord.objects.prefetch_related("parties__added_by", "amendments").get(pk=target.pk)
    )
    for role in roles:
        view = now.party(role)
        if view is not None:
            CivilParty.objects.filter(pk=view.row.pk).update(name_folded=fold(view.full_name))
