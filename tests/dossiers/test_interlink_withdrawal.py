"""Rút hồ sơ of a dossier sent for liên thông (Decree 118/2025/NĐ-CP Art 21: stopped at the
applicant's request while no decision has been taken): the request to stop goes to the agency
that received the dossier over the exchange, which withdraws its copy (reason, out of its
officers' hands, clock stopped, event and audit) or, having decided or sent its result, refuses
it with the reason the sender's officers see. Exactly once: a redelivered request changes
nothing. Same node here; across two nodes in
tests/integration/test_dossier_interlink_two_nodes.py."""

from __future__ import annotations

import dataclasses
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests import factories
from tests.dossiers.test_interlink_world import (
    RESULT,
    LinkWorld,
    build_link_world,
    scanned,
    this_node_initialised,
)
from tests.dossiers.world import state
from xaso.core.errors import DomainError
from xaso.core.models import AuditEntry
from xaso.dossiers import interlink, selectors, services
from xaso.dossiers.errors import TransitionNotAllowed
from xaso.dossiers.interlink import (
    InterlinkWithdrawalRefused,
    dossier_interlink_reply,
    dossier_interlink_send,
)
from xaso.dossiers.models import CLOCK_RUNNING, Dossier, DossierEvent, DossierInterlink
from xaso.exchange import edxml
from xaso.exchange.models import InboxMessage, OutboxMessage
from xaso.exchange.services import inbox_receive
from xaso.procedures.models import Procedure

pytestmark = pytest.mark.django_db

REASON = "Người nộp hồ sơ đã chuyển nơi cư trú, xin rút hồ sơ"


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


def in_row(code: str = "H98.90") -> DossierInterlink:
    return DossierInterlink.objects.select_related("dossier").get(
        direction="in", dossier__competent_agency__code=code
    )


def sent_and_assigned(lw: LinkWorld, capture) -> tuple[Dossier, Dossier]:
    """A's dossier sent to P; P's copy assigned to its specialist."""
    d = scanned(lw)
    with capture(execute=True):
        dossier_interlink_send(dossier=d, to_code="H98.90", note="", actor=lw.w.reception)
    mine = in_row().dossier
    with capture(execute=True):
        services.dossier_assign(actor=lw.reception_p, dossier=mine, assignee=lw.specialist_p)
    d.refresh_from_db()
    mine.refresh_from_db()
    return d, mine


def withdraw(lw: LinkWorld, d: Dossier, capture, reason: str = REASON) -> Dossier:
    with capture(execute=True):
        return services.dossier_withdraw(actor=lw.w.reception, dossier=d, reason=reason)


def test_withdrawal_stops_the_copy_at_the_receiver(
    lw: LinkWorld, django_capture_on_commit_callbacks
):
    d, mine = sent_and_assigned(lw, django_capture_on_commit_callbacks)
    assert (d.status, mine.status, mine.assignee) == (
        "transferred",
        "in_processing",
        lw.specialist_p,
    )
    # P's copy is late (received in September) and in its specialist's hands.
    assert selectors.dossier_list_for(actor=lw.specialist_p, overdue=True).count() == 1
    assert selectors.dossier_list_for(actor=lw.specialist_p, assignee=lw.specialist_p).count() == 1

    d = withdraw(lw, d, django_capture_on_commit_callbacks)

    # A: withdrawn at the applicant's request; the request to stop went to P and was applied.
    assert (d.status, d.withdrawal_reason) == ("withdrawn", REASON)
    row = out_row(d)
    assert (row.withdrawal_status, row.withdrawal_reason, row.withdrawal_comment) == (
        "applied",
        REASON,
        "",
    )
    assert row.withdrawal_message_id and row.withdrawal_at is not None
    outbox = OutboxMessage.objects.get(message_id=row.withdrawal_message_id)
    assert (outbox.recipient_code, outbox.state, outbox.answer) == (
        "H98.90",
        "delivered",
        "accepted",
    )
    package = edxml.document_from_xml(bytes(outbox.package.data))
    assert (package.kind, package.reply_to, package.sender.code) == (
        interlink.WITHDRAWAL_KIND,
        row.message_id,
        "H98.01",
    )
    assert package.extra == {
        "interlink": "withdrawal",
        "dossier_code": mine.code,
        "peer_dossier_code": d.code,
        "reason": REASON,
    }
    sent_audit = AuditEntry.objects.get(action="dossier.interlink_withdraw")
    assert (sent_audit.object_id, sent_audit.changes["to"], sent_audit.changes["reason"]) == (
        d.code,
        "H98.90",
        REASON,
    )

    # P: its copy withdrawn with the reason, out of its specialist's hands, its clock stopped.
    mine.refresh_from_db()
    assert (mine.status, mine.withdrawal_reason) == ("withdrawn", REASON)
    assert mine.status not in CLOCK_RUNNING and mine.finished_at is not None
    assert (mine.assignee, mine.step_due_at) == (None, None)
    assert selectors.dossier_list_for(actor=lw.specialist_p, overdue=True).count() == 0
    assert selectors.dossier_list_for(actor=lw.specialist_p, assignee=lw.specialist_p).count() == 0
    theirs = in_row()
    assert (theirs.withdrawal_status, theirs.withdrawal_reason, theirs.withdrawal_message_id) == (
        "applied",
        REASON,
        row.withdrawal_message_id,
    )
    event = DossierEvent.objects.filter(dossier=mine).order_by("-pk").first()
    assert (event.action, event.from_status, event.to_status, event.actor, event.agency_id) == (
        "withdraw",
        "in_processing",
        "withdrawn",
        None,
        lw.p.pk,
    )
    assert event.data == {
        "reason": REASON,
        "interlink_from": "H98.01",
        "peer_dossier_code": d.code,
        "message_id": row.withdrawal_message_id,
    }
    audit = AuditEntry.objects.filter(action="dossier.withdraw", object_id=mine.code).get()
    assert (audit.actor_id, audit.changes["status"], audit.changes["reason"]) == (
        None,
        ["in_processing", "withdrawn"],
        REASON,
    )
    # P's officers can no longer act on it, nor send a result for it.
    before = state()
    with pytest.raises(TransitionNotAllowed):
        services.dossier_forward(actor=lw.specialist_p, dossier=mine, assignee=lw.leader_p, step=3)
    with pytest.raises(TransitionNotAllowed):
        dossier_interlink_reply(dossier=mine, outcome="refused", reason="x", actor=lw.leader_p)
    assert state() == before


def test_redelivered_withdrawal_changes_nothing(lw: LinkWorld, django_capture_on_commit_callbacks):
    d, mine = sent_and_assigned(lw, django_capture_on_commit_callbacks)
    d = withdraw(lw, d, django_capture_on_commit_callbacks)
    row = out_row(d)
    payload = bytes(OutboxMessage.objects.get(message_id=row.withdrawal_message_id).package.data)
    before = (state(), InboxMessage.objects.count(), OutboxMessage.objects.count())
    with django_capture_on_commit_callbacks(execute=True):
        again = inbox_receive(payload=payload, recipient_code="H98.90", from_node=None)
    assert again.state == "accepted"
    assert (state(), InboxMessage.objects.count(), OutboxMessage.objects.count()) == before
    # Past the exchange: the handler given the same request, or another request to stop the
    # same dossier, adds nothing either.
    package = edxml.document_from_xml(payload)
    assert interlink.package_received(package, lw.p) == in_row()
    other = dataclasses.replace(package, message_id=str(uuid.uuid4()), extra={**package.extra})
    assert interlink.package_received(other, lw.p) == in_row()
    assert (state(), InboxMessage.objects.count(), OutboxMessage.objects.count()) == before
    assert in_row().withdrawal_message_id == row.withdrawal_message_id
    # One request left A, registered once at P.
    assert OutboxMessage.objects.filter(message_id=row.withdrawal_message_id).count() == 1
    assert InboxMessage.objects.filter(message_id=row.withdrawal_message_id).count() == 1
    assert DossierEvent.objects.filter(dossier=mine, action="withdraw").count() == 1


def test_withdrawal_after_the_decision_is_refused_back_to_the_sender(
    lw: LinkWorld, django_capture_on_commit_callbacks
):
    d, mine = sent_and_assigned(lw, django_capture_on_commit_callbacks)
    mine = services.dossier_forward(
        actor=lw.specialist_p, dossier=mine, assignee=lw.leader_p, step=3
    )
    mine = services.dossier_approve(actor=lw.leader_p, dossier=mine)
    d = withdraw(lw, d, django_capture_on_commit_callbacks)
    # A: withdrawn here (the applicant's right), but P could not stop: its reason is shown.
    assert d.status == "withdrawn"
    row = out_row(d)
    assert row.withdrawal_status == "refused"
    assert row.withdrawal_comment == (
        f"Hồ sơ {mine.code} đang ở trạng thái “Đã phê duyệt, đang hoàn thiện kết quả”: "
        "không thể dừng giải quyết."
    )
    inbox = InboxMessage.objects.get(message_id=row.withdrawal_message_id)
    assert (inbox.state, inbox.reason) == ("refused", row.withdrawal_comment)
    mine.refresh_from_db()
    assert (mine.status, mine.withdrawal_reason) == ("approved", "")
    assert in_row().withdrawal_status == ""
    assert not DossierEvent.objects.filter(dossier=mine, action="withdraw").exists()
    status_audit = AuditEntry.objects.filter(
        action="dossier.interlink_status", changes__message_id=row.withdrawal_message_id
    ).get()
    assert status_audit.changes["status"] == "refused"


def test_withdrawal_crossing_the_result_is_refused_and_the_result_kept(
    lw: LinkWorld, django_capture_on_commit_callbacks
):
    d, mine = sent_and_assigned(lw, django_capture_on_commit_callbacks)
    # P refuses and sends its result; before it reaches A, the applicant withdraws at A.
    with django_capture_on_commit_callbacks(execute=False) as result_delivery:
        dossier_interlink_reply(
            dossier=mine,
            outcome="refused",
            reason="Không thuộc thẩm quyền",
            upload=SimpleUploadedFile("kq.pdf", RESULT),
            actor=lw.leader_p,
        )
    d = withdraw(lw, d, django_capture_on_commit_callbacks)
    row = out_row(d)
    assert row.withdrawal_status == "refused"
    assert row.withdrawal_comment.startswith(
        f"Hồ sơ {mine.code} đã có kết quả (Từ chối giải quyết) gửi về cơ quan chuyển lúc "
    )
    mine.refresh_from_db()
    assert (mine.status, mine.refusal_reason, mine.withdrawal_reason) == (
        "refused",
        "Không thuộc thẩm quyền",
        "",
    )
    # The result then arrives: kept with A's dossier, which stays withdrawn.
    with django_capture_on_commit_callbacks(execute=True):
        for callback in result_delivery:
            callback()
    d.refresh_from_db()
    row.refresh_from_db()
    assert (d.status, row.outcome, row.withdrawal_status) == ("withdrawn", "refused", "refused")


def test_withdrawal_passes_along_a_chain_of_hand_overs(
    lw: LinkWorld, django_capture_on_commit_callbacks
):
    """A → P → Q: P sent its copy on to Q; withdrawn at A, both copies stop."""
    q = factories.agency(code="H98.91", name="Sở Nội vụ tỉnh Thử Nghiệm", unit_obj=lw.p.unit)
    factories.staff(agency_obj=q, roles=("reception",), username="tiepnhan_q")
    d = scanned(lw)
    with django_capture_on_commit_callbacks(execute=True):
        dossier_interlink_send(dossier=d, to_code="H98.90", actor=lw.w.reception)
    mine = in_row().dossier
    with django_capture_on_commit_callbacks(execute=True):
        dossier_interlink_send(dossier=mine, to_code="H98.91", actor=lw.reception_p)
    last = in_row("H98.91").dossier
    assert (mine.code != last.code, last.status) == (True, "received")
    withdraw(lw, d, django_capture_on_commit_callbacks)
    mine.refresh_from_db()
    last.refresh_from_db()
    assert [x.status for x in (mine, last)] == ["withdrawn", "withdrawn"]
    assert last.withdrawal_reason == REASON
    assert DossierInterlink.objects.get(dossier=mine, direction="out").withdrawal_status == (
        "applied"
    )
    assert out_row(d).withdrawal_status == "applied"


def test_nothing_to_pass_on(lw: LinkWorld, django_capture_on_commit_callbacks):
    # Never sent: one lookup, nothing sent.
    plain = scanned(lw)
    withdraw(lw, plain, django_capture_on_commit_callbacks)
    assert not OutboxMessage.objects.exists()
    # Sent but refused by the receiver (unknown procedure there): nothing of it is left at P.
    d = scanned(lw)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        dossier_interlink_send(dossier=d, to_code="H98.90", actor=lw.w.reception)
    code = d.procedure.code
    Procedure.objects.filter(pk=d.procedure_id).update(code="9.999999")
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    Procedure.objects.filter(pk=d.procedure_id).update(code=code)
    assert out_row(d).status == "refused"
    count = OutboxMessage.objects.count()
    d.refresh_from_db()
    withdraw(lw, d, django_capture_on_commit_callbacks)
    assert (OutboxMessage.objects.count(), out_row(d).withdrawal_status) == (count, "")


def test_taken_back_meanwhile_the_copy_is_still_stopped(
    lw: LinkWorld, django_capture_on_commit_callbacks
):
    d, mine = sent_and_assigned(lw, django_capture_on_commit_callbacks)
    d = services.dossier_assign(actor=lw.w.leader, dossier=d, assignee=lw.w.specialist)
    assert d.status == "in_processing"
    d = withdraw(lw, d, django_capture_on_commit_callbacks)
    mine.refresh_from_db()
    assert (d.status, mine.status, out_row(d).withdrawal_status) == (
        "withdrawn",
        "withdrawn",
        "applied",
    )


def _request(lw: LinkWorld, reply_to: str, reason: str = REASON) -> edxml.DocumentPackage:
    return edxml.DocumentPackage(
        message_id=str(uuid.uuid4()),
        sender=edxml.Organization(code="H98.01", name="UBND xã Đông"),
        recipients=[edxml.Organization(code="H98.90", name="Sở")],
        code_number="X",
        code_notation="",
        place="",
        promulgation_date=timezone.localdate(),
        document_type="HS",
        document_type_name="Thông báo dừng giải quyết hồ sơ",
        subject="Dừng giải quyết",
        reply_to=reply_to,
        kind="dossier",
        extra={"interlink": "withdrawal", "reason": reason},
    )


def test_requests_the_receiver_cannot_apply_are_refused_and_change_nothing(
    lw: LinkWorld, django_capture_on_commit_callbacks
):
    d, mine = sent_and_assigned(lw, django_capture_on_commit_callbacks)
    before = state()
    # For no dossier received from this sender.
    inbox = inbox_receive(
        payload=edxml.document_to_xml(_request(lw, str(uuid.uuid4()))),
        recipient_code="H98.90",
        from_node=None,
    )
    assert inbox.state == "refused"
    assert inbox.reason == "Không có hồ sơ liên thông nào nhận từ H98.01 ứng với yêu cầu dừng này."
    # Without a reason.
    with pytest.raises(InterlinkWithdrawalRefused) as exc:
        interlink.package_received(_request(lw, in_row().message_id, reason="  "), lw.p)
    assert (exc.value.code, exc.value.message) == (
        "interlink_withdrawal_refused",
        "Yêu cầu dừng giải quyết phải ghi rõ lý do.",
    )
    # From another agency than the one that sent the dossier.
    other = dataclasses.replace(
        _request(lw, in_row().message_id), sender=edxml.Organization(code="H98.02", name="Xã Tây")
    )
    with pytest.raises(DomainError):
        interlink.package_received(other, lw.p)
    mine.refresh_from_db()
    assert mine.status == "in_processing"
    # The refusal above is the exchange's audit entry only; the dossiers are as they were.
    assert state()[:3] == before[:3]


def test_withdrawal_as_its_own_kind_once_the_exchange_knows_it(
    lw: LinkWorld, monkeypatch, django_capture_on_commit_callbacks
):
    """With ``dossier_withdrawal`` in the exchange's kinds the request travels as that kind."""
    from xaso.exchange import registry

    kinds = (*edxml.KINDS, "dossier_withdrawal")
    monkeypatch.setattr(edxml, "KINDS", kinds)
    monkeypatch.setattr(registry, "KINDS", kinds)
    monkeypatch.setattr(interlink, "WITHDRAWAL_KIND", "dossier_withdrawal")
    interlink.register_handlers()
    try:
        d, mine = sent_and_assigned(lw, django_capture_on_commit_callbacks)
        d = withdraw(lw, d, django_capture_on_commit_callbacks)
        row = out_row(d)
        assert InboxMessage.objects.get(message_id=row.withdrawal_message_id).document_kind == (
            "dossier_withdrawal"
        )
        mine.refresh_from_db()
        assert (mine.status, row.withdrawal_status) == ("withdrawn", "applied")
    finally:
        registry.unregister_document_handler("dossier_withdrawal")


def test_request_to_another_node_waits_in_the_outbox(
    lw: LinkWorld, django_capture_on_commit_callbacks
):
    from xaso.exchange.models import Node, RemoteAgency

    this_node_initialised()
    node = Node.objects.create(code="NODE-H", name="Nút huyện", base_url="https://h.example")
    RemoteAgency.objects.create(code="H98.50", name="UBND huyện Thử", node=node)
    d = scanned(lw)
    with django_capture_on_commit_callbacks(execute=False):
        row = dossier_interlink_send(dossier=d, to_code="H98.50", actor=lw.w.reception)
    d.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=False):
        services.dossier_withdraw(actor=lw.w.reception, dossier=d, reason=REASON)
    row.refresh_from_db()
    assert (row.withdrawal_status, row.withdrawal_reason) == ("sent", REASON)
    outbox = OutboxMessage.objects.get(message_id=row.withdrawal_message_id)
    assert (outbox.node, outbox.recipient_code, outbox.state) == (node, "H98.50", "pending")
    # The other node answers "arrived": applied there.
    interlink.status_received(
        edxml.StatusPackage(
            message_id=str(uuid.uuid4()),
            document_message_id=row.withdrawal_message_id,
            sender=edxml.Organization(code="H98.50", name="UBND huyện Thử"),
            recipient=edxml.Organization(code="H98.01", name="Xã"),
            status="arrived",
            at=timezone.now(),
        )
    )
    row.refresh_from_db()
    assert (row.withdrawal_status, row.status) == ("applied", "sent")
    # A late "refused" for the same request does not undo the answer.
    interlink.status_received(
        edxml.StatusPackage(
            message_id=str(uuid.uuid4()),
            document_message_id=row.withdrawal_message_id,
            sender=edxml.Organization(code="H98.50", name="UBND huyện Thử"),
            recipient=edxml.Organization(code="H98.01", name="Xã"),
            status="refused",
            at=timezone.now(),
            comment="x",
        )
    )
    row.refresh_from_db()
    assert (row.withdrawal_status, row.withdrawal_comment) == ("applied", "")


def test_the_senders_officers_see_the_refusal_on_the_page_and_in_the_api(
    client, lw: LinkWorld, django_capture_on_commit_callbacks
):
    from tests.dossiers.test_interlink_api import client as api_client

    d, mine = sent_and_assigned(lw, django_capture_on_commit_callbacks)
    mine = services.dossier_forward(
        actor=lw.specialist_p, dossier=mine, assignee=lw.leader_p, step=3
    )
    services.dossier_approve(actor=lw.leader_p, dossier=mine)
    withdraw(lw, d, django_capture_on_commit_callbacks)
    refusal = (
        f"Hồ sơ {mine.code} đang ở trạng thái “Đã phê duyệt, đang hoàn thiện kết quả”: "
        "không thể dừng giải quyết."
    )
    client.force_login(lw.w.reception)
    html = client.get(f"/dossiers/{d.code}/").content.decode()
    assert 'data-withdrawal="refused"' in html and "Không dừng được" in html
    assert f"Cơ quan nhận không dừng được: {refusal}" in html
    [row] = api_client(lw.w.leader).get(f"/dossiers/{d.code}/interlink").json()
    assert {
        k: v for k, v in row.items() if k.startswith("withdrawal_") and k != "withdrawal_at"
    } == {
        "withdrawal_status": "refused",
        "withdrawal_status_label": "Không dừng được",
        "withdrawal_reason": REASON,
        "withdrawal_comment": refusal,
    }
    assert row["withdrawal_at"] is not None


def test_the_receivers_page_shows_the_stop_and_no_result_form(
    client, lw: LinkWorld, django_capture_on_commit_callbacks
):
    d, mine = sent_and_assigned(lw, django_capture_on_commit_callbacks)
    client.force_login(lw.leader_p)
    assert (
        'data-action="interlink-result"' in client.get(f"/dossiers/{mine.code}/").content.decode()
    )
    withdraw(lw, d, django_capture_on_commit_callbacks)
    html = client.get(f"/dossiers/{mine.code}/").content.decode()
    assert 'data-testid="interlink-withdrawal"' in html and REASON in html
    assert 'data-action="interlink-result"' not in html
