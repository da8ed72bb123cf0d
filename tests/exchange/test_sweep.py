"""The sweep of due outbox rows (``services.deliver_due``, ``xaso exchange deliver``) in batches:
the rows for agencies of this node go through the batched local delivery, the rows for each
other node are claimed together; a claimed row is left to its holder, a row waiting out its
backoff waits (unless ``everything``), a node that does not answer costs one attempt per
sweep, and the counts say what happened."""

from __future__ import annotations

import socket
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import factories
from xaso.exchange import directory, registry, services
from xaso.exchange.edxml import Organization
from xaso.exchange.models import InboxMessage, OutboxMessage
from xaso.org.models import Agency

from .conftest import make_package, peer_key

pytestmark = pytest.mark.django_db


def org(a: Agency) -> Organization:
    return Organization(code=a.code, name=a.name)


def _queue(sender: Agency, recipients: list[Organization], capture) -> list[OutboxMessage]:
    """Outbox rows written and committed, not dispatched: what a sweep finds after a worker
    died between commit and delivery."""
    package = make_package(org(sender), recipients, kind="directive")
    with capture(execute=False):
        return services.exchange_send(package=package)


def _sweep_queries(n: int, start: int, tinh: Agency, capture) -> tuple[int, dict[str, int]]:
    xas = [
        factories.agency(code=f"H25.{i:03d}", name=f"UBND xã số {i}", parent=tinh)
        for i in range(start, start + n)
    ]
    _queue(tinh, [org(a) for a in xas], capture)
    with CaptureQueriesContext(connection) as queries, capture(execute=True):
        counts = services.deliver_due()
    return len(queries), counts


def test_one_sweep_delivers_forty_local_rows_in_a_bounded_number_of_queries(
    django_capture_on_commit_callbacks,
):
    tinh = factories.agency(code="H25", name="UBND tỉnh Phú Thọ")
    handled: list[str] = []
    registry.register_document_handler(
        "directive",
        lambda p, a: handled.append(a.code),
        batch=lambda items: handled.extend(a.code for _p, a in items),
    )
    ten, counts_ten = _sweep_queries(10, 1, tinh, django_capture_on_commit_callbacks)
    forty, counts_forty = _sweep_queries(40, 101, tinh, django_capture_on_commit_callbacks)
    assert counts_ten == {"delivered": 10, "failed": 0, "skipped": 0}
    assert counts_forty == {"delivered": 40, "failed": 0, "skipped": 0}
    assert len(handled) == 50 == len(set(handled))
    assert InboxMessage.objects.filter(kind="document").count() == 50
    # The "arrived" statuses went back to the district in the same batch.
    assert OutboxMessage.objects.filter(kind="status", state="delivered").count() == 50
    # One-by-one this was ≈ 20 queries per row; now the sweep costs what one batch costs,
    # whatever the number of rows (with a batch handler, as the documents app registers).
    assert forty - ten <= 2, (ten, forty)
    assert forty <= SWEEP_FORTY_MAX, forty


SWEEP_FORTY_MAX = 40  # 34 measured on SQLite


class DeadNode:
    """A port that accepts connections and closes them unanswered, counting them."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.connections = 0
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _run(self) -> None:
        while True:
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def dead_node(data_dir):
    node = DeadNode()
    directory.node_init(code="NODE-A", name="Nút tỉnh", base_url="http://127.0.0.1:9")
    _key, cert = peer_key()
    directory.node_add(code="NODE-B", name="Nút xã", base_url=node.url, certificate=cert)
    for i in range(1, 4):
        directory.remote_agency_add(code=f"H25.9{i}", name=f"UBND xã xa {i}", node_code="NODE-B")
    yield node
    node.close()


def test_a_mix_of_due_not_due_claimed_and_remote_down_rows(
    dead_node, django_capture_on_commit_callbacks
):
    tinh = factories.agency(code="H25", name="UBND tỉnh Phú Thọ")
    xas = [
        factories.agency(code=f"H25.{i:03d}", name=f"UBND xã số {i}", parent=tinh)
        for i in range(1, 6)
    ]
    handled: list[str] = []
    registry.register_document_handler("directive", lambda p, a: handled.append(a.code))
    local = _queue(tinh, [org(a) for a in xas], django_capture_on_commit_callbacks)
    remote = _queue(
        tinh,
        [Organization(f"H25.9{i}", f"UBND xã xa {i}") for i in range(1, 4)],
        django_capture_on_commit_callbacks,
    )
    due_a, due_b, due_c, later, claimed = local
    now = timezone.now()
    OutboxMessage.objects.filter(pk=later.pk).update(
        state="failed", attempts=2, next_attempt_at=now + timedelta(minutes=5)
    )
    OutboxMessage.objects.filter(pk=claimed.pk).update(claimed_until=now + timedelta(minutes=1))

    with django_capture_on_commit_callbacks(execute=True):
        counts = services.deliver_due()
    assert counts == {"delivered": 3, "failed": 3, "skipped": 1}
    assert sorted(handled) == sorted(r.recipient_code for r in (due_a, due_b, due_c))
    rows = {r.pk: r for r in OutboxMessage.objects.filter(kind="document")}
    assert [rows[r.pk].state for r in (due_a, due_b, due_c)] == ["delivered"] * 3
    assert (rows[later.pk].state, rows[later.pk].attempts) == ("failed", 2)  # waits its turn
    assert (rows[claimed.pk].state, rows[claimed.pk].attempts) == ("pending", 0)  # its holder's
    # The node that does not answer was tried once; its three rows wait out their backoff.
    assert dead_node.connections == 1
    for r in remote:
        row = rows[r.pk]
        assert (row.state, row.attempts, row.claimed_until) == ("failed", 1, None)
        assert row.next_attempt_at > timezone.now() + timedelta(seconds=5)
        assert "NODE-B unreachable" in row.last_error

    # Nothing is due now but what the holder keeps.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.deliver_due() == {"delivered": 0, "failed": 0, "skipped": 1}
    # ``everything`` (after a peer came back): the rows in backoff too, the claimed one still not.
    with django_capture_on_commit_callbacks(execute=True):
        counts = services.deliver_due(everything=True)
    assert counts == {"delivered": 1, "failed": 3, "skipped": 1}
    assert OutboxMessage.objects.get(pk=later.pk).state == "delivered"
    assert dead_node.connections == 2
    assert [OutboxMessage.objects.get(pk=r.pk).attempts for r in remote] == [2, 2, 2]
