"""Broken rules of reporting, each with a stable ``code`` and a Vietnamese message."""

from __future__ import annotations

from xaso.core.errors import Conflict, InvalidInput, NotFound


class RequestNotFound(NotFound):
    """Missing, or outside what the actor may see."""


class IndicatorsInvalid(InvalidInput):
    """The form of figures: codes, labels, units and types (integer or decimal)."""

    code = "report_indicators_invalid"


class RequestInvalid(InvalidInput):
    code = "report_request_invalid"


class NotSuperior(Conflict):
    """Only an agency with agencies below it can ask them for reports."""

    code = "report_not_superior"


class TargetInvalid(InvalidInput):
    """A target must be an agency below the requester (on this node or another)."""

    code = "report_target_invalid"


class RequestNotDraft(Conflict):
    """Only a draft is edited, sent or deleted: a sent request is already at the agencies."""

    code = "report_request_not_draft"


class RequestStale(Conflict):
    """The draft was changed by someone else since the caller read it (its ``version`` moved):
    saving would silently overwrite their change."""

    code = "report_request_stale"


class RequestNotOpen(Conflict):
    """Reminders go only with a request that was sent and is not closed."""

    code = "report_request_not_open"


class NothingToRemind(Conflict):
    """Every agency asked has submitted, or was reminded within the last hour."""

    code = "report_nothing_to_remind"


class RequestClosed(Conflict):
    """The requester closed the request: no more submissions."""

    code = "report_request_closed"


class ResubmissionTooLate(Conflict):
    """A report already submitted cannot be replaced after the deadline."""

    code = "report_resubmission_too_late"


class ValuesInvalid(InvalidInput):
    code = "report_values_invalid"


class FileRequired(InvalidInput):
    code = "report_file_required"


class FileNotExpected(InvalidInput):
    code = "report_file_not_expected"


class FileEmpty(InvalidInput):
    code = "report_file_empty"


class FileTooLarge(InvalidInput):
    code = "report_file_too_large"


class FileTypeUnsupported(InvalidInput):
    """Report files are PDF, DOCX or XLSX, recognised by their content; signed ones PDF."""

    code = "report_file_type_unsupported"


class SignatureInvalid(InvalidInput):
    """The request asks for a signed PDF: every signature must verify and cover the file."""

    code = "report_signature_invalid"


class PackageMismatch(InvalidInput):
    """A received package does not match what this node holds (unknown request, agency not
    asked, file digest wrong)."""

    code = "report_package_mismatch"


class TargetNotFound(NotFound):
    """The request did not ask this agency (or the request is outside the caller's reach)."""


class NothingSubmitted(Conflict):
    """Only a submitted report can be returned for correction."""

    code = "report_nothing_submitted"


class AlreadyReturned(Conflict):
    """The agency's latest report was already returned and nothing new came in since."""

    code = "report_already_returned"


class ReturnReasonRequired(InvalidInput):
    """A report is returned with the reason (what to complete or correct)."""

    code = "report_return_reason_required"
