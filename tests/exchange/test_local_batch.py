"""Same-node delivery in batches (``services.outbox_deliver_local``): a directive to many
agencies of this node is delivered in one transaction, with the guarantees of one-by-one
delivery — a refusal or a crash touches one recipient only, a redelivered batch registers
nothing twice, every write is audited and the chain verifies, and the cost per recipient is a
small constant number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import factories
from tests.documents.world import draft_pdf
from xaso.core.audit import AuditItem, audit_record, audit_record_many, audit_verify
from xaso.core.errors import DomainError
from xaso.core.models import AuditEntry, AuditHead
from xaso.documents import exchange_glue
from xaso.documents.models import IncomingDocument
from xaso.documents.services import receiving
from xaso.exchange import registry, services
from xaso.exchange.edxml import Attachment, Organization, StatusPackage
from xaso.exchange.models import InboxMessage, OutboxMessage, Package
from xaso.org.models import Agency
from xaso.reports import services as reports_services

from .conftest import make_package

pytestmark = pytest.mark.django_db


class Refused(DomainError):
    code = "test_refused"


def org(a: Agency) -> Organization:
    return Organization(code=a.code, name=a.name)


def communes(n: int, *, start: int = 1) -> tuple[Agency, list[Agency]]:
    tinh = factories.agency(code="H25", name="UBND tỉnh Phú Thọ")
    return tinh, [
        factories.agency(code=f"H25.{i:03d}", name=f"UBND xã số {i}", parent=tinh)
        for i in range(start, start + n)
    ]


class Handlers:
    """A document handler that writes in the exchange's transaction (it renames the agency),
    refuses one agency and crashes once for another; a status handler that records."""

    def __init__(self, *, refuse: str = "", crash: str = "", batch: bool = False) -> None:
        self.refuse, self.crash = refuse, crash
        self.calls: list[str] = []
        self.batches: list[list[str]] = []
        self.statuses: list[tuple[str, str]] = []
        registry.register_document_handler(
            "directive", self.document, batch=self.many if batch else None
        )
        registry.register_status_handler(self.status)

    def many(self, items) -> None:
        self.batches.append([agency.code for _package, agency in items])
        for package, agency in items:
            self.document(package, agency)

    def document(self, package, agency) -> None:
        self.calls.append(agency.code)
        Agency.objects.filter(pk=agency.pk).update(short_name=f"nhận {package.code_number}")
        audit_record(actor=None, action="test.received", obj=agency)
        if agency.code == self.refuse:
            raise Refused("Văn bản không thuộc thẩm quyền của xã, đề nghị gửi lại đúng nơi nhận.")
        if agency.code == self.crash:
            self.crash = ""
            raise RuntimeError("ổ đĩa đầy")

    def status(self, s: StatusPackage) -> None:
        self.statuses.append((s.sender.code, s.status))


def send(sender: Agency, recipients: list[Agency], capture, **overrides):
    package = make_package(org(sender), [org(a) for a in recipients], kind="directive", **overrides)
    with capture(execute=True):
        services.exchange_send(package=package)
    return package


def test_one_refusing_recipient_keeps_nothing_and_the_others_arrive(
    django_capture_on_commit_callbacks,
):
    tinh, xas = communes(6)
    refusing = xas[2]
    handlers = Handlers(refuse=refusing.code)
    p = send(tinh, xas, django_capture_on_commit_callbacks)

    assert sorted(handlers.calls) == sorted(a.code for a in xas)
    names = dict(Agency.objects.filter(parent=tinh).values_list("code", "short_name"))
    assert names[refusing.code] == ""  # its handler's write was undone
    assert all(names[a.code] == "nhận 05" for a in xas if a != refusing)
    assert AuditEntry.objects.filter(action="test.received").count() == 5

    inbox = dict(
        InboxMessage.objects.filter(message_id=p.message_id).values_list("recipient_code", "state")
    )
    assert inbox == {a.code: "refused" if a == refusing else "accepted" for a in xas}
    out = {
        o.recipient_code: o
        for o in OutboxMessage.objects.filter(message_id=p.message_id, kind="document")
    }
    assert {c: (o.state, o.answer, o.remote_status, o.attempts) for c, o in out.items()} == {
        a.code: ("delivered", "refused" if a == refusing else "accepted")
        + ("refused" if a == refusing else "arrived", 1)
        for a in xas
    }
    assert out[refusing.code].answer_reason.startswith("Văn bản không thuộc thẩm quyền")
    # Six statuses went back through the outbox, each delivered to the province's inbox.
    back = OutboxMessage.objects.filter(kind="status", recipient_code=tinh.code)
    assert sorted(back.values_list("document_kind", "state")) == sorted(
        [("arrived", "delivered")] * 5 + [("refused", "delivered")]
    )
    assert Package.objects.filter(kind="status").count() == 6
    assert InboxMessage.objects.filter(kind="status", recipient_code=tinh.code).count() == 6
    assert sorted(handlers.statuses) == sorted(
        (a.code, "refused" if a == refusing else "arrived") for a in xas
    )
    assert AuditEntry.objects.filter(action="exchange.receive").count() == 5 + 6
    assert AuditEntry.objects.filter(action="exchange.refuse").count() == 1
    assert audit_verify().ok


def test_a_batch_handler_that_refuses_one_is_undone_and_redone_one_by_one(
    django_capture_on_commit_callbacks,
):
    tinh, xas = communes(5)
    refusing = xas[3]
    handlers = Handlers(refuse=refusing.code, batch=True)
    p = send(tinh, xas, django_capture_on_commit_callbacks)

    assert handlers.batches == [[a.code for a in xas]]  # tried together, once
    # … then one by one: the batch's writes were undone, each is registered once.
    assert AuditEntry.objects.filter(action="test.received").count() == 4
    names = dict(Agency.objects.filter(parent=tinh).values_list("code", "short_name"))
    assert names[refusing.code] == ""
    assert all(names[a.code] == "nhận 05" for a in xas if a != refusing)
    inbox = dict(
        InboxMessage.objects.filter(message_id=p.message_id).values_list("recipient_code", "state")
    )
    assert inbox == {a.code: "refused" if a == refusing else "accepted" for a in xas}
    assert sorted(handlers.statuses) == sorted(
        (a.code, "refused" if a == refusing else "arrived") for a in xas
    )
    assert audit_verify().ok


def test_a_batch_handler_takes_the_whole_batch_when_none_refuses(
    django_capture_on_commit_callbacks,
):
    tinh, xas = communes(5)
    handlers = Handlers(batch=True)
    p = send(tinh, xas, django_capture_on_commit_callbacks)
    assert handlers.batches == [[a.code for a in xas]]
    assert sorted(handlers.calls) == sorted(a.code for a in xas)  # no second call
    assert set(
        OutboxMessage.objects.filter(message_id=p.message_id).values_list(
            "state", "answer", "remote_status"
        )
    ) == {("delivered", "accepted", "arrived")}


def test_redelivered_batch_registers_nothing_twice(django_capture_on_commit_callbacks):
    tinh, xas = communes(5)
    handlers = Handlers(refuse=xas[0].code)
    p = send(tinh, xas, django_capture_on_commit_callbacks)
    rows = OutboxMessage.objects.filter(message_id=p.message_id)
    entries = AuditEntry.objects.count()
    # As if the sender never learnt of the first delivery (it crashed before recording it).
    rows.update(state="pending", next_attempt_at=timezone.now() - timedelta(seconds=1))

    with django_capture_on_commit_callbacks(execute=True):
        again = services.outbox_deliver_local(outbox_ids=list(rows.values_list("pk", flat=True)))
    assert len(again) == 5
    assert len(handlers.calls) == 5  # no handler ran again
    assert InboxMessage.objects.filter(message_id=p.message_id).count() == 5
    assert OutboxMessage.objects.filter(kind="status").count() == 5  # no second answer
    assert {(o.state, o.answer) for o in rows.exclude(recipient_code=xas[0].code)} == {
        ("delivered", "accepted")
    }
    assert rows.get(recipient_code=xas[0].code).answer == "refused"
    assert AuditEntry.objects.count() == entries  # nothing new was registered, nothing audited


def test_a_crashing_recipient_waits_for_a_retry_and_the_others_arrive(
    django_capture_on_commit_callbacks,
):
    tinh, xas = communes(4)
    crashing = xas[1]
    handlers = Handlers(crash=crashing.code)
    p = send(tinh, xas, django_capture_on_commit_callbacks)

    row = OutboxMessage.objects.get(message_id=p.message_id, recipient_code=crashing.code)
    assert (row.state, row.attempts) == ("failed", 1)
    assert "ổ đĩa đầy" in row.last_error
    assert row.next_attempt_at > timezone.now()
    assert Agency.objects.get(pk=crashing.pk).short_name == ""
    assert not InboxMessage.objects.filter(recipient_code=crashing.code).exists()
    assert InboxMessage.objects.filter(message_id=p.message_id).count() == 3
    assert OutboxMessage.objects.filter(kind="status").count() == 3

    with django_capture_on_commit_callbacks(execute=True):
        assert services.deliver_due(everything=True)["delivered"] == 1
    row.refresh_from_db()
    assert (row.state, row.attempts, row.answer, row.remote_status) == (
        "delivered",
        2,
        "accepted",
        "arrived",
    )
    assert handlers.calls.count(crashing.code) == 2
    assert InboxMessage.objects.filter(message_id=p.message_id).count() == 4
    assert audit_verify().ok


def test_rows_claimed_by_another_process_or_not_due_are_left_alone(
    django_capture_on_commit_callbacks,
):
    tinh, xas = communes(3)
    handlers = Handlers()
    package = make_package(org(tinh), [org(a) for a in xas], kind="directive")
    rows = services.exchange_send(package=package)  # not committed: nothing dispatched yet
    claimed, later, due = rows
    OutboxMessage.objects.filter(pk=claimed.pk).update(
        claimed_until=timezone.now() + timedelta(minutes=1)
    )
    OutboxMessage.objects.filter(pk=later.pk).update(
        next_attempt_at=timezone.now() + timedelta(minutes=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        taken = services.outbox_deliver_local(outbox_ids=[r.pk for r in rows])
    assert [r.pk for r in taken] == [due.pk]
    assert handlers.calls == [due.recipient_code]
    assert OutboxMessage.objects.get(pk=claimed.pk).state == "pending"
    assert OutboxMessage.objects.get(pk=later.pk).state == "pending"


def _real_handlers() -> None:
    """The handlers the platform registers, with their batch variants: documents (incoming
    document, recipient status) and reports (statuses of its own packages)."""
    assert exchange_glue.register_handlers()
    reports_services.register_handlers()
    assert registry.document_batch_handler("directive") is receiving.documents_received


def _queries_to_deliver(n: int, start: int, capture) -> int:
    tinh = Agency.objects.filter(code="H25").first()
    if tinh is None:
        tinh, xas = communes(n, start=start)
    else:
        xas = [
            factories.agency(code=f"H25.{i:03d}", name=f"UBND xã số {i}", parent=tinh)
            for i in range(start, start + n)
        ]
    package = make_package(org(tinh), [org(a) for a in xas], kind="directive")
    # The documents handler reads the PDF's signatures on arrival: a real (unsigned) PDF.
    pdf = draft_pdf()
    package.attachments = [Attachment(name="ct.pdf", content_type="application/pdf", data=pdf)]
    with capture() as callbacks:
        services.exchange_send(package=package)
    with CaptureQueriesContext(connection) as queries:
        for callback in callbacks:
            callback()
    assert IncomingDocument.objects.filter(message_id=package.message_id).count() == n
    assert (
        OutboxMessage.objects.filter(
            message_id=package.message_id, state="delivered", remote_status="arrived"
        ).count()
        == n
    )
    return len(queries)


def test_query_count_of_a_batch_is_pinned_and_grows_by_a_small_constant_per_recipient(
    django_capture_on_commit_callbacks,
):
    _real_handlers()
    twenty = _queries_to_deliver(20, 1, django_capture_on_commit_callbacks)
    forty = _queries_to_deliver(40, 101, django_capture_on_commit_callbacks)
    # With the batch handlers, the queries do not depend on how many recipients there are:
    # one claim, one load, one look-up per table, one insert per table, one audit batch … for
    # the documents and again for the "arrived" statuses (the audit head's steps go as one
    # batched statement). One-by-one delivery took ≈ 68 per recipient.
    assert forty - twenty <= 2, (twenty, forty)
    assert twenty == PINNED_TWENTY, twenty
    assert audit_verify().ok


PINNED_TWENTY = 47


def test_audit_record_many_chains_like_audit_record():
    agency = factories.agency(code="H25", name="UBND tỉnh Phú Thọ")
    audit_record(actor=None, action="test.before", obj=agency)
    entries = audit_record_many(
        actor=None,
        items=[
            AuditItem(action="test.one", obj=agency, changes={"n": 1}),
            AuditItem(action="test.two", object_type="x", object_id="7", changes={"tên": "Hà"}),
        ],
    )
    audit_record(actor=None, action="test.after", obj=agency)
    rows = list(AuditEntry.objects.order_by("seq").values_list("seq", "action", "prev_hash"))
    assert [r[1] for r in rows[-4:]] == ["test.before", "test.one", "test.two", "test.after"]
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    assert entries[1].prev_hash == entries[0].hash
    head = AuditHead.objects.get()
    assert head.seq == rows[-1][0]
    assert audit_record_many(actor=None, items=[]) == []
    assert audit_verify().ok
