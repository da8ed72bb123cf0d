"""Incoming documents: paper ones registered with their scan and số đến, assignment with a
deadline in working days, handling opinions, completion with the reply, overdue tracking; every
refusal changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.documents.world import World, draft_pdf, outgoing_in, state
from xaso.core.errors import PermissionDenied
from xaso.core.models import AuditEntry
from xaso.documents import selectors, services
from xaso.documents.errors import (
    DeadlineInvalid,
    DocumentFieldInvalid,
    DocumentNotFound,
    FileTypeUnsupported,
    HandlerInvalid,
    ReplyInvalid,
    TransitionNotAllowed,
)
from xaso.documents.models import IncomingDocument

pytestmark = pytest.mark.django_db


def paper(w: World, **kw):
    args = {
        "actor": w.clerk,
        "sender_name": "UBND tỉnh Phú Thọ",
        "doc_type": "CV",
        "subject": "Về việc báo cáo chuyển đổi số quý IV",
        "code_number": "1234",
        "code_notation": "UBND-KGVX",
        "scan_data": draft_pdf(),
        "scan_name": "cong-van.pdf",
    }
    args.update(kw)
    return services.incoming_create_paper(**args)


def assigned(w: World, **kw):
    doc = paper(w)
    args = {"actor": w.leader, "document": doc, "lead": "chuyenvien", "deadline_days": 5}
    args.update(kw)
    return services.incoming_assign(**args)


def test_paper_document_registered_with_next_number(world: World):
    first, second = paper(world), paper(world, doc_type="QĐ", code_notation="QĐ-UBND")
    assert (first.status, first.source, first.incoming_number) == ("registered", "paper", 1)
    assert second.incoming_number == 2
    assert first.register.year == timezone.localdate().year
    assert first.code_text == "1234/UBND-KGVX"
    with first.file.open("rb") as f:
        assert f.read() == draft_pdf()
    entry = AuditEntry.objects.get(
        action="document.incoming_create", object_id=str(first.public_id)
    )
    assert entry.changes["incoming_number"] == 1


@pytest.mark.parametrize("who", ["specialist", "leader", "reception", "admin"])
def test_only_the_clerk_registers(world: World, who):
    with pytest.raises(PermissionDenied):
        paper(world, actor=getattr(world, who))
    assert IncomingDocument.objects.count() == 0


@pytest.mark.parametrize(
    ("kw", "error"),
    [
        ({"scan_data": b"not a scan"}, FileTypeUnsupported),
        ({"sender_name": " "}, DocumentFieldInvalid),
        ({"doc_type": "??"}, DocumentFieldInvalid),
        ({"arrived_at": timezone.now() + timedelta(days=1)}, DeadlineInvalid),
        ({"promulgation_date": timezone.localdate() + timedelta(days=2)}, DeadlineInvalid),
    ],
)
def test_bad_paper_document_refused(world: World, kw, error):
    before = AuditEntry.objects.count()
    with pytest.raises(error):
        paper(world, **kw)
    assert IncomingDocument.objects.count() == 0
    assert AuditEntry.objects.count() == before


def test_assign_with_deadline_in_working_days(world: World):
    from xaso.workdays.selectors import due_for

    doc = paper(world)
    before = timezone.now()
    doc = services.incoming_assign(
        actor=world.leader,
        document=doc,
        lead="chuyenvien",
        co_handlers=["chuyenvien2", "chuyenvien"],
        deadline_days=3,
        opinion="Đồng chí Tú chủ trì, báo cáo trước hạn",
    )
    assert doc.status == "assigned"
    assert doc.lead_handler == world.specialist
    assert list(doc.co_handlers.all()) == [world.specialist2]  # the lead is not also a co-handler
    expected = due_for(received_at=before, working_days=3, agency=world.a).due_at
    assert abs((doc.due_at - expected).total_seconds()) < 60
    assert doc.opinions.get().text == "Đồng chí Tú chủ trì, báo cáo trước hạn"


@pytest.mark.parametrize(
    ("kw", "error"),
    [
        ({"lead": ""}, HandlerInvalid),
        ({"lead": "motcua"}, HandlerInvalid),  # reception does not handle documents
        ({"lead": "cv_vomieu"}, HandlerInvalid),  # another agency
        ({"co_handlers": ["khong_co"]}, HandlerInvalid),
        ({"deadline_days": 0}, DeadlineInvalid),
        ({"deadline_days": 67}, DeadlineInvalid),
    ],
)
def test_bad_assignment_refused(world: World, kw, error):
    doc = paper(world)
    before = state(doc)
    args = {"actor": world.leader, "document": doc, "lead": "chuyenvien", "deadline_days": 5}
    args.update(kw)
    with pytest.raises(error):
        services.incoming_assign(**args)
    assert state(doc) == before


@pytest.mark.parametrize("who", ["specialist", "clerk"])
def test_only_the_leader_assigns(world: World, who):
    doc = paper(world)
    before = state(doc)
    with pytest.raises(PermissionDenied):
        services.incoming_assign(
            actor=getattr(world, who), document=doc, lead="chuyenvien", deadline_days=5
        )
    assert state(doc) == before


def test_register_refused_once_registered(world: World):
    doc = paper(world)
    before = state(doc)
    with pytest.raises(TransitionNotAllowed):
        services.incoming_register(actor=world.clerk, document=doc)
    assert state(doc) == before


def test_opinions_by_handlers_and_leader_only(world: World):
    doc = assigned(world, co_handlers=["chuyenvien2"])
    services.incoming_add_opinion(actor=world.specialist2, document=doc, text="Đã phối hợp")
    services.incoming_add_opinion(actor=world.leader, document=doc, text="Khẩn trương")
    assert list(doc.opinions.values_list("text", flat=True)) == ["Đã phối hợp", "Khẩn trương"]
    before = state(doc)
    with pytest.raises(PermissionDenied):
        services.incoming_add_opinion(actor=world.clerk, document=doc, text="?")
    assert state(doc) == before


def test_complete_with_reply(world: World):
    doc = assigned(world)
    reply = outgoing_in(world, "issued", doc_type="CV", drafting_unit="VP")
    done = services.incoming_complete(
        actor=world.specialist, document=doc, result="Đã báo cáo", reply=reply
    )
    assert (done.status, done.result, done.reply) == ("completed", "Đã báo cáo", reply)
    assert done.completed_by == world.specialist
    assert selectors.follow_up(done).label == "Hoàn thành đúng hạn"
    with pytest.raises(TransitionNotAllowed):
        services.incoming_complete(actor=world.leader, document=done)


def test_complete_refusals(world: World):
    doc = assigned(world)
    draft_reply = outgoing_in(world, "signed")
    before = state(doc)
    with pytest.raises(ReplyInvalid):
        services.incoming_complete(actor=world.leader, document=doc, reply=draft_reply)
    with pytest.raises(PermissionDenied):
        services.incoming_complete(actor=world.specialist2, document=doc)
    assert state(doc) == before
    with pytest.raises(TransitionNotAllowed):
        services.incoming_complete(actor=world.leader, document=paper(world))


def test_overdue_tracking(world: World):
    doc = assigned(world)
    later = doc.due_at + timedelta(minutes=1)
    assert list(selectors.incoming_overdue_for(actor=world.leader, now=later)) == [doc]
    assert list(selectors.incoming_overdue_for(actor=world.leader)) == []
    assert selectors.follow_up(doc, now=later).label == "Quá hạn"
    assert selectors.follow_up(doc).label == "Đang xử lý trong hạn"
    IncomingDocument.objects.filter(pk=doc.pk).update(due_at=timezone.now() - timedelta(hours=1))
    done = services.incoming_complete(actor=world.leader, document=doc)
    assert selectors.follow_up(done) == selectors.FollowUp("Hoàn thành quá hạn", True)


def test_confidential_incoming_seen_by_cleared_and_the_lead(world: World):
    doc = paper(world, confidentiality="confidential", cleared=["chutich", "vanthu"])
    seen = {
        who: selectors.incoming_list_for(actor=getattr(world, who)).filter(pk=doc.pk).exists()
        for who in ("leader", "clerk", "specialist", "specialist2")
    }
    assert seen == {"leader": True, "clerk": True, "specialist": False, "specialist2": False}
    with pytest.raises(DocumentNotFound):
        services.incoming_add_opinion(actor=world.specialist, document=doc, text="?")
    services.incoming_assign(actor=world.leader, document=doc, lead="chuyenvien", deadline_days=2)
    assert selectors.incoming_list_for(actor=world.specialist).filter(pk=doc.pk).exists()
    assert not selectors.incoming_list_for(actor=world.specialist2).filter(pk=doc.pk).exists()
    # A co-handler named by the leader is cleared by that assignment.
    services.incoming_assign(
        actor=world.leader,
        document=doc,
        lead="chuyenvien",
        co_handlers=["chuyenvien2"],
        deadline_days=2,
    )
    assert selectors.incoming_list_for(actor=world.specialist2).filter(pk=doc.pk).exists()


def test_other_agency_sees_nothing(world: World):
    doc = paper(world)
    before = state(doc)
    with pytest.raises(DocumentNotFound):
        services.incoming_assign(
            actor=world.leader_b, document=doc, lead="cv_vomieu", deadline_days=2
        )
    assert state(doc) == before
    assert list(selectors.incoming_list_for(actor=world.leader_b)) == []
