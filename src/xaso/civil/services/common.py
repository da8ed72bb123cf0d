"""What every registration does, in this order:

1. ``begin``: the actor may register here; the registration date (today by default, never in
   the future); the signer (a leader of the agency; the actor when they are one); the dossier;
2. the event's own checks that need no database, collected and raised together;
3. ``lock``: the book (opened on first use, refused when closed), then the people rows the
   entry will touch, then the audit head — always in this order (see ``lock``);
4. the checks that read the registers (existing marriage, duplicates, ...) — under the book's
   lock, so two officers cannot both pass them for the same couple;
5. ``write``: the entry number, the record, its parties linked to ``people.Person``, the fee
   from the catalogue, one audit entry.

The caller is ``@transaction.atomic``: any refusal rolls everything back, the entry number too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xaso.core.audit import audit_record
from xaso.core.models import AuditHead
from xaso.core.text import fold
from xaso.dossiers.models import Dossier
from xaso.org.models import Agency, Staff
from xaso.people import permissions as people_permissions
from xaso.people.models import Person
from xaso.people.services import person_upsert
from xaso.procedures.models import Procedure

from .. import permissions
from ..current import PartyView
from ..errors import DossierMismatch, LikelyDuplicate, RegistrationDateInvalid, SignerInvalid
from ..inputs import CleanParty
from ..models import CivilBook, CivilParty, CivilRecord
from ..rules import FEE_EXEMPTIONS, PROCEDURES
from .books import agency_lock, book_check_open, book_lock_for, entry_number_next


@dataclass(frozen=True)
class Context:
    actor: Staff
    agency: Agency
    event: str
    registered_on: date
    today: date
    signer: Staff | None
    dossier: Dossier | None


def _signer(actor: Staff, signer: Staff | None) -> Staff | None:
    if signer is None:
        return actor if actor.has_role("leader") else None
    if not (signer.is_active and signer.agency_id == actor.agency_id and signer.has_role("leader")):
        raise SignerInvalid(
            "signer_invalid",
            _("Người ký phải là lãnh đạo đang công tác của cơ quan đăng ký."),
            field="signer",
        )
    return signer


def begin(
    *,
    actor: Staff,
    event: str,
    registered_on: date | None,
    signer: Staff | None,
    dossier: Dossier | None,
) -> Context:
    """Permission, date, signer and dossier of a registration."""
    permissions.require_register(actor)
    today = timezone.localdate()
    on = registered_on or today
    if on > today:
        raise RegistrationDateInvalid(
            "registration_in_future",
            _("Ngày đăng ký không thể sau hôm nay."),
            field="registered_on",
        )
    if dossier is not None:
        if on < timezone.localdate(dossier.received_at):
            raise RegistrationDateInvalid(
                "registration_before_dossier",
                _("Ngày đăng ký sớm hơn ngày tiếp nhận hồ sơ %(code)s.") % {"code": dossier.code},
                field="registered_on",
            )
        codes = {code for (ev, _v, _s), code in PROCEDURES.items() if ev == event and code}
        if dossier.competent_agency_id != actor.agency_id or dossier.procedure.code not in codes:
            raise DossierMismatch(
                "dossier_mismatch",
                _("Hồ sơ %(code)s không phải hồ sơ thủ tục này của cơ quan.")
                % {"code": dossier.code},
                field="dossier",
            )
    return Context(
        actor=actor,
        agency=actor.agency,
        event=event,
        registered_on=on,
        today=today,
        signer=_signer(actor, signer),
        dossier=dossier,
    )


def lock(
    ctx: Context,
    parties: Iterable[CleanParty | None],
    records: Sequence[CivilRecord] = (),
) -> CivilBook:
    """Lock, in a fixed order: the agency's civil writes (``books.agency_lock``), the book
    (the entry-number counter), the entries this one will change (``records``: the entry
    amended, copied, ended), the existing people rows of the parties with an ID number (sorted),
    then the audit head.

    Why the order: ``person_upsert`` locks a person's row and then appends to the audit chain,
    whose head row is one lock for everyone. A registration touches several people; if it
    locked one, wrote its audit entry (holding the head) and then waited for the next person's
    row, it could wait for an intake that holds that row and waits for the head: a deadlock on
    PostgreSQL. Taking the existing rows first and the head last means nobody waits for them
    while holding the head. One case remains: the counter creating the very person this
    registration creates, at the same instant; PostgreSQL then aborts one of the two, which
    writes nothing and can be repeated. (SQLite serialises every transaction anyway.)"""
    agency_lock(ctx.agency)
    book = book_lock_for(
        agency=ctx.agency,
        event=ctx.event,
        year=ctx.registered_on.year,
        opened_on=ctx.registered_on,
    )
    book_check_open(book, registered_on=ctx.registered_on)
    if records:
        list(
            CivilRecord.objects.select_for_update()
            .filter(pk__in=sorted(r.pk for r in records))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    numbers = sorted({p.id_number for p in parties if p is not None and p.id_number})
    if numbers:
        list(
            Person.objects.select_for_update()
            .filter(agency=ctx.agency, personal_id__in=numbers)
            .exclude(personal_id="")
            .order_by("personal_id")
            .values_list("pk", flat=True)
        )
    AuditHead.objects.select_for_update().get_or_create(id=1)
    return book


@dataclass(frozen=True)
class Fee:
    """The fee (lệ phí / phí) assessed: ``amount`` None when the catalogue gives no amount."""

    procedure: Procedure | None
    amount: int | None
    note: str


def fee_assess(
    *,
    procedure_code: str | None,
    law_exempt: str = "",
    personal_exemption: str = "",
    copies: int = 1,
) -> Fee:
    """The fee of a registration, from the procedure catalogue — never invented.

    Exempt (0): the events Law on Civil Status Art 11.1 exempts (``law_exempt`` names which),
    and people it exempts (``personal_exemption``: a key of ``rules.FEE_EXEMPTIONS``).
    Otherwise the catalogue's amount (times ``copies`` where the catalogue charges per copy);
    when the catalogue says the provincial People's Council sets it, or its fee is not
    confirmed, the amount stays unknown (None) and the note says why."""
    procedure = Procedure.objects.filter(code=procedure_code).first() if procedure_code else None
    if law_exempt:
        note = _("Miễn lệ phí (Luật Hộ tịch 2014, Điều 11 khoản 1): %(case)s.") % {
            "case": law_exempt
        }
        return Fee(procedure, 0, note)
    if personal_exemption:
        who = FEE_EXEMPTIONS[personal_exemption]
        note = _("Miễn lệ phí (Luật Hộ tịch 2014, Điều 11 khoản 1): %(who)s.") % {"who": who}
        return Fee(procedure, 0, note)
    if procedure is None:
        return Fee(
            None,
            None,
            _("Danh mục thủ tục của xã không có thủ tục này: chưa xác định được lệ phí."),
        )
    if procedure.fee_provincial_rate or "fees" in (procedure.needs_confirmation or []):
        return Fee(
            procedure,
            None,
            _(
                "Lệ phí theo mức do Hội đồng nhân dân cấp tỉnh quy định; danh mục thủ tục "
                "%(code)s chưa ghi số tiền."
            )
            % {"code": procedure.code},
        )
    if procedure.fee_amount_vnd is None:
        return Fee(procedure, None, _("Danh mục thủ tục chưa ghi lệ phí."))
    amount = procedure.fee_amount_vnd
    first = procedure.fees.first()
    per = (first.per or "") if first else ""
    if amount and "bản" in per.lower():
        return Fee(
            procedure,
            amount * copies,
            _("%(amount)s đồng/bản theo danh mục thủ tục %(code)s, %(n)d bản.")
            % {"amount": f"{amount:,}".replace(",", "."), "code": procedure.code, "n": copies},
        )
    if amount == 0:
        return Fee(
            procedure,
            0,
            _("Không thu lệ phí (danh mục thủ tục %(code)s).") % {"code": procedure.code},
        )
    written = (first.as_written if first else "") or f"{amount:,}".replace(",", ".")
    return Fee(
        procedure,
        amount,
        _("Theo danh mục thủ tục %(code)s: %(written)s (danh mục không ghi tính theo bản).")
        % {"code": procedure.code, "written": written},
    )


def _person_for(ctx: Context, party: CleanParty) -> Person | None:
    """The agency's ``people.Person`` of a party with an ID number: recorded or updated with
    what was declared when the actor may write people's data; else the existing record, if any
    (a leader who is not also an officer signs registrations but does not keep people's data,
    see ``people.permissions``)."""
    if not party.id_number:
        return None
    if not people_permissions.can_write(ctx.actor, ctx.agency):
        return (
            Person.objects.filter(agency=ctx.agency, personal_id=party.id_number)
            .exclude(personal_id="")
            .first()
        )
    names: dict[str, Any]
    if party.has_parts:
        names = {
            "family_name": party.family_name,
            "middle_name": party.middle_name,
            "given_name": party.given_name,
        }
    else:
        names = {"full_name": party.full_name}
    return person_upsert(
        actor=ctx.actor,
        agency=ctx.agency,
        personal_id=party.id_number,
        date_of_birth=party.date_of_birth,
        sex=party.sex or None,
        address=party.residence or None,
        ethnicity=party.ethnicity or None,
        nationality=party.nationality or None,
        today=ctx.today,
        **names,
    )


def party_rows(
    ctx: Context, record: CivilRecord, parties: Sequence[CleanParty | None], **extra: Any
) -> list[CivilParty]:
    rows = []
    for p in parties:
        if p is None:
            continue
        row = CivilParty(
            record=record,
            agency=ctx.agency,
            person=_person_for(ctx, p),
            **p.model_values(),
            **extra,
        )
        rows.append(row)
    CivilParty.objects.bulk_create(rows)
    return rows


def write(
    ctx: Context,
    book: CivilBook,
    *,
    variant: str = "",
    parties: Sequence[CleanParty | None],
    content: Mapping[str, Any],
    fee: Fee,
    event_date: date | None = None,
    late: bool = False,
    valid_until: date | None = None,
    target: CivilRecord | None = None,
    copies: int = 0,
    audit: Mapping[str, Any] | None = None,
) -> CivilRecord:
    """Take the entry number and write the record, its parties and the audit entry."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("write must run inside the registering transaction")
    number, page = entry_number_next(book, registered_on=ctx.registered_on)
    signer = ctx.signer
    record = CivilRecord.objects.create(
        agency=ctx.agency,
        book=book,
        entry_number=number,
        page=page,
        event=ctx.event,
        variant=variant,
        registered_on=ctx.registered_on,
        event_date=event_date,
        late=late,
        valid_until=valid_until,
        target=target,
        procedure=fee.procedure,
        fee_amount_vnd=fee.amount,
        fee_note=fee.note,
        copies_issued=copies,
        content=dict(content),
        registrar=ctx.actor,
        registrar_name=ctx.actor.full_name,
        signer=signer,
        signer_name=signer.full_name if signer else "",
        signer_title=signer.title if signer else "",
        dossier=ctx.dossier,
    )
    party_rows(ctx, record, parties)
    if ctx.dossier is not None:  # the dossier's page and queues show its entry (core.pagecache)
        from xaso.core.pagecache import pages_changed
        from xaso.dossiers.apps import dossier_scopes

        pages_changed(*dossier_scopes(ctx.dossier))
    audit_record(
        actor=ctx.actor,
        action=f"civil.register.{ctx.event}",
        obj=record,
        object_id=str(record.public_id),
        changes={
            "book": str(book.public_id),
            "book_year": book.year,
            "entry_number": number,
            "variant": variant,
            "registered_on": ctx.registered_on,
            "late": late,
            "fee_amount_vnd": fee.amount,
            "procedure": fee.procedure.code if fee.procedure else None,
            "dossier": ctx.dossier.code if ctx.dossier else None,
            **dict(audit or {}),
        },
    )
    return record


def refuse_duplicates(found: Sequence[CivilRecord], *, confirmed: bool, what: str) -> None:
    """Likely the same event registered twice: refused unless the officer confirmed it."""
    if not found or confirmed:
        return
    entries = ", ".join(f"{r.book} số {r.entry_number}" for r in found[:5])
    raise LikelyDuplicate(
        _(
            "Có thể %(what)s này đã được đăng ký: %(entries)s. Kiểm tra lại; nếu đúng là việc "
            "khác, xác nhận để đăng ký."
        )
        % {"what": what, "entries": entries},
        fields={"confirm_duplicate": [str(r.public_id) for r in found[:5]]},
    )


def entry_label(record: CivilRecord) -> str:
    return _("%(book)s, số %(number)d") % {"book": str(record.book), "number": record.entry_number}


def party_copy(view: PartyView, role: str | None = None) -> CleanParty:
    """A party of an earlier entry, as it reads now, named again in a new entry (the ward and
    guardian of a termination, the person whose entry is changed)."""
    return CleanParty(
        role=role or view.role,
        family_name=view.family_name,
        middle_name=view.middle_name,
        given_name=view.given_name,
        full_name=view.full_name,
        name_folded=fold(view.full_name),
        sex=view.sex,
        date_of_birth=view.date_of_birth,
        birth_year=view.birth_year,
        id_number=view.id_number,
        ethnicity=view.ethnicity,
        nationality=view.nationality,
        residence=view.residence,
        relationship="",
    )
