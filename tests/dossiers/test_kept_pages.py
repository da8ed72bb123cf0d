"""The work queue and the dossier page as kept pages (core.pagecache): served again only while the
dossiers, applicants and roles they show are unchanged and no due time has passed; the read of
the applicant's details is on record for every official and day."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.dossiers.world import APPLICANT, BIRTH, receive
from xaso.core import pagecache
from xaso.core.models import AuditEntry
from xaso.dossiers import services
from xaso.dossiers.models import Dossier
from xaso.people.models import Person

# Pages are renewed when a change commits, and the dossier page is kept only once today's read
# of its applicant is on record, which happens when that audit entry commits: these tests run
# outside pytest's wrapping transaction.


@pytest.fixture(autouse=True)
def _kept_pages(settings):
    settings.XASO_PAGE_CACHE = True
    pagecache.forget_pages()
    yield
    pagecache.forget_pages()


def _signed_in(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def _reads(staff, dossier) -> int:
    return AuditEntry.objects.filter(
        action="person.read", actor_id=staff.pk, changes__dossier=dossier.code
    ).count()


def test_queue_is_kept_until_a_dossier_of_the_agency_changes(transactional_db, world):
    d = receive(world, at=timezone.now())
    client = _signed_in(world.reception)
    assert client.get("/dossiers/").context is not None
    kept = client.get("/dossiers/")
    assert kept.context is None and d.code in kept.content.decode()
    other = receive(world, BIRTH, at=timezone.now())  # a new dossier at this agency
    fresh = client.get("/dossiers/")
    assert fresh.context is not None and other.code in fresh.content.decode()
    services.dossier_assign(actor=world.all_a, dossier=d, assignee=world.specialist)
    fresh = client.get("/dossiers/")
    assert fresh.context is not None
    assert "Đang xử lý" in fresh.content.decode()


def test_another_agencys_change_keeps_the_page(transactional_db, world):
    receive(world, at=timezone.now())
    client = _signed_in(world.reception)
    client.get("/dossiers/")
    receive(world, at=timezone.now(), actor=world.reception_b)  # agency B
    assert client.get("/dossiers/").context is None


def test_an_applicants_new_name_shows_at_once(transactional_db, world):
    d = receive(world, at=timezone.now())
    client = _signed_in(world.reception)
    client.get("/dossiers/")
    Person.objects.filter(pk=d.applicant_id).first().save()  # any write to a person
    assert client.get("/dossiers/").context is not None


def test_the_colour_changes_when_the_due_time_passes(transactional_db, world):
    d = receive(world, at=timezone.now())
    soon = timezone.now() + timedelta(seconds=1)
    Dossier.objects.filter(pk=d.pk).update(due_at=soon)  # no signal: only the clock moves
    client = _signed_in(world.reception)
    first = client.get(f"/dossiers/{d.code}/")
    assert first.context["due"] == "due-today"
    assert client.get(f"/dossiers/{d.code}/").context is None  # kept
    time.sleep(max(0.0, (soon - timezone.now()).total_seconds()) + 0.05)
    later = client.get(f"/dossiers/{d.code}/")
    assert later.context is not None and later.context["due"] == "overdue"


def test_dossier_page_is_kept_until_the_dossier_changes(transactional_db, world):
    d = receive(world, at=timezone.now())
    client = _signed_in(world.all_a)
    client.get(f"/dossiers/{d.code}/")
    assert client.get(f"/dossiers/{d.code}/").context is None
    services.dossier_assign(actor=world.all_a, dossier=d, assignee=world.specialist)
    fresh = client.get(f"/dossiers/{d.code}/")
    assert fresh.context is not None
    assert fresh.context["d"].status == "in_processing"


def test_the_applicant_read_is_logged_once_a_day_per_official(transactional_db, world):
    d = receive(world, at=timezone.now())
    a, b = _signed_in(world.reception), _signed_in(world.leader)
    for _ in range(3):
        assert a.get(f"/dossiers/{d.code}/").status_code == 200
    assert _reads(world.reception, d) == 1
    b.get(f"/dossiers/{d.code}/")
    assert _reads(world.leader, d) == 1
    assert APPLICANT["full_name"] in a.get(f"/dossiers/{d.code}/").content.decode()


def test_a_kept_page_is_not_served_when_the_read_is_not_on_record(transactional_db, world):
    """If the cache lost today's mark (evicted, restarted), the page is rendered and logged."""
    from django.core.cache import cache

    from xaso.dossiers.selectors import _read_logged_key

    d = receive(world, at=timezone.now())
    client = _signed_in(world.reception)
    client.get(f"/dossiers/{d.code}/")
    assert client.get(f"/dossiers/{d.code}/").context is None
    cache.delete(_read_logged_key(world.reception, d.code))
    assert client.get(f"/dossiers/{d.code}/").context is not None
    assert _reads(world.reception, d) == 2


def test_outside_the_agency_is_never_served(transactional_db, world):
    d = receive(world, at=timezone.now())
    _signed_in(world.reception).get(f"/dossiers/{d.code}/")
    assert _signed_in(world.reception_b).get(f"/dossiers/{d.code}/").status_code == 404


def test_the_queue_api_is_kept_and_renewed_like_the_page(transactional_db, world, settings):
    from tests.dossiers.world import bearer

    d = receive(world, at=timezone.now())
    client = Client()
    auth = bearer(world.all_a)
    settings.XASO_PAGE_CACHE = False
    plain = client.get("/api/v1/dossiers", **auth).json()
    settings.XASO_PAGE_CACHE = True
    first = client.get("/api/v1/dossiers", **auth).json()
    assert first == plain  # the same document, kept or not
    assert client.get("/api/v1/dossiers", **auth).json() == first
    services.dossier_assign(actor=world.all_a, dossier=d, assignee=world.specialist)
    again = client.get("/api/v1/dossiers", **auth).json()
    assert [i["status"] for i in again["items"]] == ["in_processing"]
    assert client.get("/api/v1/dossiers?status=received", **auth).json()["items"] == []
