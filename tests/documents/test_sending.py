"""Sending an issued document over the exchange to an agency on the same node: it arrives as an
incoming document awaiting registration, and each step there (registered, assigned, processing,
completed) comes back as the recipient's status at the sender. Refused sends change nothing."""

from __future__ import annotations

import dataclasses
import uuid

import pytest
from django.utils import timezone

from tests.documents.world import World, draft_pdf, outgoing_in, state
from xaso.core.errors import DomainError, PermissionDenied
from xaso.documents import services
from xaso.documents.errors import (
    AlreadySent,
    PackageRefused,
    RecipientInvalid,
    TransitionNotAllowed,
)
from xaso.documents.models import IncomingDocument, Recipient
from xaso.documents.services.receiving import document_received, status_received
from xaso.exchange.edxml import Attachment, DocumentPackage, Organization, StatusPackage
from xaso.exchange.models import InboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_background_sends(settings):
    settings.XASO_EXCHANGE_SEND_AT_ONCE = False


def recipient(doc):
    return Recipient.objects.get(document=doc)


def test_whole_path_with_statuses_back(world: World, django_capture_on_commit_callbacks):
    doc = outgoing_in(world, "issued")
    with django_capture_on_commit_callbacks(execute=True):
        rows = services.document_send(document=doc, recipients=["H25.38.22"], actor=world.clerk)
    assert [(r.agency_code, r.agency_name) for r in rows] == [("H25.38.22", "UBND xã Võ Miếu")]
    row = recipient(doc)
    assert row.status == "arrived" and row.arrived_at is not None
    incoming = IncomingDocument.objects.get(agency=world.b)
    assert (incoming.status, incoming.source, incoming.message_id) == (
        "received",
        "electronic",
        row.message_id,
    )
    assert (incoming.sender_code, incoming.sender_name) == ("H25.38.21", "UBND xã Thạch Khoán")
    assert (incoming.code_number, incoming.code_notation, incoming.doc_type) == (
        "01",
        "QĐ-UBND",
        "QĐ",
    )
    assert incoming.signer_name == "Đinh Công Sơn"
    with incoming.file.open("rb") as f, doc.signed_file.open("rb") as g:
        assert f.read() == g.read()
    assert incoming.incoming_number is None

    with django_capture_on_commit_callbacks(execute=True):
        incoming = services.incoming_register(actor=world.clerk_b, document=incoming)
    assert incoming.incoming_number == 1
    assert recipient(doc).status == "registered"
    with django_capture_on_commit_callbacks(execute=True):
        incoming = services.incoming_assign(
            actor=world.leader_b, document=incoming, lead="cv_vomieu", deadline_days=5
        )
    assert recipient(doc).status == "assigned"
    with django_capture_on_commit_callbacks(execute=True):
        services.incoming_add_opinion(actor=world.specialist_b, document=incoming, text="Đang làm")
    assert recipient(doc).status == "processing"
    with django_capture_on_commit_callbacks(execute=True):
        services.incoming_complete(actor=world.specialist_b, document=incoming, result="Xong")
    row = recipient(doc)
    assert row.status == "completed"
    assert row.comment == "Xong"
    assert None not in (row.arrived_at, row.registered_at, row.assigned_at, row.processing_at)
    assert row.completed_at is not None


def test_directive_kind_for_a_directive(world: World, django_capture_on_commit_callbacks):
    doc = outgoing_in(world, "issued", doc_type="CT")
    with django_capture_on_commit_callbacks(execute=True):
        services.document_send(document=doc, recipients=["H25.38.22"], actor=world.clerk)
    assert IncomingDocument.objects.get(agency=world.b).doc_type == "CT"
    assert InboxMessage.objects.get(kind="document").document_kind == "directive"


@pytest.mark.parametrize(
    ("codes", "error"),
    [
        ([], RecipientInvalid),
        (["H99.99.99"], RecipientInvalid),
        (["H25.38.21"], RecipientInvalid),  # the sender itself
        (["H25.38.22", "h25.38.22"], RecipientInvalid),
    ],
)
def test_bad_recipients_refused(world: World, codes, error):
    doc = outgoing_in(world, "issued")
    before = state(doc)
    with pytest.raises(error):
        services.document_send(document=doc, recipients=codes, actor=world.clerk)
    assert state(doc) == before


def test_not_twice_to_the_same_agency(world: World, django_capture_on_commit_callbacks):
    doc = outgoing_in(world, "issued")
    with django_capture_on_commit_callbacks(execute=True):
        services.document_send(document=doc, recipients=["H25.38.22"], actor=world.clerk)
    before = state(doc)
    with pytest.raises(AlreadySent):
        services.document_send(document=doc, recipients=["H25.38.22"], actor=world.clerk)
    assert state(doc) == before


@pytest.mark.parametrize("status", ["draft", "approved", "numbered", "signed"])
def test_only_issued_documents_are_sent(world: World, status):
    doc = outgoing_in(world, status)
    before = state(doc)
    with pytest.raises(TransitionNotAllowed):
        services.document_send(document=doc, recipients=["H25.38.22"], actor=world.clerk)
    assert state(doc) == before


@pytest.mark.parametrize("who", ["specialist", "leader", "clerk_b"])
def test_only_the_clerk_sends(world: World, who):
    doc = outgoing_in(world, "issued")
    before = state(doc)
    with pytest.raises(DomainError) as exc:
        services.document_send(document=doc, recipients=["H25.38.22"], actor=getattr(world, who))
    assert exc.value.status in (403, 404)
    if who != "clerk_b":
        assert isinstance(exc.value, PermissionDenied)
    assert state(doc) == before


def _package(world: World, **kw) -> DocumentPackage:
    values = {
        "message_id": str(uuid.uuid4()),
        "sender": Organization(code="H25", name="UBND tỉnh Phú Thọ"),
        "recipients": [Organization(code=world.b.code, name=world.b.name)],
        "code_number": "88",
        "code_notation": "UBND-KGVX",
        "place": "Phú Thọ",
        "promulgation_date": timezone.localdate(),
        "document_type": "CV",
        "document_type_name": "Công văn",
        "subject": "Về việc chuyển đổi số",
        "attachments": [
            Attachment(name="cv.pdf", content_type="application/pdf", data=draft_pdf())
        ],
    }
    values.update(kw)
    return DocumentPackage(**values)


def test_handler_is_safe_when_called_twice(world: World):
    package = _package(world)
    first = document_received(package, world.b)
    again = document_received(package, world.b)
    assert first.pk == again.pk
    assert IncomingDocument.objects.count() == 1


@pytest.mark.parametrize(
    "kw",
    [
        {"document_type": "XYZ"},
        {"attachments": []},
        {"attachments": [Attachment("a.txt", "text/plain", b"hi")]},
    ],
)
def test_handler_refuses_bad_packages(world: World, kw):
    with pytest.raises(PackageRefused):
        document_received(_package(world, **kw), world.b)
    assert IncomingDocument.objects.count() == 0


def test_status_handler_moves_forward_only(world: World, django_capture_on_commit_callbacks):
    doc = outgoing_in(world, "issued")
    with django_capture_on_commit_callbacks(execute=True):
        services.document_send(document=doc, recipients=["H25.38.22"], actor=world.clerk)
    row = recipient(doc)
    status = StatusPackage(
        message_id=str(uuid.uuid4()),
        document_message_id=row.message_id,
        sender=Organization(code="H25.38.22", name="UBND xã Võ Miếu"),
        recipient=Organization(code="H25.38.21", name="UBND xã Thạch Khoán"),
        status="completed",
        at=timezone.now(),
    )
    status_received(status)
    status_received(dataclasses.replace(status, message_id=str(uuid.uuid4()), status="registered"))
    row = recipient(doc)
    assert row.status == "completed"
    assert row.registered_at is not None  # the late status still records when it happened
    # Unknown messages and statuses are ignored.
    status_received(dataclasses.replace(status, document_message_id=str(uuid.uuid4())))
    status_received(dataclasses.replace(status, status="lost"))
    assert recipient(doc).status == "completed"


def test_refused_package_reported_back(world: World, django_capture_on_commit_callbacks):
    """A package the recipient's handler refuses comes back as "refused" with the reason."""
    doc = outgoing_in(world, "issued")
    from xaso.exchange import registry

    def refuse(package, agency):
        raise PackageRefused("Sai nơi nhận")

    saved = registry.document_handler("document")
    registry.register_document_handler("document", refuse)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.document_send(document=doc, recipients=["H25.38.22"], actor=world.clerk)
    finally:
        registry.register_document_handler("document", saved)
    row = recipient(doc)
    assert (row.status, row.comment) == ("refused", "Sai nơi nhận")
    assert IncomingDocument.objects.count() == 0
