"""A received document's digital signatures are checked on arrival (Decree 30/2020/NĐ-CP Art.
21.1): a document changed after signing — one byte, or a revision appended — is refused with the
reason, and nothing enters the incoming register; an intact one, or an unsigned scan, is taken."""

from __future__ import annotations

import dataclasses
import uuid

import pytest
from django.utils import timezone

from tests.documents.world import World, draft_pdf, outgoing_in
from tests.signing.conftest import append_info_revision
from xaso.core.models import AuditEntry
from xaso.documents.errors import PackageRefused
from xaso.documents.models import IncomingDocument
from xaso.documents.services.receiving import document_received, documents_received
from xaso.exchange.edxml import Attachment, DocumentPackage, Organization

pytestmark = pytest.mark.django_db


def _signed(world: World) -> bytes:
    doc = outgoing_in(world, "issued")
    with doc.signed_file.open("rb") as f:
        return f.read()


def _flip_inside_signed_content(pdf: bytes) -> bytes:
    start = pdf.index(b"/ByteRange")
    first_range_end = int(pdf[start:].split(b"[", 1)[1].split()[1])
    flipped = bytearray(pdf)
    flipped[first_range_end // 2] ^= 0x01
    return bytes(flipped)


def _package(world: World, pdf: bytes) -> DocumentPackage:
    return DocumentPackage(
        message_id=str(uuid.uuid4()),
        sender=Organization(code=world.a.code, name=world.a.name),
        recipients=[Organization(code=world.b.code, name=world.b.name)],
        code_number="01",
        code_notation="QĐ-UBND",
        place="Thạch Khoán",
        promulgation_date=timezone.localdate(),
        document_type="QĐ",
        document_type_name="Quyết định",
        subject="Về việc thành lập Tổ công tác chuyển đổi số",
        attachments=[Attachment(name="qd.pdf", content_type="application/pdf", data=pdf)],
    )


def test_an_intact_signed_document_is_taken(world: World):
    incoming = document_received(_package(world, _signed(world)), world.b)
    assert incoming.status == "received"


def test_an_unsigned_scan_is_taken(world: World):
    assert document_received(_package(world, draft_pdf()), world.b).status == "received"


@pytest.mark.parametrize("change", ["one_byte", "appended_revision"])
@pytest.mark.parametrize("batch", [False, True])
def test_a_document_changed_after_signing_is_refused(world: World, change, batch):
    signed = _signed(world)
    pdf = _flip_inside_signed_content(signed) if change == "one_byte" else None
    if pdf is None:
        pdf = append_info_revision(signed)
    package = _package(world, pdf)
    before = (IncomingDocument.objects.count(), AuditEntry.objects.count())
    with pytest.raises(PackageRefused) as refused:
        if batch:
            documents_received([(package, world.b), (dataclasses.replace(package), world.a)])
        else:
            document_received(package, world.b)
    assert refused.value.message.startswith("Chữ ký số trên văn bản không hợp lệ: ")
    assert (IncomingDocument.objects.count(), AuditEntry.objects.count()) == before
