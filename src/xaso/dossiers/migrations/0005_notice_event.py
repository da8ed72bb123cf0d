"""Notices tied to the event that caused them (step 1 of 2): add ``DossierNotice.event`` and fill
it for the rows already there. Until now a dossier had one notice per kind and channel, sent for
the first event of that kind, so each existing row belongs to the dossier's first event of the
kind's action. Step 2 (0006) makes the column required and unique per event and channel; the
two steps are separate migrations so PostgreSQL commits the updated rows before the table is
altered."""

import django.db.models.deletion
from django.db import migrations, models

#: ``models.NOTICE_ACTIONS`` as it stood when this migration was written.
NOTICE_ACTIONS = {
    "received": "receive",
    "supplement": "request_supplement",
    "result_ready": "mark_ready",
    "delay": "apologize",
}


def link_existing_notices(apps, schema_editor):
    DossierNotice = apps.get_model("dossiers", "DossierNotice")
    DossierEvent = apps.get_model("dossiers", "DossierEvent")
    for notice in DossierNotice.objects.filter(event__isnull=True).order_by("pk").iterator():
        events = DossierEvent.objects.filter(dossier_id=notice.dossier_id).order_by("at", "pk")
        event = events.filter(action=NOTICE_ACTIONS[notice.kind]).first()
        if event is None:
            # Events are append-only and every notice was queued by its event: this only
            # happens to a database edited by hand. Say which row, rather than guess.
            raise RuntimeError(
                f"DossierNotice {notice.pk}: dossier {notice.dossier_id} has no "
                f"'{NOTICE_ACTIONS[notice.kind]}' event to tie the notice to"
            )
        DossierNotice.objects.filter(pk=notice.pk).update(event=event)


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0004_stats_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="dossiernotice",
            name="event",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="notices",
                to="dossiers.dossierevent",
            ),
        ),
        migrations.RunPython(link_existing_notices, migrations.RunPython.noop),
    ]
