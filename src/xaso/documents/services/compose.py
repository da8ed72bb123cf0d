"""Drafts composed in the Decree 30/2020/NĐ-CP layout (Appendix I) instead of uploaded: the
fields are kept on the document and rendered to PDF by ``xaso.documents.drafting.render``; the
draft shows the blank number ("Số:      /QĐ-UBND") until the clerk numbers it, and numbering
renders the final version with its number and date and remembers where the signature box is."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from xaso.core.text import squash_spaces
from xaso.org.models import Agency, Staff

from ..errors import DocumentFieldInvalid
from ..models import OFFICIAL_LETTER, Confidentiality, OutgoingDocument, Urgency
from .files import CheckedFile, check_file
from .numbering import agency_abbreviation

#: Keys of ``OutgoingDocument.content`` the drafter writes.
CONTENT_KEYS = (
    "body",
    "addressees",
    "recipients",
    "signer_position",
    "signer_name",
    "signer_authority",
    "superior_agency_name",
)


def _lines(values: Iterable[str]) -> list[str]:
    return [squash_spaces(v) for v in values if v and v.strip()]


def content_of(
    *,
    body: str,
    signer_position: str,
    signer_name: str,
    addressees: Iterable[str] = (),
    recipients: Iterable[str] = (),
    signer_authority: str = "",
    superior_agency_name: str = "",
) -> dict[str, Any]:
    """The stored fields of a composed draft (NFC, trimmed; the body keeps its lines)."""
    text = "\n".join(squash_spaces(line) for line in (body or "").splitlines())
    if len(text) > 50_000:
        raise DocumentFieldInvalid(
            _("Nội dung văn bản dài quá 50.000 ký tự."), fields={"body": [_("Quá dài.")]}
        )
    return {
        "body": text.strip(),
        "addressees": _lines(addressees),
        "recipients": _lines(recipients),
        "signer_position": squash_spaces(signer_position or ""),
        "signer_name": squash_spaces(signer_name or ""),
        "signer_authority": squash_spaces(signer_authority or ""),
        "superior_agency_name": squash_spaces(superior_agency_name or ""),
    }


def render(
    *,
    agency: Agency,
    doc_type: str,
    subject: str,
    place: str,
    drafting_unit: str,
    urgency: str,
    confidentiality: str,
    content: Mapping[str, Any],
    number: int | None = None,
    on: date | None = None,
) -> tuple[CheckedFile, tuple[int, int, int, int, int]]:
    """The PDF of the draft (checked like an upload) and its signature box (page, x1, y1, x2,
    y2). Refusals of the layout (a missing part, a công văn without its drafting unit) come
    from ``drafting`` as DomainErrors with the field named."""
    from xaso.documents.drafting.render import DraftContent, render_document

    draft = DraftContent(
        agency_name=agency.name,
        agency_abbr=agency_abbreviation(agency),
        type_code=doc_type,
        place=place or agency.unit.name,
        title=subject,
        body=content["body"],
        signer_position=content["signer_position"],
        signer_name=content["signer_name"],
        superior_agency_name=content.get("superior_agency_name", ""),
        # The notation of a typed document is type-agency here (numbering.notation_for).
        unit_abbr=drafting_unit or None if doc_type == OFFICIAL_LETTER else None,
        number=number,
        date=on,
        recipients=tuple(content.get("recipients", ())),
        addressees=tuple(content.get("addressees", ())),
        signer_authority=content.get("signer_authority", ""),
        urgency=urgency if urgency in Urgency.values else Urgency.NORMAL,
        confidentiality=confidentiality
        if confidentiality in Confidentiality.values
        else Confidentiality.NORMAL,
    )
    rendered = render_document(draft)
    checked = check_file(rendered.pdf, name="du-thao.pdf", accepted=frozenset({"application/pdf"}))
    return checked, (rendered.stamp_page, *rendered.stamp_box)


@transaction.atomic
def outgoing_compose(
    *,
    actor: Staff,
    doc_type: str,
    subject: str,
    body: str,
    signer_position: str,
    signer_name: str,
    addressees: Iterable[str] = (),
    recipients: Iterable[str] = (),
    signer_authority: str = "",
    superior_agency_name: str = "",
    urgency: str = Urgency.NORMAL,
    confidentiality: str = Confidentiality.NORMAL,
    cleared: Iterable[str] = (),
    drafting_unit: str = "",
    place: str = "",
    copies: int = 1,
) -> OutgoingDocument:
    """Soạn văn bản theo thể thức (Decree 30/2020 Appendix I): the draft is rendered as version
    1, the "Nơi nhận" list also kept as the document's recipients text."""
    from .. import permissions
    from ..models import DocumentType
    from . import outgoing

    permissions.require(
        permissions.can_draft(actor), _("Chỉ chuyên viên hoặc lãnh đạo được soạn văn bản đi.")
    )
    outgoing._choice(doc_type, DocumentType, field="doc_type", label=_("Loại văn bản"))
    content = content_of(
        body=body,
        signer_position=signer_position,
        signer_name=signer_name,
        addressees=addressees,
        recipients=recipients,
        signer_authority=signer_authority,
        superior_agency_name=superior_agency_name,
    )
    checked, _stamp = render(
        agency=actor.agency,
        doc_type=doc_type,
        subject=squash_spaces(subject or ""),
        place=squash_spaces(place or ""),
        drafting_unit=squash_spaces(drafting_unit or "").upper(),
        urgency=urgency,
        confidentiality=confidentiality,
        content=content,
    )
    return outgoing.outgoing_create(
        actor=actor,
        doc_type=doc_type,
        subject=subject,
        file_data=checked.data,
        file_name=checked.name,
        urgency=urgency,
        confidentiality=confidentiality,
        cleared=cleared,
        drafting_unit=drafting_unit,
        recipients_text="; ".join(content["recipients"]),
        place=place,
        copies=copies,
        content=content,
    )
