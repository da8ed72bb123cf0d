"""The documents pages: who opens what, the forms (draft, actions, send, paper registration,
assignment, completion) with refusals shown on the form and nothing changed, the registers
printable and in Excel, and pinned query counts for the lists."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.documents.world import World, draft, draft_pdf, outgoing_in, state
from xaso.documents import services
from xaso.documents.models import IncomingDocument, OutgoingDocument

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


@pytest.fixture(autouse=True)
def _no_background_sends(settings):
    settings.XASO_EXCHANGE_SEND_AT_ONCE = False


def login(client: Client, staff) -> Client:
    client.force_login(staff)
    return client


def paper(w: World, **kw) -> IncomingDocument:
    args = {
        "actor": w.clerk,
        "sender_name": "UBND tỉnh Phú Thọ",
        "doc_type": "CV",
        "subject": "Về việc rà soát hộ nghèo",
        "code_number": "77",
        "code_notation": "UBND-VX",
        "scan_data": draft_pdf(),
        "scan_name": "scan.pdf",
    }
    args.update(kw)
    return services.incoming_create_paper(**args)


@pytest.mark.parametrize(
    "name", ["documents:outgoing_list", "documents:incoming_list", "documents:outgoing_new"]
)
def test_pages_closed_to_roles_without_documents(world: World, client: Client, name):
    login(client, world.reception)
    assert client.get(reverse(name)).status_code == 403


def test_anonymous_redirected_to_login(client: Client, world: World):
    r = client.get(reverse("documents:outgoing_list"))
    assert r.status_code == 302 and "login" in r["Location"]


def test_outgoing_list_query_count(world: World, client: Client, django_assert_num_queries):
    for _ in range(3):
        draft(world)
    outgoing_in(world, "numbered")
    login(client, world.leader)
    client.get(reverse("documents:outgoing_list"))  # warm the session
    # roles, count, page of documents with their author, register and signer (session cached)
    with django_assert_num_queries(3):
        r = client.get(reverse("documents:outgoing_list"))
    assert r.status_code == 200
    assert len(r.context["page"].object_list) == 4
    for _ in range(5):
        draft(world)
    with django_assert_num_queries(3):
        r = client.get(reverse("documents:outgoing_list"))
    assert len(r.context["page"].object_list) == 9
    assert "01/QĐ-UBND" in r.content.decode()


def test_incoming_list_query_count(world: World, client: Client, django_assert_num_queries):
    for _ in range(3):
        paper(world)
    login(client, world.leader)
    client.get(reverse("documents:incoming_list"))
    with django_assert_num_queries(3):
        r = client.get(reverse("documents:incoming_list"))
    for _ in range(4):
        paper(world)
    with django_assert_num_queries(3):
        r = client.get(reverse("documents:incoming_list"))
    assert len(r.context["rows"]) == 7
    assert r.status_code == 200


def test_draft_form(world: World, client: Client):
    login(client, world.specialist)
    assert client.get(reverse("documents:outgoing_new")).status_code == 200
    r = client.post(
        reverse("documents:outgoing_new"),
        {
            "doc_type": "TB",
            "subject": "Thông báo lịch tiếp công dân",
            "copies": 2,
            "urgency": "normal",
            "confidentiality": "normal",
            "file": SimpleUploadedFile("tb.pdf", draft_pdf()),
        },
    )
    d = OutgoingDocument.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse(
        "documents:outgoing", args=[d.public_id]
    )
    r = client.post(
        reverse("documents:outgoing_new"),
        {
            "doc_type": "TB",
            "subject": "Sai tệp",
            "copies": 1,
            "urgency": "normal",
            "confidentiality": "normal",
            "file": SimpleUploadedFile("tb.pdf", b"hello"),
        },
    )
    assert r.status_code == 400
    assert "Chỉ nhận tệp" in r.content.decode()
    assert OutgoingDocument.objects.count() == 1
    login(client, world.clerk)
    assert client.get(reverse("documents:outgoing_new")).status_code == 403


def test_detail_shows_only_the_actions_of_the_reader(world: World, client: Client):
    d = outgoing_in(world, "submitted")
    url = reverse("documents:outgoing", args=[d.public_id])
    login(client, world.leader)
    r = client.get(url)
    assert [a["name"] for a in r.context["actions"]] == ["review", "approve", "return"]
    login(client, world.clerk)
    assert client.get(url).context["actions"] == []
    login(client, world.leader_b)
    assert client.get(url).status_code == 404


def test_action_form_refusal_then_success(world: World, client: Client):
    d = outgoing_in(world, "submitted")
    login(client, world.leader)
    before = state(d)
    r = client.post(
        reverse("documents:outgoing_act", args=[d.public_id, "return"]), {"return-comment": ""}
    )
    assert r.status_code == 400
    assert "Cần ghi ý kiến" in r.content.decode()
    assert state(d) == before
    login(client, world.clerk)
    r = client.post(reverse("documents:outgoing_act", args=[d.public_id, "approve"]), {})
    assert r.status_code == 403
    assert state(d) == before
    login(client, world.leader)
    r = client.post(
        reverse("documents:outgoing_act", args=[d.public_id, "approve"]),
        {"approve-comment": "Đồng ý"},
    )
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.status == "approved"


def test_send_from_the_page_and_statuses(
    world: World, client: Client, django_capture_on_commit_callbacks
):
    d = outgoing_in(world, "issued")
    login(client, world.clerk)
    url = reverse("documents:outgoing", args=[d.public_id])
    assert client.get(url).context["send_form"] is not None
    r = client.post(
        reverse("documents:outgoing_send", args=[d.public_id]), {"recipients": "H00.00"}
    )
    assert r.status_code == 400 and "Không có cơ quan mã H00.00" in r.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            reverse("documents:outgoing_send", args=[d.public_id]), {"recipients": "H25.38.22"}
        )
    assert r.status_code == 302
    r = client.get(reverse("documents:outgoing_recipients", args=[d.public_id]))
    assert 'data-status="arrived"' in r.content.decode()
    assert "UBND xã Võ Miếu" in r.content.decode()


def test_incoming_pages(world: World, client: Client):
    login(client, world.clerk)
    r = client.post(
        reverse("documents:incoming_new"),
        {
            "sender_name": "Sở Tư pháp",
            "doc_type": "CV",
            "subject": "Về việc phổ biến pháp luật",
            "promulgation_date": "02/01/2026",
            "urgency": "urgent",
            "confidentiality": "normal",
            "file": SimpleUploadedFile("scan.png", b"\x89PNG\r\n\x1a\n" + b"0" * 50),
        },
    )
    doc = IncomingDocument.objects.get()
    assert r.status_code == 302 and doc.incoming_number == 1
    url = reverse("documents:incoming", args=[doc.public_id])
    assert client.get(url).context["assign_form"] is None
    login(client, world.leader)
    page = client.get(url)
    assert page.context["assign_form"] is not None
    before = state(doc)
    r = client.post(
        reverse("documents:incoming_assign", args=[doc.public_id]),
        {"lead": "chuyenvien", "deadline_days": 0},
    )
    assert r.status_code == 400
    assert state(doc) == before
    r = client.post(
        reverse("documents:incoming_assign", args=[doc.public_id]),
        {
            "lead": "chuyenvien",
            "co_handlers": ["chuyenvien2"],
            "deadline_days": 3,
            "opinion": "Xử lý gấp",
        },
    )
    assert r.status_code == 302
    login(client, world.specialist)
    assert client.get(url).context["complete_form"] is not None
    r = client.post(
        reverse("documents:incoming_opinion", args=[doc.public_id]), {"text": "Đã liên hệ"}
    )
    assert r.status_code == 302
    r = client.post(
        reverse("documents:incoming_complete", args=[doc.public_id]), {"result": "Đã triển khai"}
    )
    assert r.status_code == 302
    doc.refresh_from_db()
    assert (doc.status, doc.result) == ("completed", "Đã triển khai")
    login(client, world.clerk_b)
    assert client.get(url).status_code == 404


def test_registers_print_and_excel(world: World, client: Client):
    from openpyxl import load_workbook

    issued = outgoing_in(world, "issued", recipients_text="Như trên; Lưu: VT")
    paper(world)
    login(client, world.clerk)
    r = client.get(reverse("documents:register", args=["outgoing", YEAR]))
    assert r.status_code == 200
    table = r.context["table"]
    assert table.columns[0] == "Số, ký hiệu văn bản" and len(table.columns) == 10
    assert table.rows == [
        [
            "01/QĐ-UBND",
            f"{issued.promulgation_date:%d/%m/%Y}",
            "Quyết định: Về việc thành lập Tổ công tác chuyển đổi số",
            "Đinh Công Sơn",
            "Như trên; Lưu: VT",
            "Hà Văn Tú",
            "1",
            f"{timezone.localtime(issued.issued_at):%d/%m/%Y}",
            "",
            "",
        ]
    ]
    assert "@page{size:A4 landscape" in r.content.decode()
    r = client.get(reverse("documents:register", args=["incoming", YEAR]) + "?format=xlsx")
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1][0] == f"SỔ ĐĂNG KÝ VĂN BẢN ĐẾN {YEAR}"
    assert rows[3][:3] == ("Ngày đến", "Số đến", "Tác giả")
    assert rows[4][1:4] == ("01", "UBND tỉnh Phú Thọ", "77/UBND-VX")
    r = client.get(reverse("documents:register", args=["follow-up", YEAR]))
    assert r.context["table"].rows[0][4] == "Chưa phân công"
    assert client.get(reverse("documents:register", args=["other", YEAR])).status_code == 404
    login(client, world.reception)
    assert client.get(reverse("documents:register", args=["outgoing", YEAR])).status_code == 403


def test_register_an_electronic_document_from_its_page(
    world: World, client: Client, django_capture_on_commit_callbacks
):
    sent = outgoing_in(world, "issued")
    with django_capture_on_commit_callbacks(execute=True):
        services.document_send(document=sent, recipients=["H25.38.22"], actor=world.clerk)
    doc = IncomingDocument.objects.get(agency=world.b)
    url = reverse("documents:incoming", args=[doc.public_id])
    login(client, world.leader_b)
    assert client.get(url).context["can_register"] is False
    r = client.post(reverse("documents:incoming_register", args=[doc.public_id]))
    assert r.status_code == 403
    login(client, world.clerk_b)
    page = client.get(url)
    assert page.context["can_register"] is True
    assert "01/QĐ-UBND" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("documents:incoming_register", args=[doc.public_id]))
    assert r.status_code == 302
    doc.refresh_from_db()
    assert (doc.status, doc.incoming_number) == ("registered", 1)
    login(client, world.clerk)
    r = client.get(reverse("documents:outgoing_recipients", args=[sent.public_id]))
    assert 'data-status="registered"' in r.content.decode()


def test_compose_page(world: World, client: Client):
    login(client, world.clerk)
    assert client.get(reverse("documents:outgoing_compose")).status_code == 403
    login(client, world.specialist)
    page = client.get(reverse("documents:outgoing_compose"))
    assert page.status_code == 200
    fields = {
        "doc_type": "CV",
        "subject": "Về việc đôn đốc nộp báo cáo",
        "addressees": "UBND xã Võ Miếu",
        "body": "UBND xã Thạch Khoán đề nghị UBND xã Võ Miếu gửi báo cáo.",
        "recipients": "Như trên\nLưu: VT",
        "signer_position": "Chủ tịch",
        "signer_name": "Đinh Công Sơn",
        "copies": 1,
        "urgency": "normal",
        "confidentiality": "normal",
    }
    r = client.post(reverse("documents:outgoing_compose"), fields)
    assert r.status_code == 400  # a công văn needs its drafting unit
    assert "đơn vị soạn thảo" in r.content.decode()
    assert OutgoingDocument.objects.count() == 0
    r = client.post(reverse("documents:outgoing_compose"), {**fields, "drafting_unit": "VP"})
    assert r.status_code == 302
    d = OutgoingDocument.objects.get()
    assert d.content["addressees"] == ["UBND xã Võ Miếu"]
    assert d.recipients_text == "Như trên; Lưu: VT"
