"""Issue 5, end to end over the network: one-stop dossiers of liên thông (Decree 118/2025/NĐ-CP Art
18, chuyển hồ sơ; Decree 45/2020/NĐ-CP, electronic dossiers) use the same exchange as official
documents. Two `xaso serve` processes, each with its own data folder and database: the commune
(H25.37.01, on the harness's node B) receives a dossier at its counter, scans it and transfers it
to the district (H25.37, node A) over HTTP; it arrives in the district's queue with its scans
byte for byte, the district processes it with its own workflow, each status comes back to the
commune, and the result comes back for the commune's counter to return to the citizen. Also: a
refusal with its reason coming back; the citizen withdrawing a transferred dossier (rút hồ sơ,
Decree 118/2025 Art 21), which stops the district's copy, or comes back refused once the district
has decided; the district's node down during a transfer, then `xaso exchange deliver` — delivered
once; a withdrawal delivered twice changing nothing. Everything is driven through each node's
HTTP API with the staff's own bearer tokens."""

from __future__ import annotations

import hashlib
import json
import os
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest

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

PASSWORD = "Mat-khau-mot-cua-2026"
SETTINGS = "tests.integration.dossier_node_settings"
PROCEDURE = "1.004873"  # xác nhận tình trạng hôn nhân, in both nodes' catalogue

COMMUNE_STAFF = [
    ("tn_thachkhoan", "reception", "Lò Thị Mai"),
    ("ct_thachkhoan", "leader", "Hoàng Văn Lâm"),
]
DISTRICT_STAFF = [
    ("tn_thanhson", "reception", "Nguyễn Thị Hằng"),
    ("cv_thanhson", "specialist", "Hà Văn Tú"),
    ("ct_thanhson", "leader", "Đinh Công Sơn"),
]

SCAN = b"%PDF-1.4\n% to khai xac nhan tinh trang hon nhan\n" + bytes(range(256)) * 16 + b"\n%%EOF\n"
PHOTO = b"\x89PNG\r\n\x1a\n" + b"\x00\x01\x02can-cuoc-cong-dan" * 64
RESULT = b"%PDF-1.7\n% giay xac nhan tinh trang hon nhan\n" + bytes(reversed(range(256))) * 8
APPLICANT = {
    "full_name": "Lò Văn Pánh",
    "id_number": "025090012345",
    "date_of_birth": "1990-05-17",
    "phone": "0912345678",
    "email": "panh@example.vn",
    "address": "Bản Dọi, xã Thạch Khoán",
}
WITHDRAWAL = "Công dân xin rút hồ sơ để bổ sung giấy tờ ly hôn"


def call(
    node: NodeProcess,
    method: str,
    path: str,
    *,
    token: str | None = None,
    json_body: object = None,
    form: dict[str, str] | None = None,
    files: dict[str, tuple[str, str, bytes]] | None = None,
) -> tuple[int, Any]:
    """One HTTP request to ``node``: (status, JSON body or raw bytes). ``files``: name →
    (filename, content type, content), sent multipart with the ``form`` fields."""
    headers: dict[str, str] = {}
    data = None
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if json_body is not None:
        data = json.dumps(json_body).encode()
        headers["Content-Type"] = "application/json"
    elif files is not None or form is not None:
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
            for k, v in (form or {}).items()
        ]
        for name, (filename, kind, content) in (files or {}).items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: {kind}\r\n\r\n'.encode()
                + content
                + b"\r\n"
            )
        data = b"".join(parts) + f"--{boundary}--\r\n".encode()
        headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
    request = urllib.request.Request(  # noqa: S310 - the test's own local node
        f"{node.url}{path}", data=data, method=method, headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            status, raw, kind = response.status, response.read(), response.headers
    except urllib.error.HTTPError as exc:
        status, raw, kind = exc.code, exc.read(), exc.headers
    return status, json.loads(raw) if kind.get_content_type() == "application/json" else raw


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

    def __call__(self, method: str, path: str, *, expect: int | None = 200, **kw: Any) -> Any:
        status, body = call(self.node, method, path, token=self.token, **kw)
        if expect is not None:
            assert status == expect, (self.username, method, path, status, body)
        return body

    def act(self, code: str, action: str, **payload: object) -> dict[str, Any]:
        return self("POST", f"/api/v1/dossiers/{code}/actions/{action}", json_body=payload)


@dataclass
class World:
    district_node: NodeProcess  # the harness's node A
    commune_node: NodeProcess  # the harness's node B
    district: dict[str, Api] = field(default_factory=dict)
    commune: dict[str, Api] = field(default_factory=dict)


def _people(node: NodeProcess, agency: str, staff: list[tuple[str, str, str]]):
    args = ["dossiernode_people", "--agency", agency, "--password", PASSWORD]
    for username, role, name in staff:
        args += ["--staff", f"{username}:{role}:{name}"]
    return node, tuple(args)


def _database_url() -> str | None:
    """The test run's PostgreSQL server, with database names of this module's own
    (``<name>_dossier_a`` / ``_b``), so that it never shares the documents test's nodes."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        return None
    parts = urllib.parse.urlsplit(url)
    return parts._replace(path=f"{parts.path.rstrip('/') or '/xaso'}_dossier").geturl()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    base = tmp_path_factory.mktemp("dossier-nodes")
    # A long first wait before a retry: after the district's node comes back, it is
    # `xaso exchange deliver` that sends, not a retry that happened to fall due.
    a, b = make_pair(
        base,
        _database_url(),
        extra_env={"DJANGO_SETTINGS_MODULE": SETTINGS, "XASO_EXCHANGE_RETRY_BASE": "300"},
    )
    try:
        _parallel([_people(a, DISTRICT[0], DISTRICT_STAFF), _people(b, COMMUNE[0], COMMUNE_STAFF)])
        start_pair(a, b)
        w = World(district_node=a, commune_node=b)
        w.district = {role: Api(a, username) for username, role, _ in DISTRICT_STAFF}
        w.commune = {role: Api(b, username) for username, role, _ in COMMUNE_STAFF}
        yield w
    finally:
        a.stop()
        b.stop()
        drop_databases(a, b)


# --- Steps --------------------------------------------------------------------------------------


def received_and_scanned(w: World, note: str = "") -> dict[str, Any]:
    """A dossier received at the commune's counter, with two scans (a PDF and a PNG)."""
    c = w.commune["reception"]
    d = c(
        "POST",
        "/api/v1/dossiers",
        json_body={
            "procedure": PROCEDURE,
            "channel": "counter",
            "applicant": APPLICANT,
            "note": note,
        },
        expect=201,
    )
    for title, name, kind, data in (
        ("Tờ khai", "to-khai.pdf", "application/pdf", SCAN),
        ("Căn cước công dân", "cccd.png", "image/png", PHOTO),
    ):
        c(
            "POST",
            f"/api/v1/dossiers/{d['code']}/attachments",
            form={"title": title},
            files={"file": (name, kind, data)},
            expect=201,
        )
    return d


def transfer(w: World, code: str) -> dict[str, Any]:
    return w.commune["reception"](
        "POST",
        f"/api/v1/dossiers/{code}/interlink",
        json_body={"to": DISTRICT[0], "note": "Đề nghị UBND huyện xác nhận"},
        expect=201,
    )


def hand_over(w: World, code: str) -> dict[str, Any]:
    """The commune's hand-over of dossier ``code``, as its API shows it."""
    [row] = w.commune["reception"]("GET", f"/api/v1/dossiers/{code}/interlink")
    return row


def registered_at_district(w: World, code: str) -> str:
    """Wait for the district's "registered" status to come back; the district's dossier code."""

    def registered() -> str | None:
        row = hand_over(w, code)
        return row["peer_dossier_code"] if row["status"] == "registered" else None

    theirs = wait_for(registered, timeout=40)
    assert theirs, (hand_over(w, code), w.district_node.log_tail(), w.commune_node.log_tail())
    return str(theirs)


def processed_at_district(w: World, theirs: str) -> None:
    """The district's own workflow: assigned, forwarded to the leader, approved."""
    d = w.district
    d["reception"].act(theirs, "assign", assignee="cv_thanhson")
    d["specialist"].act(theirs, "forward", assignee="ct_thanhson", step=3)
    d["leader"].act(theirs, "approve")


def dossier_at(api: Api, code: str) -> dict[str, Any]:
    return api("GET", f"/api/v1/dossiers/{code}")


def withdraw_at_commune(w: World, code: str) -> dict[str, Any]:
    return w.commune["reception"].act(code, "withdraw", reason=WITHDRAWAL)


def withdrawal_answered(w: World, code: str) -> dict[str, Any]:
    """Wait for the district's answer to the request to stop; the commune's hand-over then."""

    def answered() -> dict[str, Any] | None:
        row = hand_over(w, code)
        return row if row["withdrawal_status"] in ("applied", "refused") else None

    row = wait_for(answered, timeout=40)
    assert row, (hand_over(w, code), w.district_node.log_tail())
    return row


def dossiers_on_district_from(w: World, code: str) -> int:
    """How many dossiers the district's node holds for the commune's dossier ``code`` (read in
    its database directly)."""
    rows = w.district_node.sql(
        "SELECT COUNT(*) FROM dossiers_dossierinterlink "  # noqa: S608
        f"WHERE direction = 'in' AND peer_dossier_code = '{code}'"
    )
    return int(rows[0][0])  # type: ignore[call-overload]


# --- The path -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def journey(world) -> dict[str, Any]:
    """One dossier all the way: commune → district → result back → returned to the citizen."""
    w = world
    mine = received_and_scanned(w)
    code = mine["code"]
    sent = transfer(w, code)
    assert (sent["status"], sent["peer_code"], sent["direction"]) == ("sent", DISTRICT[0], "out")
    theirs = registered_at_district(w, code)
    at_district = dossier_at(w.district["reception"], theirs)
    scans = w.district["reception"]("GET", f"/api/v1/dossiers/{theirs}/attachments")
    files = {s["title"]: w.district["reception"]("GET", s["url"]) for s in scans}
    processed_at_district(w, theirs)

    def processing() -> bool:
        return hand_over(w, code)["status"] == "processing"

    assert wait_for(processing, timeout=40), hand_over(w, code)
    result = w.district["leader"](
        "POST",
        f"/api/v1/dossiers/{theirs}/interlink/result",
        form={"outcome": "approved", "reason": ""},
        files={"file": ("ket-qua.pdf", "application/pdf", RESULT)},
        expect=201,
    )
    assert (result["outcome"], result["status"], result["result_file"] is not None) == (
        "approved",
        "completed",
        True,
    ), result

    def result_back() -> dict[str, Any] | None:
        d = dossier_at(w.commune["reception"], code)
        return d if d["status"] == "result_ready" else None

    ready = wait_for(result_back, timeout=40)
    assert ready, (hand_over(w, code), w.commune_node.log_tail())
    row = hand_over(w, code)
    assert row["result_file"], (row, result, w.commune_node.log_tail())
    result_file = w.commune["reception"]("GET", row["result_file"])
    returned = w.commune["reception"].act(code, "return_result")
    return {
        "code": code,
        "theirs": theirs,
        "at_district": at_district,
        "files": files,
        "result": result,
        "ready": ready,
        "row": row,
        "result_file": result_file,
        "returned": returned,
        "district_after": dossier_at(w.district["leader"], theirs),
    }


def test_the_dossier_arrives_in_the_districts_queue_with_its_scans(world, journey):
    at = journey["at_district"]
    assert (at["status"], at["procedure"], at["receiving_agency"], at["competent_agency"]) == (
        "received",
        PROCEDURE,
        DISTRICT[0],
        DISTRICT[0],
    )
    assert journey["theirs"].startswith(f"{DISTRICT[0]}-")
    assert (at["applicant"]["full_name"], at["applicant"]["personal_id"]) == (
        "Lò Văn Pánh",
        "025090012345",
    )
    # Only what the district needs travelled (Decree 13/2023: minimisation).
    assert (at["applicant"]["email"], at["applicant"]["date_of_birth"]) == ("", None)
    [first] = at["events"]
    assert (first["action"], first["actor"], first["data"]["peer_dossier_code"]) == (
        "receive",
        None,
        journey["code"],
    )
    # The scans, byte for byte.
    assert journey["files"] == {"Tờ khai": SCAN, "Căn cước công dân": PHOTO}
    queue = world.district["reception"]("GET", "/api/v1/dossiers?limit=200")["items"]
    assert [i["code"] for i in queue].count(journey["theirs"]) == 1
    assert dossiers_on_district_from(world, journey["code"]) == 1


def test_statuses_and_the_result_come_back_and_the_citizen_gets_it(world, journey):
    row = journey["row"]
    assert (row["status"], row["outcome"], row["peer_dossier_code"]) == (
        "completed",
        "approved",
        journey["theirs"],
    )
    assert journey["result_file"] == RESULT
    # Every status the district reported reached the commune, each once.
    reported = [
        json.loads(c) if isinstance(c, str) else c  # SQLite: text
        for (c,) in world.commune_node.sql(
            "SELECT changes FROM core_auditentry "  # noqa: S608
            f"WHERE action = 'dossier.interlink_status' AND object_id = '{journey['code']}'"
        )
    ]
    assert sorted(c["status"] for c in reported if c["message_id"] == row["message_id"]) == [
        "arrived",
        "completed",
        "processing",
        "registered",
    ]
    last = journey["ready"]["events"][-1]
    assert (last["action"], last["from_status"], last["actor"]) == (
        "mark_ready",
        "transferred",
        None,
    )
    assert journey["returned"]["status"] == "returned"
    assert journey["returned"]["returned_at"] is not None
    # The district's copy: result ready there, its result package acknowledged by the commune.
    after = journey["district_after"]
    assert after["status"] == "result_ready"
    [theirs] = world.district["leader"]("GET", f"/api/v1/dossiers/{journey['theirs']}/interlink")
    assert (theirs["direction"], theirs["outcome"], theirs["peer_dossier_code"]) == (
        "in",
        "approved",
        journey["code"],
    )
    assert wait_for(
        lambda: (
            world.district["leader"]("GET", f"/api/v1/dossiers/{journey['theirs']}/interlink")[0][
                "result_status"
            ]
            == "arrived"
        ),
        timeout=30,
    )
    # Each step as the district's own events, by its own officers.
    events = [(e["action"], e["actor"]) for e in after["events"]]
    assert events == [
        ("receive", None),
        ("assign", "tn_thanhson"),
        ("forward", "cv_thanhson"),
        ("approve", "ct_thanhson"),
        ("mark_ready", "ct_thanhson"),
    ]


def test_a_refusal_comes_back_with_its_reason(world):
    w = world
    code = received_and_scanned(w)["code"]
    transfer(w, code)
    theirs = registered_at_district(w, code)
    reason = "Người yêu cầu không cư trú trên địa bàn huyện"
    w.district["leader"](
        "POST",
        f"/api/v1/dossiers/{theirs}/interlink/result",
        form={"outcome": "refused", "reason": reason},
        expect=201,
    )

    def refused() -> dict[str, Any] | None:
        d = dossier_at(w.commune["reception"], code)
        return d if d["status"] == "refused" else None

    d = wait_for(refused, timeout=40)
    assert d, hand_over(w, code)
    assert d["refusal_reason"] == reason
    row = hand_over(w, code)
    assert (row["status"], row["outcome"], row["outcome_reason"]) == (
        "completed",
        "refused",
        reason,
    )
    assert dossier_at(w.district["leader"], theirs)["status"] == "refused"


def test_withdrawn_at_the_commune_the_districts_copy_stops(world):
    w = world
    code = received_and_scanned(w)["code"]
    transfer(w, code)
    theirs = registered_at_district(w, code)
    w.district["reception"].act(theirs, "assign", assignee="cv_thanhson")
    mine = w.district["specialist"]("GET", "/api/v1/dossiers?mine=true&limit=200")["items"]
    assert theirs in [i["code"] for i in mine]

    withdrawn = withdraw_at_commune(w, code)
    assert (withdrawn["status"], withdrawn["withdrawal_reason"]) == ("withdrawn", WITHDRAWAL)
    row = withdrawal_answered(w, code)
    assert (row["withdrawal_status"], row["withdrawal_reason"], row["withdrawal_comment"]) == (
        "applied",
        WITHDRAWAL,
        "",
    )
    d = dossier_at(w.district["leader"], theirs)
    assert (d["status"], d["withdrawal_reason"], d["assignee"], d["step_due_at"]) == (
        "withdrawn",
        WITHDRAWAL,
        None,
        None,
    )
    assert d["finished_at"] is not None and d["overdue"] is False
    last = d["events"][-1]
    assert (last["action"], last["from_status"], last["to_status"], last["actor"]) == (
        "withdraw",
        "in_processing",
        "withdrawn",
        None,
    )
    assert last["data"]["reason"] == WITHDRAWAL
    mine = w.district["specialist"]("GET", "/api/v1/dossiers?mine=true&limit=200")["items"]
    assert theirs not in [i["code"] for i in mine]
    # The district can no longer act on it.
    status, body = call(
        w.district_node,
        "POST",
        f"/api/v1/dossiers/{theirs}/actions/forward",
        token=w.district["specialist"].token,
        json_body={"assignee": "ct_thanhson", "step": 3},
    )
    assert (status, body["code"]) == (409, "transition_not_allowed")
    audit = w.district_node.sql(
        "SELECT actor_id, changes FROM core_auditentry "  # noqa: S608
        f"WHERE action = 'dossier.withdraw' AND object_id = '{theirs}'"
    )
    [(actor_id, changes)] = audit
    changes = json.loads(changes) if isinstance(changes, str) else changes  # SQLite: text
    assert (actor_id, changes["status"], changes["reason"]) == (
        None,
        ["in_processing", "withdrawn"],
        WITHDRAWAL,
    )

    # The same request to stop delivered twice more changes nothing at the district.
    [(withdrawal_id,)] = w.commune_node.sql(
        "SELECT withdrawal_message_id FROM dossiers_dossierinterlink "  # noqa: S608
        f"WHERE direction = 'out' AND peer_dossier_code = '{theirs}'"
    )
    events_before = len(dossier_at(w.district["leader"], theirs)["events"])
    answers = w.commune_node.json(
        "node_send",
        "--sender",
        COMMUNE[0],
        "--to",
        DISTRICT[0],
        "--repost",
        str(withdrawal_id),
        "--times",
        "2",
    )
    assert [a["state"] for a in answers] == ["accepted", "accepted"], answers
    assert len(dossier_at(w.district["leader"], theirs)["events"]) == events_before
    assert w.district_node.inbox(str(withdrawal_id)) == [
        {"recipient_code": DISTRICT[0], "state": "accepted", "reason": ""}
    ]


def test_a_withdrawal_the_district_cannot_apply_comes_back_refused(world):
    w = world
    code = received_and_scanned(w)["code"]
    transfer(w, code)
    theirs = registered_at_district(w, code)
    processed_at_district(w, theirs)  # approved: the decision is taken
    assert withdraw_at_commune(w, code)["status"] == "withdrawn"
    row = withdrawal_answered(w, code)
    assert row["withdrawal_status"] == "refused"
    assert row["withdrawal_comment"] == (
        f"Hồ sơ {theirs} đang ở trạng thái “Đã phê duyệt, đang hoàn thiện kết quả”: "
        "không thể dừng giải quyết."
    )
    d = dossier_at(w.district["leader"], theirs)
    assert (d["status"], d["withdrawal_reason"]) == ("approved", "")


def test_district_node_down_during_the_transfer_then_delivered_once(world):
    w = world
    code = received_and_scanned(w)["code"]
    w.district_node.stop()
    try:
        mid = transfer(w, code)["message_id"]
        failed = wait_for(lambda: w.commune_node.outbox(mid)[0]["state"] == "failed", 30)
        out = w.commune_node.outbox(mid)[0]
        assert failed, out
        assert (out["attempts"], "unreachable" in str(out["last_error"])) == (1, True), out
        assert hand_over(w, code)["status"] == "sent"
        assert dossier_at(w.commune["reception"], code)["status"] == "transferred"
    finally:
        w.district_node.start(quick=True)
    assert "Đã gửi 1" in w.commune_node.run("exchange", "deliver", "--all").stdout
    theirs = registered_at_district(w, code)
    assert dossiers_on_district_from(w, code) == 1
    out = w.commune_node.outbox(mid)[0]
    assert (out["state"], out["answer"], out["attempts"]) == ("delivered", "accepted", 2)
    # A second sweep finds nothing due; the district still holds it once, with its scans.
    assert "Đã gửi 0" in w.commune_node.run("exchange", "deliver", "--all").stdout
    assert dossiers_on_district_from(w, code) == 1
    scans = w.district["reception"]("GET", f"/api/v1/dossiers/{theirs}/attachments")
    assert sorted(s["sha256"] for s in scans) == sorted(
        hashlib.sha256(x).hexdigest() for x in (SCAN, PHOTO)
    )


def test_district_node_down_when_the_citizen_withdraws_then_stopped_once(world):
    w = world
    code = received_and_scanned(w)["code"]
    transfer(w, code)
    theirs = registered_at_district(w, code)
    w.district_node.stop()
    try:
        withdraw_at_commune(w, code)
        row = hand_over(w, code)
        assert row["withdrawal_status"] == "sent"
    finally:
        w.district_node.start(quick=True)
    assert "Đã gửi 1" in w.commune_node.run("exchange", "deliver", "--all").stdout
    assert withdrawal_answered(w, code)["withdrawal_status"] == "applied"
    d = dossier_at(w.district["leader"], theirs)
    assert [e["action"] for e in d["events"]].count("withdraw") == 1
    assert d["status"] == "withdrawn"
    assert "Đã gửi 0" in w.commune_node.run("exchange", "deliver", "--all").stdout
