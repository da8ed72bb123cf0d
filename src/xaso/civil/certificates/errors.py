"""Refusals of certificate issuing, each with a stable ``code`` and a Vietnamese message. The
signer's problems reuse ``civil.errors.SignerInvalid`` (codes ``signer_invalid``,
``signer_required``, ``signer_title_missing``)."""

from __future__ import annotations

from xaso.core.errors import Conflict, NotFound


class CertificateKindUnavailable(Conflict):
    """That kind of document is not issued from this entry: a copy of a marital status
    confirmation or of a confirmation of civil status information (a new one is issued instead,
    Decree 123/2015 Art 23), an original from an extract-copy request."""

    code = "certificate_kind_unavailable"


class OriginalAlreadyIssued(Conflict):
    """The original (bản chính) of an entry is issued once; later documents are copies."""

    code = "original_already_issued"


class CopiesExhausted(Conflict):
    """Every copy an extract-copy request (Cấp bản sao trích lục) asked and paid for has been
    issued."""

    code = "copies_exhausted"


class IssuedDocumentNotFound(NotFound):
    """No document was issued under that verification id."""
