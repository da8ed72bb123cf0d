"""Scans: PDF, JPEG, PNG recognised by content; anything else, empty or too large refused."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.dossiers.world import drive, state
from xaso.core.errors import PermissionDenied
from xaso.core.models import AuditEntry
from xaso.dossiers.errors import AttachmentRejected, DossierNotFound, TransitionNotAllowed
from xaso.dossiers.models import DossierAttachment, Status
from xaso.dossiers.services import attachments, dossier_attach

PDF = b"%PDF-1.7\n%\xe2\xe3\n1 0 obj<<>>endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.mark.parametrize(
    ("content", "claimed", "content_type"),
    [(PDF, "scan.jpg", "application/pdf"), (PNG, "a.pdf", "image/png"), (JPEG, "x", "image/jpeg")],
)
def test_accepted_by_content(world, content, claimed, content_type):
    d = drive(world, Status.IN_PROCESSING)
    upload = SimpleUploadedFile(claimed, content, content_type="text/plain")
    a = dossier_attach(actor=world.specialist, dossier=d, upload=upload, title=" Tờ  khai ")
    assert (a.content_type, a.size, a.title) == (content_type, len(content), "Tờ khai")
    assert a.sha256 == hashlib.sha256(content).hexdigest()
    assert a.file.read() == content
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.changes["dossier"]) == ("dossier.attach", d.code)


def test_refusals_change_nothing(world, monkeypatch):
    d = drive(world, Status.RECEIVED)
    before = state()
    cases = [
        (b"", "Tệp đính kèm rỗng."),
        (
            b"PK\x03\x04 not a scan",
            "Chỉ nhận bản quét dạng PDF, JPEG hoặc PNG; nội dung tệp này không phải các dạng đó.",
        ),
    ]
    for content, message in cases:
        with pytest.raises(AttachmentRejected) as exc:
            dossier_attach(
                actor=world.reception,
                dossier=d,
                upload=SimpleUploadedFile("a.pdf", content),
                title="x",
            )
        assert exc.value.message == message
    monkeypatch.setattr(attachments, "ATTACHMENT_MAX_BYTES", 10)
    with pytest.raises(AttachmentRejected) as exc:
        dossier_attach(
            actor=world.reception, dossier=d, upload=SimpleUploadedFile("a.pdf", PDF), title="x"
        )
    assert exc.value.fields == {"file": ["Tệp quá lớn."]}
    with pytest.raises(PermissionDenied):
        dossier_attach(
            actor=world.leader, dossier=d, upload=SimpleUploadedFile("a.pdf", PDF), title="x"
        )
    with pytest.raises(DossierNotFound):
        dossier_attach(
            actor=world.all_b, dossier=d, upload=SimpleUploadedFile("a.pdf", PDF), title="x"
        )
    assert state() == before and DossierAttachment.objects.count() == 0


def test_no_attachment_to_a_closed_dossier(world):
    d = drive(world, Status.RETURNED)
    with pytest.raises(TransitionNotAllowed):
        dossier_attach(
            actor=world.reception, dossier=d, upload=SimpleUploadedFile("a.pdf", PDF), title="x"
        )
