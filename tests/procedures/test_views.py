"""Catalogue pages for a logged-in official: light pages (query counts pinned), forms, import."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import staff
from xaso.core.models import AuditEntry
from xaso.procedures.exchange import SEED_PATH
from xaso.procedures.models import Procedure, ProcedureForm

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(client):
    user = staff(roles=("reception",))
    client.force_login(user)
    return user


@pytest.fixture
def admin(client):
    user = staff(roles=("admin",))
    client.force_login(user)
    return user


def test_login_required(client, catalogue):
    response = client.get("/procedures/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/") or "login" in response["Location"]


def test_list_page(client, officer, catalogue, django_assert_num_queries):
    client.get("/procedures/")  # warm the session and user caches
    with django_assert_num_queries(2):
        response = client.get("/procedures/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('href="/procedures/') >= 60
    assert "Thủ tục đăng ký khai sinh" in html
    search = client.get("/procedures/", {"q": "chung thuc di chuc"}).content.decode()
    assert "2.001019" in search
    assert "Thủ tục đăng ký khai sinh</a>" not in search


def test_detail_page(client, officer, catalogue, django_assert_num_queries):
    client.get("/procedures/1.001193/")
    with django_assert_num_queries(7):
        response = client.get("/procedures/1.001193/")
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "Trong ngày tiếp nhận; nhận sau 15 giờ thì trả kết quả trong ngày làm việc tiếp theo"
        in html
    )
    assert "Theo mức Hội đồng nhân dân cấp tỉnh quy định" in html
    assert "Miễn lệ phí đối với trường hợp khai sinh đúng hạn" in html
    assert "Giấy chứng sinh;" in html
    assert "Toàn trình" in html
    assert "123/2015/NĐ-CP" in html
    assert "Đây là quy trình mẫu chung" in html
    assert html.count("cần xác nhận") == 3  # fees, implementing agency, conditions
    assert "Đính kèm mẫu đơn" not in html  # not an administrator


def test_detail_unknown_code(client, officer, catalogue):
    assert client.get("/procedures/9.999999/").status_code == 404


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def test_form_upload_and_download(client, admin, catalogue, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("to-khai.docx", _docx(), content_type="application/octet-stream")
    response = client.post(
        "/procedures/1.001193/forms/", {"title": "Tờ khai đăng ký khai sinh", "file": upload}
    )
    assert response.status_code == 302
    form = ProcedureForm.objects.get()
    assert (form.title, form.content_type, form.procedure.code) == (
        "Tờ khai đăng ký khai sinh",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "1.001193",
    )
    assert form.file.name.startswith("procedures/forms/1.001193")
    assert (tmp_path / form.file.name).exists()
    assert AuditEntry.objects.filter(action="procedure.form_attach").count() == 1
    download = client.get(f"/procedures/1.001193/forms/{form.public_id}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == _docx()
    api = client.get("/api/v1/procedures/1.001193").json()
    assert api["forms"][0]["url"] == f"/procedures/1.001193/forms/{form.public_id}/"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"MZ\x90\x00 not a document",
            "Chỉ nhận mẫu đơn dạng PDF, DOC hoặc DOCX; nội dung tệp này không phải các dạng đó.",
        ),
        (
            b"PK\x03\x04 broken zip",
            "Chỉ nhận mẫu đơn dạng PDF, DOC hoặc DOCX; nội dung tệp này không phải các dạng đó.",
        ),
        (b"%PDF-1.4" + b"0" * (10 * 1024 * 1024), "Tệp mẫu đơn quá lớn (10240 KB); tối đa 10 MB."),
    ],
)
def test_form_upload_refused(client, admin, catalogue, settings, tmp_path, content, message):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("mau.pdf", content, content_type="application/pdf")
    response = client.post("/procedures/1.001193/forms/", {"title": "Mẫu", "file": upload})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert ProcedureForm.objects.count() == 0
    assert not AuditEntry.objects.filter(action="procedure.form_attach").exists()


def test_form_upload_needs_admin(client, officer, catalogue, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("mau.pdf", b"%PDF-1.4 x", content_type="application/pdf")
    assert (
        client.post("/procedures/1.001193/forms/", {"title": "Mẫu", "file": upload}).status_code
        == 403
    )
    assert ProcedureForm.objects.count() == 0


def test_exports(client, officer, catalogue):
    response = client.get("/procedures/export.json")
    assert response.status_code == 200
    assert len(json.loads(response.content)) == 60
    xlsx = client.get("/procedures/export.xlsx")
    assert xlsx.status_code == 200
    assert xlsx.content.startswith(b"PK\x03\x04")


def test_import_page(client, admin, db):
    page = client.get("/procedures/import/")
    assert page.status_code == 200
    upload = SimpleUploadedFile("danh-muc.json", SEED_PATH.read_bytes())
    response = client.post("/procedures/import/", {"file": upload})
    assert response.status_code == 200
    assert "Đã nhập: thêm mới 60, cập nhật 0, không đổi 0." in response.content.decode()
    entry = AuditEntry.objects.get(action="procedure.catalogue_import")
    assert entry.actor_username == admin.username
    bad = SimpleUploadedFile(
        "x.json", json.dumps([{"name": "Thiếu mã", "field": "Hộ tịch"}]).encode()
    )
    response = client.post("/procedures/import/", {"file": bad})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Không nhập danh mục: 1 mục bị từ chối, chưa ghi gì." in html
    assert "Mục 1: Thiếu mã thủ tục." in html
    assert Procedure.objects.count() == 60


def test_import_page_needs_admin(client, officer, db):
    assert client.get("/procedures/import/").status_code == 403
