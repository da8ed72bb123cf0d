"""The register of certificates and extracts issued (Sổ theo dõi cấp giấy tờ hộ tịch).

Each paper or electronic document issued from a register entry — the bản chính, every bản sao,
every trích lục — is one ``IssuedDocument`` row: which entry, which kind, the how-manyeth document
of that entry (``number``: copies are counted per entry), on paper or signed electronically, who
issued and who signed it, and the SHA-256 of the exact PDF handed out. Its ``code`` is the
verification id printed under the QR code: anyone holding the paper or the file can check it on
the public page without logging in.

Why a row per document rather than a counter: the law counts copies (fees are per copy, Law on
Civil Status Art 11.2) and a copy must be checkable years later; the facts the public page shows
are kept as they were printed (``facts``), so a later correction of the entry does not rewrite
what an old copy said (the page says that the entry changed since).

The model belongs to the ``civil`` app (``app_label``, migration ``civil/0002``) but is defined
in this package, which the civil status core does not import: Django registers it when this
module is first imported — by the certificates' router and pages when the URL configuration
loads (every management command that checks the project loads it), and by anything that issues
or verifies a document. ``objects`` and the ``*_id`` columns are declared for the type checker,
which only sees the models imported when the app registry is populated. Importing this module
from ``civil/models.py`` would register it at start-up like the others (a one-line change in the
core, left to its owner).
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xaso.org.models import Agency

from ..models import CivilRecord


class DocumentKind(models.TextChoices):
    """What is issued (see ``certificates.content`` for each event's form).

    ``original``: the bản chính of the event's document (Giấy khai sinh, Giấy chứng nhận kết hôn,
    Trích lục khai tử, Giấy xác nhận tình trạng hôn nhân, Trích lục đăng ký ... of the other
    events), at most one per entry; ``copy``: a bản sao of that document made from the register;
    ``extract``: a bản sao trích lục of the entry (Decree 87/2020), the register's extract form
    ("Trích lục khai sinh (bản sao)")."""

    ORIGINAL = "original", _("Bản chính")
    COPY = "copy", _("Bản sao")
    EXTRACT = "extract", _("Trích lục (bản sao)")


class Medium(models.TextChoices):
    """``electronic``: the PDF carries the agency's PAdES signature; ``paper``: a PDF to print,
    signed by hand and sealed."""

    ELECTRONIC = "electronic", _("Bản điện tử (ký số)")
    PAPER = "paper", _("Bản giấy")


class IssuedDocument(models.Model):
    objects: ClassVar[models.Manager[IssuedDocument]] = models.Manager()

    code = models.CharField(max_length=16, unique=True, help_text=_("Mã xác minh"))
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    record = models.ForeignKey(
        CivilRecord, on_delete=models.PROTECT, related_name="issued_documents"
    )
    # The entry of the extract-copy book (Cấp bản sao trích lục) the copy was issued under.
    request = models.ForeignKey(
        CivilRecord,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issued_copies",
    )
    kind = models.CharField(max_length=10, choices=DocumentKind.choices)
    number = models.PositiveIntegerField(help_text=_("Lần cấp thứ"))
    medium = models.CharField(max_length=10, choices=Medium.choices)
    title = models.CharField(max_length=255)
    facts = models.JSONField(default=dict, blank=True)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signer_name = models.CharField(max_length=128)
    signer_title = models.CharField(max_length=128)

    id: int
    agency_id: int
    record_id: int
    request_id: int | None
    issued_by_id: int
    signer_id: int | None

    class Meta:
        app_label = "civil"
        ordering = ["record_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["record", "number"], name="civil_issued_number"),
            models.UniqueConstraint(
                fields=["record"],
                condition=Q(kind="original"),
                name="civil_issued_one_original",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["original", "copy", "extract"]),
                name="civil_issued_kind_known",
            ),
            models.CheckConstraint(
                condition=Q(medium__in=["electronic", "paper"]), name="civil_issued_medium_known"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="civil_issued_number_positive"),
        ]
        indexes = [
            models.Index(fields=["agency", "-issued_at"], name="civil_issued_agency_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.code}"
