"""What goes wrong when drafting, converting or checking a document file, each with a stable code.

Every message is Vietnamese and says what the official can do next: the files come from people
(an uploaded DOCX or PDF), so a damaged or wrong file is an ordinary event, not a crash.
"""

from __future__ import annotations

from xaso.core.errors import DomainError, InvalidInput


class DocumentTypeUnknown(InvalidInput):
    """A type code outside Decree 30/2020/NĐ-CP Appendix III."""

    code = "document_type_unknown"


class NotationInvalid(InvalidInput):
    """A number or an abbreviation that cannot form a Decree 30 number and notation."""

    code = "notation_invalid"


class DocxInvalid(InvalidInput):
    """The bytes are not a Word document in the DOCX (Office Open XML) format."""

    code = "docx_invalid"


class DocxDamaged(InvalidInput):
    """A DOCX container whose parts are corrupt or cannot be read."""

    code = "docx_damaged"


class ConversionFailed(DomainError):
    """LibreOffice ran but produced no usable PDF."""

    code = "conversion_failed"
    status = 422


class ConversionTimeout(ConversionFailed):
    """LibreOffice did not finish in the allowed time and was stopped."""

    code = "conversion_timeout"
    status = 504


class ConverterMissing(ConversionFailed):
    """LibreOffice (``soffice``) is not installed on this server."""

    code = "converter_missing"
    status = 503


class PdfInvalid(InvalidInput):
    """The bytes are not a PDF file."""

    code = "pdf_invalid"


class PdfEncrypted(InvalidInput):
    """A password-protected (encrypted) PDF: it can be neither read for the register nor signed."""

    code = "pdf_encrypted"


class PdfDamaged(InvalidInput):
    """A PDF whose structure is broken so its pages cannot be read."""

    code = "pdf_damaged"


class DraftIncomplete(InvalidInput):
    """A part the Decree 30 layout requires (agency, place, subject, signer) is empty."""

    code = "draft_incomplete"
