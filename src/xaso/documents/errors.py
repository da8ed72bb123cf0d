"""Broken rules of official documents (Decree 30/2020/NĐ-CP), each with a stable ``code`` (API
clients match on it) and a Vietnamese message."""

from __future__ import annotations

from xaso.core.errors import Conflict, DomainError, InvalidInput, NotFound


class DocumentNotFound(NotFound):
    """Missing, outside the actor's agency, or confidential and the actor not cleared."""


class TransitionNotAllowed(Conflict):
    """The action is not in the transition table for the document's current status."""

    code = "transition_not_allowed"


class CommentRequired(InvalidInput):
    """Returning a draft needs the reason (ý kiến) written down."""

    code = "comment_required"


class FileEmpty(InvalidInput):
    code = "file_empty"


class FileTooLarge(InvalidInput):
    code = "file_too_large"


class FileTypeUnsupported(InvalidInput):
    """Drafts are PDF or DOCX, scans PDF, JPEG or PNG, recognised by their content."""

    code = "file_type_unsupported"


class DocumentFieldInvalid(InvalidInput):
    code = "document_invalid"


class AgencyAbbreviationMissing(Conflict):
    """The notation needs the agency's abbreviation (UBND, ...), and the agency has none."""

    code = "agency_abbreviation_missing"


class PdfRequired(Conflict):
    """Signing needs a PDF draft; a DOCX draft must first be converted (or a PDF uploaded)."""

    code = "pdf_required"


class PdfNotStampable(Conflict):
    """Numbering writes the number and date into an uploaded PDF draft; this one cannot be
    written on (encrypted, damaged, already signed, no room at the top of page 1)."""

    code = "pdf_not_stampable"


class DocxNotStampable(Conflict):
    """Numbering writes the number and date into an uploaded DOCX draft's own blanks; this one
    has no "Số:" label at the top, a number already after it, or cannot be read."""

    code = "docx_not_stampable"


class HandlerInvalid(InvalidInput):
    """Handlers are active staff of the same agency."""

    code = "handler_invalid"


class DeadlineInvalid(InvalidInput):
    code = "deadline_invalid"


class ReplyInvalid(InvalidInput):
    """The reply must be an issued outgoing document of the same agency."""

    code = "reply_invalid"


class RecipientInvalid(InvalidInput):
    """Unknown agency code, the sender itself, or a recipient named twice."""

    code = "recipient_invalid"


class AlreadySent(Conflict):
    code = "already_sent"


class ExchangeUnavailable(DomainError):
    """The exchange (xaso.exchange) is not installed on this node."""

    code = "exchange_unavailable"
    status = 503


class PackageRefused(InvalidInput):
    """An electronic document that cannot become an incoming document (refused back)."""

    code = "package_refused"
