"""The counter intake page: who may open it, the htmx helpers (audited prefill, procedure search
without tone marks, checklist), the happy path with scans, and every kind of refusal — shown in
Vietnamese on the form, with nothing written."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.dossiers.world import BIRTH, MARITAL, PID, receive, state
from xaso.core.models import AuditEntry
from xaso.dossiers.models import Dossier, DossierAttachment, DossierCodeCounter, Status

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def form(**over):
    data = {
        "personal_id": PID,
        "full_name": "Nguyễn Văn Bình",
        "date_of_birth": "1990-05-17",
        "sex": "male",
        "phone": "0912345678",
        "email": "binh@example.vn",
        "address": "Thôn Đông, xã Thử Nghiệm",
        "procedure": BIRTH,
        "channel": "counter",
        "doc": ["4", "6"],
        "orig-4": "1",
        "copy-4": "0",
        "orig-6": "1",
        "copy-6": "1",
        "note": "",
    }
    data.update(over)
    return data


def written():
    return (state(), DossierCodeCounter.objects.count(), DossierAttachment.objects.count())


def test_only_reception_opens_the_counter(client, world):
    r = client.get("/dossiers/new/")
    assert (r.status_code, r["Location"]) == (302, "/login/?next=/dossiers/new/")
    client.force_login(world.reception)
    r = client.get("/dossiers/new/")
    assert r.status_code == 200
    html = r.content.decode()
    # The personal ID comes first and has the focus.
    assert html.index('name="personal_id"') < html.index('name="full_name"')
    assert (
        'id="id_personal_id" value="" maxlength="12" inputmode="numeric" '
        'autocomplete="off" autofocus' in html
    )
    for who in ("specialist", "leader", "clerk", "admin", "supervisor"):
        client.force_login(getattr(world, who))
        for url in (
            "/dossiers/new/",
            "/dossiers/new/applicant/?personal_id=" + PID,
            "/dossiers/new/procedures/?procedure=khai",
            "/dossiers/new/checklist/?procedure=" + BIRTH,
        ):
            assert client.get(url).status_code == 403, (who, url)
        assert client.post("/dossiers/new/", form()).status_code == 403
    assert Dossier.objects.count() == 0


def test_prefill_reads_the_last_details_and_is_audited(client, world):
    receive(world)
    client.force_login(world.reception)
    reads = AuditEntry.objects.filter(action="person.read").count()
    r = client.get("/dossiers/new/applicant/", {"personal_id": PID}, HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert r.status_code == 200
    assert '<div id="applicant-fields" class="row" hx-swap-oob="true">' in html
    assert 'name="full_name" value="Nguyễn Văn Bình"' in html
    assert 'name="date_of_birth" value="1990-05-17"' in html
    assert 'name="phone" value="0912345678"' in html
    assert 'name="email" value="binh@example.vn"' in html
    assert 'name="address" value="Thôn Đông, xã Thử Nghiệm"' in html
    entry = AuditEntry.objects.filter(action="person.read").latest("id")
    assert AuditEntry.objects.filter(action="person.read").count() == reads + 1
    assert (entry.actor_id, entry.changes) == (world.reception.pk, {"via": "personal_id"})

    r = client.get("/dossiers/new/applicant/", {"personal_id": "001090099999"})
    assert "Chưa có thông tin công dân số 001090099999: nhập mới." in r.content.decode()
    assert "hx-swap-oob" not in r.content.decode()
    r = client.get("/dossiers/new/applicant/", {"personal_id": "12345"})
    assert 'class="off" role="alert"' in r.content.decode()
    assert AuditEntry.objects.filter(action="person.read").count() == reads + 1
    # Another commune's counter does not see this commune's citizens.
    client.force_login(world.reception_b)
    r = client.get("/dossiers/new/applicant/", {"personal_id": PID})
    assert "Chưa có thông tin công dân số 001090012345: nhập mới." in r.content.decode()


@pytest.mark.parametrize("typed", ["dang ky khai sinh", "ĐĂNG KÝ KHAI SINH", "1.001193"])
def test_procedure_found_by_code_or_name_without_tone_marks(client, world, typed):
    client.force_login(world.reception)
    r = client.get("/dossiers/new/procedures/", {"procedure": typed})
    html = r.content.decode()
    assert html.count("<li><button") >= 1
    first = html.index('data-code="')
    assert html[first : first + 19] == 'data-code="1.001193'
    assert "1.001193 — Thủ tục đăng ký khai sinh</button>" in html
    r = client.get("/dossiers/new/procedures/", {"procedure": "khong co thu tuc nay"})
    assert "Không tìm thấy thủ tục nào." in r.content.decode()


def test_checklist_of_the_chosen_procedure(client, world):
    client.force_login(world.reception)
    r = client.get("/dossiers/new/checklist/", {"procedure": BIRTH})
    html = r.content.decode()
    assert 'id="id_procedure" value="1.001193"' in html  # the chosen code replaces the search
    assert '<div id="procedure-suggestions" hx-swap-oob="true"' in html
    assert html.count('type="checkbox" name="doc"') == 8
    assert 'name="orig-4" value="1"' in html and 'name="copy-4" value="0"' in html
    assert "4. Giấy chứng sinh" in html


def test_intake_happy_path_with_scans(client, world):
    client.force_login(world.reception)
    scans = [
        SimpleUploadedFile("giay-chung-sinh.pdf", PDF, content_type="application/pdf"),
        SimpleUploadedFile("cccd.png", b"\x89PNG\r\n\x1a\n" + b"0" * 32, content_type="image/png"),
    ]
    r = client.post("/dossiers/new/", {**form(channel="post", note="Nộp thay"), "scans": scans})
    d = Dossier.objects.get()
    assert (r.status_code, r["Location"]) == (302, f"/dossiers/{d.code}/")
    assert (d.status, d.channel, d.procedure.code, d.receiving_agency, d.competent_agency) == (
        Status.RECEIVED,
        "post",
        BIRTH,
        world.a,
        world.a,
    )
    assert (d.applicant.personal_id, d.applicant.full_name, d.applicant.phone) == (
        PID,
        "Nguyễn Văn Bình",
        "0912345678",
    )
    assert list(d.checklist.values_list("order", "originals", "copies")) == [(4, 1, 0), (6, 1, 1)]
    assert sorted(d.attachments.values_list("title", "content_type")) == [
        ("cccd.png", "image/png"),
        ("giay-chung-sinh.pdf", "application/pdf"),
    ]
    assert d.events.get().note == "Nộp thay"
    page = client.get(r["Location"]).content.decode()
    assert f"Đã tiếp nhận hồ sơ {d.code}." in page
    assert f'href="/api/v1/dossiers/{d.code}/documents/receipt.pdf"' in page


def test_intake_phi_dia_gioi(client, world):
    client.force_login(world.reception)
    r = client.post("/dossiers/new/", form(procedure=MARITAL, competent_agency=world.b.code))
    assert r.status_code == 302
    d = Dossier.objects.get()
    assert (d.receiving_agency, d.competent_agency) == (world.a, world.b)


def test_name_typed_with_one_match_is_enough(client, world):
    client.force_login(world.reception)
    r = client.post("/dossiers/new/", form(procedure="xac nhan tinh trang hon nhan", doc=[]))
    assert r.status_code == 302
    assert Dossier.objects.get().procedure.code == MARITAL


REFUSALS = [
    ({"full_name": ""}, 400, "full_name", "Trường này là bắt buộc."),
    (
        {"procedure": "khai sinh"},
        400,
        "procedure",
        "Có nhiều thủ tục khớp với “khai sinh”: chọn một thủ tục trong danh sách.",
    ),
    (
        {"procedure": "9.999999"},
        400,
        "procedure",
        "Không tìm thấy thủ tục “9.999999” trong danh mục.",
    ),
    (
        {"procedure": "1.011607"},
        409,
        None,
        "Thủ tục 1.011607 chưa có thời hạn giải quyết được xác nhận",
    ),
    ({"personal_id": "001190012345"}, 400, "personal_id", None),
    (
        {"phone": "12345"},
        400,
        "phone",
        "Số điện thoại phải có 10 hoặc 11 chữ số, bắt đầu bằng 0 hoặc +84.",
    ),
    ({"orig-4": "abc"}, 400, None, "Giấy tờ số 4: số bản phải từ 0 đến 99."),
    ({"doc": ["4", "99"]}, 400, None, "Thủ tục không có giấy tờ số 99."),
    ({"orig-4": "0"}, 400, None, "Giấy tờ số 4: cần ít nhất một bản chính hoặc bản sao."),
    ({"competent_agency": "H97.01"}, 400, "competent_agency", "Cơ quan không thuộc cùng tỉnh."),
    ({"competent_agency": "X00"}, 400, "competent_agency", "Không có cơ quan này."),
    ({"channel": "online"}, 400, "channel", None),
]


@pytest.mark.parametrize(("over", "status", "field", "message"), REFUSALS)
def test_intake_refusals_change_nothing(client, world, over, status, field, message):
    receive(world)  # the applicant is on record; the refusal must not change them either
    client.force_login(world.reception)
    before = written()
    r = client.post("/dossiers/new/", form(**over))
    assert r.status_code == status
    errors = r.context["form"].errors
    if field is not None:
        assert field in errors, errors
    text = " ".join(str(e) for msgs in errors.values() for e in msgs)
    if message is not None:
        assert message in text, text
    assert written() == before
    # The typed values stay on the form.
    assert r.context["form"]["full_name"].value() == over.get("full_name", "Nguyễn Văn Bình")


def test_a_rejected_scan_leaves_no_dossier(client, world):
    client.force_login(world.reception)
    before = written()
    scans = [
        SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf"),
        SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"),
    ]
    r = client.post("/dossiers/new/", {**form(), "scans": scans})
    assert r.status_code == 400
    assert r.context["form"].errors["scans"] == ["Sai định dạng."]
    assert (
        "Chỉ nhận bản quét dạng PDF, JPEG hoặc PNG; nội dung tệp này không phải các dạng đó."
        in r.context["form"].non_field_errors()
    )
    assert written() == before
    # The checklist is shown again with what was ticked.
    html = r.content.decode()
    assert 'value="4" id="doc-4" checked' in html and 'value="5" id="doc-5">' in html
