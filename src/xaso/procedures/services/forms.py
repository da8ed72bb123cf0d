"""Downloadable form templates (mẫu đơn, tờ khai) attached to a procedure."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from xaso.core.audit import audit_record
from xaso.core.errors import InvalidInput
from xaso.org.models import Staff

from .. import permissions
from ..forms_files import form_file_check
from ..models import Procedure, ProcedureForm


@transaction.atomic
def form_attach(
    *, actor: Staff, procedure: Procedure, title: str, upload: UploadedFile
) -> ProcedureForm:
    """Attach a downloadable form template (PDF, DOC or DOCX, checked by content)."""
    permissions.require_manage_catalogue(actor)
    if not title.strip():
        raise InvalidInput("Cần đặt tên cho mẫu đơn.", fields={"title": ["Bắt buộc."]})
    content_type, extension = form_file_check(upload)
    upload.name = f"{procedure.code}{extension}"
    form = ProcedureForm.objects.create(
        procedure=procedure,
        title=title.strip(),
        file=upload,
        content_type=content_type,
        size=upload.size or 0,
        uploaded_by=actor,
    )
    audit_record(
        actor=actor,
        action="procedure.form_attach",
        obj=procedure,
        changes={"form": [None, form.title]},
    )
    return form


@transaction.atomic
def form_delete(*, actor: Staff, form: ProcedureForm) -> None:
    permissions.require_manage_catalogue(actor)
    procedure, title, name = form.procedure, form.title, form.file.name or ""
    storage = form.file.storage
    form.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))
    audit_record(
        actor=actor, action="procedure.form_delete", obj=procedure, changes={"form": [title, None]}
    )
