"""Signing certificates (chứng thư số) of agencies and of people, and the images their visible
signatures show.

An agency's certificate is the organisation signature of Decree 30/2020/NĐ-CP (official-service
signatures under Decree 68/2024/NĐ-CP; Law 20/2023/QH15 on e-transactions); a person's
certificate (``staff`` set) is the signer's own signature, e.g. the leader who signs a directive.
The private key never enters the database: either ``key_file`` names a PKCS#12 file under
``XASO_DATA_DIR/keys`` (mode 0600) encrypted with the key-store passphrase, or the ``pkcs11_*``
fields name a PKCS#11 token (a USB token, an HSM) and the key on it; the token's PIN comes from
an environment variable or from a file under ``keys/`` encrypted with the key-store passphrase.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xaso.org.models import Agency, Staff


class CertificateSource(models.TextChoices):
    DEMO = "demo", _("Chứng thư minh họa (Xã Số Demo CA)")
    IMPORTED = "imported", _("Nhập từ tệp PKCS#12")
    PKCS11 = "pkcs11", _("Thiết bị ký số (token PKCS#11)")


class SigningCertificate(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="certificates")
    staff = models.ForeignKey(
        Staff,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signing_certificates",
        help_text=_("Người ký (chứng thư cá nhân); trống: chứng thư của cơ quan"),
    )
    subject = models.CharField(max_length=500)
    common_name = models.CharField(max_length=255)
    issuer = models.CharField(max_length=500)
    serial = models.CharField(max_length=64, help_text=_("Số hiệu chứng thư, hệ 16"))
    fingerprint = models.CharField(max_length=64, unique=True, help_text=_("SHA-256 của chứng thư"))
    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField()
    source = models.CharField(max_length=16, choices=CertificateSource.choices)
    key_file = models.CharField(
        max_length=255, blank=True, help_text=_("Đường dẫn trong thư mục keys/")
    )
    pkcs11_module = models.CharField(
        max_length=255, blank=True, help_text=_("Thư viện PKCS#11 của thiết bị ký số")
    )
    pkcs11_token = models.CharField(max_length=64, blank=True, help_text=_("Nhãn token"))
    pkcs11_key_label = models.CharField(max_length=128, blank=True)
    pkcs11_key_id = models.CharField(max_length=128, blank=True, help_text=_("CKA_ID, hệ 16"))
    pkcs11_pin_env = models.CharField(
        max_length=64, blank=True, help_text=_("Biến môi trường chứa mã PIN")
    )
    pkcs11_pin_file = models.CharField(
        max_length=255, blank=True, help_text=_("Tệp mã PIN đã mã hóa, trong thư mục keys/")
    )
    chain_pem = models.TextField(
        blank=True, help_text=_("Chuỗi chứng thư của tổ chức cấp (công khai), cho token")
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["agency__code", "-valid_from"]
        constraints = [
            # The certificate sign_pdf uses is never ambiguous: one for the agency itself...
            models.UniqueConstraint(
                fields=["agency"],
                condition=Q(is_active=True, staff__isnull=True),
                name="signing_one_active_per_agency",
            ),
            # ... and one for each person who signs.
            models.UniqueConstraint(
                fields=["staff"],
                condition=Q(is_active=True, staff__isnull=False),
                name="signing_one_active_per_staff",
            ),
            models.CheckConstraint(
                condition=Q(valid_from__lt=models.F("valid_to")), name="signing_validity_ordered"
            ),
            models.CheckConstraint(
                condition=Q(source__in=CertificateSource.values), name="signing_source_known"
            ),
            # A key is in exactly one place: a key-store file or a token (with a PIN source).
            models.CheckConstraint(
                condition=(
                    Q(source=CertificateSource.PKCS11, key_file="")
                    & ~Q(pkcs11_module="")
                    & ~Q(pkcs11_token="")
                    & (~Q(pkcs11_pin_env="") | ~Q(pkcs11_pin_file=""))
                )
                | (~Q(source=CertificateSource.PKCS11) & ~Q(key_file="") & Q(pkcs11_module="")),
                name="signing_key_in_one_place",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.common_name} ({self.serial})"

    @property
    def on_token(self) -> bool:
        return self.source == CertificateSource.PKCS11

    @property
    def is_personal(self) -> bool:
        return self.staff_id is not None


class ImageKind(models.TextChoices):
    SIGNATURE = "signature", _("Hình ảnh chữ ký")
    SEAL = "seal", _("Hình ảnh con dấu")


class StampImage(models.Model):
    """The image a visible signature shows (Decree 30/2020/NĐ-CP Appendix I): a person's
    handwritten signature (blue, transparent PNG) or the agency's seal (red, real size,
    transparent PNG). The PNG lives under ``XASO_DATA_DIR/signing/images``; one per person and one
    seal per agency, replaced by a new upload."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=16, choices=ImageKind.choices)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="stamp_images")
    staff = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.CASCADE, related_name="stamp_images"
    )
    file = models.CharField(max_length=255, help_text=_("Đường dẫn trong thư mục signing/images/"))
    sha256 = models.CharField(max_length=64)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now=True)
    uploaded_by = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["agency__code", "kind"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=ImageKind.SIGNATURE, staff__isnull=False)
                | Q(kind=ImageKind.SEAL, staff__isnull=True),
                name="signing_image_owner_matches_kind",
            ),
            models.UniqueConstraint(
                fields=["agency"],
                condition=Q(kind=ImageKind.SEAL),
                name="signing_one_seal_per_agency",
            ),
            models.UniqueConstraint(
                fields=["staff"],
                condition=Q(kind=ImageKind.SIGNATURE),
                name="signing_one_signature_per_staff",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.staff or self.agency}"
