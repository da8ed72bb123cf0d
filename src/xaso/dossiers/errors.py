"""Broken rules of the one-stop workflow, each with a stable ``code`` (API clients match on it)
and a Vietnamese message."""

from __future__ import annotations

from xaso.core.errors import Conflict, DomainError, InvalidInput, NotFound


class DossierNotFound(NotFound):
    """Missing, or outside the actor's agencies: the two look the same."""


class TransitionNotAllowed(Conflict):
    """The action is not in the transition table for the dossier's current status."""

    code = "transition_not_allowed"


class TimeLimitUnconfirmed(Conflict):
    """The procedure's statutory time limit is not confirmed in working days or hours: no
    appointment can be given, and none is invented."""

    code = "time_limit_unconfirmed"


class ProcedureWithoutSteps(Conflict):
    """The procedure has no current internal procedure (quy trình nội bộ) to process it by."""

    code = "procedure_without_steps"


class InvalidChannel(InvalidInput):
    code = "invalid_channel"


class ChecklistInvalid(InvalidInput):
    code = "checklist_invalid"


class ReasonRequired(InvalidInput):
    code = "reason_required"


class ApologyDateNotLater(InvalidInput):
    """The new appointment of an apology must be later than the current one."""

    code = "apology_date_not_later"


class AssigneeInvalid(InvalidInput):
    """The assignee must be an active staff member of the competent agency with the step's role."""

    code = "assignee_invalid"


class StepInvalid(InvalidInput):
    code = "step_invalid"


class NoNextStep(Conflict):
    """The dossier is at the last processing step: approve or refuse it instead."""

    code = "no_next_step"


class TransferTargetInvalid(InvalidInput):
    """Liên thông goes to another agency of the same province."""

    code = "transfer_target_invalid"


class AttachmentRejected(InvalidInput):
    """A scan refused; the subclasses say why, each with its own code."""

    code = "attachment_rejected"


class AttachmentEmpty(AttachmentRejected):
    code = "attachment_empty"


class AttachmentTooLarge(AttachmentRejected):
    """Larger than ``services.attachments.ATTACHMENT_MAX_BYTES``."""

    code = "attachment_too_large"


class AttachmentTypeUnsupported(AttachmentRejected):
    """The content is not a PDF, JPEG or PNG, whatever the name or declared type says."""

    code = "attachment_type_unsupported"


class AttachmentChecklistUnknown(AttachmentRejected):
    """The scan names a document the dossier's checklist does not have."""

    code = "attachment_checklist_unknown"


class Throttled(DomainError):
    code = "throttled"
    status = 429


class TrackingBookTooLarge(Conflict):
    """The book has too many dossiers to print while the caller waits: ask for an export."""

    code = "tracking_book_too_large"


class ExportNotReady(Conflict):
    """The background tracking book is still being made."""

    code = "tracking_book_export_not_ready"


class ExportFailed(Conflict):
    """The background tracking book could not be made (``error`` on the export says why)."""

    code = "tracking_book_export_failed"


class ExportExpired(DomainError):
    """The file was deleted after its keeping time: ask for the book again."""

    code = "tracking_book_export_expired"
    status = 410
