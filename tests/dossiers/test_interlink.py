"""Một cửa liên thông over the exchange, same node: a dossier received and scanned at commune A is
sent to the provincial department P, arrives in P's queue with its scans byte for byte, P's
statuses come back, P's result comes back and A's dossier is ready to return (or refused with
P's reason). Refused packages keep nothing at P; duplicates register once; roles outside the
workflow's rule change nothing."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.dossiers.test_interlink_world import (
    PHOTO,
    RESULT,
    SCAN,
    LinkWorld,
    build_link_world,
    read,
    scanned,
    this_node_initialised,
)
from tests.dossiers.world import receive, state
from xaso.core.errors import DomainError, PermissionDenied
from xaso.core.models import AuditEntry
from xaso.dossiers import interlink, services
from xaso.dossiers.errors import DossierNotFound, TransitionNotAllowed
from xaso.dossiers.interlink import (
    InterlinkActive,
    InterlinkNoScans,
    InterlinkNotIncoming,
    InterlinkResultSent,
    InterlinkTargetInvalid,
    dossier_interlink_reply,
    dossier_interlink_send,
)
from xaso.dossiers.models import Dossier, DossierAttachment, DossierEvent, DossierInterlink, Status
from xaso.exchange import edxml
from xaso.exchange.models import InboxMessage, OutboxMessage
from xaso.exchange.services import inbox_receive
from xaso.procedures.models import Procedure

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.MEDIA_ROOT = str(tmp_path)
    settings.XASO_EXCHANGE_SEND_AT_ONCE = False


@pytest.fixture
def lw(db) -> LinkWorld:
    return build_link_world()


def out_row(d: Dossier) -> DossierInterlink:
    return DossierInterlink.objects.get(dossier=d, direction="out")


def incoming() -> Dossier:
    return DossierInterlink.objects.get(direction="in").dossier


def send(lw: LinkWorld, d: Dossier, capture, actor=None, note="Đề nghị Sở giải quyết"):
    with capture(execute=True):
        return dossier_interlink_send(
            dossier=d, to_code="H98.90", note=note, actor=actor or lw.w.reception
        )


def process_at_p(lw: LinkWorld, capture) -> Dossier:
    """P assigns, forwards to its leader and approves, the way any dossier is processed."""
    mine = incoming()
    with capture(execute=True):
        mine = services.dossier_assign(actor=lw.reception_p, dossier=mine, assignee=lw.specialist_p)
    mine = services.dossier_forward(
        actor=lw.specialist_p, dossier=mine, assignee=lw.leader_p, step=3
    )
    return services.dossier_approve(actor=lw.leader_p, dossier=mine)


def test_round_trip_send_arrive_process_result(lw: LinkWorld, django_capture_on_commit_callbacks):
    d = scanned(lw)
    due = d.due_at
    row = send(lw, d, django_capture_on_commit_callbacks)

    # A: transferred, the clock still running, the hand-over on the control sheet.
    d.refresh_from_db()
    assert d.status == Status.TRANSFERRED and d.due_at == due and d.finished_at is None
    event = DossierEvent.objects.filter(dossier=d).order_by("-pk").first()
    assert (event.action, event.to_status, event.actor) == (
        "transfer",
        "transferred",
        lw.w.reception,
    )
    assert event.data == {"interlink_to": "H98.90", "message_id": row.message_id}
    # P registered it at once: its code is reported back and kept beside A's.
    row.refresh_from_db()
    mine = incoming()
    assert (row.status, row.peer_code, row.peer_name) == (
        "registered",
        "H98.90",
        "Sở Tư pháp tỉnh Thử Nghiệm",
    )
    assert row.peer_dossier_code == mine.code and mine.code.startswith("H98.90-")
    theirs = DossierInterlink.objects.get(dossier=mine)
    assert (theirs.direction, theirs.peer_code, theirs.peer_dossier_code, theirs.message_id) == (
        "in",
        "H98.01",
        d.code,
        row.message_id,
    )
    assert theirs.note == "Đề nghị Sở giải quyết"
    assert (mine.receiving_agency, mine.competent_agency, mine.status) == (lw.p, lw.p, "received")
    assert mine.procedure_id == d.procedure_id and mine.due_at == due
    # Only the essentials of the applicant travelled.
    person = mine.applicant
    assert (person.full_name, person.personal_id, person.phone) == (
        "Nguyễn Văn Bình",
        "001090012345",
        "0912345678",
    )
    assert person.email in ("", None) and person.date_of_birth is None
    # The scans, byte for byte, with their titles.
    got = sorted((a.title, read(a)) for a in DossierAttachment.objects.filter(dossier=mine))
    assert got == [("cccd", PHOTO), ("to-khai", SCAN)]
    first = DossierEvent.objects.get(dossier=mine)
    assert (first.action, first.actor, first.agency_id) == ("receive", None, lw.p.pk)
    assert first.data["peer_dossier_code"] == d.code

    # P assigns: A sees "processing".
    mine = process_at_p(lw, django_capture_on_commit_callbacks)
    row.refresh_from_db()
    assert row.status == "processing"
    assert mine.status == Status.APPROVED

    # P sends its result with the file: A's dossier has it and is ready to return.
    with django_capture_on_commit_callbacks(execute=True):
        reply = dossier_interlink_reply(
            dossier=mine,
            outcome="approved",
            upload=SimpleUploadedFile("kq.pdf", RESULT),
            actor=lw.clerk_p,
        )
    mine.refresh_from_db()
    assert mine.status == Status.RESULT_READY and mine.finished_at is not None
    assert reply.status == "completed" and reply.result_message_id
    reply.refresh_from_db()
    assert reply.result_status == "arrived"
    row.refresh_from_db()
    d.refresh_from_db()
    assert (row.status, row.outcome, row.result_message_id) == (
        "completed",
        "approved",
        reply.result_message_id,
    )
    assert d.status == Status.RESULT_READY and d.result_ready_at is not None
    assert d.finished_at is not None
    assert read(row.result_attachment) == RESULT
    assert row.result_attachment.dossier_id == d.pk
    last = DossierEvent.objects.filter(dossier=d).order_by("-pk").first()
    assert (last.action, last.from_status, last.to_status, last.actor) == (
        "mark_ready",
        "transferred",
        "result_ready",
        None,
    )
    # The counter returns it as any result.
    d = services.dossier_return_result(actor=lw.w.reception, dossier=d)
    assert d.status == Status.RETURNED
    # Each side sent its packages through the outbox, all delivered.
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {"delivered"}


def test_refused_result_refuses_the_dossier_with_the_reason(
    lw: LinkWorld, django_capture_on_commit_callbacks
):
    d = scanned(lw)
    row = send(lw, d, django_capture_on_commit_callbacks)
    mine = incoming()
    with django_capture_on_commit_callbacks(execute=True):
        dossier_interlink_reply(
            dossier=mine, outcome="refused", reason="Không đủ điều kiện", actor=lw.leader_p
        )
    mine.refresh_from_db()
    assert (mine.status, mine.refusal_reason) == ("refused", "Không đủ điều kiện")
    d.refresh_from_db()
    row.refresh_from_db()
    assert (row.outcome, row.outcome_reason, row.result_attachment) == (
        "refused",
        "Không đủ điều kiện",
        None,
    )
    assert (d.status, d.refusal_reason) == ("refused", "Không đủ điều kiện")
    # A second result is refused: it was sent once.
    with pytest.raises(InterlinkResultSent):
        dossier_interlink_reply(dossier=mine, outcome="approved", actor=lw.leader_p)


def test_unknown_procedure_at_the_receiver_is_refused_and_nothing_kept(
    lw: LinkWorld, django_capture_on_commit_callbacks
):
    d = scanned(lw)
    dossiers, attachments = Dossier.objects.count(), DossierAttachment.objects.count()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        row = dossier_interlink_send(dossier=d, to_code="H98.90", note="", actor=lw.w.leader)
    # Before delivery, the receiver's catalogue loses the procedure's code.
    Procedure.objects.filter(pk=d.procedure_id).update(code="9.999999")
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    assert Dossier.objects.count() == dossiers
    assert DossierAttachment.objects.count() == attachments
    assert not DossierInterlink.objects.filter(direction="in").exists()
    inbox = InboxMessage.objects.get(message_id=row.message_id)
    assert inbox.state == "refused" and "không có trong danh mục" in inbox.reason
    row.refresh_from_db()
    assert row.status == "refused" and "1.004873" in row.status_comment
    d.refresh_from_db()
    # The dossier waits for its officers: they take it back with "assign".
    assert d.status == Status.TRANSFERRED
    # Taken back, it can be sent again: a refused hand-over does not block a new one.
    Procedure.objects.filter(pk=d.procedure_id).update(code="1.004873")
    d = services.dossier_assign(actor=lw.w.leader, dossier=d, assignee=lw.w.specialist)
    again = send(lw, d, django_capture_on_commit_callbacks, actor=lw.w.leader)
    again.refresh_from_db()
    assert again.status == "registered" and incoming().code == again.peer_dossier_code


def test_duplicate_delivery_registers_once(lw: LinkWorld, django_capture_on_commit_callbacks):
    d = scanned(lw)
    row = send(lw, d, django_capture_on_commit_callbacks)
    payload = bytes(OutboxMessage.objects.get(message_id=row.message_id).package.data)
    before = (
        Dossier.objects.count(),
        DossierAttachment.objects.count(),
        AuditEntry.objects.count(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        again = inbox_receive(payload=payload, recipient_code="H98.90", from_node=None)
    assert again.state == "accepted"
    assert (
        Dossier.objects.count(),
        DossierAttachment.objects.count(),
        AuditEntry.objects.count(),
    ) == before
    assert DossierInterlink.objects.filter(direction="in").count() == 1
    # The handler itself, handed the same package again (a replay past the exchange), adds nothing.
    package = edxml.document_from_xml(payload)
    assert interlink.package_received(package, lw.p) == incoming()
    assert Dossier.objects.count() == before[0]


def test_package_without_required_parts_is_refused(lw: LinkWorld):
    d = scanned(lw)
    base = edxml.DocumentPackage(
        message_id=str(uuid.uuid4()),
        sender=edxml.Organization(code="H98.01", name="UBND xã Đông"),
        recipients=[edxml.Organization(code="H98.90", name="Sở")],
        code_number=d.code,
        code_notation="",
        place="",
        promulgation_date=timezone.localdate(),
        document_type="HS",
        document_type_name="Hồ sơ",
        subject="Hồ sơ",
        kind="dossier",
        attachments=[edxml.Attachment(name="a.pdf", content_type="application/pdf", data=SCAN)],
        extra={
            "dossier_code": d.code,
            "procedure_code": d.procedure.code,
            "applicant_full_name": "Nguyễn Văn Bình",
            "due_at": d.due_at.isoformat(),
        },
    )
    count = Dossier.objects.count()
    for broken in (
        dataclasses.replace(base, extra={k: v for k, v in base.extra.items() if k != "due_at"}),
        dataclasses.replace(base, attachments=[]),
        dataclasses.replace(
            base,
            attachments=[edxml.Attachment(name="x.exe", content_type="x", data=b"MZ\x90")],
        ),
        dataclasses.replace(base, extra={**base.extra, "due_at": "mai"}),
    ):
        with pytest.raises(DomainError):
            package = dataclasses.replace(broken, message_id=str(uuid.uuid4()))
            with django_atomic():
                interlink.package_received(package, lw.p)
    assert Dossier.objects.count() == count
    # Through the exchange a refusal is recorded and answered.
    inbox = inbox_receive(
        payload=edxml.document_to_xml(dataclasses.replace(base, attachments=[])),
        recipient_code="H98.90",
        from_node=None,
    )
    assert inbox.state == "refused" and "không có tệp" in inbox.reason


def django_atomic():
    from django.db import transaction

    return transaction.atomic()


def test_a_result_for_no_dossier_sent_is_refused(lw: LinkWorld):
    package = edxml.DocumentPackage(
        message_id=str(uuid.uuid4()),
        sender=edxml.Organization(code="H98.90", name="Sở"),
        recipients=[edxml.Organization(code="H98.01", name="Xã")],
        code_number="X",
        code_notation="",
        place="",
        promulgation_date=timezone.localdate(),
        document_type="HS",
        document_type_name="Kết quả",
        subject="Kết quả",
        reply_to=str(uuid.uuid4()),
        kind="dossier",
        extra={"interlink": "result", "outcome": "approved"},
    )
    inbox = inbox_receive(
        payload=edxml.document_to_xml(package), recipient_code="H98.01", from_node=None
    )
    assert inbox.state == "refused" and "Không có hồ sơ liên thông" in inbox.reason


ROLES_A = ("specialist", "clerk", "admin", "supervisor")


@pytest.mark.parametrize("who", ROLES_A)
def test_roles_outside_the_transfer_rule_change_nothing(
    lw: LinkWorld, who: str, django_capture_on_commit_callbacks
):
    d = scanned(lw)
    before = (state(), DossierInterlink.objects.count(), OutboxMessage.objects.count())
    with pytest.raises((PermissionDenied, DossierNotFound)):
        send(lw, d, django_capture_on_commit_callbacks, actor=lw.w.staff_of_a()[who])
    assert (state(), DossierInterlink.objects.count(), OutboxMessage.objects.count()) == before


def test_in_processing_only_the_leader_sends(lw: LinkWorld, django_capture_on_commit_callbacks):
    d = scanned(lw)
    d = services.dossier_assign(actor=lw.w.reception, dossier=d, assignee=lw.w.specialist)
    before = (state(), DossierInterlink.objects.count())
    with pytest.raises(PermissionDenied):
        send(lw, d, django_capture_on_commit_callbacks, actor=lw.w.reception)
    assert (state(), DossierInterlink.objects.count()) == before
    row = send(lw, d, django_capture_on_commit_callbacks, actor=lw.w.leader)
    row.refresh_from_db()
    assert row.status == "registered"


def test_other_agencies_do_not_see_the_dossier(lw: LinkWorld, django_capture_on_commit_callbacks):
    d = scanned(lw)
    before = (state(), DossierInterlink.objects.count())
    with pytest.raises(DossierNotFound):
        send(lw, d, django_capture_on_commit_callbacks, actor=lw.leader_p)
    assert (state(), DossierInterlink.objects.count()) == before


def test_targets_refused(lw: LinkWorld):
    d = scanned(lw)
    before = (state(), DossierInterlink.objects.count(), OutboxMessage.objects.count())
    for code in ("", "H98.01", "H00.00"):
        with pytest.raises(InterlinkTargetInvalid) as exc:
            dossier_interlink_send(dossier=d, to_code=code, actor=lw.w.leader)
        assert exc.value.fields == {"to": [exc.value.fields["to"][0]]}
    bare = receive(lw.w)
    before = (state(), DossierInterlink.objects.count(), OutboxMessage.objects.count())
    with pytest.raises(InterlinkNoScans):
        dossier_interlink_send(dossier=bare, to_code="H98.90", actor=lw.w.leader)
    assert (state(), DossierInterlink.objects.count(), OutboxMessage.objects.count()) == before


def test_a_second_send_while_one_is_active_is_refused(
    lw: LinkWorld, django_capture_on_commit_callbacks
):
    d = scanned(lw)
    send(lw, d, django_capture_on_commit_callbacks)
    d.refresh_from_db()
    # The table offers no transfer from "transferred"; taken back, the active one still blocks.
    with pytest.raises(TransitionNotAllowed):
        dossier_interlink_send(dossier=d, to_code="H98.02", actor=lw.w.leader)
    d = services.dossier_assign(actor=lw.w.leader, dossier=d, assignee=lw.w.specialist)
    with pytest.raises(InterlinkActive):
        dossier_interlink_send(dossier=d, to_code="H98.02", actor=lw.w.leader)


def test_result_rules_at_the_receiver(lw: LinkWorld, django_capture_on_commit_callbacks):
    d = scanned(lw)
    send(lw, d, django_capture_on_commit_callbacks)
    mine = incoming()
    before = (state(), OutboxMessage.objects.count())
    # Not approved yet: no "approved" result.
    with pytest.raises(TransitionNotAllowed):
        dossier_interlink_reply(dossier=mine, outcome="approved", actor=lw.leader_p)
    # A refusal needs the leader (from "received": reception or leader) and a reason.
    with pytest.raises(PermissionDenied):
        dossier_interlink_reply(
            dossier=mine, outcome="refused", reason="Lý do", actor=lw.specialist_p
        )
    with pytest.raises(DomainError) as exc:
        dossier_interlink_reply(dossier=mine, outcome="refused", actor=lw.leader_p)
    assert exc.value.code == "reason_required"
    with pytest.raises(DomainError) as exc:
        dossier_interlink_reply(dossier=mine, outcome="maybe", actor=lw.leader_p)
    assert exc.value.code == "interlink_outcome_invalid"
    with pytest.raises(DomainError) as exc:
        dossier_interlink_reply(
            dossier=mine,
            outcome="refused",
            reason="Lý do",
            upload=SimpleUploadedFile("x.txt", b"not a scan"),
            actor=lw.leader_p,
        )
    assert exc.value.code == "attachment_type_unsupported"
    # A's staff do not see P's dossier; A's own dossier did not come by liên thông.
    with pytest.raises(DossierNotFound):
        dossier_interlink_reply(dossier=mine, outcome="refused", reason="x", actor=lw.w.leader)
    with pytest.raises(InterlinkNotIncoming):
        dossier_interlink_reply(dossier=d, outcome="refused", reason="x", actor=lw.w.leader)
    assert (state(), OutboxMessage.objects.count()) == before


def test_status_handler_ignores_other_messages(lw: LinkWorld):
    before = AuditEntry.objects.count()
    interlink.status_received(
        edxml.StatusPackage(
            message_id=str(uuid.uuid4()),
            document_message_id=str(uuid.uuid4()),
            sender=edxml.Organization(code="H98.90", name="Sở"),
            recipient=edxml.Organization(code="H98.01", name="Xã"),
            status="completed",
            at=timezone.now(),
        )
    )
    assert AuditEntry.objects.count() == before


def test_late_statuses_do_not_move_back(lw: LinkWorld, django_capture_on_commit_callbacks):
    d = scanned(lw)
    row = send(lw, d, django_capture_on_commit_callbacks)
    for status in ("arrived", "registered"):
        interlink.status_received(
            edxml.StatusPackage(
                message_id=str(uuid.uuid4()),
                document_message_id=row.message_id,
                sender=edxml.Organization(code="H98.90", name="Sở"),
                recipient=edxml.Organization(code="H98.01", name="Xã"),
                status=status,
                at=timezone.now() + timedelta(seconds=5),
            )
        )
    row.refresh_from_db()
    assert row.status == "registered"
    # A status from another agency about the same message is ignored.
    interlink.status_received(
        edxml.StatusPackage(
            message_id=str(uuid.uuid4()),
            document_message_id=row.message_id,
            sender=edxml.Organization(code="H98.02", name="Xã Tây"),
            recipient=edxml.Organization(code="H98.01", name="Xã"),
            status="completed",
            at=timezone.now(),
        )
    )
    row.refresh_from_db()
    assert row.status == "registered"


def test_status_handler_costs_one_query_for_other_messages(
    lw: LinkWorld, django_assert_num_queries
):
    status = edxml.StatusPackage(
        message_id=str(uuid.uuid4()),
        document_message_id=str(uuid.uuid4()),
        sender=edxml.Organization(code="H98.90", name="Sở"),
        recipient=edxml.Organization(code="H98.01", name="Xã"),
        status="registered",
        at=timezone.now(),
    )
    with django_assert_num_queries(1):
        interlink.status_received(status)


def test_package_to_another_node_carries_only_what_the_receiver_needs(
    lw: LinkWorld, django_capture_on_commit_callbacks
):
    from xaso.exchange.models import Node, RemoteAgency

    this_node_initialised()
    node = Node.objects.create(code="NODE-TW", name="Nút trung ương", base_url="https://tw.example")
    RemoteAgency.objects.create(code="G01.01", name="Bộ Tư pháp", node=node)
    d = scanned(lw)
    with django_capture_on_commit_callbacks(execute=False):
        row = dossier_interlink_send(
            dossier=d, to_code="G01.01", note="Xin ý kiến Bộ", actor=lw.w.leader
        )
    assert (row.peer_code, row.peer_name, row.status) == ("G01.01", "Bộ Tư pháp", "sent")
    outbox = OutboxMessage.objects.get(message_id=row.message_id)
    assert (outbox.node, outbox.recipient_code, outbox.document_kind) == (node, "G01.01", "dossier")
    package = edxml.document_from_xml(bytes(outbox.package.data))
    assert (package.kind, package.sender.code, package.code_number, package.document_type) == (
        "dossier",
        "H98.01",
        d.code,
        "HS",
    )
    assert package.due_date == timezone.localtime(d.due_at).date()
    assert package.summary == "Xin ý kiến Bộ"
    assert package.extra == {
        "interlink": "request",
        "dossier_code": d.code,
        "procedure_code": d.procedure.code,
        "procedure_name": d.procedure.name,
        "channel": "counter",
        "received_at": timezone.localtime(d.received_at).isoformat(),
        "due_at": timezone.localtime(d.due_at).isoformat(),
        "note": "Xin ý kiến Bộ",
        "applicant_full_name": "Nguyễn Văn Bình",
        "applicant_personal_id": "001090012345",
        "applicant_phone": "0912345678",
        "applicant_address": "Thôn Đông, xã Thử Nghiệm",
    }
    assert sorted((a.description, a.content_type, a.data) for a in package.attachments) == [
        ("cccd", "image/png", PHOTO),
        ("to-khai", "application/pdf", SCAN),
    ]
    d.refresh_from_db()
    assert d.status == Status.TRANSFERRED


def test_result_as_its_own_kind_once_the_exchange_knows_it(
    lw: LinkWorld, monkeypatch, django_capture_on_commit_callbacks
):
    """With ``dossier_result`` in the exchange's kinds the result travels as that kind."""
    from xaso.exchange import registry

    kinds = (*edxml.KINDS, "dossier_result")
    monkeypatch.setattr(edxml, "KINDS", kinds)
    monkeypatch.setattr(registry, "KINDS", kinds)
    monkeypatch.setattr(interlink, "RESULT_KIND", "dossier_result")
    interlink.register_handlers()
    try:
        d = scanned(lw)
        send(lw, d, django_capture_on_commit_callbacks)
        mine = incoming()
        with django_capture_on_commit_callbacks(execute=True):
            row = dossier_interlink_reply(
                dossier=mine, outcome="refused", reason="Hồ sơ giả mạo", actor=lw.leader_p
            )
        assert InboxMessage.objects.get(message_id=row.result_message_id).document_kind == (
            "dossier_result"
        )
        d.refresh_from_db()
        assert (d.status, d.refusal_reason) == ("refused", "Hồ sơ giả mạo")
    finally:
        registry.unregister_document_handler("dossier_result")
