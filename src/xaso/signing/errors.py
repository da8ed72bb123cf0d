"""What goes wrong with signing keys, signing and verification, each with a stable code."""

from __future__ import annotations

from xaso.core.errors import Conflict, DomainError, InvalidInput


class CertificateMissing(Conflict):
    """The agency has no active signing certificate (run ``xaso signing issue-demo`` or import
    one)."""

    code = "certificate_missing"


class CertificateExpired(InvalidInput):
    """Outside its validity period: a signature made with it would not validate."""

    code = "certificate_expired"


class CertificateNotYetValid(InvalidInput):
    code = "certificate_not_yet_valid"


class Pkcs12Invalid(InvalidInput):
    """Not a PKCS#12 file, or the password does not open it, or it holds no key and certificate."""

    code = "pkcs12_invalid"


class CertificateUnsuitable(InvalidInput):
    """A CA certificate, or one whose key usage forbids signing documents."""

    code = "certificate_unsuitable"


class StampPlacementInvalid(InvalidInput):
    code = "stamp_placement_invalid"


class PdfInvalid(InvalidInput):
    """The upload is not a PDF by its content, or cannot be read as one."""

    code = "pdf_invalid"


class PdfTooLarge(DomainError):
    code = "file_too_large"
    status = 413


class SigningFailed(DomainError):
    """pyHanko refused the document (an encrypted PDF, a broken cross-reference table...)."""

    code = "signing_failed"
    status = 422
