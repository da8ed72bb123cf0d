"""The documents API per role: what each role may do, and that a denied or refused call answers
with the one error shape and changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.documents.world import World, actor_for, bearer, draft, draft_pdf, outgoing_in, state
from xaso.documents import services
from xaso.documents.models import IncomingDocument, OutgoingDocument, Recipient
from xaso.documents.services.outgoing import TRANSITIONS

pytestmark = pytest.mark.django_db
BASE = "/api/v1/documents"
J = "application/json"


@pytest.fixture(autouse=True)
def _no_background_sends(settings):
    settings.XASO_EXCHANGE_SEND_AT_ONCE = False


def upload(name: str = "du-thao.pdf", data: bytes | None = None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, draft_pdf() if data is None else data)


def post_draft(client: Client, who, **fields):
    body = {"doc_type": "QĐ", "subject": "Về việc kiện toàn Ban chỉ đạo", "file": upload()}
    body.update(fields)
    return client.post(f"{BASE}/outgoing", body, **bearer(who))


def test_create_outgoing_multipart(world: World, client: Client):
    r = post_draft(client, world.specialist, urgency="urgent", drafting_unit="VP")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert (body["status"], body["doc_type"], body["urgency"], body["number_notation"]) == (
        "draft",
        "QĐ",
        "urgent",
        "",
    )
    assert body["actions"] == ["submit"]
    assert [v["version"] for v in body["versions"]] == [1]
    assert OutgoingDocument.objects.get().public_id.hex == body["id"].replace("-", "")


@pytest.mark.parametrize("who", ["clerk", "reception", "admin"])
def test_create_denied_for_other_roles(world: World, client: Client, who):
    r = post_draft(client, getattr(world, who))
    assert r.status_code == 403
    assert r.json()["code"] == "permission_denied"
    assert OutgoingDocument.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        ({"file": upload("x.pdf", b"plain text")}, 400, "file_type_unsupported"),
        ({"file": upload("x.pdf", b"")}, 400, "file_empty"),
        ({"doc_type": "ZZ"}, 400, "document_invalid"),
        ({"copies": "0"}, 422, "validation_error"),
    ],
)
def test_create_refusals(world: World, client: Client, fields, status, code):
    r = post_draft(client, world.specialist, **fields)
    assert (r.status_code, r.json()["code"]) == (status, code)
    assert OutgoingDocument.objects.count() == 0


def test_missing_file_and_no_login(world: World, client: Client):
    r = client.post(
        f"{BASE}/outgoing", {"doc_type": "QĐ", "subject": "x"}, **bearer(world.specialist)
    )
    assert r.status_code == 422 and "file" in r.json()["fields"]
    assert client.get(f"{BASE}/outgoing").status_code == 401


def test_list_and_detail_scoped(world: World, client: Client):
    plain = draft(world)
    secret = draft(world, confidentiality="secret", cleared=["chutich"])
    for who, expected in [
        ("specialist", {plain, secret}),
        ("leader", {plain, secret}),
        ("specialist2", {plain}),
        ("clerk", {plain}),
        ("reception", set()),
        ("leader_b", set()),
    ]:
        r = client.get(f"{BASE}/outgoing", **bearer(getattr(world, who)))
        assert r.status_code == 200
        ids = {i["id"] for i in r.json()["items"]}
        assert ids == {str(d.public_id) for d in expected}, who
        assert r.json()["count"] == len(expected)
    r = client.get(f"{BASE}/{secret.public_id}", **bearer(world.specialist2))
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    r = client.get(f"{BASE}/{plain.public_id}", **bearer(world.leader_b))
    assert r.status_code == 404
    r = client.get(f"{BASE}/{plain.public_id}", **bearer(world.clerk))
    assert r.status_code == 200 and r.json()["direction"] == "outgoing"


@pytest.mark.parametrize(("status", "action"), sorted(TRANSITIONS))
def test_each_action_by_its_role_and_denied_to_others(world: World, client: Client, status, action):
    doc = outgoing_in(world, status)
    rule = TRANSITIONS[(status, action)]
    url = f"{BASE}/{doc.public_id}/actions/{action}"
    for who in ("specialist", "leader", "clerk", "reception"):
        staff = getattr(world, who)
        if who in rule.roles:
            continue
        before = state(doc)
        r = client.post(
            url, {"comment": "Ý kiến"}, content_type="application/json", **bearer(staff)
        )
        assert r.status_code in (403, 404), who
        assert r.json()["code"] in ("permission_denied", "not_found")
        assert state(doc) == before
    r = client.post(
        url,
        {"comment": "Ý kiến"},
        content_type="application/json",
        **bearer(actor_for(world, action)),
    )
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == rule.to


def test_action_refusals(world: World, client: Client):
    doc = outgoing_in(world, "submitted")
    before = state(doc)
    r = client.post(
        f"{BASE}/{doc.public_id}/actions/return", content_type=J, **bearer(world.leader)
    )
    assert (r.status_code, r.json()["code"]) == (400, "comment_required")
    r = client.post(f"{BASE}/{doc.public_id}/actions/number", content_type=J, **bearer(world.clerk))
    assert (r.status_code, r.json()["code"]) == (409, "transition_not_allowed")
    r = client.post(f"{BASE}/{doc.public_id}/actions/burn", content_type=J, **bearer(world.clerk))
    assert r.status_code == 422
    assert state(doc) == before


def test_send_and_recipients(world: World, client: Client, django_capture_on_commit_callbacks):
    doc = outgoing_in(world, "issued")
    url = f"{BASE}/{doc.public_id}/send"
    for who in ("specialist", "leader"):
        before = state(doc)
        r = client.post(
            url,
            {"recipients": ["H25.38.22"]},
            content_type="application/json",
            **bearer(getattr(world, who)),
        )
        assert r.status_code == 403
        assert state(doc) == before
    before = state(doc)
    r = client.post(
        url, {"recipients": ["H99.00"]}, content_type="application/json", **bearer(world.clerk)
    )
    assert (r.status_code, r.json()["code"]) == (400, "recipient_invalid")
    assert state(doc) == before
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            url,
            {"recipients": ["H25.38.22"]},
            content_type="application/json",
            **bearer(world.clerk),
        )
    assert r.status_code == 200
    assert [x["agency_code"] for x in r.json()] == ["H25.38.22"]
    r = client.get(f"{BASE}/{doc.public_id}/recipients", **bearer(world.specialist))
    assert r.status_code == 200
    (row,) = r.json()
    assert (row["agency_code"], row["status"], row["status_name"]) == (
        "H25.38.22",
        "arrived",
        "Đã đến",
    )
    assert row["arrived_at"] is not None
    assert (
        client.get(f"{BASE}/{doc.public_id}/recipients", **bearer(world.leader_b)).status_code
        == 404
    )
    assert Recipient.objects.count() == 1


def _incoming_paper(world: World) -> IncomingDocument:
    return services.incoming_create_paper(
        actor=world.clerk,
        sender_name="UBND tỉnh Phú Thọ",
        doc_type="CV",
        subject="Về việc rà soát",
        scan_data=draft_pdf(),
        scan_name="scan.pdf",
    )


def test_incoming_create_and_actions_per_role(world: World, client: Client):
    body = {
        "sender_name": "Sở Nội vụ",
        "doc_type": "CV",
        "subject": "Về việc thi đua",
        "file": upload("s.pdf"),
    }
    r = client.post(f"{BASE}/incoming", body, **bearer(world.specialist))
    assert r.status_code == 403 and IncomingDocument.objects.count() == 0
    body["file"] = upload("s.pdf")
    r = client.post(f"{BASE}/incoming", body, **bearer(world.clerk))
    assert r.status_code == 201, r.json()
    assert (r.json()["incoming_number"], r.json()["status"]) == (1, "registered")
    doc = IncomingDocument.objects.get()
    url = f"{BASE}/incoming/{doc.public_id}/actions"
    assign = {"lead": "chuyenvien", "co_handlers": ["chuyenvien2"], "deadline_days": 4}
    for who in ("specialist", "clerk"):
        before = state(doc)
        r = client.post(
            f"{url}/assign", assign, content_type="application/json", **bearer(getattr(world, who))
        )
        assert r.status_code == 403
        assert state(doc) == before
    before = state(doc)
    r = client.post(
        f"{url}/assign",
        {"lead": "chuyenvien"},
        content_type="application/json",
        **bearer(world.leader),
    )
    assert (r.status_code, r.json()["code"]) == (400, "deadline_invalid")
    assert state(doc) == before
    r = client.post(
        f"{url}/assign", assign, content_type="application/json", **bearer(world.leader)
    )
    assert r.status_code == 200, r.json()
    got = r.json()
    assert (got["status"], got["lead_handler"], got["co_handlers"], got["deadline_days"]) == (
        "assigned",
        "chuyenvien",
        ["chuyenvien2"],
        4,
    )
    r = client.post(
        f"{url}/opinion",
        {"opinion": "Đang tổng hợp"},
        content_type="application/json",
        **bearer(world.specialist2),
    )
    assert r.status_code == 200 and [o["text"] for o in r.json()["opinions"]] == ["Đang tổng hợp"]
    before = state(doc)
    r = client.post(
        f"{url}/complete",
        {"result": "x"},
        content_type="application/json",
        **bearer(world.specialist2),
    )
    assert r.status_code == 403
    assert state(doc) == before
    reply = outgoing_in(world, "issued", doc_type="CV")
    r = client.post(
        f"{url}/complete",
        {"result": "Đã trả lời", "reply": str(reply.public_id)},
        content_type="application/json",
        **bearer(world.specialist),
    )
    assert r.status_code == 200
    assert (r.json()["status"], r.json()["reply"]) == ("completed", str(reply.public_id))
    r = client.post(f"{url}/register", content_type=J, **bearer(world.clerk))
    assert (r.status_code, r.json()["code"]) == (409, "transition_not_allowed")


def test_incoming_list_and_other_agency(world: World, client: Client):
    doc = _incoming_paper(world)
    r = client.get(f"{BASE}/incoming", **bearer(world.specialist))
    assert [i["id"] for i in r.json()["items"]] == [str(doc.public_id)]
    assert r.json()["items"][0]["progress"] == "Chưa phân công"
    assert client.get(f"{BASE}/incoming", **bearer(world.clerk_b)).json()["count"] == 0
    r = client.post(
        f"{BASE}/incoming/{doc.public_id}/actions/register", content_type=J, **bearer(world.clerk_b)
    )
    assert r.status_code == 404
    r = client.get(f"{BASE}/incoming?status=overdue", **bearer(world.leader))
    assert r.json()["count"] == 0
    r = client.get(f"{BASE}/{doc.public_id}", **bearer(world.leader))
    assert r.json()["direction"] == "incoming"


def test_file_pdf(world: World, client: Client):
    doc = outgoing_in(world, "signed")
    r = client.get(f"{BASE}/{doc.public_id}/file.pdf", **bearer(world.specialist))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    content = b"".join(r.streaming_content)
    with doc.signed_file.open("rb") as f:
        assert content == f.read()
    d = draft(world)
    r = client.get(f"{BASE}/{d.public_id}/file.pdf", **bearer(world.specialist))
    assert b"".join(r.streaming_content) == draft_pdf()
    assert client.get(f"{BASE}/{d.public_id}/file.pdf", **bearer(world.clerk_b)).status_code == 404
    inc = _incoming_paper(world)
    r = client.get(f"{BASE}/{inc.public_id}/file.pdf", **bearer(world.leader))
    assert b"".join(r.streaming_content) == draft_pdf()


def test_new_version_per_role(world: World, client: Client):
    doc = draft(world)
    url = f"{BASE}/{doc.public_id}/versions"
    before = state(doc)
    r = client.post(url, {"file": upload("v2.pdf")}, **bearer(world.clerk))
    assert r.status_code == 403
    assert state(doc) == before
    r = client.post(
        url, {"file": upload("v2.pdf"), "comment": "Sửa theo góp ý"}, **bearer(world.specialist)
    )
    assert r.status_code == 201
    assert [v["version"] for v in r.json()["versions"]] == [1, 2]
    assert r.json()["comments"][0]["text"] == "Sửa theo góp ý"
    services.outgoing_submit(actor=world.specialist, document=doc)
    r = client.post(url, {"file": upload("v3.pdf")}, **bearer(world.specialist))
    assert (r.status_code, r.json()["code"]) == (409, "transition_not_allowed")


def test_compose_per_role(world: World, client: Client):
    body = {
        "doc_type": "TB",
        "subject": "Thông báo lịch tiếp công dân",
        "body": "Ủy ban nhân dân xã thông báo lịch tiếp công dân tháng 12.",
        "signer_position": "Chủ tịch",
        "signer_name": "Đinh Công Sơn",
        "recipients": ["Nhân dân trong xã", "Lưu: VT"],
    }
    r = client.post(f"{BASE}/outgoing/compose", body, content_type=J, **bearer(world.clerk))
    assert r.status_code == 403 and OutgoingDocument.objects.count() == 0
    r = client.post(
        f"{BASE}/outgoing/compose", {**body, "body": ""}, content_type=J, **bearer(world.specialist)
    )
    assert r.status_code == 400 and "body" in r.json()["fields"]
    assert OutgoingDocument.objects.count() == 0
    r = client.post(f"{BASE}/outgoing/compose", body, content_type=J, **bearer(world.specialist))
    assert r.status_code == 201, r.json()
    assert r.json()["recipients_text"] == "Nhân dân trong xã; Lưu: VT"
    assert r.json()["versions"][0]["content_type"] == "application/pdf"
