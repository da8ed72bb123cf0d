"""An agency's signing certificates (chứng thư số của cơ quan, Decree 68/2024/NĐ-CP on official
service signatures; Law 20/2023/QH14 on e-transactions). The private key never enters the
database: ``key_file`` names a PKCS#12 file under ``XASO_DATA_DIR/keys`` (mode 0600) encrypted
with the key-store passphrase."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xaso.org.models import Agency, Staff


class CertificateSource(models.TextChoices):
    DEMO = "demo", _("Chứng thư minh họa (Xã Số Demo CA)")
    IMPORTED = "imported", _("Nhập từ tệp PKCS#12")


class SigningCertificate(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="certificates")
    subject = models.CharField(max_length=500)
    common_name = models.CharField(max_length=255)
    issuer = models.CharField(max_length=500)
    serial = models.CharField(max_length=64, help_text=_("Số hiệu chứng thư, hệ 16"))
    fingerprint = models.CharField(max_length=64, unique=True, help_text=_("SHA-256 của chứng thư"))
    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField()
    source = models.CharField(max_length=16, choices=CertificateSource.choices)
    key_file = models.CharField(max_length=255, help_text=_("Đường dẫn trong thư mục keys/"))
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["agency__code", "-valid_from"]
        constraints = [
            # The certificate sign_pdf uses is never ambiguous.
            models.UniqueConstraint(
                fields=["agency"], condition=Q(is_active=True), name="signing_one_active_per_agency"
            ),
            models.CheckConstraint(
                condition=Q(valid_from__lt=models.F("valid_to")), name="signing_validity_ordered"
            ),
            models.CheckConstraint(
                condition=Q(source__in=CertificateSource.values), name="signing_source_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.common_name} ({self.serial})"
