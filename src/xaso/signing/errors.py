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


class Pkcs11ModuleInvalid(InvalidInput):
    """The PKCS#11 library named is not a file, not allowed here, or does not load."""

    code = "pkcs11_module_invalid"


class TokenUnavailable(DomainError):
    """No token with that label is plugged in (or the module cannot reach it)."""

    code = "token_unavailable"
    status = 503


class TokenPinMissing(DomainError):
    """The token's PIN is not where the certificate says (an unset environment variable, a PIN
    file the key-store passphrase does not open)."""

    code = "token_pin_missing"
    status = 503


class TokenPinInvalid(InvalidInput):
    """The token refused the PIN (or is locked after too many wrong ones)."""

    code = "token_pin_invalid"


class TokenKeyMissing(InvalidInput):
    """No private key (or no certificate) with that label/ID on the token, or more than one."""

    code = "token_key_missing"


class CertificateKeyMismatch(InvalidInput):
    """The certificate does not belong to the key (a test signature does not verify)."""

    code = "certificate_key_mismatch"


class ImageInvalid(InvalidInput):
    """Not a PNG by its content, unreadable, or outside the allowed dimensions."""

    code = "image_invalid"


class ImageTooLarge(DomainError):
    code = "file_too_large"
    status = 413


class ImageMissing(Conflict):
    """The appearance asked for needs a signature or seal image nobody uploaded."""

    code = "image_missing"
