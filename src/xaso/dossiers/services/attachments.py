"""Scans attached to a dossier (số hóa hồ sơ, Circular 01/2023/TT-VPCP): PDF, JPEG or PNG,
recognised by their content, never by the name or type the browser claims."""

from __future__ import annotations

import hashlib

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from xaso.core.audit import audit_record
from xaso.core.errors import PermissionDenied
from xaso.core.text import squash_spaces
from xaso.org.models import Staff

from .. import permissions
from ..errors import (
    AttachmentChecklistUnknown,
    AttachmentEmpty,
    AttachmentTooLarge,
    AttachmentTypeUnsupported,
    DossierNotFound,
    TransitionNotAllowed,
)
from ..models import FINAL, Dossier, DossierAttachment, DossierChecklistItem

ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
#: Magic numbers of the accepted formats → (content type, extension).
SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)
#: Who digitises: the counter, and the specialist who receives papers while processing.
ATTACH_ROLES = frozenset({"reception", "specialist"})


def attachment_check(upload: UploadedFile) -> tuple[str, str]:
    """(content type, extension) of an acceptable scan, or a Vietnamese refusal."""
    size = upload.size or 0
    if size == 0:
        raise AttachmentEmpty(_("Tệp đính kèm rỗng."), fields={"file": [_("Tệp rỗng.")]})
    if size > ATTACHMENT_MAX_BYTES:
        raise AttachmentTooLarge(
            _("Tệp quá lớn (%(kb)d KB); tối đa %(mb)d MB.")
            % {"kb": size // 1024, "mb": ATTACHMENT_MAX_BYTES // (1024 * 1024)},
            fields={"file": [_("Tệp quá lớn.")]},
        )
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    for magic, content_type, extension in SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    raise AttachmentTypeUnsupported(
        _("Chỉ nhận bản quét dạng PDF, JPEG hoặc PNG; nội dung tệp này không phải các dạng đó."),
        fields={"file": [_("Sai định dạng.")]},
    )


@transaction.atomic
def dossier_attach(
    *,
    actor: Staff,
    dossier: Dossier,
    upload: UploadedFile,
    title: str,
    checklist_order: int | None = None,
) -> DossierAttachment:
    """Attach a scan to a dossier that is not closed, optionally as one of its ticked documents."""
    if not permissions.can_see(actor, dossier):
        raise DossierNotFound(_("Không tìm thấy hồ sơ."))
    if not actor.has_role(*ATTACH_ROLES):
        raise PermissionDenied(_("Bạn không có quyền đính kèm tệp vào hồ sơ."))
    if dossier.status in FINAL:
        raise TransitionNotAllowed(_("Hồ sơ đã kết thúc, không đính kèm thêm tệp."))
    content_type, extension = attachment_check(upload)
    name = squash_spaces(title or "") or _("Bản quét")
    item = None
    if checklist_order is not None:
        item = DossierChecklistItem.objects.filter(dossier=dossier, order=checklist_order).first()
        if item is None:
            raise AttachmentChecklistUnknown(
                _("Hồ sơ không có giấy tờ số %(order)s.") % {"order": checklist_order},
                fields={"checklist": [_("Không có giấy tờ này.")]},
            )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = DossierAttachment(
        dossier=dossier,
        checklist_item=item,
        title=name[:300],
        content_type=content_type,
        size=upload.size or 0,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
    )
    attachment.file.save(f"{dossier.code}-{attachment.public_id}{extension}", upload, save=False)
    attachment.save()
    audit_record(
        actor=actor,
        action="dossier.attach",
        obj=attachment,
        changes={
            "dossier": dossier.code,
            "content_type": content_type,
            "size": attachment.size,
            "sha256": attachment.sha256,
        },
    )
    return attachment
