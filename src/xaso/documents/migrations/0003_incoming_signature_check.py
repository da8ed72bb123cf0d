"""The outcome of the signature check of a received PDF, kept on the incoming document.

Existing rows: a paper scan was never checked ("not_checked", as new ones). An electronic
document received before this migration was checked on arrival (a broken signature was refused)
but whether it was signed and by a trusted CA was not kept: it stays "not_checked" with a note
sending the clerk to the public check page, rather than a state the migration cannot know."""

from django.conf import settings
from django.db import migrations, models


EARLIER_NOTE = (
    "Nhận trước khi hệ thống lưu kết quả kiểm tra chữ ký số; chữ ký không bị sửa đổi khi nhận. "
    "Tải tệp lên trang Kiểm tra chữ ký số để xem người ký."
)


def note_earlier_electronic(apps, schema_editor):
    IncomingDocument = apps.get_model("documents", "IncomingDocument")
    IncomingDocument.objects.filter(source="electronic").update(
        signature_state="not_checked", signature_note=EARLIER_NOTE
    )


class Migration(migrations.Migration):

    dependencies = [
        ('documents', '0002_outgoing_content'),
        ('org', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='incomingdocument',
            name='signature_note',
            field=models.CharField(blank=True, max_length=500),
        ),
        migrations.AddField(
            model_name='incomingdocument',
            name='signature_signed_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='incomingdocument',
            name='signature_signer',
            field=models.CharField(blank=True, max_length=255),
        ),
        migrations.AddField(
            model_name='incomingdocument',
            name='signature_state',
            field=models.CharField(choices=[('valid', 'Chữ ký số hợp lệ'), ('untrusted', 'Chữ ký của tổ chức chưa được tin cậy'), ('not_signed', 'Không có chữ ký số'), ('not_checked', 'Chưa kiểm tra chữ ký số')], default='not_checked', max_length=12),
        ),
        migrations.AddConstraint(
            model_name='incomingdocument',
            constraint=models.CheckConstraint(condition=models.Q(('signature_state__in', ['valid', 'untrusted', 'not_signed', 'not_checked'])), name='incoming_signature_state_known'),
        ),
        migrations.RunPython(note_earlier_electronic, migrations.RunPython.noop),
    ]
