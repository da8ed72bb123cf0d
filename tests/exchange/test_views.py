from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests import factories
from xaso.core.models import AuditEntry
from xaso.exchange import directory, services
from xaso.exchange.edxml import Organization
from xaso.exchange.models import OutboxMessage

from .conftest import make_package
from .test_api import _closed_port, _peer_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    directory.node_init(code="NODE-A", name="Nút huyện", base_url="http://127.0.0.1:9")
    district = factories.agency(code="H25.37", name="UBND huyện Thanh Sơn")
    other = factories.agency(code="H25.38", name="UBND huyện Tân Sơn")
    _, cert = _peer_key()
    directory.node_add(
        code="NODE-B",
        name="Nút xã",
        certificate=cert,
        base_url=f"http://127.0.0.1:{_closed_port()}",
    )
    directory.remote_agency_add(code="H25.37.01", name="UBND xã Thạch Khoán", node_code="NODE-B")
    mine = make_package(
        Organization(district.code, district.name), [Organization("H25.37.01", "UBND xã")]
    )
    theirs = make_package(
        Organization(other.code, other.name),
        [Organization("H25.37.01", "UBND xã")],
        subject="Công văn của huyện Tân Sơn",
    )
    [row] = services.exchange_send(package=mine)
    services.outbox_deliver(outbox_id=row.pk)  # fails: nobody listens
    [their_row] = services.exchange_send(package=theirs)
    admin = factories.staff(agency_obj=district, roles=("admin",))
    clerk = factories.staff(agency_obj=district, roles=("clerk",))
    return admin, clerk, OutboxMessage.objects.get(pk=row.pk), their_row


def test_admin_sees_own_outbox_with_the_error_and_the_directory(client, world):
    admin, clerk, row, their_row = world
    client.force_login(admin)
    response = client.get(reverse("exchange:home"))
    assert response.status_code == 200
    assert [o.pk for o in response.context["undelivered"]] == [row.pk]
    html = response.content.decode()
    assert "unreachable" in html
    assert "Công văn của huyện Tân Sơn" not in html
    assert "UBND xã Thạch Khoán" in html
    assert "NODE-B" in html
    assert reverse("exchange:retry", args=[row.public_id]) in html


def test_page_query_count_does_not_grow_with_rows(client, world, django_assert_num_queries):
    admin, *_ = world
    client.force_login(admin)
    client.get(reverse("exchange:home"))
    with django_assert_num_queries(6):
        client.get(reverse("exchange:home"))
    for _ in range(5):
        services.exchange_send(
            package=make_package(
                Organization("H25.37", "UBND huyện"), [Organization("H25.37.01", "UBND xã")]
            )
        )
    with django_assert_num_queries(6):
        response = client.get(reverse("exchange:home"))
    assert len(response.context["undelivered"]) == 6


def test_others_get_404_or_login(client, world):
    admin, clerk, row, their_row = world
    assert client.get(reverse("exchange:home")).status_code == 302
    client.force_login(clerk)
    assert client.get(reverse("exchange:home")).status_code == 404
    assert client.post(reverse("exchange:retry", args=[row.public_id])).status_code == 404


def test_retry_own_message_only(client, world, django_capture_on_commit_callbacks):
    admin, clerk, row, their_row = world
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("exchange:retry", args=[row.public_id]))
    assert response.status_code == 302
    row.refresh_from_db()
    # Due now and queued for the task worker (which sends it at once).
    assert row.next_attempt_at <= timezone.now()
    assert DBTaskResult.objects.filter(args_kwargs__args=[row.pk]).count() == 1
    assert AuditEntry.objects.filter(action="exchange.retry", actor_id=admin.pk).count() == 1
    response = client.post(reverse("exchange:retry", args=[their_row.public_id]))
    assert response.status_code == 404
    assert AuditEntry.objects.filter(action="exchange.retry").count() == 1
