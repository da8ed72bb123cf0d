"""Notices tied to the event that caused them (step 2 of 2): one notice per event and channel
instead of one per dossier, kind and channel."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0005_notice_event"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="dossiernotice",
            name="dossier_notice_once",
        ),
        migrations.AlterField(
            model_name="dossiernotice",
            name="event",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="notices",
                to="dossiers.dossierevent",
            ),
        ),
        migrations.AddConstraint(
            model_name="dossiernotice",
            constraint=models.UniqueConstraint(
                fields=("event", "channel"), name="dossier_notice_once_per_event"
            ),
        ),
    ]
