"""Issue 5, end to end over the network: an official document drafted, approved, numbered, signed
and issued by the district on node A travels to the commune on node B (two `xaso serve`
processes, each with its own data folder and database), where it is registered, assigned and
completed; each step comes back to the sender as the recipient's status (edXML Status, QCVN
102:2016/BTTTT; register and follow-up of Decree 30/2020/NĐ-CP Appendix IV). Everything is done
through each node's HTTP API with the staff's own bearer tokens. The signed PDF the commune
received is valid in pyHanko and in poppler's pdfsig; one changed byte and an appended revision
are both reported (Decree 30/2020 Art. 8 and Appendix I: the electronic original is the signed
file). Faults: the commune's node down during the send, the same package delivered twice, a
package whose node signature does not verify."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests.exchange.nodes import (
    COMMUNE,
    DISTRICT,
    NodeProcess,
    _parallel,
    drop_databases,
    make_pair,
    start_pair,
    wait_for,
)
from xaso.exchange import nodes as node_keys
from xaso.signing.verify import verify_pdf

PASSWORD = "Mat-khau-lien-thong-2026"
SETTINGS = "tests.integration.node_settings"

#: (username, role, full name, title) on each node.
DISTRICT_STAFF = [
    ("cv_thanhson", "specialist", "Hà Văn Tú", ""),
    ("ct_thanhson", "leader", "Đinh Công Sơn", "Chủ tịch"),
    ("vt_thanhson", "clerk", "Nguyễn Thị Hằng", ""),
]
COMMUNE_STAFF = [
    ("vt_thachkhoan", "clerk", "Lò Thị Mai", ""),
    ("ct_thachkhoan", "leader", "Hoàng Văn Lâm", "Chủ tịch"),
    ("cv_thachkhoan", "specialist", "Bùi Thị Thu", ""),
]


class Api:
    """One staff member's calls to one node's HTTP API (bearer token from /auth/token)."""

    def __init__(self, node: NodeProcess, username: str) -> None:
        self.node = node
        self.username = username
        status, body = call(
            node,
            "POST",
            "/api/v1/auth/token",
            json_body={"username": username, "password": PASSWORD},
        )
        assert status == 200, (username, status, body)
        self.token = body["token"]

    def __call__(
        self,
        method: str,
        path: str,
        *,
        json_body: object = None,
        files: dict[str, tuple[str, bytes]] | None = None,
        expect: int | None = 200,
    ) -> Any:
        status, body = call(
            self.node, method, path, json_body=json_body, files=files, token=self.token
        )
        if expect is not None:
            assert status == expect, (self.username, method, path, status, body)
        return body


def call(
    node: NodeProcess,
    method: str,
    path: str,
    *,
    json_body: object = None,
    files: dict[str, tuple[str, bytes]] | None = None,
    token: str | None = None,
    headers: dict[str, str] | None = None,
    data: bytes | None = None,
) -> tuple[int, Any]:
    """One HTTP request; (status, JSON body or raw bytes)."""
    sent_headers = dict(headers or {})
    if token:
        sent_headers["Authorization"] = f"Bearer {token}"
    if json_body is not None:
        data = json.dumps(json_body).encode()
        sent_headers["Content-Type"] = "application/json"
    elif files:
        boundary = uuid.uuid4().hex
        parts = []
        for name, (filename, content) in files.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
                + content
                + b"\r\n"
            )
        data = b"".join(parts) + f"--{boundary}--\r\n".encode()
        sent_headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
    request = urllib.request.Request(  # noqa: S310 - the test's own local node
        f"{node.url}{path}", data=data, method=method, headers=sent_headers
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            status, raw, kind = (
                response.status,
                response.read(),
                response.headers.get_content_type(),
            )
    except urllib.error.HTTPError as exc:
        status, raw, kind = exc.code, exc.read(), exc.headers.get_content_type()
    return status, json.loads(raw) if kind == "application/json" else raw


@dataclass
class World:
    a: NodeProcess
    b: NodeProcess
    district: dict[str, Api] = field(default_factory=dict)
    commune: dict[str, Api] = field(default_factory=dict)

    @property
    def ca_pem(self) -> Path:
        return self.a.data_dir / "keys" / "demo-ca" / "ca.pem"


def _people(node: NodeProcess, agency: str, staff: list[tuple[str, str, str, str]], cert: bool):
    args = ["docnode_people", "--agency", agency, "--password", PASSWORD]
    for username, role, name, title in staff:
        args += ["--staff", ":".join([username, role, name, *([title] if title else [])])]
    return node, tuple([*args, *(["--certificate"] if cert else [])])


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    base = tmp_path_factory.mktemp("document-nodes")
    # A long first wait before a retry: after node B comes back, it is `xaso exchange deliver`
    # that sends, not a retry that happened to fall due.
    a, b = make_pair(
        base,
        os.environ.get("DATABASE_URL"),
        extra_env={"DJANGO_SETTINGS_MODULE": SETTINGS, "XASO_EXCHANGE_RETRY_BASE": "300"},
    )
    try:
        _parallel(
            [
                _people(a, DISTRICT[0], DISTRICT_STAFF, cert=True),
                _people(b, COMMUNE[0], COMMUNE_STAFF, cert=False),
            ]
        )
        # The commune trusts the district's CA (here: node A's demo CA) when it checks a PDF.
        b.extra_env["XASO_SIGNING_TRUST_ROOTS"] = str(a.data_dir / "keys" / "demo-ca" / "ca.pem")
        start_pair(a, b)
        w = World(a=a, b=b)
        w.district = {role: Api(a, username) for username, role, _, _ in DISTRICT_STAFF}
        w.commune = {role: Api(b, username) for username, role, _, _ in COMMUNE_STAFF}
        yield w
    finally:
        a.stop()
        b.stop()
        drop_databases(a, b)


def issued(w: World, subject: str) -> dict[str, Any]:
    """A document composed in the Decree 30 layout on node A and taken to "issued"."""
    d = w.district
    doc = d["specialist"](
        "POST",
        "/api/v1/documents/outgoing/compose",
        json_body={
            "doc_type": "QĐ",
            "subject": subject,
            "body": "Căn cứ Luật Tổ chức chính quyền địa phương;\n"
            "Điều 1. Giao UBND xã Thạch Khoán triển khai chuyển đổi số cấp xã.\n"
            "Điều 2. Quyết định có hiệu lực từ ngày ký.",
            "signer_position": "Chủ tịch",
            "signer_name": "Đinh Công Sơn",
            "signer_authority": "TM. ỦY BAN NHÂN DÂN",
            "recipients": ["Như Điều 2", "Lưu: VT"],
            "place": "Thanh Sơn",
        },
        expect=201,
    )
    assert doc["status"] == "draft" and doc["number"] == ""
    for role, action, status in [
        ("specialist", "submit", "submitted"),
        ("leader", "approve", "approved"),
        ("clerk", "number", "numbered"),
        ("leader", "sign", "signed"),
        ("clerk", "issue", "issued"),
    ]:
        doc = d[role]("POST", f"/api/v1/documents/{doc['id']}/actions/{action}", json_body={})
        assert doc["status"] == status, (action, doc)
    return doc


def send(w: World, doc: dict[str, Any]) -> list[dict[str, Any]]:
    return w.district["clerk"](
        "POST", f"/api/v1/documents/{doc['id']}/send", json_body={"recipients": [COMMUNE[0]]}
    )


def message_id(w: World, subject: str) -> str:
    [(mid,)] = w.a.sql(
        "SELECT r.message_id FROM documents_recipient r JOIN documents_outgoingdocument d "  # noqa: S608
        f"ON d.id = r.document_id WHERE d.subject = '{subject}'"
    )
    return str(mid)


def incoming_on_b(w: World, mid: str) -> int:
    [(count,)] = w.b.sql(
        f"SELECT COUNT(*) FROM documents_incomingdocument WHERE message_id = '{mid}'"  # noqa: S608
    )
    return int(count)  # type: ignore[call-overload]


def incoming_listed(w: World, subject: str) -> list[dict[str, Any]]:
    page = w.commune["clerk"]("GET", "/api/v1/documents/incoming?limit=200")
    return [i for i in page["items"] if i["subject"] == subject]


@dataclass
class Journey:
    sent: dict[str, Any]
    incoming: dict[str, Any]
    recipients: list[dict[str, Any]]
    pdf_at_a: bytes
    pdf_at_b: bytes
    seconds: float


@pytest.fixture(scope="module")
def journey(world: World) -> Journey:
    w = world
    subject = "Về việc triển khai chuyển đổi số cấp xã năm 2026"
    start = time.monotonic()
    doc = issued(w, subject)
    assert doc["number_notation"] == "01/QĐ-UBND"
    assert (doc["signer_name"], doc["signer_position"]) == ("Đinh Công Sơn", "Chủ tịch")
    assert doc["signed_at"] and doc["issued_at"]
    rows = send(w, doc)
    assert [(r["agency_code"], r["agency_name"]) for r in rows] == [COMMUNE]

    # B: the document arrives in the commune's incoming list, not yet registered.
    listed = wait_for(lambda: incoming_listed(w, subject), timeout=30)
    assert listed, (w.a.log_tail(), w.b.log_tail())
    [item] = listed
    assert (item["status"], item["source"], item["incoming_number"]) == (
        "received",
        "electronic",
        None,
    )
    assert (item["sender_code"], item["code"]) == (DISTRICT[0], "01/QĐ-UBND")
    c = w.commune
    path = f"/api/v1/documents/incoming/{item['id']}/actions"
    got = c["clerk"]("POST", f"{path}/register", json_body={})
    assert (got["status"], got["incoming_number"]) == ("registered", 1)
    got = c["leader"](
        "POST",
        f"{path}/assign",
        json_body={"lead": "cv_thachkhoan", "deadline_days": 5, "opinion": "Đồng chí Thu chủ trì."},
    )
    assert (got["status"], got["lead_handler"]) == ("assigned", "cv_thachkhoan")
    assert got["deadline_days"] == 5 and got["due_at"]
    got = c["specialist"](
        "POST", f"{path}/complete", json_body={"result": "Đã triển khai tại 12 thôn."}
    )
    assert got["completed_at"] and got["result"] == "Đã triển khai tại 12 thôn."

    # A: each step came back as the commune's status. Each travels on its own after its commit,
    # so they may arrive in any order ("registered" after "completed"): wait for all of them.
    def completed() -> list[dict[str, Any]] | None:
        rows = w.district["clerk"]("GET", f"/api/v1/documents/{doc['id']}/recipients")
        stamps = ("arrived_at", "registered_at", "assigned_at", "completed_at")
        if rows and rows[0]["status"] == "completed" and all(rows[0][k] for k in stamps):
            return rows
        return None

    recipients = wait_for(completed, timeout=30)
    assert recipients, (
        w.district["clerk"]("GET", f"/api/v1/documents/{doc['id']}/recipients"),
        w.b.log_tail(),
    )
    seconds = time.monotonic() - start
    pdf_at_a = w.district["clerk"]("GET", f"/api/v1/documents/{doc['id']}/file.pdf")
    pdf_at_b = c["clerk"]("GET", f"/api/v1/documents/{item['id']}/file.pdf")
    incoming = c["clerk"]("GET", f"/api/v1/documents/{item['id']}")
    return Journey(doc, incoming, recipients, pdf_at_a, pdf_at_b, seconds)


def test_drafted_on_a_completed_on_b_with_every_status_back_at_a(world, journey):
    [row] = journey.recipients
    assert (row["agency_code"], row["status"], row["comment"]) == (
        COMMUNE[0],
        "completed",
        "Đã triển khai tại 12 thôn.",
    )
    steps = [row[k] for k in ("sent_at", "arrived_at", "registered_at", "assigned_at")]
    steps.append(row["completed_at"])
    assert None not in steps, row
    # The commune's times travel in edXML Status to the second, the sending time is A's own.
    sent_at, *remote = [datetime.fromisoformat(s) for s in steps]
    assert remote == sorted(remote), row
    assert remote[0] >= sent_at.replace(microsecond=0), row
    assert row["refused_at"] is None
    incoming = journey.incoming
    assert (incoming["status"], incoming["incoming_number"], incoming["sender_name"]) == (
        "completed",
        1,
        DISTRICT[1],
    )
    assert incoming["opinions"][0]["text"] == "Đồng chí Thu chủ trì."
    # Exactly one incoming document on B, one outbox row to B on A, both for one message.
    mid = message_id(world, journey.sent["subject"])
    assert incoming_on_b(world, mid) == 1
    assert world.a.outbox(mid)[0]["state"] == "delivered"
    assert journey.seconds < 60


def test_the_signed_pdf_received_is_the_one_issued_and_valid(world, journey, settings, tmp_path):
    pdf = journey.pdf_at_b
    assert isinstance(pdf, bytes) and pdf.startswith(b"%PDF-")
    assert pdf == journey.pdf_at_a
    assert hashlib.sha256(pdf).hexdigest() == journey.sent["signed_sha256"]
    settings.XASO_SIGNING_TRUST_ROOTS = [str(world.ca_pem)]
    settings.XASO_SIGNING_TRUST_DEMO_CA = False
    result = verify_pdf(pdf)
    assert result.code == "valid", result
    [sig] = result.signatures
    assert (sig.intact, sig.valid, sig.trusted, sig.covers_whole_file) == (True, True, True, True)
    assert (sig.signer, sig.organisation) == (DISTRICT[1], DISTRICT[1])
    out = pdfsig(pdf, tmp_path, nss_trusting(world.ca_pem, tmp_path))
    assert "Signature Validation: Signature is Valid." in out, out
    assert "Certificate Validation: Certificate is Trusted." in out, out
    assert "Total document signed" in out, out
    # The commune's node, trusting the district's CA, says the same (issue 5's API).
    status, body = call(
        world.b, "POST", "/api/v1/signatures/verify", files={"file": ("x.pdf", pdf)}
    )
    assert status == 200, body
    assert (body["code"], body["modified_after_signing"]) == ("valid", False), body
    assert [(s["intact"], s["trusted"], s["covers_whole_file"]) for s in body["signatures"]] == [
        (True, True, True)
    ]


def test_one_changed_byte_is_reported(world, journey, settings, tmp_path):
    settings.XASO_SIGNING_TRUST_ROOTS = [str(world.ca_pem)]
    pdf = journey.pdf_at_b
    tampered = flip_inside_signed_content(pdf)
    assert len(tampered) == len(pdf) and tampered != pdf
    result = verify_pdf(tampered)
    assert (result.code, [p.code for p in result.problems]) == ("invalid", ["content_changed"])
    [sig] = result.signatures
    assert (sig.intact, sig.signer) == (False, DISTRICT[1])
    out = pdfsig(tampered, tmp_path)
    assert "Signature Validation: Digest Mismatch." in out, out
    assert "Signature is Valid." not in out, out
    status, body = call(
        world.b, "POST", "/api/v1/signatures/verify", files={"file": ("x.pdf", tampered)}
    )
    assert status == 200, body
    assert (body["code"], [p["code"] for p in body["problems"]]) == ("invalid", ["content_changed"])
    assert [s["intact"] for s in body["signatures"]] == [False]


def test_an_appended_revision_is_reported(world, journey, settings, tmp_path):
    settings.XASO_SIGNING_TRUST_ROOTS = [str(world.ca_pem)]
    pdf = journey.pdf_at_b
    updated = append_info_revision(pdf)
    assert updated.startswith(pdf) and len(updated) > len(pdf)
    result = verify_pdf(updated)
    assert (result.code, result.modified_after_signing) == ("invalid", True)
    [sig] = result.signatures
    assert (sig.intact, sig.covers_whole_file) == (True, False)
    assert "Not total document signed" in pdfsig(updated, tmp_path)
    status, body = call(
        world.b, "POST", "/api/v1/signatures/verify", files={"file": ("x.pdf", updated)}
    )
    assert status == 200, body
    assert (body["code"], body["modified_after_signing"]) == ("invalid", True), body
    assert [s["covers_whole_file"] for s in body["signatures"]] == [False]


def test_node_b_down_during_the_send_then_delivered_once(world, journey):
    w = world
    subject = "Về việc rà soát hộ nghèo cuối năm 2026"
    doc = issued(w, subject)
    w.b.stop()
    try:
        assert [r["status"] for r in send(w, doc)] == ["sent"]
        mid = message_id(w, subject)
        failed = wait_for(lambda: w.a.outbox(mid)[0]["state"] == "failed", timeout=30)
        out = w.a.outbox(mid)[0]
        assert failed, out
        assert (out["attempts"], "unreachable" in str(out["last_error"])) == (1, True), out
        status_at_a = w.district["clerk"]("GET", f"/api/v1/documents/{doc['id']}/recipients")
        assert [r["status"] for r in status_at_a] == ["sent"]
    finally:
        w.b.start(quick=True)
    assert "Đã gửi 1" in w.a.run("exchange", "deliver", "--all").stdout
    assert wait_for(lambda: incoming_listed(w, subject), timeout=30)
    assert incoming_on_b(w, mid) == 1
    assert len(incoming_listed(w, subject)) == 1

    def arrived() -> bool:
        rows = w.district["clerk"]("GET", f"/api/v1/documents/{doc['id']}/recipients")
        return [r["status"] for r in rows] == ["arrived"]

    assert wait_for(arrived, timeout=30)
    out = w.a.outbox(mid)[0]
    assert (out["state"], out["answer"], out["attempts"]) == ("delivered", "accepted", 2)
    # A second sweep finds nothing due and B still holds it once.
    assert "Đã gửi 0" in w.a.run("exchange", "deliver", "--all").stdout
    assert incoming_on_b(w, mid) == 1


def test_the_same_package_delivered_twice_is_registered_once(world, journey):
    w = world
    mid = message_id(w, journey.sent["subject"])
    before = w.commune["clerk"]("GET", "/api/v1/documents/incoming?limit=200")["count"]
    # A POSTs the very package it delivered (signed again by A) twice more.
    again = w.a.json(
        "node_send", "--sender", DISTRICT[0], "--to", COMMUNE[0], "--repost", mid, "--times", "2"
    )
    assert again == [{"state": "accepted", "reason": ""}, {"state": "accepted", "reason": ""}]
    assert incoming_on_b(w, mid) == 1
    assert len(w.b.inbox(mid)) == 1
    assert w.commune["clerk"]("GET", "/api/v1/documents/incoming?limit=200")["count"] == before
    [item] = incoming_listed(w, journey.sent["subject"])
    # Still the one registered and completed, number unchanged.
    assert (item["status"], item["incoming_number"]) == ("completed", 1)


def _stored_package(w: World, mid: str) -> bytes:
    [(data,)] = w.a.sql(
        f"SELECT data FROM exchange_package WHERE message_id = '{mid}'"  # noqa: S608
    )
    return bytes(data)  # type: ignore[call-overload]


def _post_package(w: World, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
    return call(
        w.b,
        "POST",
        "/api/v1/exchange/messages",
        data=body,
        headers={"Content-Type": "application/xml", "X-Xaso-Recipient": COMMUNE[0], **headers},
    )


def test_a_document_package_with_a_bad_signature_is_refused_and_nothing_registered(world, journey):
    w = world
    old_mid = message_id(w, journey.sent["subject"])
    new_mid = str(uuid.uuid4())
    # The real document package (signed PDF and all) under a new message id: only the node
    # signature decides.
    body = _stored_package(w, old_mid).replace(old_mid.encode(), new_mid.encode())
    assert new_mid.encode() in body and b"01" in body
    forged_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def signature(key: Any, signed_body: bytes) -> str:
        return base64.b64encode(
            key.sign(
                node_keys.signed_bytes(
                    node_code=w.a.code, recipient_code=COMMUNE[0], body=signed_body
                ),
                padding.PSS(
                    mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH
                ),
                hashes.SHA256(),
            )
        ).decode()

    before = w.commune["clerk"]("GET", "/api/v1/documents/incoming?limit=200")["count"]
    [(audits_before,)] = w.b.sql(
        "SELECT COUNT(*) FROM core_auditentry WHERE action = 'exchange.reject'"
    )
    cases = [
        # Signed by someone else's key in A's name.
        ({"X-Xaso-Node": w.a.code, "X-Xaso-Signature": signature(forged_key, body)}, 403),
        # No signature at all.
        ({"X-Xaso-Node": w.a.code}, 401),
    ]
    for headers, expected in cases:
        status, got = _post_package(w, body, headers)
        assert status == expected, got
        assert got["code"] in {"exchange_signature_invalid", "exchange_signature_missing"}, got
        assert got["message"]
    assert (
        _post_package(
            w, body, {"X-Xaso-Node": w.a.code, "X-Xaso-Signature": signature(forged_key, body)}
        )[1]["code"]
        == "exchange_signature_invalid"
    )
    assert incoming_on_b(w, new_mid) == 0
    assert w.b.inbox(new_mid) == []
    assert w.commune["clerk"]("GET", "/api/v1/documents/incoming?limit=200")["count"] == before
    [(audits_after,)] = w.b.sql(
        "SELECT COUNT(*) FROM core_auditentry WHERE action = 'exchange.reject'"
    )
    assert int(audits_after) - int(audits_before) == 3  # type: ignore[call-overload]
    assert "exchange: refused a message from node 'NODE-A'" in w.b.log_tail(400)


# pdf helpers (as tests/signing/conftest.py, which is a conftest and not imported from here)


def flip_inside_signed_content(pdf: bytes) -> bytes:
    """Flip one bit in the first signed byte range (the document body before the signature)."""
    start = pdf.rindex(b"/ByteRange")
    first_range_end = int(re.split(rb"[\s\[\]]+", pdf[start:].split(b"[", 1)[1].strip())[1])
    at = first_range_end // 2
    flipped = bytearray(pdf)
    flipped[at] ^= 0x01
    return bytes(flipped)


def append_info_revision(pdf: bytes) -> bytes:
    """A well-formed incremental update that only retitles the document."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    writer.set_info(
        generic.DictionaryObject({generic.NameObject("/Title"): generic.TextStringObject("Đã sửa")})
    )
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def pdfsig(pdf: bytes, tmp_path: Path, nssdir: Path | None = None) -> str:
    path = tmp_path / f"checked-{uuid.uuid4().hex}.pdf"
    path.write_bytes(pdf)
    cmd = ["pdfsig", *(["-nssdir", str(nssdir)] if nssdir else []), str(path)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)  # noqa: S603
    return done.stdout + done.stderr


def nss_trusting(ca_pem: Path, tmp_path: Path) -> Path:
    """An NSS database (what pdfsig validates against) that trusts ``ca_pem``."""
    db = tmp_path / f"nss-{uuid.uuid4().hex[:8]}"
    db.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{db}", "--empty-password"], check=True)  # noqa: S607
    subprocess.run(  # noqa: S603
        ["certutil", "-A", "-d", f"sql:{db}", "-n", "ca", "-t", "C,C,C", "-i", str(ca_pem)],  # noqa: S607
        check=True,
    )
    return db


@pytest.mark.parametrize(
    ("doc_type", "content", "reason"),
    [
        ("XX", "signed", "không thuộc Nghị định 30/2020/NĐ-CP"),
        ("QĐ", "text", "không có tệp văn bản PDF"),
    ],
)
def test_a_document_the_commune_cannot_take_is_refused_back_to_a_and_not_registered(
    world, journey, tmp_path, doc_type, content, reason
):
    """Node-signed correctly, but refused by the documents handler on B (Decree 30/2020 Art. 7
    types only; the electronic original is a PDF): B's inbox records the refusal, nothing is
    registered, A's outbox holds B's answer and reason."""
    w = world
    pdf = tmp_path / "sent.pdf"
    pdf.write_bytes(journey.pdf_at_a if content == "signed" else "Văn bản thường".encode())
    subject = f"Gói tin bị từ chối {doc_type} {content}"
    mid = w.a.json(
        "docnode_send",
        "--sender",
        DISTRICT[0],
        "--to",
        COMMUNE[0],
        "--doc-type",
        doc_type,
        "--pdf",
        str(pdf),
        "--subject",
        subject,
    )
    assert isinstance(mid, str)
    assert wait_for(lambda: w.a.outbox(mid) and w.a.outbox(mid)[0]["answer"], timeout=30)
    out = w.a.outbox(mid)[0]
    assert (out["state"], out["answer"]) == ("delivered", "refused"), out
    [(answer_reason,)] = w.a.sql(
        f"SELECT answer_reason FROM exchange_outboxmessage WHERE message_id = '{mid}'"  # noqa: S608
    )
    assert reason in str(answer_reason), answer_reason
    [inbox] = w.b.inbox(mid)
    assert inbox["state"] == "refused" and reason in str(inbox["reason"]), inbox
    assert incoming_on_b(w, mid) == 0
    assert incoming_listed(w, subject) == []
