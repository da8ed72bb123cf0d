"""Sending an issued document to other agencies over the exchange (liên thông văn bản, Decision
28/2018/QĐ-TTg; package of QCVN 102:2016/BTTTT). One Recipient row per agency keeps the latest
status it reported back."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xaso.core.audit import audit_record
from xaso.org.models import Agency, Staff

from .. import exchange_glue, permissions
from ..errors import AlreadySent, RecipientInvalid, TransitionNotAllowed
from ..models import OutgoingDocument, OutgoingStatus, Recipient, RecipientStatus
from .outgoing import _locked, ensure_visible

#: At most this many agencies per send (a directive to every commune of a province).
MAX_RECIPIENTS = 500


def _recipients(sender: Agency, codes: Iterable[str]) -> list[tuple[str, str]]:
    wanted = [c.strip().upper() for c in codes if c and c.strip()]
    if not wanted:
        raise RecipientInvalid(
            _("Cần chọn ít nhất một cơ quan nhận."), fields={"recipients": [_("Bắt buộc.")]}
        )
    if len(wanted) > MAX_RECIPIENTS:
        raise RecipientInvalid(
            _("Gửi tối đa %(n)d cơ quan một lần.") % {"n": MAX_RECIPIENTS},
            fields={"recipients": [_("Quá nhiều.")]},
        )
    duplicates = sorted({c for c in wanted if wanted.count(c) > 1})
    if duplicates:
        raise RecipientInvalid(
            _("Cơ quan nhận bị lặp: %(codes)s.") % {"codes": ", ".join(duplicates)},
            fields={"recipients": [_("Bị lặp.")]},
        )
    if sender.code in wanted:
        raise RecipientInvalid(
            _("Không gửi văn bản cho chính cơ quan ban hành."),
            fields={"recipients": [_("Cơ quan gửi.")]},
        )
    names = exchange_glue.directory_names(wanted)
    unknown = [c for c in wanted if c not in names]
    if unknown:
        raise RecipientInvalid(
            _("Không có cơ quan mã %(codes)s trong danh bạ.") % {"codes": ", ".join(unknown)},
            fields={"recipients": [_("Mã không có trong danh bạ.")]},
        )
    return [(c, names[c]) for c in wanted]


@transaction.atomic
def document_send(
    *, document: OutgoingDocument, recipients: list[str], actor: Staff
) -> list[Recipient]:
    """Gửi văn bản điện tử: the clerk sends the issued, signed document to the agencies named by
    their electronic codes. The package enters the exchange's outbox in this transaction, with
    the Recipient rows; an agency already sent this document is refused (no double delivery)."""
    locked = _locked(document)
    ensure_visible(actor, locked)
    permissions.require(permissions.can_send(actor, locked), _("Chỉ văn thư được gửi văn bản đi."))
    if locked.status != OutgoingStatus.ISSUED:
        raise TransitionNotAllowed(_("Chỉ gửi văn bản đã ký số và ban hành."))
    if locked.is_restricted:
        raise TransitionNotAllowed(_("Văn bản mật không gửi qua trục liên thông văn bản."))
    agencies = _recipients(locked.agency, recipients)
    already = sorted(
        Recipient.objects.filter(
            document=locked, agency_code__in=[code for code, _name in agencies]
        ).values_list("agency_code", flat=True)
    )
    if already:
        raise AlreadySent(
            _("Văn bản đã được gửi cho %(codes)s.") % {"codes": ", ".join(already)},
            fields={"recipients": [_("Đã gửi.")]},
        )
    with locked.signed_file.open("rb") as f:
        pdf = f.read()
    now = timezone.now()
    message_id = exchange_glue.new_message_id()
    rows = Recipient.objects.bulk_create(
        [
            Recipient(
                document=locked,
                message_id=message_id,
                agency_code=code,
                agency_name=name[:255],
                sent_at=now,
                updated_at=now,
            )
            for code, name in agencies
        ]
    )
    exchange_glue.send_document(
        message_id=message_id,
        sender=locked.agency,
        recipients=agencies,
        code_number=locked.number_text,
        code_notation=locked.notation,
        place=locked.place or locked.agency.unit.name,
        promulgation_date=locked.promulgation_date or timezone.localdate(now),
        document_type=locked.doc_type,
        document_type_name=str(locked.get_doc_type_display()),
        subject=locked.subject,
        signer_name=locked.signer_name,
        signer_position=locked.signer_position,
        urgency=locked.urgency,
        attachment_name=f"{locked.number_notation.replace('/', '-')}.signed.pdf",
        attachment=pdf,
        kind="directive" if locked.doc_type == "CT" else "document",
    )
    audit_record(
        actor=actor,
        action="document.send",
        obj=locked,
        changes={"message_id": message_id, "recipients": [code for code, _name in agencies]},
    )
    return rows


def recipient_statuses() -> tuple[str, ...]:
    return tuple(s.value for s in RecipientStatus)
