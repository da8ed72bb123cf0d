"""Scans over the API: upload (multipart), list and download, agency-scoped (404 outside), by
bearer token or session; every bad input refused with its stable code and nothing written."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.dossiers.test_attachments import JPEG, PDF, PNG
from tests.dossiers.world import World, bearer, drive, receive, state
from xaso.core.models import AuditEntry
from xaso.dossiers.models import DossierAttachment, Status
from xaso.dossiers.services import attachments
from xaso.procedures.models import ProcedureDocument


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def files_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def url(code: str, attachment: str = "") -> str:
    return f"/api/v1/dossiers/{code}/attachments" + (f"/{attachment}" if attachment else "")


def post(client: Client, code: str, headers: dict[str, str], **data: object):
    return client.post(url(code), data, **headers)


def scan(content: bytes = PDF, name: str = "to-khai.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture
def d(world: World):
    """A dossier in processing with document 1 of its procedure ticked at the counter."""
    dossier = receive(world, checklist=[{"document": 1, "originals": 1}])
    from xaso.dossiers import services

    return services.dossier_assign(actor=world.all_a, dossier=dossier, assignee=world.specialist)


def test_upload_list_and_download(client, world, d, media):
    first_doc = ProcedureDocument.objects.get(procedure__code=d.procedure.code, order=1).name
    r = post(client, d.code, bearer(world.reception), file=scan(), title=" Tờ  khai ", checklist=1)
    assert r.status_code == 201, r.content
    body = r.json()
    stored = DossierAttachment.objects.get()
    assert body == {
        "id": str(stored.public_id),
        "title": "Tờ khai",
        "content_type": "application/pdf",
        "size": len(PDF),
        "sha256": hashlib.sha256(PDF).hexdigest(),
        "checklist": 1,
        "checklist_name": first_doc,
        "uploaded_at": body["uploaded_at"],
        "uploaded_by": "tiepnhan",
        "url": f"/api/v1/dossiers/{d.code}/attachments/{stored.public_id}",
    }
    assert body["uploaded_at"].endswith("+07:00")
    # By the specialist, without a title: the file's name is the title; a JPEG called .png.
    r = post(client, d.code, bearer(world.specialist), file=scan(JPEG, "ảnh chụp.png"))
    assert r.status_code == 201, r.content
    assert (r.json()["title"], r.json()["content_type"], r.json()["checklist"]) == (
        "ảnh chụp.png",
        "image/jpeg",
        None,
    )

    listed = client.get(url(d.code), **bearer(world.leader))
    assert listed.status_code == 200
    assert [(a["title"], a["content_type"]) for a in listed.json()] == [
        ("Tờ khai", "application/pdf"),
        ("ảnh chụp.png", "image/jpeg"),
    ]
    assert listed.json()[0] == body

    reads = AuditEntry.objects.filter(action="dossier.attachment_read")
    r = client.get(body["url"], **bearer(world.leader))
    assert r.status_code == 200
    assert b"".join(r.streaming_content) == PDF
    assert r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"] == "attachment; filename*=utf-8''T%E1%BB%9D%20khai.pdf"
    assert (r["X-Content-Type-Options"], r["Cache-Control"]) == ("nosniff", "private, no-store")
    [entry] = reads
    assert (entry.actor_id, entry.changes) == (world.leader.pk, {"dossier": d.code})
    assert len(files_in(media)) == 2
    upload = AuditEntry.objects.filter(action="dossier.attach").order_by("seq").first()
    assert upload.changes == {
        "dossier": d.code,
        "content_type": "application/pdf",
        "size": len(PDF),
        "sha256": hashlib.sha256(PDF).hexdigest(),
    }


def test_the_session_works_too_with_its_csrf_token(world, d):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.reception)
    assert browser.get(url(d.code)).json() == []
    refused = browser.post(url(d.code), {"file": scan()})
    assert refused.status_code == 403
    assert DossierAttachment.objects.count() == 0
    browser.get("/dossiers/")  # any page sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    r = browser.post(url(d.code), {"file": scan()}, HTTP_X_CSRFTOKEN=token)
    assert r.status_code == 201, r.content
    assert browser.get(r.json()["url"]).status_code == 200


def test_without_credentials_401(client, d):
    assert post(client, d.code, {}, file=scan()).status_code == 401
    assert client.get(url(d.code)).status_code == 401
    assert DossierAttachment.objects.count() == 0


TOO_LARGE = "Tệp quá lớn (0 KB); tối đa 0 MB."
NOT_A_SCAN = "Chỉ nhận bản quét dạng PDF, JPEG hoặc PNG; nội dung tệp này không phải các dạng đó."


@pytest.mark.parametrize(
    ("data", "status", "code", "message", "fields"),
    [
        ({}, 422, "validation_error", None, {"file": ["Trường này là bắt buộc."]}),
        (
            {"file": scan(b"")},
            400,
            "attachment_empty",
            "Tệp đính kèm rỗng.",
            {"file": ["Tệp rỗng."]},
        ),
        (
            {"file": scan(PDF + b"x" * 20)},
            400,
            "attachment_too_large",
            TOO_LARGE,
            {"file": ["Tệp quá lớn."]},
        ),
        (
            {"file": scan(b"PK\x03\x04 a zip called pdf", "scan.pdf")},
            400,
            "attachment_type_unsupported",
            NOT_A_SCAN,
            {"file": ["Sai định dạng."]},
        ),
        (
            {"file": scan(b"MZ\x90\x00 a program", "scan.png")},
            400,
            "attachment_type_unsupported",
            NOT_A_SCAN,
            {"file": ["Sai định dạng."]},
        ),
        (
            {"file": scan(), "checklist": 7},
            400,
            "attachment_checklist_unknown",
            "Hồ sơ không có giấy tờ số 7.",
            {"checklist": ["Không có giấy tờ này."]},
        ),
        (
            {"file": scan(), "checklist": 0},
            422,
            "validation_error",
            None,
            {"checklist": ["Phải lớn hơn hoặc bằng 1."]},
        ),
        (
            {"file": scan(), "checklist": "một"},
            422,
            "validation_error",
            None,
            {"checklist": ["Phải là số nguyên."]},
        ),
        (
            {"file": scan(), "title": "x" * 301},
            422,
            "validation_error",
            None,
            {"title": ["Quá dài."]},
        ),
    ],
    ids=[
        "no-file",
        "empty",
        "too-large",
        "zip",
        "program",
        "unknown-document",
        "document-zero",
        "document-not-a-number",
        "title-too-long",
    ],
)
def test_bad_input_is_refused_and_writes_nothing(
    client, world, d, media, monkeypatch, data, status, code, message, fields
):
    monkeypatch.setattr(attachments, "ATTACHMENT_MAX_BYTES", len(PDF) + 10)
    if code == "attachment_too_large":
        message = f"Tệp quá lớn ({(len(PDF) + 20) // 1024} KB); tối đa 0 MB."
    before = state()
    r = post(client, d.code, bearer(world.reception), **data)
    assert r.status_code == status, r.content
    body = r.json()
    assert (body["code"], body["fields"]) == (code, fields)
    if message is not None:
        assert body["message"] == message
    assert state() == before
    assert DossierAttachment.objects.count() == 0
    assert files_in(media) == []


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("leader", 403, "permission_denied"),
        ("clerk", 403, "permission_denied"),
        ("admin", 404, "not_found"),
        ("supervisor", 404, "not_found"),
        ("reception_b", 404, "not_found"),
        ("reception_c", 404, "not_found"),
    ],
)
def test_who_may_upload(client, world, d, media, who, status, code):
    before = state()
    r = post(client, d.code, bearer(getattr(world, who)), file=scan())
    assert (r.status_code, r.json()["code"]) == (status, code)
    assert state() == before and files_in(media) == []


def test_no_upload_to_a_closed_dossier(client, world, media):
    d = drive(world, Status.RETURNED)
    r = post(client, d.code, bearer(world.reception), file=scan())
    assert (r.status_code, r.json()["code"]) == (409, "transition_not_allowed")
    assert DossierAttachment.objects.count() == 0 and files_in(media) == []


def test_unknown_dossier_404(client, world):
    r = post(client, "H98.01-260910-9999", bearer(world.reception), file=scan())
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    assert client.get(url("H98.01-260910-9999"), **bearer(world.reception)).status_code == 404


def test_list_and_download_stay_in_the_agencies(client, world, d):
    r = post(client, d.code, bearer(world.reception), file=scan(PNG, "a.png"))
    scan_url = r.json()["url"]
    other = drive(world, Status.RECEIVED)  # another dossier of the same agency
    reads = AuditEntry.objects.filter(action="dossier.attachment_read")
    for who in ("admin", "supervisor", "reception_b", "reception_c"):
        headers = bearer(getattr(world, who))
        assert client.get(url(d.code), **headers).status_code == 404
        assert client.get(scan_url, **headers).status_code == 404
    headers = bearer(world.reception)
    attachment_id = scan_url.rsplit("/", 1)[1]
    for wrong in (
        url(d.code, str(uuid.uuid4())),
        url(d.code, "not-a-uuid"),
        url(other.code, attachment_id),  # a scan asked for through another dossier
        url("H98.01-260910-9999", attachment_id),
    ):
        r = client.get(wrong, **headers)
        assert (r.status_code, r.json()["code"]) == (404, "not_found"), wrong
    assert client.get(scan_url).status_code == 401
    assert reads.count() == 0
    assert client.get(url(other.code), **headers).json() == []
