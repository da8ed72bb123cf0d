"""The internal procedure (quy trình nội bộ, vn-rules.md §1.5) of each procedure, in versions:
an administrator prepares a draft and publishes it; the published version becomes current and
new dossiers are received with it, while every dossier keeps the version it started with. A
published version is never edited. Every write is audited."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xaso.core.audit import audit_record
from xaso.core.errors import InvalidInput, NotFound
from xaso.core.text import squash_spaces
from xaso.org.models import Staff

from .. import permissions
from ..models import Procedure, ProcedureStep, ProcedureVersion, VersionStatus
from ..selectors import version_draft_for
from ..steps import TEMPLATE_BASIS, StepSpec, steps_problems, steps_shape_problems, template_steps


def _steps_write(version: ProcedureVersion, steps: Sequence[StepSpec]) -> None:
    version.steps.all().delete()
    ProcedureStep.objects.bulk_create(
        ProcedureStep(
            version=version, order=i, name=s.name, role=s.role, hours=s.hours, counted=s.counted
        )
        for i, s in enumerate(steps, 1)
    )


def _make_current(version: ProcedureVersion, actor: Staff | None) -> ProcedureVersion:
    """Give ``version`` the next number and make it the one new dossiers are received with;
    dossiers received before keep theirs (``Dossier.procedure_version``)."""
    procedure = version.procedure
    last = procedure.versions.exclude(number=None).order_by("-number").first()
    procedure.versions.filter(is_current=True).update(is_current=False)
    version.number = (last.number or 0) + 1 if last else 1
    version.status = VersionStatus.PUBLISHED
    version.is_current = True
    version.published_at = timezone.now()
    version.published_by = actor
    version.save()
    return version


def _version_add(
    procedure: Procedure,
    *,
    valid_from: date,
    basis: str,
    template: bool,
    steps: Sequence[StepSpec],
    actor: Staff | None = None,
) -> ProcedureVersion:
    """A new current version at once (templates, imports, ``version_publish``)."""
    version = ProcedureVersion(
        procedure=procedure, valid_from=valid_from, is_template=template, basis=basis
    )
    _make_current(version, actor)
    _steps_write(version, steps)
    return version


def _template_version(procedure: Procedure, today: date) -> ProcedureVersion:
    return _version_add(
        procedure,
        valid_from=today,
        basis=TEMPLATE_BASIS,
        template=True,
        steps=template_steps(procedure.time_limit_hours),
    )


def _publish_problems(
    procedure: Procedure, *, valid_from: date | None, basis: str, steps: Sequence[StepSpec]
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not basis.strip():
        errors["basis"] = [_("Cần ghi quyết định ban hành quy trình nội bộ.")]
    today = timezone.localdate()
    if valid_from is None:
        errors["valid_from"] = [_("Cần ghi ngày áp dụng.")]
    elif valid_from > today:
        errors["valid_from"] = [
            _(
                "Ngày áp dụng %(day)s chưa đến: chỉ ban hành từ ngày đó, để hồ sơ tiếp nhận "
                "trước ngày đó vẫn theo quy trình cũ."
            )
            % {"day": f"{valid_from:%d/%m/%Y}"}
        ]
    problems = steps_problems(
        steps, kind=procedure.time_limit_kind, value=procedure.time_limit_value
    )
    if problems:
        errors["steps"] = problems
    return errors


def _refuse(errors: dict[str, list[str]]) -> None:
    if errors:
        messages = [m for ms in errors.values() for m in ms]
        message = messages[0] if len(messages) == 1 else _("Quy trình nội bộ chưa ban hành được.")
        raise InvalidInput(message, fields=errors)


def _specs(steps: Sequence[tuple[str, str, int | None, bool]]) -> list[StepSpec]:
    return [StepSpec(squash_spaces(n), r, h, c) for n, r, h, c in steps]


def _locked(procedure: Procedure) -> Procedure:
    """The procedure's row, locked: drafts and publications of one procedure never interleave
    (two administrators publishing at once would otherwise take the same number)."""
    return Procedure.objects.select_for_update().get(pk=procedure.pk)


@transaction.atomic
def version_publish(
    *,
    actor: Staff,
    procedure: Procedure,
    valid_from: date,
    basis: str,
    steps: Sequence[tuple[str, str, int | None, bool]],
) -> ProcedureVersion:
    """Replace the current internal procedure by the one the province approved (vn-rules.md
    §1.5): ordered (name, role, hours, counted) steps; counted hours fill the statutory limit.
    A draft being prepared is left as it is."""
    permissions.require_manage_catalogue(actor)
    procedure = _locked(procedure)
    specs = _specs(steps)
    _refuse(_publish_problems(procedure, valid_from=valid_from, basis=basis, steps=specs))
    version = _version_add(
        procedure,
        valid_from=valid_from,
        basis=squash_spaces(basis),
        template=False,
        steps=specs,
        actor=actor,
    )
    _audit_publish(actor, procedure, version, specs)
    return version


def _audit_publish(
    actor: Staff, procedure: Procedure, version: ProcedureVersion, steps: Sequence[StepSpec]
) -> None:
    audit_record(
        actor=actor,
        action="procedure.version_publish",
        obj=procedure,
        changes={
            "version": [None, version.number],
            "basis": [None, version.basis],
            "hours": [None, sum(s.hours or 0 for s in steps if s.counted)],
        },
    )


def _draft_of(procedure: Procedure) -> ProcedureVersion:
    draft = version_draft_for(procedure)
    if draft is None:
        raise NotFound(
            _("Thủ tục %(code)s không có bản nháp quy trình.") % {"code": procedure.code}
        )
    return draft


@transaction.atomic
def version_draft_save(
    *,
    actor: Staff,
    procedure: Procedure,
    valid_from: date | None,
    basis: str,
    steps: Sequence[tuple[str, str, int | None, bool]],
) -> ProcedureVersion:
    """Soạn thảo: keep the administrator's draft of the next internal procedure (one per
    procedure, replaced by each save). A draft may still break the budget rules; it only has to
    be readable (named steps, dossier roles, hours not negative). Dossiers never see it."""
    permissions.require_manage_catalogue(actor)
    procedure = _locked(procedure)
    specs = _specs(steps)
    problems = steps_shape_problems(specs)
    if problems:
        _refuse({"steps": problems})
    draft = version_draft_for(procedure)
    created = draft is None
    if draft is None:
        draft = ProcedureVersion(
            procedure=procedure, status=VersionStatus.DRAFT, is_current=False, number=None
        )
    draft.valid_from = valid_from or timezone.localdate()
    draft.basis = squash_spaces(basis)
    draft.save()
    _steps_write(draft, specs)
    audit_record(
        actor=actor,
        action="procedure.version_draft",
        obj=procedure,
        changes={
            "draft": ["new" if created else "saved", len(specs)],
            "basis": [None, draft.basis],
        },
    )
    return draft


@transaction.atomic
def version_draft_publish(*, actor: Staff, procedure: Procedure) -> ProcedureVersion:
    """Ban hành: the draft becomes the current version, with the next number. New dossiers are
    received with it; those received before keep the version they started with."""
    permissions.require_manage_catalogue(actor)
    procedure = _locked(procedure)
    draft = _draft_of(procedure)
    specs = [StepSpec(s.name, s.role, s.hours, s.counted) for s in draft.steps.order_by("order")]
    _refuse(
        _publish_problems(procedure, valid_from=draft.valid_from, basis=draft.basis, steps=specs)
    )
    draft.procedure = procedure
    _make_current(draft, actor)
    _audit_publish(actor, procedure, draft, specs)
    return draft


@transaction.atomic
def version_draft_discard(*, actor: Staff, procedure: Procedure) -> None:
    """Bỏ bản nháp: nothing of it was ever used."""
    permissions.require_manage_catalogue(actor)
    procedure = _locked(procedure)
    draft = _draft_of(procedure)
    steps = draft.steps.count()
    draft.delete()
    audit_record(
        actor=actor,
        action="procedure.version_draft_discard",
        obj=procedure,
        changes={"draft": [steps, None]},
    )
