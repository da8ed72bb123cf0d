"""Liên thông: the request to stop a transferred dossier the applicant withdrew (rút hồ sơ)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0008_interlink"),
    ]

    operations = [
        migrations.AddField(
            model_name="dossierinterlink",
            name="withdrawal_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="dossierinterlink",
            name="withdrawal_comment",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="dossierinterlink",
            name="withdrawal_message_id",
            field=models.CharField(blank=True, max_length=36, null=True),
        ),
        migrations.AddField(
            model_name="dossierinterlink",
            name="withdrawal_reason",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="dossierinterlink",
            name="withdrawal_status",
            field=models.CharField(
                blank=True,
                choices=[
                    ("sent", "Đã gửi yêu cầu dừng"),
                    ("applied", "Đã dừng giải quyết"),
                    ("refused", "Không dừng được"),
                ],
                max_length=8,
            ),
        ),
        migrations.AddConstraint(
            model_name="dossierinterlink",
            constraint=models.UniqueConstraint(
                fields=("withdrawal_message_id", "direction"), name="dossier_interlink_withdrawal"
            ),
        ),
        migrations.AddConstraint(
            model_name="dossierinterlink",
            constraint=models.CheckConstraint(
                condition=models.Q(("withdrawal_status__in", ["", "sent", "applied", "refused"])),
                name="dossier_interlink_withdrawal_known",
            ),
        ),
    ]
