"""Sổ theo dõi hồ sơ for a long period, made in the background: asked for over the API or the
page, made by the real database worker (db_worker), polled, downloaded by the official who
asked and by nobody else, refused with stable codes, deleted after a day; the direct download
refuses a book too large to print while the caller waits. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from tests import factories
from tests.dossiers.documents import pdftools
from tests.dossiers.test_slips import book_dossiers, name_world
from tests.dossiers.world import World, bearer
from xaso.core.models import AuditEntry
from xaso.dossiers import api_documents
from xaso.dossiers.documents.excel import HEADER_ROW
from xaso.dossiers.models import TrackingBookExport
from xaso.dossiers.tasks import build_tracking_book
from xaso.org.models import StaffRole

CODES = ["H98.01-260910-0001", "H98.01-260911-0001", "H98.01-260914-0001"]
URL = "/api/v1/tracking-book/exports"
PERIOD = {"from": "2026-09-10", "to": "2026-09-14"}


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def w(world: World, media, settings) -> World:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    name_world(world)
    book_dossiers(world)
    return world


def ask(client, staff, body=None):
    """POST an export; ``staff`` None sends no credentials. The task runs (ImmediateBackend)
    only where the test commits the callbacks, as the worker runs only after commit."""
    headers = bearer(staff) if staff is not None else {}
    payload = json.dumps(body or {**PERIOD, "format": "xlsx"})
    return client.post(URL, payload, content_type="application/json", **headers)


@pytest.fixture
def made(client, django_capture_on_commit_callbacks):
    """Ask for a book and let its task run after the commit."""

    def run(staff, body=None):
        with django_capture_on_commit_callbacks(execute=True):
            response = ask(client, staff, body)
        return response

    return run


def files_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def xlsx_codes(content: bytes) -> list[str]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [row[1].value for row in sheet.iter_rows(min_row=HEADER_ROW + 1) if row[1].value]


# The worker closes its database connection after each task, as in production: on PostgreSQL
# that ends a test's wrapping transaction, so this test commits for real.
@pytest.mark.django_db(transaction=True)
def test_made_by_the_database_worker_then_downloaded(
    client, w, settings, media, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        r = ask(client, w.leader)
    assert r.status_code == 202, r.content
    body = r.json()
    export = TrackingBookExport.objects.get()
    assert body == {
        "id": str(export.public_id),
        "status": "queued",
        "status_label": "Đang chờ lập",
        "format": "xlsx",
        "from": "2026-09-10",
        "to": "2026-09-14",
        "created_at": body["created_at"],
        "finished_at": None,
        "rows": None,
        "size": 0,
        "error": "",
        "url": f"{URL}/{export.public_id}",
        "download_url": None,
    }
    [queued] = DBTaskResult.objects.filter(task_path="xaso.dossiers.tasks.build_tracking_book")
    assert queued.args_kwargs == {"args": [export.pk], "kwargs": {}}
    assert client.get(body["url"], **bearer(w.leader)).json()["status"] == "queued"
    r = client.get(f"{body['url']}/file", **bearer(w.leader))
    assert (r.status_code, r.json()["code"]) == (409, "tracking_book_export_not_ready")

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    status = client.get(body["url"], **bearer(w.leader)).json()
    assert (status["status"], status["rows"], status["error"]) == ("done", 3, "")
    assert status["download_url"] == f"{URL}/{export.public_id}/file"
    r = client.get(status["download_url"], **bearer(w.leader))
    assert r.status_code == 200
    content = b"".join(r.streaming_content)
    assert len(content) == status["size"]
    assert r["Content-Disposition"] == (
        'attachment; filename="so-theo-doi-ho-so-20260910-20260914.xlsx"'
    )
    assert xlsx_codes(content) == CODES
    audit = list(
        AuditEntry.objects.filter(action__startswith="dossier.tracking_book")
        .order_by("seq")
        .values_list("action", "actor_username")
    )
    assert audit == [
        ("dossier.tracking_book_export", "lanhdao"),
        ("dossier.tracking_book", "lanhdao"),
        ("dossier.tracking_book_download", "lanhdao"),
    ]
    assert len(files_in(media)) == 1


def test_pdf_for_a_whole_year(client, w, made):
    r = made(w.reception, {"from": "2026-01-01", "to": "2026-12-31", "format": "pdf"})
    assert r.status_code == 202
    status = client.get(r.json()["url"], **bearer(w.reception)).json()
    assert (status["status"], status["rows"]) == ("done", 4)  # and the one of 09/09
    r = client.get(status["download_url"], **bearer(w.reception))
    assert (r.status_code, r["Content-Type"]) == (200, "application/pdf")
    text = " ".join(" ".join(line) for line in pdftools.text_lines(b"".join(r.streaming_content)))
    assert "Từ ngày 01/01/2026 đến ngày 31/12/2026" in text
    for code in ["H98.01-260909-0001", *CODES]:
        assert code in text


def test_asking_again_while_it_is_made_gives_the_same_book(client, w, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    first = ask(client, w.leader).json()
    assert ask(client, w.leader).json()["id"] == first["id"]
    other = ask(client, w.leader, {**PERIOD, "format": "pdf"}).json()
    assert other["id"] != first["id"]
    assert TrackingBookExport.objects.count() == 2
    assert AuditEntry.objects.filter(action="dossier.tracking_book_export").count() == 2
    listed = client.get(URL, **bearer(w.leader)).json()
    assert [e["id"] for e in listed] == [other["id"], first["id"]]


@pytest.mark.parametrize(
    ("who", "body", "status", "code", "fields"),
    [
        ("specialist", None, 403, "permission_denied", {}),
        ("clerk", None, 403, "permission_denied", {}),
        ("admin", None, 403, "permission_denied", {}),
        ("supervisor", None, 403, "permission_denied", {}),
        (
            "reception",
            {"from": "2026-09-14", "to": "2026-09-10", "format": "pdf"},
            400,
            "invalid_input",
            {"to": ["Phải từ ngày bắt đầu trở đi."]},
        ),
        (
            "reception",
            {"from": "2026-01-01", "to": "2027-01-02", "format": "pdf"},
            400,
            "invalid_input",
            {"to": ["Khoảng thời gian quá dài."]},
        ),
        (
            "reception",
            {**PERIOD, "format": "docx"},
            422,
            "validation_error",
            {"format": ["Giá trị không nằm trong danh sách cho phép."]},
        ),
        (
            "reception",
            {"from": "2026-09-10", "format": "pdf"},
            422,
            "validation_error",
            {"to": ["Trường này là bắt buộc."]},
        ),
        (
            "reception",
            {"from": "10/09/2026", "to": "2026-09-14", "format": "pdf"},
            422,
            "validation_error",
            {"from": ["Không phải ngày hợp lệ (YYYY-MM-DD)."]},
        ),
    ],
)
def test_refusals_write_nothing(client, w, who, body, status, code, fields):
    before = AuditEntry.objects.count()
    r = ask(client, getattr(w, who), body)
    assert (r.status_code, r.json()["code"], r.json()["fields"]) == (status, code, fields)
    assert TrackingBookExport.objects.count() == 0
    assert AuditEntry.objects.count() == before


def test_without_credentials_401(client, w):
    assert ask(client, None).status_code == 401
    assert client.get(URL).status_code == 401


def test_only_the_official_who_asked_sees_the_book(client, w, made):
    book = made(w.reception).json()
    assert book["status"] == "queued"  # answered before the worker ran
    assert client.get(book["url"], **bearer(w.reception)).json()["status"] == "done"
    colleague = factories.staff(agency_obj=w.a, roles=("reception",), username="tiepnhan2")
    for staff in (colleague, w.leader, w.reception_b):
        for path in (book["url"], f"{book['url']}/file"):
            r = client.get(path, **bearer(staff))
            assert (r.status_code, r.json()["code"]) == (404, "not_found"), (staff, path)
        assert client.get(URL, **bearer(staff)).json() == []
    for wrong in ("not-a-uuid", "00000000-0000-4000-8000-000000000000"):
        assert client.get(f"{URL}/{wrong}", **bearer(w.reception)).status_code == 404
    assert AuditEntry.objects.filter(action="dossier.tracking_book_download").count() == 0


def test_a_role_lost_before_the_book_is_made(client, w, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    made = ask(client, w.leader).json()
    StaffRole.objects.filter(staff=w.leader, role="leader").delete()
    export = TrackingBookExport.objects.get()
    assert build_tracking_book.call(export.pk) == "failed"
    export.refresh_from_db()
    assert (export.status, export.error, export.file.name) == ("failed", "permission_denied", "")
    assert not AuditEntry.objects.filter(action="dossier.tracking_book").exists()
    StaffRole.objects.create(staff=w.leader, role="leader")
    r = client.get(f"{made['url']}/file", **bearer(w.leader))
    assert (r.status_code, r.json()["code"]) == (409, "tracking_book_export_failed")


def test_running_the_task_again_does_nothing_more(client, w, settings, media):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    ask(client, w.leader)
    export = TrackingBookExport.objects.get()
    # Being made by a live worker: left alone; by one dead for 30 minutes: taken over.
    TrackingBookExport.objects.filter(pk=export.pk).update(
        status="running", started_at=timezone.now()
    )
    assert build_tracking_book.call(export.pk) == "running"
    assert files_in(media) == []
    TrackingBookExport.objects.filter(pk=export.pk).update(
        started_at=timezone.now() - timedelta(minutes=31)
    )
    assert build_tracking_book.call(export.pk) == "done"
    assert build_tracking_book.call(export.pk) == "done"
    assert len(files_in(media)) == 1
    assert AuditEntry.objects.filter(action="dossier.tracking_book").count() == 1
    assert build_tracking_book.call(987654) == "missing"


def test_a_renderer_failure_fails_the_export(client, w, settings, monkeypatch, media):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    ask(client, w.leader, {**PERIOD, "format": "pdf"})

    def broken(book):
        raise MemoryError

    monkeypatch.setattr("xaso.dossiers.documents.render_tracking_book_pdf", broken)
    export = TrackingBookExport.objects.get()
    assert build_tracking_book.call(export.pk) == "failed"
    export.refresh_from_db()
    assert (export.status, export.error) == ("failed", "render_failed")
    assert files_in(media) == []


def test_the_file_is_deleted_after_a_day(
    client, w, media, made, django_capture_on_commit_callbacks
):
    first = made(w.leader).json()
    assert len(files_in(media)) == 1
    TrackingBookExport.objects.update(created_at=timezone.now() - timedelta(hours=25))
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, w.leader, {**PERIOD, "format": "pdf"})
    old = TrackingBookExport.objects.get(public_id=first["id"])
    assert (old.status, old.file.name) == ("expired", "")
    assert len(files_in(media)) == 1  # only the new book's
    r = client.get(f"{first['url']}/file", **bearer(w.leader))
    assert (r.status_code, r.json()["code"]) == (410, "tracking_book_export_expired")
    assert client.get(first["url"], **bearer(w.leader)).json()["download_url"] is None


def test_the_direct_download_refuses_a_book_too_large(client, w, monkeypatch):
    monkeypatch.setattr(api_documents, "DIRECT_MAX_ROWS", {"pdf": 2, "xlsx": 3})
    before = AuditEntry.objects.count()
    r = client.get("/api/v1/tracking-book.pdf?from=2026-09-10&to=2026-09-14", **bearer(w.leader))
    assert (r.status_code, r.json()) == (
        409,
        {
            "code": "tracking_book_too_large",
            "message": "Sổ có 3 hồ sơ, quá 2 hồ sơ để lập ngay: hãy yêu cầu lập sổ trong nền "
            "(POST /api/v1/tracking-book/exports) rồi tải về khi xong.",
            "fields": {},
        },
    )
    assert AuditEntry.objects.count() == before
    r = client.get("/api/v1/tracking-book.xlsx?from=2026-09-10&to=2026-09-14", **bearer(w.leader))
    assert r.status_code == 200
    assert xlsx_codes(r.content) == CODES


# --- the page ---------------------------------------------------------------------------------


def test_the_page_asks_lists_and_links_the_download(client, w, django_capture_on_commit_callbacks):
    client.force_login(w.reception)
    page = client.get("/dossiers/tracking-book/")
    assert page.status_code == 200
    today = timezone.localdate()
    assert page.context["form"].initial["start"] == dt.date(today.year, 1, 1)
    assert "Chưa yêu cầu lập sổ nào." in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            "/dossiers/tracking-book/",
            {"start": "10/09/2026", "end": "14/09/2026", "format": "xlsx"},
        )
    assert (r.status_code, r["Location"]) == (302, "/dossiers/tracking-book/")
    html = client.get("/dossiers/tracking-book/").content.decode()
    export = TrackingBookExport.objects.get()
    assert "Đã yêu cầu lập sổ." in html
    assert "10/09/2026 – 14/09/2026" in html and "Đã lập xong" in html
    assert f'href="{URL}/{export.public_id}/file"' in html
    r = client.get(f"{URL}/{export.public_id}/file")  # the session opens it too
    assert xlsx_codes(b"".join(r.streaming_content)) == CODES


def test_the_page_says_what_is_wrong(client, w, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    client.force_login(w.reception)
    r = client.post(
        "/dossiers/tracking-book/", {"start": "14/09/2026", "end": "10/09/2026", "format": "pdf"}
    )
    assert r.status_code == 400
    assert "Ngày kết thúc phải từ ngày bắt đầu trở đi." in r.content.decode()
    r = client.post(
        "/dossiers/tracking-book/", {"start": "31/02/2026", "end": "10/09/2026", "format": "pdf"}
    )
    assert r.status_code == 400
    client.post(
        "/dossiers/tracking-book/", {"start": "01/09/2026", "end": "14/09/2026", "format": "pdf"}
    )
    html = client.get("/dossiers/tracking-book/").content.decode()
    assert "Có sổ đang được lập." in html and "Đang chờ lập" in html
    assert TrackingBookExport.objects.count() == 1
    for staff in (w.specialist, w.admin):
        client.force_login(staff)
        assert client.get("/dossiers/tracking-book/").status_code == 403
