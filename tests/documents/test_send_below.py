"""A directive down to every agency below (issue 5, "directives down"): the clerk ticks "all
agencies below" (page) or sends ``all_below`` (API) instead of typing 150 codes; the agencies
below on this node and on other nodes of the directory are the recipients, each once."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.documents.world import World, bearer, outgoing_in, state
from xaso.documents.models import IncomingDocument, Recipient
from xaso.exchange import directory, nodes
from xaso.exchange.models import Node, OutboxMessage, RemoteAgency
from xaso.org.selectors import agency_tree_changed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_background_sends(settings):
    settings.XASO_EXCHANGE_SEND_AT_ONCE = False


@pytest.fixture
def below(world: World) -> World:
    """Võ Miếu below Thạch Khoán here, and a commune below it on another node (packages to
    another node carry this node's signature: this node has its key)."""
    for made in (nodes.key_path(), nodes.certificate_path()):  # by an earlier test's node
        made.unlink(missing_ok=True)
    nodes._key_cache.clear()
    directory.node_init(code="NODE-A", name="Nút tỉnh", base_url="http://127.0.0.1:8")
    world.b.parent = world.a
    world.b.save(update_fields=["parent"])
    agency_tree_changed()
    node = Node.objects.create(
        code="NODE-X", name="Nút X", base_url="http://127.0.0.1:9", certificate="-"
    )
    RemoteAgency.objects.create(
        code="H25.38.99", name="UBND xã Xa", node=node, parent_code=world.a.code
    )
    RemoteAgency.objects.create(code="H26", name="UBND tỉnh khác", node=node, parent_code="")
    return world


def test_api_all_below(below: World, client: Client, django_capture_on_commit_callbacks):
    doc = outgoing_in(below, "issued")
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            f"/api/v1/documents/{doc.public_id}/send",
            {"all_below": True},
            content_type="application/json",
            **bearer(below.clerk),
        )
    assert r.status_code == 200, r.json()
    assert [x["agency_code"] for x in r.json()] == ["H25.38.22", "H25.38.99"]
    assert IncomingDocument.objects.get().agency == below.b  # this node: delivered at once
    remote = OutboxMessage.objects.get(recipient_code="H25.38.99")
    assert remote.node.code == "NODE-X"  # the other node's: queued for it


def test_api_typed_and_below_each_once(below: World, client: Client):
    doc = outgoing_in(below, "issued")
    r = client.post(
        f"/api/v1/documents/{doc.public_id}/send",
        {"all_below": True, "recipients": ["h25.38.22", "H26"]},
        content_type="application/json",
        **bearer(below.clerk),
    )
    assert r.status_code == 200, r.json()
    assert sorted(Recipient.objects.values_list("agency_code", flat=True)) == [
        "H25.38.22",
        "H25.38.99",
        "H26",
    ]


def test_api_nothing_chosen_is_refused(below: World, client: Client):
    doc = outgoing_in(below, "issued")
    before = state(doc)
    r = client.post(
        f"/api/v1/documents/{doc.public_id}/send",
        {},
        content_type="application/json",
        **bearer(below.clerk),
    )
    assert (r.status_code, r.json()["code"]) == (400, "recipient_invalid")
    assert state(doc) == before


def test_page_all_below(below: World, client: Client):
    doc = outgoing_in(below, "issued")
    client.force_login(below.clerk)
    page = client.get(f"/documents/outgoing/{doc.public_id}/")
    assert 'name="all_below"' in page.content.decode()
    r = client.post(f"/documents/outgoing/{doc.public_id}/send/", {"all_below": "on"})
    assert r.status_code == 302
    assert sorted(Recipient.objects.values_list("agency_code", flat=True)) == [
        "H25.38.22",
        "H25.38.99",
    ]


def test_page_nothing_chosen(below: World, client: Client):
    doc = outgoing_in(below, "issued")
    client.force_login(below.clerk)
    before = state(doc)
    r = client.post(f"/documents/outgoing/{doc.public_id}/send/", {"recipients": ""})
    assert r.status_code == 400
    assert r.context["send_form"].errors["recipients"] == ["Cần chọn ít nhất một cơ quan nhận."]
    assert state(doc) == before
