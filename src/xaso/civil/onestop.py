"""The civil status registers and the one-stop shop (issue 4, "Linked to the one-stop shop").

A dossier of a civil status procedure (procedures-commune.json, field "Hộ tịch") is received at
the counter like any other; the civil status officer opens the matching registration form from
the dossier, prefilled with the applicant (as declarant or requester) and keeping the dossier's
code, and saves the entry: the services write immediately (the law registers a birth or a
marriage on the spot, vn-rules.md §3.2), so the entry records its dossier (``CivilRecord.dossier``).

"The leader's approval writes the register entry" is kept as: the leader's approval of such a
dossier is refused while no entry of the register is linked to it (``dossier_approve_check``,
called by ``dossiers.services.actions.dossier_approve``); the entry's certificate is then the
dossier's result (the entry page issues it).

The check applies to agencies that keep their civil status registers here — those with at least
one register book in Xã Số. A commune that registers in another system (the Ministry of
Justice's) approves its dossiers as before; its first entry here opens a book and the check
starts. This is a design choice, not a rule of law.

Which form opens for which procedure is ``PROCEDURE_FORMS``; every code there is one the
services accept a dossier of (``rules.PROCEDURES``). Civil procedures of the catalogue that the
registers do not cover (mobile registration, foreign-element registrations, the interlinked
bundles, supervision of guardianship) open no form and are not checked.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from xaso.core.errors import Conflict
from xaso.dossiers.models import Dossier, Status
from xaso.org.models import Staff

from . import permissions
from .models import CivilBook, CivilRecord

#: Catalogue procedure code → (registration form, initial values of the form).
PROCEDURE_FORMS: dict[str, tuple[str, dict[str, Any]]] = {
    "1.001193": ("birth", {}),
    "1.000689": ("birth", {"father_basis": "recognition"}),
    "1.004884": ("re-registration-birth", {}),
    "1.000656": ("death", {}),
    "1.005461": ("re-registration-death", {}),
    "1.000894": ("marriage", {}),
    "1.004746": ("re-registration-marriage", {}),
    "1.004873": ("marital-status", {}),
    "1.001022": ("parentage", {}),
    "1.004837": ("guardianship", {}),
    "1.004845": ("guardianship-termination", {}),
    "1.004859": ("change", {}),
    "2.002189": ("foreign-marriage", {}),
    "2.000554": ("foreign-divorce", {}),
    "2.000635": ("extract-copy", {}),
    "2.002516": ("info-confirmation", {}),
}


class DossierNotOpenForEntry(Conflict):
    """The dossier cannot be registered from now: not a civil procedure the registers cover,
    decided by another agency, not in processing, or already in the register. ``reason``
    names which."""

    code = "dossier_not_open_for_entry"

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message, fields={"dossier": [message]})
        self.reason = reason


class CivilEntryMissing(Conflict):
    """Approving a civil status dossier before its entry is in the register."""

    code = "civil_entry_missing"


def form_for(procedure_code: str) -> tuple[str, dict[str, Any]] | None:
    """The registration form (slug) and its initial values for a catalogue procedure."""
    return PROCEDURE_FORMS.get(procedure_code)


def registration_url(dossier: Dossier) -> str | None:
    found = form_for(dossier.procedure.code)
    if found is None:
        return None
    return reverse("civil:register", args=[found[0]]) + "?" + urlencode({"dossier": dossier.code})


def dossier_records(dossier: Dossier) -> list[CivilRecord]:
    """The register entries written from this dossier (normally one)."""
    return list(CivilRecord.objects.filter(dossier=dossier).select_related("book").order_by("pk"))


def keeps_registers(agency_id: int) -> bool:
    """Whether the agency keeps its civil status registers here (see the module docstring)."""
    return CivilBook.objects.filter(agency_id=agency_id).exists()


def dossier_approve_check(dossier: Dossier) -> None:
    """The hook of ``dossier_approve``: a civil status dossier of an agency that keeps its
    registers here is approved only once its entry is in the register. Raises
    ``CivilEntryMissing`` (409) otherwise; any other dossier passes untouched."""
    found = form_for(dossier.procedure.code)
    if found is None or not keeps_registers(dossier.competent_agency_id):
        return
    if CivilRecord.objects.filter(dossier_id=dossier.pk).exists():
        return
    raise CivilEntryMissing(
        _(
            "Hồ sơ %(code)s chưa được ghi vào Sổ hộ tịch: công chức tư pháp - hộ tịch mở tờ khai "
            "đăng ký từ hồ sơ (“Mở tờ khai đăng ký”) và lưu trước, rồi mới phê duyệt."
        )
        % {"code": dossier.code}
    )


def dossier_for_registration(*, actor: Staff, dossier: Dossier) -> tuple[str, dict[str, Any]]:
    """Check that a registration may be written from ``dossier`` now, and return its form and
    initial values: a procedure the registers cover, decided by the actor's agency, in
    processing (after reception and assignment, before approval), not yet in the register."""
    found = form_for(dossier.procedure.code)
    if found is None:
        raise DossierNotOpenForEntry(
            "procedure_not_covered",
            _("Thủ tục %(code)s của hồ sơ không ghi vào Sổ hộ tịch trên hệ thống này.")
            % {"code": dossier.procedure.code},
        )
    if dossier.competent_agency_id != actor.agency_id or not permissions.can_register(actor):
        raise DossierNotOpenForEntry(
            "other_agency",
            _("Hồ sơ %(code)s do cơ quan khác giải quyết.") % {"code": dossier.code},
        )
    if dossier.status != Status.IN_PROCESSING:
        raise DossierNotOpenForEntry(
            "not_in_processing",
            _("Chỉ mở tờ khai khi hồ sơ đang xử lý; hồ sơ %(code)s đang ở trạng thái “%(status)s”.")
            % {"code": dossier.code, "status": Status(dossier.status).label},
        )
    done = dossier_records(dossier)
    if done:
        raise DossierNotOpenForEntry(
            "already_registered",
            _("Hồ sơ %(code)s đã được ghi vào sổ: %(entry)s.")
            % {
                "code": dossier.code,
                "entry": _("%(book)s, số %(number)d")
                % {"book": str(done[0].book), "number": done[0].entry_number},
            },
        )
    return found


def applicant_initial(applicant: Any) -> dict[str, Any]:
    """The applicant's details (``people.Person``) as a person of the registration form."""
    values = {
        "family_name": applicant.family_name,
        "middle_name": applicant.middle_name,
        "given_name": applicant.given_name,
        "full_name": applicant.full_name,
        "sex": applicant.sex,
        "date_of_birth": applicant.date_of_birth,
        "birth_year": applicant.date_of_birth.year if applicant.date_of_birth else None,
        "id_number": applicant.personal_id,
        "ethnicity": applicant.ethnicity,
        "nationality": applicant.nationality,
        "residence": applicant.address,
    }
    return {k: v for k, v in values.items() if v not in (None, "")}


#: Which person of each form the applicant is: a role, or "spouse" (the husband or the wife,
#: by the applicant's sex).
APPLICANT_ROLE = {
    "birth": "declarant",
    "re-registration-birth": "declarant",
    "death": "declarant",
    "re-registration-death": "declarant",
    "marriage": "spouse",
    "re-registration-marriage": "spouse",
    "foreign-marriage": "spouse",
    "foreign-divorce": "spouse",
    "marital-status": "person",
    "parentage": "parent",
    "guardianship": "guardian",
    "change": "requester",
    "extract-copy": "requester",
    "info-confirmation": "requester",
}


def applicant_role(slug: str, applicant: Any) -> str | None:
    role = APPLICANT_ROLE.get(slug)
    if role == "spouse":
        return {"male": "husband", "female": "wife"}.get(applicant.sex or "")
    return role


def registration_linked(record: CivilRecord) -> None:
    """After an entry was written from a dossier: the dossier's kept pages show it (its page
    and both agencies' queues are rendered afresh once the write has committed,
    ``core.pagecache.pages_changed``)."""
    if record.dossier_id is None:
        return
    from xaso.core.pagecache import pages_changed
    from xaso.dossiers.apps import dossier_scopes

    dossier = Dossier.objects.only("code", "receiving_agency_id", "competent_agency_id").get(
        pk=record.dossier_id
    )
    pages_changed(*dossier_scopes(dossier))


def dossiers_awaiting_entry(*, actor: Staff, limit: int = 20) -> list[Dossier]:
    """The actor's agency's dossiers of civil procedures in processing with no entry yet,
    soonest due first: the civil status officer's to-do list."""
    if not permissions.can_register(actor):
        return []
    return list(
        Dossier.objects.filter(
            competent_agency_id=actor.agency_id,
            status=Status.IN_PROCESSING,
            procedure__code__in=list(PROCEDURE_FORMS),
        )
        .exclude(civil_records__isnull=False)
        .select_related("procedure", "applicant", "assignee")
        .order_by("due_at", "pk")[:limit]
    )


def dossier_panel(*, actor: Staff, dossier: Dossier) -> dict[str, Any] | None:
    """What the dossier page shows of the register: the entries written from the dossier (the
    result: its certificate is issued from the entry page) or, while it is in processing, the
    link that opens the registration form. None for a dossier of another procedure."""
    if form_for(dossier.procedure.code) is None:
        return None
    records = dossier_records(dossier)
    readable = permissions.can_read(actor) and dossier.competent_agency_id == actor.agency_id
    can_open = (
        not records
        and dossier.status == Status.IN_PROCESSING
        and dossier.competent_agency_id == actor.agency_id
        and permissions.can_register(actor)
    )
    return {
        "records": records if readable else [],
        "entered": bool(records),
        "form_url": registration_url(dossier) if can_open else None,
        "needs_entry": not records and keeps_registers(dossier.competent_agency_id),
    }
