"""The node-to-node endpoint in-process (Django's test client), node keys and the directory,
retries with backoff. The same path between two real processes: test_nodes.py."""

from __future__ import annotations

import json
import os
import socket
import stat
import uuid
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests import factories
from xaso.core.models import AuditEntry
from xaso.exchange import directory, nodes, registry, services
from xaso.exchange.edxml import Organization
from xaso.exchange.errors import NodeInvalid, NodeUnknown
from xaso.exchange.models import InboxMessage, Node, OutboxMessage, RemoteAgency

from .conftest import DISTRICT, make_package
from .conftest import node_signature as _sign
from .conftest import peer_key as _peer_key
from .conftest import signed_xml as _xml

pytestmark = pytest.mark.django_db

URL = "/api/v1/exchange/messages"


def _post(client, body, **headers):
    return client.post(
        URL,
        data=body,
        content_type="application/xml",
        headers=headers,
    )


def test_signed_package_is_registered_once_and_redelivery_gets_the_same_answer(client, peer):
    node, key, commune, calls = peer
    p = make_package(DISTRICT, [Organization(commune.code, commune.name)])
    body = _xml(key, node, p)
    headers = {
        "X-Xaso-Node": "NODE-A",
        "X-Xaso-Recipient": commune.code,
        "X-Xaso-Signature": _sign(key, "NODE-A", commune.code, body),
    }
    first = _post(client, body, **headers)
    assert first.status_code == 200, first.content
    second = _post(client, body, **headers)
    assert second.json() == first.json()
    assert first.json()["state"] == "accepted"
    assert first.json()["message_id"] == p.message_id
    assert calls == [p.message_id]
    inbox = InboxMessage.objects.get(message_id=p.message_id)
    assert inbox.from_node == node
    # "arrived" waits in the outbox for NODE-A (its URL is not listening here).
    back = OutboxMessage.objects.get(kind="status")
    assert (back.recipient_code, back.node, back.document_kind) == (DISTRICT.code, node, "arrived")


def test_large_package_over_the_endpoint(client, peer):
    """Larger than Django's form-body limit (DATA_UPLOAD_MAX_MEMORY_SIZE, 2.5 MB): the endpoint
    reads the stream under the exchange's own limit."""
    from xaso.exchange.edxml import Attachment

    node, key, commune, calls = peer
    big = bytes(range(256)) * (24 * 1024 * 4)  # 24 MiB
    p = make_package(
        DISTRICT,
        [Organization(commune.code, commune.name)],
        attachments=[Attachment(name="hồ-sơ-quét.pdf", content_type="application/pdf", data=big)],
    )
    received = []
    registry.register_document_handler("document", lambda pkg, a: received.append(pkg))
    body = _xml(key, node, p)
    response = _post(
        client,
        body,
        **{
            "X-Xaso-Node": "NODE-A",
            "X-Xaso-Recipient": commune.code,
            "X-Xaso-Signature": _sign(key, "NODE-A", commune.code, body),
        },
    )
    assert response.status_code == 200, response.content
    assert received[0].attachments[0].data == big


def test_signature_checks(client, peer):
    node, key, commune, calls = peer
    body = _xml(key, node, make_package(DISTRICT, [Organization(commune.code, commune.name)]))
    good = _sign(key, "NODE-A", commune.code, body)
    other_key, _ = _peer_key()
    cases = [
        (
            {"X-Xaso-Node": "NODE-A", "X-Xaso-Recipient": commune.code},
            401,
            "exchange_signature_missing",
        ),
        (
            {"X-Xaso-Node": "NODE-X", "X-Xaso-Recipient": commune.code, "X-Xaso-Signature": good},
            403,
            "exchange_node_unknown",
        ),
        (
            {
                "X-Xaso-Node": "NODE-A",
                "X-Xaso-Recipient": commune.code,
                "X-Xaso-Signature": _sign(other_key, "NODE-A", commune.code, body),
            },
            403,
            "exchange_signature_invalid",
        ),
        # A good signature made for another recipient is not valid for this one.
        (
            {"X-Xaso-Node": "NODE-A", "X-Xaso-Recipient": "H25.37.02", "X-Xaso-Signature": good},
            403,
            "exchange_signature_invalid",
        ),
        # Nor over another body.
        (
            {
                "X-Xaso-Node": "NODE-A",
                "X-Xaso-Recipient": commune.code,
                "X-Xaso-Signature": _sign(key, "NODE-A", commune.code, body + b" "),
            },
            403,
            "exchange_signature_invalid",
        ),
        # This node's own code is not a peer.
        (
            {"X-Xaso-Node": "NODE-B", "X-Xaso-Recipient": commune.code, "X-Xaso-Signature": good},
            403,
            "exchange_node_unknown",
        ),
    ]
    for headers, status, code in cases:
        response = _post(client, body, **headers)
        assert (response.status_code, response.json()["code"]) == (status, code)
    assert InboxMessage.objects.count() == 0
    assert OutboxMessage.objects.count() == 0
    assert calls == []
    assert AuditEntry.objects.filter(action="exchange.reject").count() == len(cases)
    node.is_active = False
    node.save()
    response = _post(
        client,
        body,
        **{"X-Xaso-Node": "NODE-A", "X-Xaso-Recipient": commune.code, "X-Xaso-Signature": good},
    )
    assert response.json()["code"] == "exchange_node_unknown"


def test_sender_must_live_on_the_signing_node(client, peer):
    node, key, commune, calls = peer
    body = _xml(
        key,
        node,
        make_package(Organization("H25.99", "Cơ quan khác"), [Organization(commune.code, "")]),
    )
    response = _post(
        client,
        body,
        **{
            "X-Xaso-Node": "NODE-A",
            "X-Xaso-Recipient": commune.code,
            "X-Xaso-Signature": _sign(key, "NODE-A", commune.code, body),
        },
    )
    assert (response.status_code, response.json()["code"]) == (403, "exchange_sender_not_on_node")
    assert InboxMessage.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "recipient", "status", "code"),
    [
        (b"<not-xml", "H25.37.01", 400, "exchange_package_invalid"),
        (None, "H25.37.02", 400, "exchange_package_invalid"),  # not addressed to it
    ],
)
def test_malformed_or_misaddressed_package(client, peer, body, recipient, status, code):
    node, key, commune, calls = peer
    if body is None:
        body = _xml(key, node, make_package(DISTRICT, [Organization(commune.code, "")]))
    response = _post(
        client,
        body,
        **{
            "X-Xaso-Node": "NODE-A",
            "X-Xaso-Recipient": recipient,
            "X-Xaso-Signature": _sign(key, "NODE-A", recipient, body),
        },
    )
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert InboxMessage.objects.count() == 0


def test_too_large_package(client, peer, settings):
    settings.XASO_EXCHANGE_MAX_BYTES = 1000
    node, key, commune, calls = peer
    body = _xml(key, node, make_package(DISTRICT, [Organization(commune.code, "")]))
    response = _post(
        client,
        body,
        **{
            "X-Xaso-Node": "NODE-A",
            "X-Xaso-Recipient": commune.code,
            "X-Xaso-Signature": _sign(key, "NODE-A", commune.code, body),
        },
    )
    assert (response.status_code, response.json()["code"]) == (413, "exchange_package_too_large")


def test_lookup_by_the_sending_node_only(client, peer):
    node, key, commune, calls = peer
    p = make_package(DISTRICT, [Organization(commune.code, commune.name)])
    body = _xml(key, node, p)
    _post(
        client,
        body,
        **{
            "X-Xaso-Node": "NODE-A",
            "X-Xaso-Recipient": commune.code,
            "X-Xaso-Signature": _sign(key, "NODE-A", commune.code, body),
        },
    )
    sig = _sign(key, "NODE-A", "", p.message_id.encode())
    response = client.get(
        f"{URL}/{p.message_id}", headers={"X-Xaso-Node": "NODE-A", "X-Xaso-Signature": sig}
    )
    assert response.status_code == 200
    [row] = response.json()["recipients"]
    assert (row["recipient_code"], row["state"]) == (commune.code, "accepted")
    forged = client.get(
        f"{URL}/{p.message_id}",
        headers={"X-Xaso-Node": "NODE-A", "X-Xaso-Signature": _sign(key, "NODE-A", "", b"x")},
    )
    assert forged.json()["code"] == "exchange_signature_invalid"


def test_endpoint_is_in_the_openapi_document(client):
    schema = client.get("/api/v1/openapi.json").json()
    post = schema["paths"][URL]["post"]
    assert "application/xml" in post["requestBody"]["content"]
    assert {p["name"] for p in post["parameters"]} == {
        "X-Xaso-Node",
        "X-Xaso-Recipient",
        "X-Xaso-Signature",
    }
    assert "security" not in post  # no user login: the node signature is the authentication
    assert "get" in schema["paths"][URL + "/{message_id}"]


# --- Keys and directory -------------------------------------------------------------------------


def test_init_node_key_file_is_private_and_not_in_the_database(data_dir):
    out = StringIO()
    call_command(
        "exchange",
        "init-node",
        code="NODE-B",
        name="Nút xã Thạch Khoán",
        url="https://xa.example.vn",
        stdout=out,
    )
    key_file = data_dir / "keys" / "exchange" / "node.key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert b"ENCRYPTED PRIVATE KEY" in key_file.read_bytes()
    me = Node.objects.get(is_self=True)
    assert "PRIVATE" not in me.certificate
    assert "PRIVATE" not in out.getvalue()
    exported = StringIO()
    call_command("exchange", "export-node", stdout=exported)
    info = json.loads(exported.getvalue())
    assert info == {
        "code": "NODE-B",
        "name": "Nút xã Thạch Khoán",
        "url": "https://xa.example.vn",
        "certificate": me.certificate,
    }
    # A signature made with the key verifies against the exported certificate.
    sig = nodes.sign(node_code="NODE-B", recipient_code="X", body=b"abc")
    nodes.verify(
        certificate_pem=info["certificate"],
        node_code="NODE-B",
        recipient_code="X",
        body=b"abc",
        signature=sig,
    )
    with pytest.raises(CommandError):
        call_command("exchange", "init-node", code="NODE-C", name="x", url="http://x")


def test_directory_commands_and_rules(data_dir, tmp_path):
    factories.agency(code="H25.37.01", name="UBND xã Thạch Khoán")
    key, cert = _peer_key()
    cert_file = tmp_path / "a.pem"
    cert_file.write_text(cert)
    call_command(
        "exchange",
        "add-node",
        code="NODE-A",
        url="http://a.example.vn/",
        certificate=str(cert_file),
        name="Nút huyện",
        stdout=StringIO(),
    )
    call_command(
        "exchange", "add-agency", code="H25.37", name="UBND huyện", node="NODE-A", stdout=StringIO()
    )
    assert Node.objects.get(code="NODE-A").base_url == "http://a.example.vn"
    assert RemoteAgency.objects.get(code="H25.37").node.code == "NODE-A"
    with pytest.raises(NodeInvalid):  # a local agency is not a remote one
        directory.remote_agency_add(code="H25.37.01", name="x", node_code="NODE-A")
    with pytest.raises(NodeUnknown):
        directory.remote_agency_add(code="H25.38", name="x", node_code="NODE-Z")
    with pytest.raises(NodeInvalid):
        directory.node_add(code="NODE-C", name="", base_url="ftp://x", certificate=cert)
    with pytest.raises(NodeInvalid):
        directory.node_add(code="NODE-C", name="", base_url="http://x", certificate="rác")
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    with pytest.raises(CommandError):
        call_command("exchange", "add-node", json=str(bad))
    assert Node.objects.count() == 1


# --- Retries ------------------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_node_is_retried_with_growing_waits(
    data_dir, settings, django_capture_on_commit_callbacks
):
    settings.XASO_EXCHANGE_RETRY_BASE = 10
    settings.XASO_EXCHANGE_RETRY_MAX = 35
    directory.node_init(code="NODE-A", name="Nút huyện", base_url="http://127.0.0.1:9")
    district = factories.agency(code=DISTRICT.code, name=DISTRICT.name)
    _, cert = _peer_key()
    directory.node_add(
        code="NODE-B",
        name="Nút xã",
        certificate=cert,
        base_url=f"http://127.0.0.1:{_closed_port()}",
    )
    directory.remote_agency_add(code="H25.37.01", name="UBND xã", node_code="NODE-B")
    p = make_package(Organization(district.code, district.name), [Organization("H25.37.01", "")])
    with django_capture_on_commit_callbacks(execute=True):
        [row] = services.exchange_send(package=p)
    # Queued for the task worker, not sent in the request.
    assert DBTaskResult.objects.filter(args_kwargs__args=[row.pk]).count() == 1
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("pending", 0)
    waits = []
    for _ in range(4):
        OutboxMessage.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
        before = timezone.now()
        row = services.outbox_deliver_and_reschedule(outbox_id=row.pk)
        waits.append(round((row.next_attempt_at - before).total_seconds()))
        assert row.state == "failed"
        assert "unreachable" in row.last_error
    assert row.attempts == 4
    assert waits == [10, 20, 35, 35]
    # Each failed attempt queued the next one at its due time.
    assert DBTaskResult.objects.filter(args_kwargs__args=[row.pk]).count() == 5
    # A row being delivered elsewhere (claimed) is left alone.
    OutboxMessage.objects.filter(pk=row.pk).update(
        next_attempt_at=timezone.now(), claimed_until=timezone.now() + timedelta(seconds=60)
    )
    again, attempted = services.outbox_deliver(outbox_id=row.pk)
    assert (attempted, again.attempts) == (False, 4)
    # ... and the task that found it claimed comes back when the claim runs out, in case the
    # claiming process died.
    services.outbox_deliver_and_reschedule(outbox_id=row.pk)
    later = DBTaskResult.objects.filter(args_kwargs__args=[row.pk]).order_by("-enqueued_at")[0]
    assert later.run_after == again.claimed_until + timedelta(seconds=1)
    OutboxMessage.objects.filter(pk=row.pk).update(claimed_until=timezone.now())
    row = services.outbox_deliver_and_reschedule(outbox_id=row.pk)
    assert (row.attempts, row.state) == (5, "failed")


def test_retry_by_an_administrator(data_dir, django_capture_on_commit_callbacks):
    directory.node_init(code="NODE-A", name="Nút huyện", base_url="http://127.0.0.1:9")
    district = factories.agency(code=DISTRICT.code, name=DISTRICT.name)
    _, cert = _peer_key()
    directory.node_add(
        code="NODE-B",
        name="Nút xã",
        certificate=cert,
        base_url=f"http://127.0.0.1:{_closed_port()}",
    )
    directory.remote_agency_add(code="H25.37.01", name="UBND xã", node_code="NODE-B")
    admin = factories.staff(agency_obj=district, roles=("admin",))
    p = make_package(Organization(district.code, district.name), [Organization("H25.37.01", "")])
    [row] = services.exchange_send(package=p)
    with django_capture_on_commit_callbacks(execute=True):
        services.outbox_retry(outbox=row, actor=admin)
    assert AuditEntry.objects.filter(action="exchange.retry", actor_id=admin.pk).count() == 1
    assert DBTaskResult.objects.filter(args_kwargs__args=[row.pk]).count() == 1
    assert str(uuid.UUID(p.message_id)) == p.message_id
