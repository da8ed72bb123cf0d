"""Outgoing documents (văn bản đi, Decree 30/2020/NĐ-CP Arts 10-19): drafting with versions and
comments kept, one transition table for the approval path, numbering by the clerk, signing,
issuing. Every write is one transaction with one audit entry; a refusal changes nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xaso.core.audit import audit_record
from xaso.core.text import nfc, squash_spaces
from xaso.org.models import Staff

from .. import permissions
from ..errors import (
    CommentRequired,
    DocumentFieldInvalid,
    DocumentNotFound,
    PdfRequired,
    TransitionNotAllowed,
)
from ..models import (
    Confidentiality,
    Direction,
    DocumentComment,
    DocumentType,
    DocumentVersion,
    OutgoingDocument,
    OutgoingStatus,
    Urgency,
)
from ..permissions import CLERK, LEADER, SPECIALIST
from . import docx_stamping, stamping
from .files import DOCX, DRAFT_TYPES, EXTENSIONS, CheckedFile, check_file
from .numbering import notation_for, number_next
from .signature import sign_document_pdf, signer_position

S = OutgoingStatus


@dataclass(frozen=True)
class Rule:
    to: OutgoingStatus
    roles: frozenset[str]


def _r(to: OutgoingStatus, *roles: str) -> Rule:
    return Rule(to, frozenset(roles))


#: (current status, action) → rule. The unit head's review is optional: the organisation has no
#: unit heads, so the leader reviews (``review``) or approves directly.
TRANSITIONS: Mapping[tuple[str, str], Rule] = {
    (S.DRAFT, "submit"): _r(S.SUBMITTED, SPECIALIST, LEADER),
    (S.SUBMITTED, "review"): _r(S.REVIEWED, LEADER),
    (S.SUBMITTED, "approve"): _r(S.APPROVED, LEADER),
    (S.REVIEWED, "approve"): _r(S.APPROVED, LEADER),
    (S.SUBMITTED, "return"): _r(S.DRAFT, LEADER),
    (S.REVIEWED, "return"): _r(S.DRAFT, LEADER),
    (S.APPROVED, "number"): _r(S.NUMBERED, CLERK),
    (S.NUMBERED, "sign"): _r(S.SIGNED, LEADER),
    (S.SIGNED, "issue"): _r(S.ISSUED, CLERK),
}

ACTIONS = ("submit", "review", "approve", "return", "number", "sign", "issue")

ACTION_LABELS = {
    "submit": gettext_lazy("Trình duyệt"),
    "review": gettext_lazy("Thẩm định"),
    "approve": gettext_lazy("Duyệt"),
    "return": gettext_lazy("Trả lại"),
    "number": gettext_lazy("Cấp số"),
    "sign": gettext_lazy("Ký số"),
    "issue": gettext_lazy("Ban hành"),
}


def rule_for(status: str, action: str) -> Rule:
    rule = TRANSITIONS.get((status, action))
    if rule is None:
        raise TransitionNotAllowed(
            _("Không thể “%(action)s” văn bản đang ở trạng thái “%(status)s”.")
            % {
                "action": str(ACTION_LABELS.get(action, action)).lower(),
                "status": OutgoingStatus(status).label if status in S.values else status,
            }
        )
    return rule


def cleared_ids(document: OutgoingDocument) -> set[int]:
    if not document.is_restricted:
        return set()
    return set(document.cleared.values_list("pk", flat=True))


def ensure_visible(actor: Staff, document: OutgoingDocument) -> None:
    if not permissions.can_see_outgoing(actor, document, cleared_ids=cleared_ids(document)):
        raise DocumentNotFound(_("Không tìm thấy văn bản."))


def actions_allowed(actor: Staff, document: OutgoingDocument) -> list[str]:
    """The actions ``actor`` may take now (the detail page's buttons)."""
    return [
        action
        for action in ACTIONS
        if (rule := TRANSITIONS.get((document.status, action))) is not None
        and permissions.can_act(actor, roles=rule.roles)
    ]


def _text(value: str, *, field: str, label: str, max_length: int, required: bool) -> str:
    clean = squash_spaces(value or "")
    if required and not clean:
        raise DocumentFieldInvalid(
            _("Cần nhập %(label)s.") % {"label": label}, fields={field: [_("Bắt buộc.")]}
        )
    if len(clean) > max_length:
        raise DocumentFieldInvalid(
            _("%(label)s dài quá %(n)d ký tự.") % {"label": label, "n": max_length},
            fields={field: [_("Quá dài.")]},
        )
    return clean


def _choice(value: str, choices: type[Any], *, field: str, label: str) -> str:
    if value not in choices.values:
        raise DocumentFieldInvalid(
            _("%(label)s không hợp lệ.") % {"label": label},
            fields={field: [_("Giá trị không nằm trong danh sách cho phép.")]},
        )
    return str(value)


def _cleared_staff(actor: Staff, usernames: Iterable[str]) -> list[Staff]:
    names = sorted({nfc(u).strip() for u in usernames if u and u.strip()})
    found = list(
        Staff.objects.filter(agency_id=actor.agency_id, is_active=True, username__in=names)
    )
    missing = sorted(set(names) - {s.username for s in found})
    if missing:
        raise DocumentFieldInvalid(
            _("Không có cán bộ %(names)s trong cơ quan.") % {"names": ", ".join(missing)},
            fields={"cleared": [_("Cán bộ không thuộc cơ quan.")]},
        )
    return found


def _store_version(
    *, document: OutgoingDocument, checked: CheckedFile, actor: Staff
) -> DocumentVersion:
    last = document.versions.aggregate(m=Max("version"))["m"] or 0
    version = DocumentVersion(
        document=document,
        version=last + 1,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    version.file.save(
        f"{document.public_id}-v{last + 1}{EXTENSIONS[checked.content_type]}",
        checked.content(),
        save=False,
    )
    version.save()
    return version


@transaction.atomic
def outgoing_create(
    *,
    actor: Staff,
    doc_type: str,
    subject: str,
    file_data: bytes,
    file_name: str,
    urgency: str = Urgency.NORMAL,
    confidentiality: str = Confidentiality.NORMAL,
    cleared: Iterable[str] = (),
    drafting_unit: str = "",
    recipients_text: str = "",
    place: str = "",
    copies: int = 1,
    content: Mapping[str, Any] | None = None,
) -> OutgoingDocument:
    """Dự thảo văn bản đi: a specialist (or leader) of the agency uploads the draft (PDF or DOCX)
    as version 1. A confidential draft names who else may see it (``cleared``: usernames)."""
    permissions.require(
        permissions.can_draft(actor), _("Chỉ chuyên viên hoặc lãnh đạo được soạn văn bản đi.")
    )
    doc_type = _choice(doc_type, DocumentType, field="doc_type", label=_("Loại văn bản"))
    urgency = _choice(urgency, Urgency, field="urgency", label=_("Độ khẩn"))
    confidentiality = _choice(
        confidentiality, Confidentiality, field="confidentiality", label=_("Độ mật")
    )
    subject = _text(subject, field="subject", label=_("trích yếu"), max_length=500, required=True)
    unit = _text(
        drafting_unit,
        field="drafting_unit",
        label=_("đơn vị soạn thảo"),
        max_length=16,
        required=False,
    ).upper()
    if unit and not unit.replace("Đ", "D").isalnum():
        raise DocumentFieldInvalid(
            _("Chữ viết tắt đơn vị soạn thảo chỉ gồm chữ in hoa và chữ số (ví dụ VP)."),
            fields={"drafting_unit": [_("Sai định dạng.")]},
        )
    if not 1 <= copies <= 999:
        raise DocumentFieldInvalid(
            _("Số lượng bản từ 1 đến 999."), fields={"copies": [_("Không hợp lệ.")]}
        )
    cleared_staff = _cleared_staff(actor, cleared)
    checked = check_file(file_data, name=file_name, accepted=DRAFT_TYPES)
    document = OutgoingDocument.objects.create(
        agency=actor.agency,
        doc_type=doc_type,
        subject=subject,
        drafting_unit=unit,
        recipients_text=_text(
            recipients_text,
            field="recipients_text",
            label=_("nơi nhận"),
            max_length=1000,
            required=False,
        ),
        place=_text(place, field="place", label=_("địa danh"), max_length=128, required=False),
        copies=copies,
        urgency=urgency,
        confidentiality=confidentiality,
        created_by=actor,
        content=dict(content) if content is not None else None,
    )
    if confidentiality != Confidentiality.NORMAL and cleared_staff:
        document.cleared.set(cleared_staff)
    version = _store_version(document=document, checked=checked, actor=actor)
    audit_record(
        actor=actor,
        action="document.outgoing_create",
        obj=document,
        changes={
            "doc_type": doc_type,
            "subject": subject,
            "urgency": urgency,
            "confidentiality": confidentiality,
            "cleared": sorted(s.username for s in cleared_staff),
            "version": {"sha256": version.sha256, "content_type": version.content_type},
            "composed": content is not None,
        },
    )
    return document


def _locked(document: OutgoingDocument) -> OutgoingDocument:
    return (
        OutgoingDocument.objects.select_for_update(of=("self",))
        .select_related("agency", "agency__unit", "created_by", "register")
        .get(pk=document.pk)
    )


@transaction.atomic
def outgoing_add_version(
    *, actor: Staff, document: OutgoingDocument, file_data: bytes, file_name: str, comment: str = ""
) -> DocumentVersion:
    """A new version of the draft (the previous ones are kept), while it is a draft."""
    locked = _locked(document)
    ensure_visible(actor, locked)
    permissions.require(permissions.can_draft(actor))
    if locked.status != S.DRAFT:
        raise TransitionNotAllowed(_("Chỉ sửa (tải phiên bản mới) khi văn bản còn là dự thảo."))
    checked = check_file(file_data, name=file_name, accepted=DRAFT_TYPES)
    version = _store_version(document=locked, checked=checked, actor=actor)
    # An uploaded file replaces the composed layout: numbering can no longer print into it.
    locked.content = None
    note = squash_spaces(comment or "")
    if note:
        DocumentComment.objects.create(document=locked, author=actor, action="version", text=note)
    locked.save(update_fields=["updated_at", "content"])
    audit_record(
        actor=actor,
        action="document.outgoing_version",
        obj=locked,
        changes={"version": version.version, "sha256": version.sha256, "comment": note},
    )
    return version


@transaction.atomic
def outgoing_comment(*, actor: Staff, document: OutgoingDocument, text: str) -> DocumentComment:
    """Góp ý on a document that is not yet issued, by anyone who may see it."""
    locked = _locked(document)
    ensure_visible(actor, locked)
    if locked.status == S.ISSUED:
        raise TransitionNotAllowed(_("Văn bản đã ban hành, không góp ý thêm."))
    clean = _text(text, field="text", label=_("ý kiến"), max_length=4000, required=True)
    comment = DocumentComment.objects.create(document=locked, author=actor, text=clean)
    audit_record(
        actor=actor, action="document.outgoing_comment", obj=locked, changes={"text": clean}
    )
    return comment


def _transition(
    document: OutgoingDocument,
    *,
    action: str,
    actor: Staff,
    comment: str = "",
    change: Callable[[OutgoingDocument, datetime], Mapping[str, Any] | None] | None = None,
) -> OutgoingDocument:
    """Take ``action``: lock the row, check visibility (404), the table and the actor's role,
    apply ``change`` (which may refuse), set the next status, keep the comment, audit. Returns
    the fresh document; the one passed in is left as it was."""
    at = timezone.now()
    with transaction.atomic():
        locked = _locked(document)
        ensure_visible(actor, locked)
        rule = rule_for(locked.status, action)
        permissions.require(
            permissions.can_act(actor, roles=rule.roles),
            _("Bạn không có quyền “%(action)s” văn bản này.")
            % {"action": str(ACTION_LABELS[action]).lower()},
        )
        note = squash_spaces(comment or "")
        if action == "return" and not note:
            raise CommentRequired(
                _("Cần ghi ý kiến khi trả lại dự thảo."), fields={"comment": [_("Bắt buộc.")]}
            )
        from_status = locked.status
        data = dict(change(locked, at) or {}) if change is not None else {}
        locked.status = rule.to
        locked.save()
        if note:
            DocumentComment.objects.create(document=locked, author=actor, action=action, text=note)
        changes: dict[str, Any] = {"status": [from_status, locked.status], **data}
        if note:
            changes["comment"] = note
        audit_record(actor=actor, action=f"document.{action}", obj=locked, changes=changes)
    return locked


def outgoing_submit(
    *, actor: Staff, document: OutgoingDocument, comment: str = ""
) -> OutgoingDocument:
    """Trình: the drafter submits the draft for review and approval."""
    return _transition(document, action="submit", actor=actor, comment=comment)


def outgoing_review(
    *, actor: Staff, document: OutgoingDocument, comment: str = ""
) -> OutgoingDocument:
    """Thẩm định: the unit head's (here the leader's) review before approval."""
    return _transition(document, action="review", actor=actor, comment=comment)


def outgoing_approve(
    *, actor: Staff, document: OutgoingDocument, comment: str = ""
) -> OutgoingDocument:
    """Duyệt: the leader approves the draft (Decree 30/2020 Art 12)."""
    return _transition(document, action="approve", actor=actor, comment=comment)


def outgoing_return(
    *, actor: Staff, document: OutgoingDocument, comment: str = ""
) -> OutgoingDocument:
    """Trả lại: back to draft, with the reason kept as a comment."""
    return _transition(document, action="return", actor=actor, comment=comment)


def outgoing_number(
    *, actor: Staff, document: OutgoingDocument, comment: str = ""
) -> OutgoingDocument:
    """Cấp số (Decree 30/2020 Art 15, Appendix I §II.3): the next number of the agency's outgoing
    register of this calendar year, the notation and the date of the document, printed into the
    version that is signed: a composed draft is rendered again, an uploaded PDF written on
    (``stamping``), an uploaded DOCX filled in (``docx_stamping``); one that cannot be is refused
    and the number not taken."""

    def change(locked: OutgoingDocument, at: datetime) -> Mapping[str, Any]:
        today = timezone.localdate(at)
        notation = notation_for(
            agency=locked.agency, doc_type=locked.doc_type, drafting_unit=locked.drafting_unit
        )
        uploaded = _uploaded(locked)
        register, number = number_next(
            agency=locked.agency, direction=Direction.OUTGOING, year=today.year
        )
        locked.register, locked.number, locked.notation = register, number, notation
        locked.promulgation_date, locked.numbered_at = today, at
        data: dict[str, Any] = {"number": locked.number_notation, "year": today.year}
        if locked.content is not None:
            data["version"] = _render_numbered(locked, actor=actor, on=today).version
        elif uploaded is not None:
            version, stamped = _stamp_numbered(locked, uploaded, actor=actor, on=today)
            data["version"] = version.version
            data["printed"] = {"number": stamped.number_at, "date": stamped.date_at}
        return data

    return _transition(document, action="number", actor=actor, comment=comment, change=change)


def _uploaded(
    document: OutgoingDocument,
) -> stamping.Prepared | docx_stamping.PreparedDocx | None:
    """The latest version when it is an uploaded PDF or DOCX, read and found writable (before the
    number is taken: a refusal costs no number); None for a composed draft."""
    if document.content is not None:
        return None
    latest = document.versions.order_by("-version").first()
    if latest is None:
        return None
    with latest.file.open("rb") as f:
        data = f.read()
    if latest.is_pdf:
        return stamping.prepare(data)
    if latest.content_type == DOCX:
        return docx_stamping.prepare(data)
    return None


def _stamp_numbered(
    document: OutgoingDocument,
    prepared: stamping.Prepared | docx_stamping.PreparedDocx,
    *,
    actor: Staff,
    on: date,
) -> tuple[DocumentVersion, stamping.Stamped | docx_stamping.StampedDocx]:
    """The uploaded PDF with "Số: 05/QĐ-UBND" and the date on page 1, or the uploaded DOCX with
    them in its header's blanks (converted with them when it is signed), kept as a new version
    (the one before numbering stays in the list)."""
    args: dict[str, Any] = {
        "number": document.number_text,
        "notation": document.notation,
        "place": document.place or document.agency.unit.name,
        "on": on,
    }
    stamped: stamping.Stamped | docx_stamping.StampedDocx
    if isinstance(prepared, docx_stamping.PreparedDocx):
        stamped = docx_stamping.stamp(prepared, **args)
        data, content_type = stamped.docx, DOCX
    else:
        stamped = stamping.stamp(prepared, **args)
        data, content_type = stamped.pdf, "application/pdf"
    extension = EXTENSIONS[content_type]
    checked = check_file(data, name=f"so{extension}", accepted=frozenset({content_type}))
    named = CheckedFile(
        data=checked.data,
        name=f"{document.number_notation.replace('/', '-')}{extension}",
        content_type=checked.content_type,
        sha256=checked.sha256,
    )
    return _store_version(document=document, checked=named, actor=actor), stamped


def _render_numbered(document: OutgoingDocument, *, actor: Staff, on: date) -> DocumentVersion:
    """A composed draft printed again with its number and date (the version that is signed);
    the signature box's place is kept for the visible signature."""
    from .compose import render

    assert document.content is not None
    checked, stamp = render(
        agency=document.agency,
        doc_type=document.doc_type,
        subject=document.subject,
        place=document.place,
        drafting_unit=document.drafting_unit,
        urgency=document.urgency,
        confidentiality=document.confidentiality,
        content=document.content,
        number=document.number,
        on=on,
    )
    named = CheckedFile(
        data=checked.data,
        name=f"{document.number_notation.replace('/', '-')}.pdf",
        content_type=checked.content_type,
        sha256=checked.sha256,
    )
    document.content = {**document.content, "stamp": list(stamp)}
    return _store_version(document=document, checked=named, actor=actor)


def outgoing_sign(
    *, actor: Staff, document: OutgoingDocument, comment: str = ""
) -> OutgoingDocument:
    """Ký số: the leader signs the numbered document's latest PDF (PAdES, Decree 30/2020
    Appendix I); the signed file is kept beside the draft versions."""

    def change(locked: OutgoingDocument, at: datetime) -> Mapping[str, Any]:
        latest = locked.versions.order_by("-version").first()
        if latest is None:
            raise PdfRequired(_("Văn bản chưa có tệp dự thảo để ký số."))
        with latest.file.open("rb") as f:
            pdf = _as_pdf(f.read(), is_pdf=latest.is_pdf)
        stamp = (locked.content or {}).get("stamp")
        signed = sign_document_pdf(
            pdf=pdf,
            document=locked,
            leader=actor,
            box=tuple(stamp) if stamp and latest.is_pdf else None,
        )
        checked = check_file(signed, name="signed.pdf", accepted=frozenset({"application/pdf"}))
        name = locked.number_notation.replace("/", "-") or str(locked.public_id)
        locked.signed_file.save(
            f"{name}-{locked.public_id}.signed.pdf", checked.content(), save=False
        )
        locked.signed_sha256 = checked.sha256
        locked.signed_at = at
        locked.signer = actor
        locked.signer_name = actor.full_name or actor.username
        locked.signer_position = signer_position(actor)
        return {"version": latest.version, "signed_sha256": checked.sha256}

    return _transition(document, action="sign", actor=actor, comment=comment, change=change)


def outgoing_issue(
    *, actor: Staff, document: OutgoingDocument, comment: str = ""
) -> OutgoingDocument:
    """Ban hành: the clerk issues the signed document (Decree 30/2020 Art 16)."""

    def change(locked: OutgoingDocument, at: datetime) -> Mapping[str, Any]:
        locked.issued_at = at
        return {"issued_at": at}

    return _transition(document, action="issue", actor=actor, comment=comment, change=change)


def _as_pdf(data: bytes, *, is_pdf: bool) -> bytes:
    """The PDF to sign: the draft itself, or a DOCX draft converted by LibreOffice
    (``drafting.convert.docx_to_pdf``) when that converter is installed."""
    if is_pdf:
        return data
    try:
        from xaso.documents.drafting.convert import docx_to_pdf
    except ImportError:
        raise PdfRequired(
            _("Phiên bản cuối của văn bản là DOCX; cần tải lên bản PDF để ký số.")
        ) from None
    return docx_to_pdf(data)


ACTION_SERVICES: Mapping[str, Callable[..., OutgoingDocument]] = {
    "submit": outgoing_submit,
    "review": outgoing_review,
    "approve": outgoing_approve,
    "return": outgoing_return,
    "number": outgoing_number,
    "sign": outgoing_sign,
    "issue": outgoing_issue,
}


def outgoing_act(
    *, actor: Staff, document: OutgoingDocument, action: str, comment: str = ""
) -> OutgoingDocument:
    """One entry point for the API and the pages: the service of ``action``."""
    service = ACTION_SERVICES.get(action)
    if service is None:
        raise TransitionNotAllowed(_("Thao tác không tồn tại: %(action)s.") % {"action": action})
    return service(actor=actor, document=document, comment=comment)
