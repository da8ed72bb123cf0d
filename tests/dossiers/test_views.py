"""The work queue, the dossier page and its actions, per role and agency; the public lookup."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.dossiers.world import APPLICANT, BIRTH, MARITAL, PID, drive, receive, state, vn
from xaso.core.models import AuditEntry
from xaso.dossiers.models import Dossier, Status
from xaso.dossiers.views import queue as queue_views
from xaso.dossiers.views.detail import actions_for

OTHER = {
    **APPLICANT,
    "full_name": "Trần Thị Đào",
    "personal_id": "001190054321",
    "date_of_birth": "1990-02-01",
    "phone": "0987654321",
}


def changes():
    """``state()`` less the audited reads: a refused action re-shows the page, which reads the
    applicant again (and audits that), but writes nothing."""
    return (*state()[:3], AuditEntry.objects.exclude(action="person.read").count())


def codes(response):
    return [it["d"].code for it in response.context["items"]]


# The work queue ------------------------------------------------------------------------------


def test_queue_per_role(client, world):
    d1 = drive(world, Status.IN_PROCESSING)  # assigned to the specialist
    d2 = receive(world, BIRTH)
    for who, expected in [
        ("reception", [d1.code, d2.code]),
        ("leader", [d1.code, d2.code]),
        ("clerk", [d1.code, d2.code]),
        ("specialist", [d1.code]),  # opens on "mine"
    ]:
        client.force_login(getattr(world, who))
        r = client.get("/dossiers/")
        assert r.status_code == 200
        assert sorted(codes(r)) == sorted(expected), who
    client.force_login(world.specialist)
    assert sorted(codes(client.get("/dossiers/?mine=0"))) == sorted([d1.code, d2.code])
    for who in ("admin", "supervisor"):
        client.force_login(getattr(world, who))
        assert client.get("/dossiers/").status_code == 403
    client.force_login(world.reception_b)
    r = client.get("/dossiers/")
    assert (r.status_code, codes(r)) == (200, [])
    assert client.get("/dossiers/").status_code == 200
    client.logout()
    assert client.get("/dossiers/")["Location"] == "/login/?next=/dossiers/"


def test_queue_colours_by_due_time(client, world):
    now = timezone.now()
    late = receive(world, MARITAL, at=now - timedelta(days=30))
    today = receive(world, MARITAL, at=now)
    Dossier.objects.filter(pk=today.pk).update(
        due_at=timezone.localtime(now).replace(hour=23, minute=59, second=59)
    )
    later = receive(world, MARITAL, at=now)
    Dossier.objects.filter(pk=later.pk).update(due_at=now + timedelta(days=3))
    paused = drive(world, Status.AWAITING_SUPPLEMENT)
    client.force_login(world.reception)
    r = client.get("/dossiers/")
    rows = {it["d"].code: it["due"] for it in r.context["items"]}
    assert rows == {
        late.code: "overdue",
        today.code: "due-today",
        later.code: "on-time",
        paused.code: "paused",
    }
    html = r.content.decode()
    assert f'<tr class="due-overdue" data-code="{late.code}">' in html
    assert f'<tr class="due-on-time" data-code="{later.code}">' in html


def test_queue_filters_and_search(client, world):
    a = receive(world, MARITAL)
    b = receive(world, BIRTH, applicant=OTHER, channel="post")
    c = drive(world, Status.IN_PROCESSING)
    client.force_login(world.reception)

    def q(**params):
        r = client.get("/dossiers/", params)
        assert r.status_code == 200, r.context["form"].errors
        return sorted(codes(r))

    assert q(status="in_processing") == [c.code]
    assert q(procedure=BIRTH) == [b.code]
    assert q(channel="post") == [b.code]
    assert q(q="tran thi dao") == [b.code]  # no tone marks
    assert q(q="TRẦN THỊ ĐÀO") == [b.code]
    assert q(q="001190054321") == [b.code]
    assert q(q=PID) == sorted([a.code, c.code])
    assert q(q=b.code) == [b.code]
    assert q(overdue="1") == sorted([a.code, b.code, c.code])  # received in Sept 2026
    assert q(overdue="0") == []
    r = client.get("/dossiers/", {"status": "nonsense"})
    assert r.status_code == 400
    r = client.get("/dossiers/", {"after": "not-a-cursor"})
    assert r.status_code == 400
    assert "Con trỏ phân trang không hợp lệ." in r.content.decode()


def test_queue_keyset_pages(client, world, monkeypatch):
    monkeypatch.setattr(queue_views, "PAGE_SIZE", 2)
    made = [receive(world, MARITAL, at=vn(2026, 9, 10 + i, 9, 0)) for i in range(5)]
    client.force_login(world.reception)
    seen = []
    url = "/dossiers/?status=received"
    pages = 0
    while url:
        r = client.get(url)
        seen += codes(r)
        pages += 1
        url = r.context["next_url"] and "/dossiers/" + r.context["next_url"]
        if url:
            assert "status=received" in url and "after=" in url and "offset" not in url
    assert (pages, seen) == (3, [d.code for d in made])


def test_queue_query_count_is_constant(client, world):
    client.force_login(world.reception)
    client.get("/dossiers/")  # warm the session
    receive(world, MARITAL)
    with CaptureQueriesContext(connection) as one:
        assert len(codes(client.get("/dossiers/"))) == 1
    for i in range(6):
        receive(world, BIRTH if i % 2 else MARITAL, applicant={**OTHER, "personal_id": ""})
    drive(world, Status.IN_PROCESSING)
    with CaptureQueriesContext(connection) as many:
        assert len(codes(client.get("/dossiers/"))) == 8
    assert len(one) == len(many) == 4, [q["sql"][:60] for q in many.captured_queries]
    # the official with their roles (one query), then the page: its keys from the dossiers
    # received here and from those decided here (each on its own index), and the rows (the
    # session is cached)
    tables = [q["sql"].split(" FROM ")[1].split()[0] for q in many.captured_queries]
    assert tables == ['"org_staff"'] + ['"dossiers_dossier"'] * 3


# The dossier page ----------------------------------------------------------------------------


def test_dossier_page_per_role(client, world):
    d = drive(world, Status.IN_PROCESSING)
    for who in ("reception", "specialist", "leader", "clerk"):
        staff = getattr(world, who)
        client.force_login(staff)
        before = AuditEntry.objects.filter(action="person.read").count()
        r = client.get(f"/dossiers/{d.code}/")
        assert r.status_code == 200, who
        html = r.content.decode()
        assert '<dd data-testid="status">Đang xử lý</dd>' in html
        assert "Nguyễn Văn Bình" in html and PID in html and "0912345678" in html
        entry = AuditEntry.objects.filter(action="person.read").latest("id")
        assert AuditEntry.objects.filter(action="person.read").count() == before + 1
        assert (entry.actor_id, entry.changes) == (staff.pk, {"via": "dossier", "dossier": d.code})
    for staff in (world.admin, world.supervisor, world.reception_b, world.all_b, world.reception_c):
        client.force_login(staff)
        assert client.get(f"/dossiers/{d.code}/").status_code == 404
        assert client.post(f"/dossiers/{d.code}/actions/approve/", {}).status_code == 404
    client.force_login(world.reception)
    assert client.get("/dossiers/H98.01-000000-9999/").status_code == 404


def test_actions_offered_come_from_the_table(world):
    d = receive(world)
    assert actions_for(world.reception, d) == [
        "assign",
        "apologize",
        "transfer",
        "refuse",
        "withdraw",
    ]
    assert actions_for(world.leader, d) == ["assign", "apologize", "transfer", "refuse"]
    assert actions_for(world.specialist, d) == []
    assert actions_for(world.clerk, d) == []
    assert actions_for(world.reception_b, d) == []
    p = drive(world, Status.IN_PROCESSING)
    assert actions_for(world.specialist, p) == ["forward", "request_supplement"]
    assert actions_for(world.leader, p) == [
        "forward",
        "request_supplement",
        "approve",
        "apologize",
        "transfer",
        "refuse",
    ]
    r = drive(world, Status.RESULT_READY)
    assert actions_for(world.reception, r) == ["return_result"]
    assert actions_for(world.clerk, r) == []
    assert actions_for(world.reception, drive(world, Status.RETURNED)) == []


def post(client, d, action, **fields):
    return client.post(
        f"/dossiers/{d.code}/actions/{action}/", {f"{action}-{k}": v for k, v in fields.items()}
    )


def test_the_whole_flow_from_the_page(client, world):
    d = receive(world)
    client.force_login(world.reception)
    page = client.get(f"/dossiers/{d.code}/").content.decode()
    assert '<option value="chuyenvien">' in page  # the specialist step's officials
    r = post(client, d, "assign", assignee="chuyenvien", note="Giao xử lý")
    assert (r.status_code, r["Location"]) == (302, f"/dossiers/{d.code}/")
    d.refresh_from_db()
    assert (d.status, d.assignee, d.current_step.order) == (
        Status.IN_PROCESSING,
        world.specialist,
        2,
    )

    client.force_login(world.specialist)
    assert post(client, d, "forward", assignee="lanhdao").status_code == 302
    client.force_login(world.leader)
    assert post(client, d, "approve", note="Đồng ý").status_code == 302
    client.force_login(world.clerk)
    assert post(client, d, "mark_ready").status_code == 302
    client.force_login(world.reception)
    assert post(client, d, "return_result").status_code == 302
    d.refresh_from_db()
    assert d.status == Status.RETURNED
    assert list(d.events.values_list("action", flat=True)) == [
        "receive",
        "assign",
        "forward",
        "approve",
        "mark_ready",
        "return_result",
    ]
    html = client.get(f"/dossiers/{d.code}/").content.decode()
    assert "Đã thực hiện: trả kết quả." in html
    assert '<dd data-testid="status">Đã trả kết quả</dd>' in html
    assert 'data-event="approve"' in html and "Đồng ý" in html
    assert 'id="h-actions"' not in html  # nothing left to do


def test_supplement_apology_and_refusal_fields(client, world):
    d = drive(world, Status.IN_PROCESSING)
    client.force_login(world.specialist)
    r = post(
        client, d, "request_supplement", missing="Bản sao sổ hộ khẩu\n\n Giấy xác nhận cư trú "
    )
    assert r.status_code == 302
    d.refresh_from_db()
    assert (d.status, d.supplement_missing) == (
        Status.AWAITING_SUPPLEMENT,
        ["Bản sao sổ hộ khẩu", "Giấy xác nhận cư trú"],
    )
    assert post(client, d, "receive_supplement").status_code == 302
    client.force_login(world.leader)
    new_due = timezone.localtime(d.due_at + timedelta(days=7))
    r = post(
        client, d, "apologize", reason="Chờ xác minh", new_due_at=new_due.strftime("%Y-%m-%dT%H:%M")
    )
    assert r.status_code == 302
    d.refresh_from_db()
    assert (d.due_at, d.apology_reason) == (
        new_due.replace(second=0, microsecond=0),
        "Chờ xác minh",
    )
    assert post(client, d, "refuse", reason="Không đủ điều kiện").status_code == 302
    d.refresh_from_db()
    assert (d.status, d.refusal_reason) == (Status.REFUSED, "Không đủ điều kiện")
    r = client.get(f"/dossiers/{d.code}/")
    assert [(url.rsplit("/", 1)[1], label) for url, label in r.context["documents"]] == [
        ("receipt.pdf", "In giấy tiếp nhận và hẹn trả kết quả"),
        ("supplement.pdf", "Phiếu yêu cầu bổ sung hồ sơ"),
        ("refusal.pdf", "Phiếu từ chối giải quyết"),
        ("apology.pdf", "Phiếu xin lỗi và hẹn lại"),
        ("control_sheet.pdf", "Phiếu kiểm soát quá trình giải quyết"),
    ]
    assert f'href="/api/v1/dossiers/{d.code}/documents/refusal.pdf"' in r.content.decode()


def test_transfer_from_the_page(client, world):
    d = receive(world)
    client.force_login(world.reception)
    r = post(client, d, "transfer", agency=world.c.code)
    assert r.status_code == 400
    assert "Chỉ chuyển hồ sơ đến cơ quan trong cùng tỉnh" in r.content.decode()
    assert post(client, d, "transfer", agency=world.b.code).status_code == 302
    d.refresh_from_db()
    assert (d.status, d.competent_agency) == (Status.TRANSFERRED, world.b)


REFUSED_ACTIONS = [
    # (status, who, action, fields, http status, message)
    (
        Status.RECEIVED,
        "leader",
        "approve",
        {},
        409,
        "Không thể thực hiện thao tác “phê duyệt” khi hồ sơ đang ở trạng thái “Đã tiếp nhận”.",
    ),
    (
        Status.IN_PROCESSING,
        "specialist",
        "approve",
        {},
        403,
        "Bạn không có quyền thực hiện thao tác này trên hồ sơ này.",
    ),
    (
        Status.IN_PROCESSING,
        "clerk",
        "refuse",
        {"reason": "x"},
        403,
        "Bạn không có quyền thực hiện thao tác này trên hồ sơ này.",
    ),
    (Status.IN_PROCESSING, "leader", "refuse", {"reason": "   "}, 400, "Trường này là bắt buộc."),
    (Status.RECEIVED, "reception", "assign", {"assignee": "vanthu"}, 400, None),
    (
        Status.IN_PROCESSING,
        "leader",
        "apologize",
        {"reason": "Trễ", "new_due_at": "2020-01-01T08:00"},
        400,
        "Ngày hẹn mới phải sau ngày hẹn hiện tại.",
    ),
    (
        Status.RETURNED,
        "reception",
        "withdraw",
        {"reason": "Xin rút"},
        409,
        "Không thể thực hiện thao tác “rút hồ sơ” khi hồ sơ đang ở trạng thái “Đã trả kết quả”.",
    ),
]


@pytest.mark.parametrize(("status", "who", "action", "fields", "code", "message"), REFUSED_ACTIONS)
def test_refused_actions_change_nothing(client, world, status, who, action, fields, code, message):
    d = drive(world, status)
    client.force_login(getattr(world, who))
    before = changes()
    r = post(client, d, action, **fields)
    assert r.status_code == code
    if message is not None:
        assert message in r.content.decode()
    assert changes() == before


def test_unknown_action_is_404(client, world):
    d = receive(world)
    client.force_login(world.reception)
    assert post(client, d, "delete").status_code == 404
    assert client.get(f"/dossiers/{d.code}/actions/assign/").status_code == 405


# The public lookup ---------------------------------------------------------------------------


def test_public_page_shows_status_and_no_personal_data(client, world):
    d = drive(world, Status.AWAITING_SUPPLEMENT)
    r = client.get(f"/lookup/{d.code}/")
    assert r.status_code == 200
    html = r.content.decode()
    assert '<strong data-testid="status">Yêu cầu bổ sung giấy tờ</strong>' in html
    assert "Thủ tục cấp Giấy xác nhận tình trạng hôn nhân" in html
    assert "<li>Bản sao giấy tờ tùy thân</li>" in html
    assert "10:00 10/09/2026" in html  # received
    for personal in (
        "Nguyễn Văn Bình",
        "Bình",
        PID,
        "0912345678",
        "binh@example.vn",
        "Thôn Đông",
        "1990",
    ):
        assert personal not in html, personal
    r = client.get(f"/lookup/{drive(world, Status.RETURNED).code}/")
    assert '<strong data-testid="status">Đã trả kết quả</strong>' in r.content.decode()
    r = client.get("/lookup/H98.01-000000-9999/")
    assert r.status_code == 404
    assert "Không tìm thấy hồ sơ có mã H98.01-000000-9999." in r.content.decode()
    r = client.get("/lookup/", {"code": f" {d.code} "})
    assert (r.status_code, r["Location"]) == (302, f"/lookup/{d.code}/")
    assert client.get("/lookup/").status_code == 200
    r = client.get("/lookup/", {"code": "../admin/"})
    assert (r.status_code, r.context["form"].errors) == (
        200,
        {"code": ["Mã số hồ sơ không hợp lệ."]},
    )


def test_public_page_is_rate_limited(client, world, settings):
    settings.XASO_PUBLIC_LOOKUP_RATE = 3
    d = receive(world)
    assert [client.get(f"/lookup/{d.code}/").status_code for _ in range(4)] == [200, 200, 200, 429]
    r = client.get("/lookup/H98.01-000000-9999/")
    assert r.status_code == 429
    assert "Tra cứu quá nhiều lần; vui lòng thử lại sau một phút." in r.content.decode()
    other = client.get(f"/lookup/{d.code}/", REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200


# Scans on the dossier page -------------------------------------------------------------------


def test_attach_and_open_a_scan(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    d = drive(world, Status.IN_PROCESSING)
    client.force_login(world.specialist)
    pdf = b"%PDF-1.4\n%%EOF\n"
    r = client.post(
        f"/dossiers/{d.code}/attachments/",
        {"title": "Tờ khai", "file": SimpleUploadedFile("x.pdf", pdf)},
    )
    assert (r.status_code, r["Location"]) == (302, f"/dossiers/{d.code}/")
    item = d.attachments.get()
    assert (item.title, item.content_type, item.size) == ("Tờ khai", "application/pdf", len(pdf))
    before = changes()
    r = client.post(
        f"/dossiers/{d.code}/attachments/",
        {"title": "", "file": SimpleUploadedFile("x.exe", b"MZ\x90\x00")},
    )
    assert r.status_code == 400
    assert "Chỉ nhận bản quét dạng PDF, JPEG hoặc PNG" in r.content.decode()
    assert (changes(), d.attachments.count()) == (before, 1)

    url = f"/dossiers/{d.code}/attachments/{item.public_id}/"
    r = client.get(url)
    assert (r.status_code, r["Content-Type"], b"".join(r.streaming_content)) == (
        200,
        "application/pdf",
        pdf,
    )
    entry = AuditEntry.objects.filter(action="dossier.attachment_read").get()
    assert (entry.actor_id, entry.changes) == (world.specialist.pk, {"dossier": d.code})
    client.force_login(world.leader)  # may read, may not digitise
    assert client.get(url).status_code == 200
    r = client.post(f"/dossiers/{d.code}/attachments/", {"file": SimpleUploadedFile("x.pdf", pdf)})
    assert r.status_code == 403
    assert "Bạn không có quyền đính kèm tệp vào hồ sơ." in r.content.decode()
    for staff in (world.reception_b, world.admin):
        client.force_login(staff)
        assert client.get(url).status_code == 404
    client.force_login(world.reception)
    missing = f"/dossiers/{d.code}/attachments/00000000-0000-4000-8000-000000000000/"
    assert client.get(missing).status_code == 404


def test_history_marks_a_late_hand_over(client, world):
    d = receive(world)  # step 1 (4 working hours) from 10:00 on 10 Sept 2026
    from xaso.dossiers import services

    services.dossier_assign(
        actor=world.leader, dossier=d, assignee=world.specialist, at=vn(2026, 9, 14, 10, 0)
    )
    client.force_login(world.reception)
    history = client.get(f"/dossiers/{d.code}/").context["history"]
    assert [(h["e"].action, h["late"]) for h in history] == [("receive", False), ("assign", True)]
