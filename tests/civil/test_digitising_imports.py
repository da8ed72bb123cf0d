"""Importing old register books from Excel/CSV in the background: text typed in TCVN3 or VNI
converted to Unicode, every refused row reported in Vietnamese and nothing of such a batch
written, the progress readable while it runs, over the API (202, then the status) and the pages
(a progress bar refreshed by htmx), run by the real database worker."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from openpyxl import Workbook

from tests.civil.test_digitising_urls import URLS
from tests.dossiers.world import bearer
from xaso.civil.digitising import services
from xaso.civil.digitising.errors import ImportFileInvalid
from xaso.civil.digitising.models import DigitisedEntry, ImportBatch
from xaso.civil.digitising.tasks import import_civil_batch
from xaso.civil.models import CivilBook, CivilParty, CivilRecord
from xaso.civil.selectors import record_search_for
from xaso.core.models import AuditEntry

pytestmark = [pytest.mark.django_db, pytest.mark.urls(URLS)]

# fmt: off
HEADER = ["Quyển số", "Số", "Trang", "Ngày đăng ký", "Họ", "Chữ đệm", "Tên", "Giới tính",
          "Ngày sinh", "Nơi sinh", "Họ tên mẹ", "Năm sinh mẹ"]
ROWS = [
    ["01", 1, 1, "05/01/1998", "Nguyễn", "Thị", "Hằng", "Nữ", "01/01/1998", "Trạm Y tế xã",
     "Trần Thị Mai", 1975],
    ["01", 2, 1, "06/01/1998", "Đặng", "Văn", "Đức", "Nam", "02/01/1998", "", "Lê Thị Hoa", 1976],
    ["01", 3, 2, "07/01/1998", "Lò", "", "Páo", "Nam", "03/01/1998", "", "Lò Thị Ún", 1970],
]
# The same rows as typed with a TCVN3 font (.VnTime): the characters of their bytes, headers too.
TCVN3_HEADER = ["QuyÓn sè", "Sè", "Trang", "Ngµy ®¨ng ký", "Hä", "Ch÷ ®Öm", "Tªn", "Giíi tÝnh",
                "Ngµy sinh", "N¬i sinh", "Hä tªn mÑ", "N¨m sinh mÑ"]
TCVN3_ROWS = [
    ["01", 1, 1, "05/01/1998", "NguyÔn", "ThÞ", "H»ng", "N÷", "01/01/1998", "Tr¹m Y tÕ x·",
     "TrÇn ThÞ Mai", 1975],
    ["01", 2, 1, "06/01/1998", "§Æng", "V¨n", "§øc", "Nam", "02/01/1998", "", "Lª ThÞ Hoa", 1976],
    ["01", 3, 2, "07/01/1998", "Lß", "", "P¸o", "Nam", "03/01/1998", "", "Lß ThÞ Uón", 1970],
]
# And with a VNI font (VNI-Times).
VNI_HEADER = ["Quyeån soá", "Soá", "Trang", "Ngaøy ñaêng kyù", "Hoï", "Chöõ ñeäm", "Teân",
              "Giôùi tính", "Ngaøy sinh", "Nôi sinh", "Hoï teân meï", "Naêm sinh meï"]
VNI_ROWS = [
    ["01", 1, 1, "05/01/1998", "Nguyeãn", "Thò", "Haèng", "Nöõ", "01/01/1998", "Traïm Y teá xaõ",
     "Traàn Thò Mai", 1975],
    ["01", 2, 1, "06/01/1998", "Ñaëng", "Vaên", "Ñöùc", "Nam", "02/01/1998", "", "Leâ Thò Hoa",
     1976],
    ["01", 3, 2, "07/01/1998", "Loø", "", "Paùo", "Nam", "03/01/1998", "", "Loø Thò UÙn", 1970],
]
# fmt: on
NAMES = ["Nguyễn Thị Hằng", "Đặng Văn Đức", "Lò Páo"]
MOTHERS = ["Trần Thị Mai", "Lê Thị Hoa", "Lò Thị Ún"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def xlsx(header, rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(header, rows, encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def upload(content: bytes, name: str = "so.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def nothing_written() -> bool:
    return (
        CivilRecord.objects.count() == CivilParty.objects.count() == CivilBook.objects.count() == 0
    )


def imported(w, content, name="so.xlsx", **kw) -> ImportBatch:
    batch = services.import_batch_request(
        actor=w.officer, event=kw.pop("event", "birth"), upload=upload(content, name), **kw
    )
    services.import_batch_run(batch_id=batch.pk)
    batch.refresh_from_db()
    return batch


def check_the_three(batch: ImportBatch, encoding: str) -> None:
    assert (batch.status, batch.total_rows, batch.imported_rows, batch.report) == ("done", 3, 3, [])
    assert batch.detected_encoding == encoding
    records = list(CivilRecord.objects.order_by("entry_number"))
    assert [(r.entry_number, r.page, r.registered_on) for r in records] == [
        (1, 1, date(1998, 1, 5)),
        (2, 1, date(1998, 1, 6)),
        (3, 2, date(1998, 1, 7)),
    ]
    children = [r.parties.get(role="child") for r in records]
    assert [c.full_name for c in children] == NAMES
    assert [c.sex for c in children] == ["female", "male", "male"]
    assert [r.parties.get(role="mother").full_name for r in records] == MOTHERS
    assert records[0].content["place_of_birth"] == "Trạm Y tế xã"
    marks = list(DigitisedEntry.objects.order_by("row"))
    assert [(m.source, m.batch, m.row) for m in marks] == [("import", batch, n) for n in (2, 3, 4)]
    legacy = encoding if encoding in ("tcvn3", "vni") else ""
    assert {m.legacy_encoding for m in marks} == {legacy}
    book = CivilBook.objects.get()
    assert (book.number, book.year, book.last_number, book.last_registered_on) == (
        "01",
        1998,
        3,
        date(1998, 1, 7),
    )


def test_unicode_excel_imports_whole(w):
    batch = imported(w, xlsx(HEADER, ROWS))
    check_the_three(batch, "unicode")
    [audit] = AuditEntry.objects.filter(action="civil.digitise_import")
    assert (audit.changes["rows"], audit.changes["books"]) == (3, ["01/1998"])
    found = record_search_for(actor=w.officer, q="dang van duc")
    assert [n.party("child").full_name for n in found.items] == ["Đặng Văn Đức"]


def test_tcvn3_text_is_converted(w):
    batch = imported(w, xlsx(TCVN3_HEADER, TCVN3_ROWS))
    check_the_three(batch, "tcvn3")


def test_vni_csv_bytes_are_converted(w):
    content = csv_bytes(VNI_HEADER, VNI_ROWS, encoding="cp1252")
    batch = imported(w, content, name="so-vni.csv")
    check_the_three(batch, "vni")


def test_utf8_csv_and_the_encoding_told(w):
    batch = imported(w, csv_bytes(HEADER, ROWS), name="so.csv", encoding="unicode")
    check_the_three(batch, "unicode")


def test_one_refused_row_and_nothing_is_imported(w):
    rows = [list(r) for r in ROWS] + [
        ["01", 4, 2, "31/02/1998", "Hà", "Thị", "Lan", "Nữ", "01/01/1998", "", "", ""],
        ["01", 5, 2, "08/01/1998", "Hà", "Văn", "", "X", "09/01/1998", "", "Hà Thị Mơ", 2001],
        ["01", 2, 3, "08/01/1998", "Cao", "Văn", "Bình", "Nam", "05/01/1998", "", "", ""],
        ["02", 6, 3, "08/01/1998", "Cao", "Thị", "Mai", "Nữ", "05/01/1998", "", "", ""],
    ]
    batch = imported(w, xlsx(HEADER, rows))
    assert (batch.status, batch.total_rows, batch.imported_rows) == ("rejected", 7, 0)
    assert batch.report == [
        {
            "row": 5,
            "column": "Ngày đăng ký",
            "message": "Không đọc được ngày «31/02/1998»: ghi theo dạng dd/mm/yyyy.",
        },
        {"row": 6, "column": "Giới tính", "message": "Giới tính «X» phải là Nam hoặc Nữ."},
        {"row": 7, "column": "Số", "message": "Số 2 của sổ năm 1998 trùng với dòng 3."},
        {
            "row": 8,
            "column": "Quyển số",
            "message": "Sổ năm 1998 ghi quyển số 01 ở dòng trên, 02 ở dòng này.",
        },
    ]
    assert nothing_written()
    # With the sex written, the row's other problems show too.
    rows[4][7] = "Nam"
    batch = imported(w, xlsx(HEADER, rows[:3] + [rows[4]]))
    assert batch.report == [
        {"row": 5, "column": "Tên", "message": "Cần nhập tên."},
        {
            "row": 5,
            "column": "Ngày sinh",
            "message": "Ngày 09/01/1998 sau ngày đăng ký 08/01/1998.",
        },
        {
            "row": 5,
            "column": "Năm sinh mẹ",
            "message": "Năm sinh của mẹ (2001) phải trước năm sinh của con (1998).",
        },
    ]
    assert nothing_written()


def test_numbers_already_in_the_books_refuse_the_batch(w):
    imported(w, xlsx(HEADER, ROWS[:1]))
    assert CivilRecord.objects.count() == 1
    batch = imported(w, xlsx(HEADER, ROWS))
    assert batch.status == "rejected"
    assert batch.report == [
        {"row": 2, "column": "Số", "message": "Sổ đăng ký khai sinh 01/1998 đã có mục số 1."}
    ]
    other = [["07", *r[1:]] for r in ROWS[1:]]
    batch = imported(w, xlsx(HEADER, other))
    assert [p["message"] for p in batch.report] == [
        "Sổ đăng ký khai sinh 1998 của cơ quan là quyển số 01, không phải quyển số 07."
    ] * 2
    assert CivilRecord.objects.count() == 1


def test_unreadable_files_are_refused_at_once(w):
    cases = [
        (b"", "so.csv", "Tệp rỗng."),
        (
            b"PK\x03\x04 not really a workbook",
            "so.xlsx",
            "Tệp không phải bảng tính Excel (.xlsx) đọc được.",
        ),
        (
            csv_bytes(["A", "B"], [[1, 2]]),
            "so.csv",
            "Không thấy dòng tiêu đề theo mẫu (các cột «Quyển số», «Số», «Trang», «Ngày đăng "
            "ký», «Họ», «Tên», «Giới tính», «Ngày sinh»).",
        ),
        (csv_bytes(HEADER[:4] + HEADER[5:], ROWS), "so.csv", "Thiếu cột «Họ»."),
        (csv_bytes(HEADER, []), "so.csv", "Tệp không có dòng nào sau dòng tiêu đề."),
    ]
    for content, name, message in cases:
        with pytest.raises(ImportFileInvalid) as exc:
            services.import_batch_request(
                actor=w.officer, event="birth", upload=upload(content, name)
            )
        assert exc.value.message == message
    assert ImportBatch.objects.count() == 0


def test_progress_is_told_as_rows_are_checked_then_written(
    w, client, django_capture_on_commit_callbacks
):
    rows = [
        ["01", n, 1 + n // 20, "05/01/1998", "Nguyễn", "Văn", "An", "Nam", "01/01/1998", "", "", ""]
        for n in range(1, 251)
    ]
    batch = services.import_batch_request(
        actor=w.officer, event="birth", upload=upload(xlsx(HEADER, rows))
    )
    seen: list[tuple[int, int, int]] = []
    polled: list[tuple[str, int]] = []
    headers = bearer(w.officer)

    def watch(progress):
        seen.append((progress.checked, progress.written, progress.total))
        if progress.checked == 200 and not progress.written:
            status = client.get(
                f"/api/v1/civil/digitising/imports/{batch.public_id}", **headers
            ).json()
            polled.append((status["status"], status["progress"]["percent"]))

    services.import_batch_run(batch_id=batch.pk, on_progress=watch)
    assert seen == [(0, 0, 250), (100, 0, 250), (200, 0, 250), (250, 0, 250), (250, 250, 250)]
    assert polled == [("running", 40)]
    batch.refresh_from_db()
    assert (batch.status, batch.imported_rows) == ("done", 250)
    final = client.get(f"/api/v1/civil/digitising/imports/{batch.public_id}", **headers).json()
    assert final["progress"] == {"checked": 250, "written": 250, "total": 250, "percent": 100}


def test_running_twice_imports_once_and_a_lost_role_imports_nothing(w):
    batch = services.import_batch_request(
        actor=w.officer, event="birth", upload=upload(xlsx(HEADER, ROWS))
    )
    assert services.import_batch_run(batch_id=batch.pk) == "done"
    assert services.import_batch_run(batch_id=batch.pk) == "done"
    assert CivilRecord.objects.count() == 3
    other = services.import_batch_request(
        actor=w.officer, event="birth", upload=upload(xlsx(HEADER, [["01", 9, *ROWS[0][2:]]]))
    )
    w.officer.roles.all().delete()
    assert services.import_batch_run(batch_id=other.pk) == "failed"
    other.refresh_from_db()
    assert (other.error, CivilRecord.objects.count()) == ("permission_denied", 3)


# --- API and pages ------------------------------------------------------------------------------


def test_api_upload_202_then_status(client, w, django_capture_on_commit_callbacks):
    url = "/api/v1/civil/digitising/imports"
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            url, {"file": upload(xlsx(HEADER, ROWS)), "event": "birth"}, **bearer(w.officer)
        )
    assert r.status_code == 202, r.content
    body = r.json()
    batch = ImportBatch.objects.get()
    assert (body["id"], body["status"], body["url"]) == (
        str(batch.public_id),
        "queued",
        f"{url}/{batch.public_id}",
    )
    status = client.get(body["url"], **bearer(w.officer)).json()
    assert (status["status"], status["imported_rows"], status["detected_encoding"]) == (
        "done",
        3,
        "unicode",
    )
    assert status["status_label"] == "Đã nhập xong"
    assert client.get(body["url"], **bearer(w.officer_b)).status_code == 404
    assert client.get(body["url"], **bearer(w.reception)).status_code == 404
    listed = client.get(url, **bearer(w.leader)).json()
    assert [b["id"] for b in listed] == [body["id"]]
    r = client.post(
        url, {"file": upload(xlsx(HEADER, ROWS)), "event": "birth"}, **bearer(w.reception)
    )
    assert (r.status_code, r.json()["code"]) == (403, "permission_denied")
    r = client.post(url, {"file": upload(b"", "x.csv"), "event": "birth"}, **bearer(w.officer))
    assert (r.status_code, r.json()["code"]) == (400, "import_file_invalid")
    assert ImportBatch.objects.count() == 1


def test_pages_upload_progress_and_report(client, w, django_capture_on_commit_callbacks):
    client.force_login(w.officer)
    bad = [
        list(ROWS[0]),
        ["01", 2, 1, "06/01/1998", "Đặng", "Văn", "Đức", "?", "02/01/1998", "", "", ""],
    ]
    r = client.post(
        "/civil/digitising/imports/",
        {"event": "birth", "encoding": "auto", "file": upload(xlsx(HEADER, bad))},
    )
    batch = ImportBatch.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/civil/digitising/imports/{batch.public_id}/"
    page = client.get(r["Location"])
    html = page.content.decode()
    assert page.context["running"] is True
    assert 'hx-trigger="every 1000ms"' in html and "<progress" in html
    partial = client.get(r["Location"], HTTP_HX_REQUEST="true")
    assert partial.templates[0].name == "civil/digitising/_batch_status.html"
    import_civil_batch.enqueue(batch.pk)
    done = client.get(r["Location"], HTTP_HX_REQUEST="true")
    html = done.content.decode()
    assert done.context["running"] is False and "hx-trigger" not in html
    assert "Giới tính «?» phải là Nam hoặc Nữ." in html
    assert CivilRecord.objects.count() == 0
    index = client.get("/civil/digitising/")
    assert [b.pk for b in index.context["batches"]] == [batch.pk]
    r = client.post(
        "/civil/digitising/imports/",
        {"event": "birth", "encoding": "auto", "file": upload(b"x,y\n", "a.csv")},
    )
    assert r.status_code == 400
    assert "Không thấy dòng tiêu đề theo mẫu" in r.content.decode()


# The worker closes its database connection after each task, as in production: on PostgreSQL
# that ends a test's wrapping transaction, so this test commits for real.
@pytest.mark.django_db(transaction=True)
def test_imported_by_the_database_worker(client, w, settings, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            "/api/v1/civil/digitising/imports",
            {"file": upload(xlsx(TCVN3_HEADER, TCVN3_ROWS)), "event": "birth"},
            **bearer(w.officer),
        )
    assert r.status_code == 202
    batch = ImportBatch.objects.get()
    [queued] = DBTaskResult.objects.filter(
        task_path="xaso.civil.digitising.tasks.import_civil_batch"
    )
    assert queued.args_kwargs == {"args": [batch.pk], "kwargs": {}}
    assert client.get(r.json()["url"], **bearer(w.officer)).json()["status"] == "queued"
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    batch.refresh_from_db()
    check_the_three(batch, "tcvn3")
