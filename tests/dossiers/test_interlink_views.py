"""The "Liên thông" section of the dossier page: the transfer form (agencies of the directory),
the rows with their statuses, the incoming dossier's origin and result form; refusals shown on
the page and nothing changed."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.dossiers.test_interlink_world import RESULT, LinkWorld, build_link_world, read, scanned
from tests.dossiers.world import state
from xaso.dossiers import services
from xaso.dossiers.models import DossierInterlink, Status
from xaso.exchange.models import Node, RemoteAgency

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.MEDIA_ROOT = str(tmp_path)
    settings.XASO_EXCHANGE_SEND_AT_ONCE = False


@pytest.fixture
def lw(db) -> LinkWorld:
    return build_link_world()


def page(client, staff, code):
    client.force_login(staff)
    r = client.get(f"/dossiers/{code}/")
    assert r.status_code == 200
    return r.content.decode()


def test_send_from_the_page_and_result_back(
    client, lw: LinkWorld, django_capture_on_commit_callbacks
):
    node = Node.objects.create(code="NODE-TW", name="Nút trung ương", base_url="https://tw.example")
    RemoteAgency.objects.create(code="G01.01", name="Bộ Tư pháp", node=node)
    d = scanned(lw)
    html = page(client, lw.w.reception, d.code)
    assert 'data-testid="interlink"' in html and "Chuyển liên thông" in html
    # The directory: this node's agencies and those of other nodes, not the dossier's own.
    assert 'value="H98.90"' in html and 'value="G01.01"' in html
    assert 'value="H98.01"' not in html
    # The specialist may not transfer a received dossier: no form.
    assert "Chuyển liên thông" not in page(client, lw.w.specialist, d.code)

    client.force_login(lw.w.reception)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            f"/dossiers/{d.code}/interlink/",
            {"interlink-to": "H98.90", "interlink-note": "Chuyển Sở"},
        )
    assert r.status_code == 302
    mine = DossierInterlink.objects.get(direction="in").dossier
    html = page(client, lw.w.reception, d.code)
    assert 'data-status="registered"' in html and mine.code in html
    assert "Sở Tư pháp tỉnh Thử Nghiệm" in html
    # Transferred: no second transfer form.
    assert 'data-action="interlink"' not in html

    # At P: where it came from, and the result form.
    html = page(client, lw.leader_p, mine.code)
    assert 'data-testid="interlink-incoming"' in html and d.code in html
    assert 'data-action="interlink-result"' in html
    with django_capture_on_commit_callbacks(execute=True):
        mine = services.dossier_assign(actor=lw.reception_p, dossier=mine, assignee=lw.specialist_p)
    mine = services.dossier_forward(
        actor=lw.specialist_p, dossier=mine, assignee=lw.leader_p, step=3
    )
    services.dossier_approve(actor=lw.leader_p, dossier=mine)
    html = page(client, lw.w.reception, d.code)
    assert 'data-status="processing"' in html
    client.force_login(lw.leader_p)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            f"/dossiers/{mine.code}/interlink/result/",
            {"result-outcome": "approved", "result-file": SimpleUploadedFile("kq.pdf", RESULT)},
        )
    assert r.status_code == 302, r.content.decode()[:2000]
    assert 'data-action="interlink-result"' not in page(client, lw.leader_p, mine.code)
    html = page(client, lw.w.reception, d.code)
    assert 'data-status="completed"' in html and "Tệp kết quả" in html
    row = DossierInterlink.objects.get(direction="out")
    assert read(row.result_attachment) == RESULT
    d.refresh_from_db()
    assert d.status == Status.RESULT_READY


def test_refusals_are_shown_and_change_nothing(
    client, lw: LinkWorld, django_capture_on_commit_callbacks
):
    d = scanned(lw)
    # The page shown with a refusal is an audited read of the applicant: compare all but the log.
    before = (state()[:-1], DossierInterlink.objects.count())
    client.force_login(lw.w.specialist)
    r = client.post(f"/dossiers/{d.code}/interlink/", {"interlink-to": "H98.90"})
    assert r.status_code == 403
    assert "Bạn không có quyền" in r.content.decode()
    client.force_login(lw.w.leader)
    r = client.post(f"/dossiers/{d.code}/interlink/", {"interlink-to": ""})
    assert r.status_code == 400
    r = client.post(f"/dossiers/{d.code}/interlink/", {"interlink-to": "H00.00"})
    assert r.status_code == 400  # not in the select's choices
    client.force_login(lw.leader_p)
    assert (
        client.post(f"/dossiers/{d.code}/interlink/", {"interlink-to": "H98.90"}).status_code == 404
    )
    # No result form for a dossier that did not come by liên thông.
    client.force_login(lw.w.leader)
    r = client.post(
        f"/dossiers/{d.code}/interlink/result/",
        {"result-outcome": "refused", "result-reason": "x"},
    )
    assert r.status_code == 404
    assert "không phải hồ sơ liên thông" in r.content.decode()
    assert (state()[:-1], DossierInterlink.objects.count()) == before
