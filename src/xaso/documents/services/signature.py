"""The one place an outgoing document's PDF is signed, so the signing method can be swapped.

Decree 30/2020/NĐ-CP Appendix I describes two signatures on an issued document: the signer's
(image of the handwritten signature) and the organisation's (the seal image, name and time).
Today the platform has the agency's certificate only (``xaso.signing.sign.sign_pdf``, PAdES with
pyHanko): the document is signed with it, its stamp naming the leader who signs. When personal
certificates and seal images exist (``xaso.signing``), this function adds the leader's signature
before the agency's.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from xaso.org.models import Staff

from ..models import OutgoingDocument


def signer_position(leader: Staff) -> str:
    return leader.title or _("Lãnh đạo")


def sign_document_pdf(*, pdf: bytes, document: OutgoingDocument, leader: Staff) -> bytes:
    """The signed PDF of ``document``: the agency's signature over ``pdf`` naming ``leader``."""
    from xaso.signing.sign import sign_pdf

    return sign_pdf(
        pdf,
        agency=document.agency,
        signer_name=leader.full_name or leader.username,
        signer_title=signer_position(leader),
        reason=_("Ban hành văn bản số %(number)s") % {"number": document.number_notation},
        location=document.place or document.agency.unit.name,
    )
