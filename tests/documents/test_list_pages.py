"""The document lists share their filtering and paging (``views.common``): the pager's links
keep every filter of the list, and a filter value the list does not know filters nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.documents.world import World, draft, draft_pdf
from xaso.documents import services
from xaso.documents.views import common

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(common, "PAGE_SIZE", 2)


def test_incoming_pager_keeps_the_filters(world: World, client: Client, small_pages):
    for i in range(3):
        services.incoming_create_paper(
            actor=world.clerk,
            sender_name="UBND tỉnh Phú Thọ",
            doc_type="CV",
            subject=f"Công văn {i}",
            scan_data=draft_pdf(),
            scan_name="scan.pdf",
        )
    client.force_login(world.clerk)
    url = reverse("documents:incoming_list")
    r = client.get(url + "?status=registered&signature=not_checked")
    html = r.content.decode()
    assert 'href="?status=registered&amp;signature=not_checked&amp;page=2"' in html
    assert "Trang 1/2" in html
    r = client.get(url + "?status=registered&signature=not_checked&page=2")
    assert [d.subject for d, _p in r.context["rows"]] == ["Công văn 0"]
    assert 'href="?status=registered&amp;signature=not_checked&amp;page=1"' in r.content.decode()
    r = client.get(url + "?status=nonsense&signature=valid")
    assert r.context["rows"] == [] and r.context["status"] == "nonsense"


def test_outgoing_pager_keeps_the_filter(world: World, client: Client, small_pages):
    for _ in range(3):
        draft(world)
    client.force_login(world.specialist)
    r = client.get(reverse("documents:outgoing_list") + "?status=draft")
    assert 'href="?status=draft&amp;page=2"' in r.content.decode()
    r = client.get(reverse("documents:outgoing_list") + "?status=other&page=2")
    assert len(r.context["page"].object_list) == 1  # an unknown status filters nothing
