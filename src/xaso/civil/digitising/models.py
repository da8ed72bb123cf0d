"""Số hóa sổ hộ tịch: the scans of the pages of old paper books, the mark on every entry copied
from paper, and the import batches of a spreadsheet.

- ``PageScan`` — the scan of one page of a paper book (PDF, JPEG or PNG, its type checked by
  content), one per page of each register book; the entries copied from that page point to it.
- ``DigitisedEntry`` — beside each ``CivilRecord`` copied from a paper book: who entered it and
  when, from the form or from which row of which import, the page's scan, and the legacy font
  encoding its text was converted from. The record itself carries the number, page, date and
  book the paper gives (not numbers allocated now), so that it reads like any other entry.
- ``ImportBatch`` — one spreadsheet (Excel or CSV) of entries of one kind of event, imported in
  the background: its status, how many rows, and the report of every row refused. A batch
  imports whole or not at all.

The models belong to the ``civil`` app (``app_label``; migration ``civil/0004``) but are defined
in this package, which the civil status core does not import: Django registers them when this
module is first imported — by the digitising pages, router and task (the URL configuration
loads them for every management command that checks the project). ``objects`` and the ``*_id``
columns are declared for the type checker, which sees only the models imported at start-up.
Importing this module from ``civil/models.py`` registers them at start-up like the others (a
one-line change in the core, left to its owner).
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xaso.org.models import Agency

from ..models import CivilBook, CivilRecord

#: The kinds of book an old paper register is digitised into (the books every commune kept).
DIGITISED_EVENTS = ("birth", "death", "marriage")


class PageScan(models.Model):
    """Bản quét một trang sổ hộ tịch giấy."""

    objects: ClassVar[models.Manager[PageScan]] = models.Manager()

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    book = models.ForeignKey(CivilBook, on_delete=models.PROTECT, related_name="page_scans")
    page = models.PositiveIntegerField(help_text=_("Trang số"))
    file = models.FileField(upload_to="civil/scans/%Y/")
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    id: int
    agency_id: int
    book_id: int
    uploaded_by_id: int

    class Meta:
        app_label = "civil"
        ordering = ["book_id", "page"]
        constraints = [
            models.UniqueConstraint(fields=["book", "page"], name="civil_scan_one_per_page"),
            models.CheckConstraint(condition=Q(page__gte=1), name="civil_scan_page_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.book} trang {self.page}"


class Source(models.TextChoices):
    FORM = "form", _("Nhập từng mục")
    IMPORT = "import", _("Nhập từ tệp Excel/CSV")


class DigitisedEntry(models.Model):
    """Mục hộ tịch được số hóa từ sổ giấy."""

    objects: ClassVar[models.Manager[DigitisedEntry]] = models.Manager()

    record = models.OneToOneField(CivilRecord, on_delete=models.PROTECT, related_name="digitised")
    scan = models.ForeignKey(
        PageScan, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    batch = models.ForeignKey(
        "civil.ImportBatch",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
    )
    row = models.PositiveIntegerField(null=True, blank=True, help_text=_("Dòng trong tệp"))
    source = models.CharField(max_length=8, choices=Source.choices)
    legacy_encoding = models.CharField(max_length=8, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now_add=True)

    id: int
    record_id: int
    scan_id: int | None
    batch_id: int | None
    entered_by_id: int

    class Meta:
        app_label = "civil"
        ordering = ["record_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(source__in=["form", "import"]), name="civil_digitised_source_known"
            ),
            models.CheckConstraint(
                condition=Q(source="form", batch__isnull=True)
                | Q(source="import", batch__isnull=False),
                name="civil_digitised_batch_of_import",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.record_id}"


class BatchStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ nhập")
    RUNNING = "running", _("Đang kiểm tra và nhập")
    DONE = "done", _("Đã nhập xong")
    REJECTED = "rejected", _("Không nhập: có dòng bị từ chối")
    FAILED = "failed", _("Không nhập được")


class ImportBatch(models.Model):
    """Một lần nhập sổ hộ tịch cũ từ tệp Excel/CSV. ``report`` lists every refused row:
    ``[{"row": 7, "field": "Ngày sinh", "message": "..."}]``; nothing of a refused batch is
    written. ``error`` is a code for a failure that is not a row's (an unreadable file)."""

    objects: ClassVar[models.Manager[ImportBatch]] = models.Manager()

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    event = models.CharField(max_length=20)
    encoding = models.CharField(max_length=8, default="auto")
    file = models.FileField(upload_to="civil/imports/%Y/")
    file_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=8, choices=BatchStatus.choices, default=BatchStatus.QUEUED)
    detected_encoding = models.CharField(max_length=8, blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    imported_rows = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=list, blank=True)
    error = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    id: int
    agency_id: int
    requested_by_id: int

    class Meta:
        app_label = "civil"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "rejected", "failed"]),
                name="civil_import_status_known",
            ),
            models.CheckConstraint(
                condition=Q(event__in=list(DIGITISED_EVENTS)), name="civil_import_event_known"
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "-created_at"], name="civil_import_agency_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"
