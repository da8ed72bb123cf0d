"""Migrations 0005-0006 tie the notices already sent to the event that caused them (the first
event of their kind, the only one the old rule sent for) and keep every row."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.dossiers.world import build_world, drive, vn
from xaso.dossiers import services
from xaso.dossiers.models import DossierEvent, DossierNotice, Status

BEFORE = [("dossiers", "0004_stats_indexes")]


def migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def notices_sent(settings):
    """A dossier with two supplement requests whose notices went out for the first only."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    w = build_world()
    d = drive(w, Status.IN_PROCESSING)
    d = services.dossier_request_supplement(
        actor=w.all_a, dossier=d, missing=["Tờ khai"], at=vn(2026, 9, 11, 9, 0)
    )
    d = services.dossier_receive_supplement(actor=w.all_a, dossier=d, at=vn(2026, 9, 11, 10, 0))
    services.dossier_request_supplement(
        actor=w.all_a, dossier=d, missing=["Ảnh"], at=vn(2026, 9, 14, 9, 0)
    )
    events = {
        action: DossierEvent.objects.filter(dossier=d, action=action).order_by("at", "pk")[0]
        for action in ("receive", "request_supplement")
    }
    at = vn(2026, 9, 11, 9, 1)
    for kind, event in (
        ("received", events["receive"]),
        ("supplement", events["request_supplement"]),
    ):
        for channel in ("sms", "email"):
            DossierNotice.objects.create(
                dossier=d, event=event, kind=kind, channel=channel, status="sent", attempts=1, at=at
            )
    return d, events


def rows() -> list[tuple[int, str, str, int | None, str]]:
    return sorted(
        DossierNotice.objects.values_list("dossier_id", "kind", "channel", "event_id", "status")
    )


@pytest.mark.django_db(transaction=True)
def test_existing_notices_are_kept_and_tied_to_their_first_event(notices_sent):
    d, events = notices_sent
    expected = rows()
    assert [r[3] for r in expected] == [
        events["receive"].pk,
        events["receive"].pk,
        events["request_supplement"].pk,
        events["request_supplement"].pk,
    ]
    migrate(BEFORE)
    with connection.cursor() as cursor:
        columns = [
            c.name
            for c in connection.introspection.get_table_description(
                cursor, "dossiers_dossiernotice"
            )
        ]
    assert "event_id" not in columns
    migrate(latest())
    assert rows() == expected


@pytest.mark.django_db(transaction=True)
def test_a_notice_without_its_event_stops_the_migration(notices_sent):
    d, _events = notices_sent
    executor = migrate(BEFORE)
    Notice = executor.loader.project_state(BEFORE).apps.get_model("dossiers", "DossierNotice")
    orphan = Notice.objects.create(
        dossier_id=d.pk, kind="delay", channel="sms", status="sent", at=vn(2026, 9, 20, 9, 0)
    )
    with pytest.raises(RuntimeError, match=f"DossierNotice {orphan.pk}: .* no 'apologize' event"):
        migrate(latest())
    # Nothing half-done: the database is still before the change, every row still there.
    assert Notice.objects.count() == 5
    Notice.objects.filter(pk=orphan.pk).delete()
    migrate(latest())
    assert DossierNotice.objects.count() == 4
