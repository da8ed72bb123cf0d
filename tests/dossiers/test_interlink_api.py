"""The liên thông endpoints: send, list with statuses, send the result back (multipart); the
error shape of the API; refused calls change nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from ninja import NinjaAPI
from ninja.testing import TestClient

from tests.dossiers.test_interlink_world import RESULT, LinkWorld, build_link_world, read, scanned
from tests.dossiers.world import bearer, state
from xaso.dossiers import services
from xaso.dossiers.models import DossierAttachment, DossierInterlink, Status
from xaso.exchange.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.MEDIA_ROOT = str(tmp_path)
    settings.XASO_EXCHANGE_SEND_AT_ONCE = False


_TEST_API: NinjaAPI | None = None


def _api() -> NinjaAPI:
    """An API with the router and the error handlers of /api/v1 (the shape ``{"code",
    "message", "fields"}``), whether or not /api/v1 mounts the router yet."""
    global _TEST_API
    import xaso.api
    from xaso.dossiers.interlink_api import router

    if _TEST_API is None:
        _TEST_API = NinjaAPI(urls_namespace="interlink-test")
        _TEST_API._exception_handlers = dict(xaso.api.api._exception_handlers)
        _TEST_API.add_router("/", router)
    return _TEST_API


@pytest.fixture
def lw(db) -> LinkWorld:
    return build_link_world()


def client(staff) -> TestClient:
    token = bearer(staff)["HTTP_AUTHORIZATION"]
    return TestClient(_api(), headers={"Authorization": token})


def test_send_list_and_result_over_http(lw: LinkWorld, django_capture_on_commit_callbacks):
    d = scanned(lw)
    with django_capture_on_commit_callbacks(execute=True):
        r = client(lw.w.reception).post(
            f"/dossiers/{d.code}/interlink", json={"to": "H98.90", "note": "Chuyển Sở"}
        )
    assert r.status_code == 201, r.json()
    body = r.json()
    # Answered before delivery (after commit): sent; P's code comes back with "registered".
    assert (body["direction"], body["peer_code"], body["status"], body["outcome"]) == (
        "out",
        "H98.90",
        "sent",
        None,
    )
    mine = DossierInterlink.objects.get(direction="in").dossier

    listed = client(lw.w.leader).get(f"/dossiers/{d.code}/interlink").json()
    assert [(x["id"], x["status"], x["status_label"], x["peer_dossier_code"]) for x in listed] == [
        (body["id"], "registered", "Đã tiếp nhận, vào sổ", mine.code)
    ]
    theirs = client(lw.reception_p).get(f"/dossiers/{mine.code}/interlink").json()
    assert [(x["direction"], x["peer_dossier_code"]) for x in theirs] == [("in", d.code)]

    # At P: processed and approved, the clerk sends the result with its file.
    with django_capture_on_commit_callbacks(execute=True):
        mine = services.dossier_assign(actor=lw.reception_p, dossier=mine, assignee=lw.specialist_p)
    mine = services.dossier_forward(
        actor=lw.specialist_p, dossier=mine, assignee=lw.leader_p, step=3
    )
    services.dossier_approve(actor=lw.leader_p, dossier=mine)
    with django_capture_on_commit_callbacks(execute=True):
        r = client(lw.clerk_p).post(
            f"/dossiers/{mine.code}/interlink/result",
            data={"outcome": "approved"},
            FILES={"file": SimpleUploadedFile("kq.pdf", RESULT)},
        )
    assert r.status_code == 201, r.json()
    assert (r.json()["outcome"], r.json()["status"]) == ("approved", "completed")
    assert r.json()["result_file"].startswith(f"/api/v1/dossiers/{mine.code}/attachments/")

    listed = client(lw.w.reception).get(f"/dossiers/{d.code}/interlink").json()
    assert (listed[0]["status"], listed[0]["outcome"]) == ("completed", "approved")
    public_id = listed[0]["result_file"].rsplit("/", 1)[1]
    assert read(DossierAttachment.objects.get(public_id=public_id)) == RESULT
    d.refresh_from_db()
    assert d.status == Status.RESULT_READY


def test_refusals_have_the_error_shape_and_change_nothing(
    lw: LinkWorld, django_capture_on_commit_callbacks
):
    d = scanned(lw)
    before = (state(), DossierInterlink.objects.count(), OutboxMessage.objects.count())
    cases = [
        (lw.w.specialist, {"to": "H98.90"}, 403, "permission_denied"),
        (lw.w.leader, {"to": "H00.00"}, 400, "interlink_target_invalid"),
        (lw.w.leader, {"to": "H98.01"}, 400, "interlink_target_invalid"),
        (lw.leader_p, {"to": "H98.90"}, 404, "not_found"),
    ]
    for who, payload, status, code in cases:
        with django_capture_on_commit_callbacks(execute=True):
            r = client(who).post(f"/dossiers/{d.code}/interlink", json=payload)
        assert r.status_code == status, r.json()
        assert set(r.json()) == {"code", "message", "fields"}
        assert r.json()["code"] == code
        assert r.json()["message"]
    # A dossier that did not come by liên thông has no result to send.
    r = client(lw.w.leader).post(
        f"/dossiers/{d.code}/interlink/result", data={"outcome": "refused", "reason": "x"}
    )
    assert (r.status_code, r.json()["code"]) == (404, "interlink_not_incoming")
    r = client(lw.w.leader).get("/dossiers/H98.01-000000-0001/interlink")
    assert r.status_code == 404
    assert (state(), DossierInterlink.objects.count(), OutboxMessage.objects.count()) == before


def test_result_refusals_over_http(lw: LinkWorld, django_capture_on_commit_callbacks):
    d = scanned(lw)
    with django_capture_on_commit_callbacks(execute=True):
        client(lw.w.leader).post(f"/dossiers/{d.code}/interlink", json={"to": "H98.90"})
    mine = DossierInterlink.objects.get(direction="in").dossier
    before = (state(), OutboxMessage.objects.count())
    url = f"/dossiers/{mine.code}/interlink/result"
    cases = [
        (lw.specialist_p, {"outcome": "refused", "reason": "x"}, 403, "permission_denied"),
        (lw.leader_p, {"outcome": "approved"}, 409, "transition_not_allowed"),
        (lw.leader_p, {"outcome": "refused"}, 400, "reason_required"),
        (lw.leader_p, {"outcome": "other"}, 400, "interlink_outcome_invalid"),
    ]
    for who, data, status, code in cases:
        r = client(who).post(url, data=data)
        assert (r.status_code, r.json()["code"]) == (status, code), r.json()
    r = client(lw.leader_p).post(
        url,
        data={"outcome": "refused", "reason": "x"},
        FILES={"file": SimpleUploadedFile("a.txt", b"plain text")},
    )
    assert (r.status_code, r.json()["code"]) == (400, "attachment_type_unsupported")
    assert (state(), OutboxMessage.objects.count()) == before
    # The leader refuses with a reason: A's dossier is refused with it.
    with django_capture_on_commit_callbacks(execute=True):
        r = client(lw.leader_p).post(url, data={"outcome": "refused", "reason": "Sai thẩm quyền"})
    assert r.status_code == 201
    d.refresh_from_db()
    assert (d.status, d.refusal_reason) == ("refused", "Sai thẩm quyền")
    r = client(lw.leader_p).post(url, data={"outcome": "refused", "reason": "lần hai"})
    assert (r.status_code, r.json()["code"]) == (409, "interlink_result_sent")
