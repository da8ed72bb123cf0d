"""Same-node delivery: exactly once, refusals, duplicates, statuses back, concurrency."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection

from tests import factories
from xaso.core.errors import DomainError
from xaso.core.models import AuditEntry
from xaso.exchange import registry, services
from xaso.exchange.edxml import Organization, StatusPackage, document_to_xml
from xaso.exchange.errors import PackageInvalid, RecipientUnknown, SenderNotLocal
from xaso.exchange.models import InboxMessage, OutboxMessage, Package
from xaso.org.models import Agency

from .conftest import make_package

pytestmark = pytest.mark.django_db


def org(a: Agency) -> Organization:
    return Organization(code=a.code, name=a.name)


@pytest.fixture
def world():
    huyen = factories.agency(code="H25.37", name="UBND huyện Thanh Sơn")
    xa = factories.agency(code="H25.37.01", name="UBND xã Thạch Khoán", parent=huyen)
    xa2 = factories.agency(code="H25.37.02", name="UBND xã Địch Quả", parent=huyen)
    return huyen, xa, xa2


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.statuses: list[tuple[str, str, str]] = []

    def document(self, package, agency):
        # Something the handler writes in the exchange's transaction: an agency renamed.
        self.calls.append((package.message_id, agency.code))
        Agency.objects.filter(pk=agency.pk).update(short_name=f"nhận {package.code_number}")

    def status(self, s: StatusPackage) -> None:
        self.statuses.append((s.document_message_id, s.sender.code, s.status))


@pytest.fixture
def recorder():
    r = Recorder()
    registry.register_document_handler("document", r.document)
    registry.register_status_handler(r.status)
    return r


def test_same_node_delivery_runs_handler_once_and_arrived_goes_back(
    world, recorder, django_capture_on_commit_callbacks
):
    huyen, xa, xa2 = world
    p = make_package(org(huyen), [org(xa), org(xa2)])
    with django_capture_on_commit_callbacks(execute=True):
        rows = services.exchange_send(package=p)
    assert len(rows) == 2
    assert sorted(recorder.calls) == [(p.message_id, "H25.37.01"), (p.message_id, "H25.37.02")]
    assert Agency.objects.get(pk=xa.pk).short_name == "nhận 05"
    inbox = InboxMessage.objects.filter(message_id=p.message_id).order_by("recipient_code")
    assert [(i.recipient_code, i.state) for i in inbox] == [
        ("H25.37.01", "accepted"),
        ("H25.37.02", "accepted"),
    ]
    out = OutboxMessage.objects.filter(message_id=p.message_id).order_by("recipient_code")
    assert [(o.state, o.answer, o.remote_status, o.attempts) for o in out] == [
        ("delivered", "accepted", "arrived", 1),
        ("delivered", "accepted", "arrived", 1),
    ]
    assert sorted(recorder.statuses) == [
        (p.message_id, "H25.37.01", "arrived"),
        (p.message_id, "H25.37.02", "arrived"),
    ]
    # One package row however many recipients; two status packages back.
    assert Package.objects.filter(kind="document").count() == 1
    assert Package.objects.filter(kind="status").count() == 2
    assert AuditEntry.objects.filter(action="exchange.send", object_id=p.message_id).count() == 1
    assert AuditEntry.objects.filter(action="exchange.receive").count() == 4  # 2 docs + 2 statuses


def test_nothing_is_sent_when_the_callers_transaction_rolls_back(world, recorder):
    from django.db import transaction

    huyen, xa, _ = world
    p = make_package(org(huyen), [org(xa)])
    with pytest.raises(RuntimeError), transaction.atomic():
        services.exchange_send(package=p)
        raise RuntimeError("caller failed")
    assert OutboxMessage.objects.count() == 0
    assert recorder.calls == []


def test_handler_domain_error_refuses_and_keeps_nothing(
    world, recorder, django_capture_on_commit_callbacks
):
    huyen, xa, _ = world

    class WrongAgency(DomainError):
        code = "wrong_agency"

    def refuse(package, agency):
        Agency.objects.filter(pk=agency.pk).update(short_name="không được giữ")
        raise WrongAgency("Văn bản gửi nhầm cơ quan, đề nghị gửi lại đúng nơi nhận.")

    registry.register_document_handler("document", refuse)
    p = make_package(org(huyen), [org(xa)])
    with django_capture_on_commit_callbacks(execute=True):
        services.exchange_send(package=p)
    assert Agency.objects.get(pk=xa.pk).short_name == ""
    inbox = InboxMessage.objects.get(message_id=p.message_id)
    assert inbox.state == "refused"
    assert inbox.reason == "Văn bản gửi nhầm cơ quan, đề nghị gửi lại đúng nơi nhận."
    out = OutboxMessage.objects.get(message_id=p.message_id, kind="document")
    assert (out.state, out.answer, out.remote_status) == ("delivered", "refused", "refused")
    assert recorder.statuses == [(p.message_id, "H25.37.01", "refused")]
    back = OutboxMessage.objects.get(kind="status")
    assert back.recipient_code == "H25.37"
    assert AuditEntry.objects.filter(action="exchange.refuse").count() == 1


def test_no_handler_for_the_kind_refuses(world, django_capture_on_commit_callbacks):
    huyen, xa, _ = world
    p = make_package(org(huyen), [org(xa)], kind="report")
    with django_capture_on_commit_callbacks(execute=True):
        services.exchange_send(package=p)
    inbox = InboxMessage.objects.get(message_id=p.message_id)
    assert inbox.state == "refused"
    assert "report" in inbox.reason


def test_handler_crash_keeps_message_for_retry(world, django_capture_on_commit_callbacks):
    huyen, xa, _ = world
    calls = []

    def crash(package, agency):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database hiccup")

    registry.register_document_handler("document", crash)
    p = make_package(org(huyen), [org(xa)])
    with django_capture_on_commit_callbacks(execute=True):
        services.exchange_send(package=p)
    out = OutboxMessage.objects.get(message_id=p.message_id)
    assert (out.state, out.attempts) == ("failed", 1)
    assert "database hiccup" in out.last_error
    assert not InboxMessage.objects.filter(message_id=p.message_id).exists()
    assert services.deliver_due() == {"delivered": 0, "failed": 0, "skipped": 0}  # not yet due
    with django_capture_on_commit_callbacks(execute=True):
        assert services.deliver_due(everything=True)["delivered"] == 1
    out.refresh_from_db()
    assert (out.state, out.attempts, out.last_error) == ("delivered", 2, "")
    assert len(calls) == 2
    assert InboxMessage.objects.get(message_id=p.message_id).state == "accepted"


def test_redelivered_message_is_handled_once(world, recorder, django_capture_on_commit_callbacks):
    huyen, xa, _ = world
    p = make_package(org(huyen), [org(xa)])
    with django_capture_on_commit_callbacks(execute=True):
        services.exchange_send(package=p)
    payload = document_to_xml(p)
    again = services.inbox_receive(payload=payload, recipient_code=xa.code, from_node=None)
    first = InboxMessage.objects.get(message_id=p.message_id)
    assert again.pk == first.pk
    assert recorder.calls == [(p.message_id, xa.code)]
    assert OutboxMessage.objects.filter(kind="status").count() == 1


def test_same_message_id_cannot_be_sent_twice(world, recorder):
    huyen, xa, _ = world
    p = make_package(org(huyen), [org(xa)])
    services.exchange_send(package=p)
    with pytest.raises(services.MessageAlreadySent):
        services.exchange_send(package=p)


def test_unknown_recipient_or_foreign_sender_refused_with_nothing_written(world):
    huyen, xa, _ = world
    with pytest.raises(RecipientUnknown):
        services.exchange_send(
            package=make_package(org(huyen), [org(xa), Organization("H99.99.99", "Không có")])
        )
    with pytest.raises(SenderNotLocal):
        services.exchange_send(package=make_package(Organization("G01", "Bộ"), [org(xa)]))
    with pytest.raises(PackageInvalid):
        services.exchange_send(package=make_package(org(huyen), [org(xa), org(xa)]))
    assert OutboxMessage.objects.count() == 0
    assert Package.objects.count() == 0


def test_package_for_another_agency_is_refused(world):
    huyen, xa, xa2 = world
    payload = document_to_xml(make_package(org(huyen), [org(xa)]))
    with pytest.raises(PackageInvalid):
        services.inbox_receive(payload=payload, recipient_code=xa2.code, from_node=None)
    assert InboxMessage.objects.count() == 0


def test_later_statuses_update_what_the_sender_sees(
    world, recorder, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    huyen, xa, _ = world
    p = make_package(org(huyen), [org(xa)])
    with django_capture_on_commit_callbacks(execute=True):
        services.exchange_send(package=p)
    for status in ("registered", "assigned", "completed"):
        with django_capture_on_commit_callbacks(execute=True):
            services.exchange_send_status(
                status=StatusPackage(
                    message_id=str(uuid.uuid4()),
                    document_message_id=p.message_id,
                    sender=org(xa),
                    recipient=org(huyen),
                    status=status,
                    at=timezone.now(),
                    staff_name="Lê Thị Thu",
                )
            )
    out = OutboxMessage.objects.get(message_id=p.message_id)
    assert out.remote_status == "completed"
    assert [s[2] for s in recorder.statuses] == ["arrived", "registered", "assigned", "completed"]


@pytest.mark.django_db(transaction=True)
def test_two_threads_delivering_the_same_message_register_it_once(file_database):
    huyen = factories.agency(code="H25.37", name="UBND huyện Thanh Sơn")
    xa = factories.agency(code="H25.37.01", name="UBND xã Thạch Khoán", parent=huyen)
    calls = []
    lock = threading.Lock()

    def slow(package, agency):
        with lock:
            calls.append(package.message_id)
        import time

        time.sleep(0.2)  # the second copy arrives while the first is being registered

    registry.register_document_handler("document", slow)
    payload = document_to_xml(make_package(org(huyen), [org(xa)]))
    barrier = threading.Barrier(2)
    results: list[object] = []

    def deliver():
        try:
            barrier.wait()
            results.append(
                services.inbox_receive(payload=payload, recipient_code=xa.code, from_node=None).pk
            )
        except Exception as exc:  # pragma: no cover - shown by the assertion below
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(calls) == 1
    assert len(results) == 2 and results[0] == results[1], results
    assert InboxMessage.objects.filter(kind="document").count() == 1
    # One "arrived" back, already delivered in-process to the district's inbox.
    assert OutboxMessage.objects.filter(kind="status", state="delivered").count() == 1
    assert InboxMessage.objects.filter(kind="status", recipient_code="H25.37").count() == 1
