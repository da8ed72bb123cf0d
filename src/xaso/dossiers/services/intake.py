"""Tiếp nhận: the intake of a dossier at the counter, by post or online (Decree 118/2025 Art 17;
vn-rules.md §1.5 step 1)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xaso.core.errors import InvalidInput, NotFound, PermissionDenied
from xaso.org.models import Agency, Staff
from xaso.people.services import person_upsert
from xaso.procedures.models import Procedure, ProcedureVersion
from xaso.procedures.selectors import procedure_get
from xaso.workdays.clock import to_vietnam_time

from .. import permissions, timing
from ..errors import ChecklistInvalid, InvalidChannel, ProcedureWithoutSteps
from ..models import Channel, Dossier, DossierChecklistItem, Status
from ..notices import notice_queue
from .codes import dossier_code_next
from .routing import check_same_province
from .workflow import record, require_rule, rule_for

#: What the intake reads of the applicant; all of it goes to ``people.Person``, none to the dossier.
APPLICANT_FIELDS = (
    "personal_id",
    "full_name",
    "family_name",
    "middle_name",
    "given_name",
    "date_of_birth",
    "sex",
    "phone",
    "email",
    "address",
)


def _current_version(procedure: Procedure) -> ProcedureVersion:
    versions = getattr(procedure, "current_versions", None)
    if versions is None:
        versions = list(procedure.versions.filter(is_current=True))
    if not versions or not list(versions[0].steps.all()):
        raise ProcedureWithoutSteps(
            _("Thủ tục %(code)s chưa có quy trình nội bộ để xử lý hồ sơ.")
            % {"code": procedure.code}
        )
    return versions[0]


def _checklist_rows(
    procedure: Procedure, checklist: Iterable[Mapping[str, Any]]
) -> list[DossierChecklistItem]:
    """One row per ticked document: ``{"document": <order in the catalogue>, "originals": n,
    "copies": n}``. Unknown or repeated documents are refused."""
    documents = {d.order: d for d in procedure.documents.all()}
    rows: list[DossierChecklistItem] = []
    seen: set[int] = set()
    problems: list[str] = []
    for item in checklist:
        order = item.get("document")
        originals = int(item.get("originals", 0) or 0)
        copies = int(item.get("copies", 0) or 0)
        if not isinstance(order, int) or order not in documents:
            problems.append(_("Thủ tục không có giấy tờ số %(order)s.") % {"order": order})
            continue
        if order in seen:
            problems.append(_("Giấy tờ số %(order)s được kê hai lần.") % {"order": order})
            continue
        if originals < 0 or copies < 0 or originals + copies == 0:
            problems.append(
                _("Giấy tờ số %(order)s: cần ít nhất một bản chính hoặc bản sao.")
                % {"order": order}
            )
            continue
        seen.add(order)
        doc = documents[order]
        rows.append(
            DossierChecklistItem(
                document=doc, order=order, name=doc.name, originals=originals, copies=copies
            )
        )
    if problems:
        raise ChecklistInvalid(
            _("Danh mục giấy tờ đã nhận chưa đúng."), fields={"checklist": problems}
        )
    return sorted(rows, key=lambda r: r.order)


def _applicant(actor: Staff, agency: Agency, applicant: Mapping[str, Any]) -> Any:
    unknown = sorted(set(applicant) - set(APPLICANT_FIELDS))
    if unknown:
        raise InvalidInput(
            _("Thông tin người nộp hồ sơ có trường không hỗ trợ."),
            fields={f"applicant.{k}": [_("Trường không hỗ trợ.")] for k in unknown},
        )
    values = dict(applicant)
    dob = values.get("date_of_birth")
    if isinstance(dob, str):
        try:
            values["date_of_birth"] = date.fromisoformat(dob)
        except ValueError:
            raise InvalidInput(
                _("Ngày sinh không hợp lệ."),
                fields={"applicant.date_of_birth": [_("Không phải ngày hợp lệ (YYYY-MM-DD).")]},
            ) from None
    return person_upsert(actor=actor, agency=agency, **values)


@transaction.atomic
def dossier_receive(
    *,
    actor: Staff,
    procedure_code: str,
    channel: str,
    applicant: Mapping[str, Any],
    checklist: Iterable[Mapping[str, Any]] = (),
    received_at: datetime | None = None,
    competent_agency: Agency | None = None,
    note: str = "",
) -> Dossier:
    """Tiếp nhận hồ sơ: record the applicant (in ``people``), give the dossier its code (agency
    code-YYMMDD-sequence, gapless, Circular 03/2025 Art 13) and its appointment from the
    procedure's statutory limit, tick the documents received, and write the first event.
    Reception staff only. ``competent_agency`` (default: the receiving agency) may be another
    agency of the province: the dossier is received "phi địa giới" and routed (vn-rules.md §1.3).
    """
    if not permissions.can_receive(actor):
        raise PermissionDenied(_("Chỉ cán bộ tiếp nhận và trả kết quả được tiếp nhận hồ sơ."))
    if channel not in Channel.values:
        raise InvalidChannel(
            _("Kênh nộp hồ sơ phải là counter, post hoặc online."),
            fields={"channel": [_("Giá trị không nằm trong danh sách cho phép.")]},
        )
    receiving = actor.agency
    competent = competent_agency or receiving
    if competent.pk != receiving.pk:
        check_same_province(receiving, competent)
    try:
        procedure = procedure_get(procedure_code)
    except NotFound as exc:
        raise InvalidInput(exc.message, fields={"procedure": [exc.message]}) from None
    version = _current_version(procedure)
    at = to_vietnam_time(received_at or timezone.now())
    due = timing.appointment(procedure=procedure, received_at=at, agency=receiving)
    rows = _checklist_rows(procedure, checklist)
    # Lock order: the agency's counter row first, then the applicant's row and the audit head.
    # Taking the code after person_upsert would deadlock on PostgreSQL: an upsert that changes
    # nothing writes no audit entry, so one intake would hold the counter and wait for the
    # audit head while another holds the audit head and waits for the counter.
    code = dossier_code_next(agency=receiving, received_on=at.date())
    person = _applicant(actor, receiving, applicant)

    rule = rule_for("", "receive")
    first_step = version.steps.all()[0]
    dossier = Dossier(
        code=code,
        receiving_agency=receiving,
        competent_agency=competent,
        procedure=procedure,
        procedure_version=version,
        applicant=person,
        channel=channel,
        status=Status.RECEIVED,
        current_step=first_step,
        assignee=actor,
        step_due_at=timing.step_deadline(step=first_step, start=due.counted_from, agency=receiving),
        received_at=at,
        counted_from=due.counted_from,
        initial_due_at=due.due_at,
        statutory_due_at=due.due_at,
        due_at=due.due_at,
    )
    require_rule(rule, actor, dossier)
    dossier.save()
    for row in rows:
        row.dossier = dossier
    DossierChecklistItem.objects.bulk_create(rows)
    data: dict[str, Any] = {
        "procedure": procedure.code,
        "channel": channel,
        "due_at": due.due_at.isoformat(),
        "checklist": [[r.order, r.originals, r.copies] for r in rows],
    }
    if competent.pk != receiving.pk:
        data["competent_agency"] = competent.code
    event = record(
        dossier, action="receive", actor=actor, from_status="", at=at, note=note, data=data
    )
    notice_queue(event=event)
    return dossier
