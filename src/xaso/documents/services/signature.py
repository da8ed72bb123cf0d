"""The one place an outgoing document's PDF is signed, so the signing method can change here
alone.

Decree 30/2020/NĐ-CP Appendix I puts two signatures on an issued document: the signer's (the
image of the handwritten signature, blue) and the organisation's (the seal image, red, over the
left third of the signature, with the organisation's name and the time). When the leader who
signs has a personal certificate, both are made (``xaso.signing.sign.sign_pdf_personal_and_seal``;
a missing signature or seal image is refused, nothing is signed). A leader without a personal
certificate signs through the agency's certificate only (``sign_pdf``), its stamp naming them —
the platform's behaviour before personal certificates existed.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from xaso.org.models import Staff

from ..models import OutgoingDocument


def signer_position(leader: Staff) -> str:
    return leader.title or _("Lãnh đạo")


def sign_document_pdf(
    *,
    pdf: bytes,
    document: OutgoingDocument,
    leader: Staff,
    box: tuple[int, ...] | None = None,
) -> bytes:
    """The signed PDF of ``document``: the leader's and the agency's signatures over ``pdf``.
    ``box`` (page, x1, y1, x2, y2): the signature box of a composed draft's layout; else the
    signing app's default place (bottom right of the last page)."""
    from xaso.signing.selectors import certificate_active_for_staff
    from xaso.signing.sign import (
        DEFAULT_PLACEMENT,
        PERSONAL_PLACEMENT,
        StampPlacement,
        sign_pdf,
        sign_pdf_personal_and_seal,
    )

    placement = StampPlacement(page=box[0], box=(box[1], box[2], box[3], box[4])) if box else None

    reason = _("Ban hành văn bản số %(number)s") % {"number": document.number_notation}
    location = document.place or document.agency.unit.name
    if certificate_active_for_staff(staff=leader) is not None:
        return sign_pdf_personal_and_seal(
            pdf,
            staff=leader,
            reason=reason,
            location=location,
            signer_title=signer_position(leader),
            placement=placement or PERSONAL_PLACEMENT,
        )
    return sign_pdf(
        pdf,
        agency=document.agency,
        signer_name=leader.full_name or leader.username,
        signer_title=signer_position(leader),
        reason=reason,
        location=location,
        placement=placement or DEFAULT_PLACEMENT,
    )
