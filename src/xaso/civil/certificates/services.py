"""Issuing a certificate or extract: ``certificate_issue``.

Every document handed out — the original, each copy, each extract, on paper or signed
electronically, at registration or years later — is rendered from the entry as it reads that day
(amendments applied and noted), recorded as an ``IssuedDocument`` with its verification id and
the SHA-256 of the very bytes handed out, counted per entry, and written in the audit trail (it
shows personal data: Decree 13/2023/NĐ-CP). An electronic document carries the agency's PAdES
signature with its visible stamp in the signer's block (``signing.sign_pdf``, ADR 0003).

Why render and sign outside the transaction: both take tens of milliseconds, and on SQLite a
write transaction holds the whole database. The verification id is random and the kind is
decided first, so the document can be finished before the short transaction that locks the
entry, checks again (another officer may have issued the original meanwhile), numbers the
document and records it. When the kind was chosen automatically and the original went to someone
else in between, the document is made again as a copy.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from urllib.parse import urljoin

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from xaso.core.audit import audit_record
from xaso.dossiers.slips import issuer_for
from xaso.org.models import Staff

from .. import permissions
from ..current import CurrentRecord, record_current
from ..errors import FieldInvalid, RecordNotFound, SignerInvalid
from ..models import CivilRecord, Event
from ..selectors import RECORD_PREFETCH
from .content import (
    ORIGINAL_TITLES,
    Issue,
    Sheet,
    SignerBlock,
    kinds_available,
    related_ids,
    sheet_for,
)
from .content import signer_block as make_signer_block
from .errors import CertificateKindUnavailable, CopiesExhausted, OriginalAlreadyIssued
from .models import DocumentKind, IssuedDocument, Medium
from .render import format_code, render_sheet

#: Crockford's base32: no I, L, O, U, so a code read aloud or typed is not misread.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#: 16 characters of 5 bits: 80 random bits, not guessable within any rate limit.
CODE_LENGTH = 16
#: The events that have a document of their own.
DOCUMENT_EVENTS = frozenset(event for event, _variant in ORIGINAL_TITLES)


def code_new() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def verify_url(code: str) -> str:
    """The public page of a document, as its QR code opens it."""
    try:
        path = reverse("civil_certificates:verify", args=[code])
    except NoReverseMatch as exc:  # the deployment did not mount certificate_urls
        raise RuntimeError(
            "xaso.civil.certificate_urls is not mounted (namespace civil_certificates)"
        ) from exc
    return urljoin(str(settings.XASO_PUBLIC_BASE_URL).rstrip("/") + "/", path.lstrip("/"))


@dataclass(frozen=True)
class IssuedPdf:
    document: IssuedDocument
    pdf: bytes


class _Raced(Exception):
    """The original was issued by someone else after the kind was chosen."""


def _entry(record: CivilRecord) -> CivilRecord:
    return (
        CivilRecord.objects.select_related("book", "agency__unit", "agency__parent", "signer")
        .prefetch_related(*RECORD_PREFETCH)
        .get(pk=record.pk)
    )


def _related(record: CivilRecord) -> dict[str, CurrentRecord]:
    ids = related_ids(record)
    if not ids:
        return {}
    rows = (
        CivilRecord.objects.filter(agency_id=record.agency_id, public_id__in=ids)
        .select_related("book")
        .prefetch_related(*RECORD_PREFETCH)
    )
    return {str(r.public_id): record_current(r) for r in rows}


def _is_leader_of(staff: Staff | None, record: CivilRecord) -> bool:
    return bool(
        staff is not None
        and staff.is_active
        and staff.agency_id == record.agency_id
        and staff.has_role("leader")
    )


def signer_for(
    *, actor: Staff, record: CivilRecord, kind: str, signer: Staff | None
) -> tuple[Staff, str, SignerBlock]:
    """Who signs, under which title (as their staff record writes it) and block: the leader
    named; else, for the original, the leader who signed the entry; else the actor if a leader;
    else the entry's signer. The signer is an active leader of the
    agency (the Chairman, or a Vice-Chairman by assignment, vn-rules.md §3.5) with a title."""
    if signer is not None:
        if not _is_leader_of(signer, record):
            raise SignerInvalid(
                "signer_invalid",
                _("Người ký phải là lãnh đạo đang công tác của cơ quan đăng ký."),
                field="signer",
            )
        chosen = signer
    elif kind == DocumentKind.ORIGINAL and _is_leader_of(record.signer, record):
        chosen = record.signer  # type: ignore[assignment]
    elif _is_leader_of(actor, record):
        chosen = actor
    elif _is_leader_of(record.signer, record):
        chosen = record.signer  # type: ignore[assignment]
    else:
        raise SignerInvalid(
            "signer_required",
            _("Cần chọn lãnh đạo của cơ quan ký giấy (Chủ tịch hoặc Phó Chủ tịch)."),
            field="signer",
        )
    title = chosen.title or (record.signer_title if chosen.pk == record.signer_id else "")
    if not title.strip():
        raise SignerInvalid(
            "signer_title_missing",
            _("Người ký %(name)s chưa có chức vụ: cập nhật chức vụ trước khi cấp giấy.")
            % {"name": chosen.full_name},
            field="signer",
        )
    return chosen, title.strip(), make_signer_block(chosen.full_name, title.strip())


def _choose_kind(record: CivilRecord, requested: str | None, request: CivilRecord | None) -> str:
    """The kind asked, else the original the first time and a copy afterwards."""
    has_original = IssuedDocument.objects.filter(record=record, kind=DocumentKind.ORIGINAL).exists()
    if requested is not None:
        kind = requested
    elif request is not None or has_original:
        kind = DocumentKind.COPY
    else:
        kind = DocumentKind.ORIGINAL
    if request is not None and kind == DocumentKind.ORIGINAL:
        raise CertificateKindUnavailable(
            _("Yêu cầu cấp bản sao trích lục chỉ cấp bản sao, không cấp bản chính."),
            fields={"kind": [_("Loại giấy này không được cấp.")]},
        )
    if kind not in kinds_available(record):
        raise CertificateKindUnavailable(
            _("Giấy tờ của việc «%(event)s» chỉ cấp bản chính; khi cần thêm, đăng ký cấp giấy mới.")
            % {"event": Event(record.event).label},
            fields={"kind": [_("Loại giấy này không được cấp.")]},
        )
    if kind == DocumentKind.ORIGINAL and has_original:
        raise OriginalAlreadyIssued(
            _("Bản chính của việc hộ tịch này đã được cấp; chỉ cấp bản sao hoặc trích lục."),
            fields={"kind": [_("Bản chính đã được cấp.")]},
        )
    return kind


def _copies_left(request: CivilRecord) -> int:
    asked = int((request.content or {}).get("copies") or 0)
    return asked - IssuedDocument.objects.filter(request=request).count()


def _refuse_if_exhausted(request: CivilRecord) -> None:
    if _copies_left(request) <= 0:
        raise CopiesExhausted(
            _("Đã cấp đủ %(n)d bản sao theo yêu cầu này.")
            % {"n": int(request.content.get("copies") or 0)}
        )


def certificate_issue(
    *,
    actor: Staff,
    record: CivilRecord,
    kind: str | None = None,
    medium: str = Medium.ELECTRONIC,
    signer: Staff | None = None,
) -> IssuedPdf:
    """Cấp giấy tờ hộ tịch: issue the original of ``record`` the first time, a copy afterwards,
    or the ``kind`` asked (original, copy, extract); on paper or signed electronically. From an
    extract-copy entry (Cấp bản sao trích lục, Decree 87/2020) the copies of its source entry are
    issued, as many as it asked for. Copies are counted on the entry (``IssuedDocument.number``);
    audited as ``civil.certificate_issue``."""
    if not permissions.can_register(actor, record.agency):
        raise RecordNotFound(_("Không tìm thấy mục hộ tịch."))
    if kind is not None and kind not in DocumentKind.values:
        raise FieldInvalid(
            "invalid_choice", _("Loại giấy phải là original, copy hoặc extract."), field="kind"
        )
    if medium not in Medium.values:
        raise FieldInvalid(
            "invalid_choice", _("Hình thức phải là electronic hoặc paper."), field="medium"
        )
    request: CivilRecord | None = None
    source = record
    if record.event == Event.EXTRACT_COPY:
        if record.target_id is None:
            raise CertificateKindUnavailable(_("Yêu cầu cấp bản sao không ghi việc hộ tịch gốc."))
        request = record
        source = CivilRecord.objects.get(pk=record.target_id)
    elif record.event not in DOCUMENT_EVENTS:
        raise CertificateKindUnavailable(_("Việc hộ tịch này không có giấy tờ để cấp."))
    if request is not None:
        _refuse_if_exhausted(request)

    entry = _entry(source)
    now = record_current(entry)
    related = _related(entry)
    for _attempt in range(3):
        chosen_kind = _choose_kind(entry, kind, request)
        staff, title, block = signer_for(actor=actor, record=entry, kind=chosen_kind, signer=signer)
        sheet, pdf = _make(
            now, related, kind=chosen_kind, medium=medium, signer=staff, title=title, block=block
        )
        try:
            document = _record(
                actor=actor,
                entry=entry,
                request=request,
                sheet=sheet,
                kind=chosen_kind,
                medium=medium,
                signer=staff,
                pdf=pdf,
                auto=kind is None,
            )
        except _Raced:
            continue
        return IssuedPdf(document=document, pdf=pdf)
    raise OriginalAlreadyIssued(_("Bản chính vừa được cấp; hãy cấp bản sao."))


def _make(
    now: CurrentRecord,
    related: dict[str, CurrentRecord],
    *,
    kind: str,
    medium: str,
    signer: Staff,
    title: str,
    block: SignerBlock,
) -> tuple[Sheet, bytes]:
    from xaso.signing.sign import StampPlacement, sign_pdf

    entry = now.record
    issuer = issuer_for(entry.agency)
    code = code_new()
    issue = Issue(
        kind=kind,
        issued_on=timezone.localdate(),
        signer=block,
        code=code,
        verify_url=verify_url(code),
        agency_lines=tuple(line.upper() for line in (issuer.parent_name, issuer.name) if line),
        place=issuer.place,
        agency_name=issuer.name,
    )
    with translation.override("vi"):  # an official form is Vietnamese whatever the UI language
        sheet = sheet_for(now, issue, related)
        name = sheet.title[:1] + sheet.title[1:].lower()
        reason = f"{DocumentKind(kind).label}: {name}, mã xác minh {format_code(code)}"
    rendered = render_sheet(sheet)
    if medium == Medium.PAPER:
        return sheet, rendered.pdf
    signed = sign_pdf(
        rendered.pdf,
        agency=entry.agency,
        signer_name=signer.full_name,
        signer_title=title,
        reason=reason,
        location=issuer.place,
        placement=StampPlacement(page=rendered.stamp_page, box=rendered.stamp_box),
    )
    return sheet, signed


@transaction.atomic
def _record(
    *,
    actor: Staff,
    entry: CivilRecord,
    request: CivilRecord | None,
    sheet: Sheet,
    kind: str,
    medium: str,
    signer: Staff,
    pdf: bytes,
    auto: bool,
) -> IssuedDocument:
    locked = [entry.pk] + ([request.pk] if request is not None else [])
    list(
        CivilRecord.objects.select_for_update()
        .filter(pk__in=sorted(locked))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if (
        kind == DocumentKind.ORIGINAL
        and IssuedDocument.objects.filter(record=entry, kind=kind).exists()
    ):
        if auto:
            raise _Raced
        raise OriginalAlreadyIssued(
            _("Bản chính của việc hộ tịch này đã được cấp; chỉ cấp bản sao hoặc trích lục.")
        )
    if request is not None:
        _refuse_if_exhausted(request)
    last = IssuedDocument.objects.filter(record=entry).aggregate(n=Max("number"))["n"] or 0
    digest = hashlib.sha256(pdf).hexdigest()
    document = IssuedDocument.objects.create(
        code=sheet.code,
        agency=entry.agency,
        record=entry,
        request=request,
        kind=kind,
        number=last + 1,
        medium=medium,
        title=sheet.title,
        facts=sheet.facts,
        sha256=digest,
        size=len(pdf),
        issued_at=timezone.now(),
        issued_by=actor,
        signer=signer,
        signer_name=sheet.signer.name,
        signer_title=(
            f"{sheet.signer.authority} {sheet.signer.title}".strip()
            if sheet.signer.authority
            else sheet.signer.title
        ),
    )
    audit_record(
        actor=actor,
        action="civil.certificate_issue",
        obj=entry,
        object_id=str(entry.public_id),
        changes={
            "code": document.code,
            "kind": kind,
            "number": document.number,
            "medium": medium,
            "title": sheet.title,
            "request": str(request.public_id) if request is not None else None,
            "signer": signer.username,
            "sha256": digest,
        },
    )
    return document
