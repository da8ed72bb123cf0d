"""Reads of the issued-documents register: the public facts of one document by its verification
id (no login: what the QR code opens), the check of a presented file against the one issued,
and the documents issued from an entry for the agency's staff.

The public facts are those printed on the document, kept as they were on the day it was issued:
its title and kind, the agency, the book and entry number, the dates, and the names (with the
date of birth) of the persons it is about — never their ID numbers or addresses, which the
public page does not need to tell a real document from a forged one. Whether the entry was
amended since is told as a fact about the document, without the amendment.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from xaso.org.models import Staff

from ..errors import SignerInvalid
from ..models import CivilAmendment, CivilRecord
from ..selectors import record_get_for
from .errors import IssuedDocumentNotFound
from .models import DocumentKind, IssuedDocument, Medium
from .services import CODE_ALPHABET, CODE_LENGTH

#: What people type instead of Crockford's letters.
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
_CODE = re.compile(f"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")


def code_clean(raw: str) -> str | None:
    """ "7k3m-q9tp 2xwa-hr4d" → "7K3MQ9TP2XWAHR4D"; None when it cannot be a code."""
    code = re.sub(r"[\s\-]", "", raw or "").upper().translate(_CONFUSABLE)
    return code if _CODE.match(code) else None


def issued_get_public(code: str) -> IssuedDocument:
    """The document issued under ``code`` (typed with or without dashes, any case)."""
    clean = code_clean(code)
    document = (
        IssuedDocument.objects.select_related("record").filter(code=clean).first()
        if clean
        else None
    )
    if document is None:
        raise IssuedDocumentNotFound(_("Không có giấy tờ hộ tịch nào mang mã xác minh này."))
    return document


@dataclass(frozen=True)
class PublicPerson:
    role: str
    full_name: str
    date_of_birth: date | None
    birth_year: int | None


@dataclass(frozen=True)
class PublicFacts:
    code: str
    title: str
    kind: str
    kind_label: str
    medium: str
    signed: bool
    agency: str
    book: str
    entry_number: int
    registered_on: date
    issued_on: date
    valid_until: date | None
    people: list[PublicPerson]
    amended_since: bool


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def issued_public_facts(document: IssuedDocument) -> PublicFacts:
    """The facts the document printed, and whether its entry changed since it was issued."""
    f = document.facts
    later = CivilAmendment.objects.filter(
        record_id=document.record_id, created_at__gt=document.issued_at
    ).exists()
    return PublicFacts(
        code=document.code,
        title=document.title,
        kind=document.kind,
        kind_label=str(DocumentKind(document.kind).label),
        medium=document.medium,
        signed=document.medium == Medium.ELECTRONIC,
        agency=str(f.get("agency", "")),
        book=str(f.get("book", "")),
        entry_number=int(f.get("entry_number") or 0),
        registered_on=_day(f.get("registered_on")) or document.issued_at.date(),
        issued_on=_day(f.get("issued_on")) or document.issued_at.date(),
        valid_until=_day(f.get("valid_until")),
        people=[
            PublicPerson(
                role=str(p.get("role", "")),
                full_name=str(p.get("full_name", "")),
                date_of_birth=_day(p.get("date_of_birth")),
                birth_year=p.get("birth_year"),
            )
            for p in f.get("people", [])
        ],
        amended_since=later,
    )


def issued_matches(document: IssuedDocument, data: bytes) -> bool:
    """Is ``data`` exactly the file issued (same SHA-256)?"""
    return hmac.compare_digest(hashlib.sha256(data).hexdigest(), document.sha256)


def issued_list_for(
    *, actor: Staff, record_id: Any
) -> tuple[CivilRecord, QuerySet[IssuedDocument]]:
    """The documents issued from an entry of the actor's agency, in order (404 outside it)."""
    record = record_get_for(actor=actor, public_id=record_id)
    documents = (
        IssuedDocument.objects.filter(record=record)
        .select_related("request", "issued_by")
        .order_by("number")
    )
    return record, documents


def signer_get_for(*, actor: Staff, username: str | None) -> Staff | None:
    """The staff member of the actor's agency named as signer (checked as a leader by the
    service); None when none is named."""
    if not username:
        return None
    signer = (
        Staff.objects.select_related("agency")
        .prefetch_related("roles")
        .filter(username=username, agency_id=actor.agency_id)
        .first()
    )
    if signer is None:
        raise SignerInvalid(
            "signer_invalid",
            _("Người ký phải là lãnh đạo đang công tác của cơ quan đăng ký."),
            field="signer",
        )
    return signer
