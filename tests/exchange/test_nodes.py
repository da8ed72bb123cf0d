"""The real thing: two nodes as separate processes (`xaso serve`, each with its own data folder and
database), a package from the district on node A to the commune on node B over HTTP, signed by A
and checked by B against A's certificate."""

from __future__ import annotations

import base64
import json
import os
import urllib.error
import urllib.request
import uuid
from datetime import date

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from xaso.exchange import nodes as node_keys
from xaso.exchange.edxml import DocumentPackage, Organization, document_to_xml

from .nodes import COMMUNE, DISTRICT, drop_databases, make_pair, start_pair, wait_for


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    base = tmp_path_factory.mktemp("exchange-nodes")
    # A long first wait before a retry: after node B comes back, it is `xaso exchange deliver`
    # that sends, not a retry that happened to fall due.
    a, b = make_pair(
        base, os.environ.get("DATABASE_URL"), extra_env={"XASO_EXCHANGE_RETRY_BASE": "300"}
    )
    try:
        start_pair(a, b)
        yield a, b
    finally:
        a.stop()
        b.stop()
        drop_databases(a, b)


def send(a, count=1):
    return a.json("node_send", "--sender", DISTRICT[0], "--to", COMMUNE[0], "--count", str(count))


def delivered_with_status(a, message_id, status="arrived"):
    out = a.outbox(message_id)
    return len(out) == 1 and out[0]["state"] == "delivered" and out[0]["remote_status"] == status


def test_package_from_node_a_is_registered_once_on_node_b_and_arrived_comes_back(pair):
    a, b = pair
    [mid] = send(a)
    assert wait_for(lambda: delivered_with_status(a, mid)), (a.outbox(mid), a.log_tail())
    out = a.outbox(mid)[0]
    assert (out["recipient_code"], out["answer"], out["attempts"]) == (COMMUNE[0], "accepted", 1)
    shown = b.json("exchange", "show", mid)
    assert shown["inbox"] == [{"recipient_code": COMMUNE[0], "state": "accepted", "reason": ""}]
    assert shown["outbox"] == []
    assert [line.split()[:2] for line in b.handled() if line.startswith(mid)] == [[mid, COMMUNE[0]]]
    # "arrived" went back from B's outbox to A's inbox, once, about this document.
    arrived = a.sql(
        "SELECT sender_code, document_kind, state FROM exchange_inboxmessage "
        f"WHERE kind = 'status' AND subject = '{mid}'"
    )
    assert arrived == [(COMMUNE[0], "arrived", "accepted")]
    # A asks B (signed GET) what B recorded.
    [answer] = a.json("exchange", "query", mid, "--node", b.code)
    assert (answer["recipient_code"], answer["state"]) == (COMMUNE[0], "accepted")

    # The same package POSTed twice more: the same answer, handled once.
    again = a.json(
        "node_send", "--sender", DISTRICT[0], "--to", COMMUNE[0], "--repost", mid, "--times", "2"
    )
    assert again == [{"state": "accepted", "reason": ""}, {"state": "accepted", "reason": ""}]
    assert len([line for line in b.handled() if line.startswith(mid)]) == 1
    assert len(b.inbox(mid)) == 1


def _post(b, body, headers):
    request = urllib.request.Request(  # noqa: S310
        f"{b.url}/api/v1/exchange/messages", data=body, method="POST", headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_bad_signature_unknown_node_or_no_signature_are_refused_and_nothing_registered(pair):
    a, b = pair
    mid = str(uuid.uuid4())
    body = document_to_xml(
        DocumentPackage(
            message_id=mid,
            sender=Organization(*DISTRICT),
            recipients=[Organization(*COMMUNE)],
            code_number="07",
            code_notation="QĐ-UBND",
            place="Thanh Sơn",
            promulgation_date=date(2026, 11, 28),
            document_type="QĐ",
            document_type_name="Quyết định",
            subject="Gói tin giả mạo",
        )
    )
    forged_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = base64.b64encode(
        forged_key.sign(
            node_keys.signed_bytes(node_code=a.code, recipient_code=COMMUNE[0], body=body),
            padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH),
            hashes.SHA256(),
        )
    ).decode()
    base = {"Content-Type": "application/xml", "X-Xaso-Recipient": COMMUNE[0]}
    cases = [
        (
            {**base, "X-Xaso-Node": a.code, "X-Xaso-Signature": forged},
            403,
            "exchange_signature_invalid",
        ),
        (
            {**base, "X-Xaso-Node": "NODE-X", "X-Xaso-Signature": forged},
            403,
            "exchange_node_unknown",
        ),
        ({**base, "X-Xaso-Node": a.code}, 401, "exchange_signature_missing"),
        (
            {**base, "X-Xaso-Node": a.code, "X-Xaso-Signature": "not*base64"},
            403,
            "exchange_signature_invalid",
        ),
    ]
    for headers, status, code in cases:
        got_status, got = _post(b, body, headers)
        assert (got_status, got["code"]) == (status, code), got
        assert got["message"]
    assert b.inbox(mid) == []
    assert [line for line in b.handled() if line.startswith(mid)] == []
    assert "exchange: refused a message from node 'NODE-X'" in b.log_tail(400)


def test_node_b_down_during_the_send_receives_once_after_deliver(pair):
    a, b = pair
    b.stop()
    try:
        [mid] = send(a)
        failed = wait_for(lambda: a.outbox(mid)[0]["state"] == "failed", timeout=20)
        out = a.outbox(mid)[0]
        assert failed, out
        assert out["attempts"] == 1
        assert "unreachable" in out["last_error"]
    finally:
        b.start(quick=True)
    assert "Đã gửi 1" in a.run("exchange", "deliver", "--all").stdout
    out = a.outbox(mid)[0]
    assert (out["state"], out["answer"], out["attempts"]) == ("delivered", "accepted", 2)
    assert wait_for(lambda: delivered_with_status(a, mid)), a.outbox(mid)
    assert len([line for line in b.handled() if line.startswith(mid)]) == 1
    assert len(b.inbox(mid)) == 1
    # Nothing is left to send on A (the plain sweep skipping what is not due yet is tested
    # in-process: test_local.py).
    assert a.sql("SELECT COUNT(*) FROM exchange_outboxmessage WHERE state <> 'delivered'") == [(0,)]
