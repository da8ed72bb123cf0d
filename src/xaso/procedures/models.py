"""The administrative procedure catalogue (danh mục thủ tục hành chính, TTHC).

A procedure is what the national TTHC database publishes (code, name, field, level, limit, fees,
documents, results, legal bases, online level; vn-rules.md §1, §2). Where the published source is
silent the value stays empty and the field name is listed in ``needs_confirmation``: nothing is
guessed. How a commune processes a procedure inside its offices is the versioned internal procedure
(quy trình nội bộ, vn-rules.md §1.5): ``ProcedureVersion`` with ordered ``ProcedureStep`` rows.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xaso.org.models import Role

from .steps import limit_hours


class TimeLimitKind(models.TextChoices):
    """How the statutory time limit (thời hạn giải quyết) is counted (vn-rules.md §1.9)."""

    WORKING_DAYS = "working_days", _("ngày làm việc")
    SAME_DAY_CUTOFF = (
        "same_day_cutoff",
        _("trong ngày, nhận sau giờ chốt thì trả ngày làm việc sau"),
    )
    WORKING_HOURS = "working_hours", _("giờ làm việc")
    # The source writes "N ngày" without "làm việc". Kept apart: turning it into working days
    # would change the due date, and whether weekends count must be checked in the legal text.
    DAYS = "days", _("ngày (nguồn không ghi “làm việc”)")
    UNCONFIRMED = "unconfirmed", _("chưa xác định")


class OnlineLevel(models.TextChoices):
    """Online public service level, Decree 42/2022/NĐ-CP Art 11 (vn-rules.md §2)."""

    FULL = "full", _("Toàn trình")
    PARTIAL = "partial", _("Một phần")
    NONE = "none", _("Không cung cấp trực tuyến")
    UNKNOWN = "unknown", _("Chưa xác định")


class DocumentKind(models.TextChoices):
    SUBMIT = "submit", _("Nộp")
    PRESENT = "present", _("Xuất trình")
    CASE = "case", _("Theo trường hợp")
    GENERAL = "general", _("Thành phần hồ sơ")


class OriginalOrCopy(models.TextChoices):
    ORIGINAL = "original", _("Bản chính")
    COPY = "copy", _("Bản sao")
    # The portal writes "1 bản chính, 1 bản sao" without saying "and" or "or": kept as given.
    BOTH = "original+copy", _("Bản chính, bản sao")


class Procedure(models.Model):
    """One TTHC as published, identified by its national code (mã thủ tục, e.g. 1.001193)."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=500)
    name_folded = models.CharField(max_length=500, db_index=True, editable=False)
    field = models.CharField(max_length=200, help_text=_("Lĩnh vực"))
    implementing_level = models.CharField(max_length=200, help_text=_("Cấp thực hiện"))
    procedure_type = models.CharField(max_length=200, blank=True)
    applicants = models.TextField(blank=True, help_text=_("Đối tượng thực hiện"))
    publishing_decision = models.CharField(max_length=100, blank=True)
    implementing_agency = models.TextField(null=True, blank=True)
    submission_channels = models.JSONField(default=list)
    conditions = models.TextField(null=True, blank=True, help_text=_("Yêu cầu, điều kiện"))

    time_limit_kind = models.CharField(
        max_length=20, choices=TimeLimitKind.choices, default=TimeLimitKind.UNCONFIRMED
    )
    time_limit_value = models.PositiveIntegerField(null=True, blank=True)
    time_limit_cutoff_hour = models.PositiveSmallIntegerField(null=True, blank=True)
    # The limit as written per channel, the deadline sentences of the procedure text, where the
    # normalised value came from, and optional extras (if_verification_needed, ...), as published.
    time_limit_by_channel = models.JSONField(default=list)
    time_limit_statements = models.JSONField(null=True, blank=True)
    time_limit_basis = models.TextField(null=True, blank=True)
    time_limit_note = models.TextField(null=True, blank=True)
    time_limit_extra = models.JSONField(default=dict)

    fee_amount_vnd = models.BigIntegerField(null=True, blank=True)
    fee_differs_by_channel = models.BooleanField(null=True)
    fee_free_in_table = models.BooleanField(null=True)
    fee_provincial_rate = models.BooleanField(null=True)
    fee_exemptions = models.JSONField(null=True, blank=True)
    fee_note = models.TextField(null=True, blank=True)
    fee_extra = models.JSONField(default=dict)

    dossier_notes = models.JSONField(null=True, blank=True)
    results = models.JSONField(default=list)
    legal_bases = models.JSONField(default=list)
    online_level = models.CharField(
        max_length=10, choices=OnlineLevel.choices, default=OnlineLevel.UNKNOWN
    )
    online_level_source = models.JSONField(null=True, blank=True)
    source = models.JSONField(default=dict)
    source_url = models.URLField(max_length=500, blank=True)

    needs_confirmation = models.JSONField(default=list, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                name="procedure_time_limit_shape",
                condition=(
                    Q(time_limit_kind="unconfirmed", time_limit_value__isnull=True)
                    | Q(time_limit_kind="same_day_cutoff", time_limit_cutoff_hour__lte=23)
                    | Q(
                        time_limit_kind__in=["working_days", "working_hours", "days"],
                        time_limit_value__isnull=False,
                        time_limit_cutoff_hour__isnull=True,
                    )
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def time_limit_hours(self) -> int | None:
        """The limit in working hours (8 h a working day, vn-rules.md §1.5), when it is one."""
        return limit_hours(self.time_limit_kind, self.time_limit_value)


class ProcedureDocument(models.Model):
    """A row of the dossier composition (thành phần hồ sơ) with original/copy and counts."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="documents")
    order = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=DocumentKind.choices)
    case = models.TextField(null=True, blank=True)
    name = models.TextField()
    original_or_copy = models.CharField(max_length=15, choices=OriginalOrCopy.choices)
    count_original = models.PositiveSmallIntegerField(default=0)
    count_copy = models.PositiveSmallIntegerField(default=0)
    form_file = models.CharField(max_length=255, null=True, blank=True)

    class Meta:
        ordering = ["procedure", "order"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "order"], name="procedure_document_order")
        ]

    def __str__(self) -> str:
        return self.name[:80]


class ProcedureFee(models.Model):
    """A fee (phí, lệ phí) as the portal prints it for one submission channel."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="fees")
    order = models.PositiveSmallIntegerField()
    channel = models.CharField(max_length=100, null=True, blank=True)
    as_written = models.TextField(null=True, blank=True)
    amount = models.BigIntegerField(null=True, blank=True)
    currency = models.CharField(max_length=3, null=True, blank=True)
    per = models.CharField(max_length=100, null=True, blank=True)
    description = models.TextField(null=True, blank=True)

    class Meta:
        ordering = ["procedure", "order"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "order"], name="procedure_fee_order")
        ]

    def __str__(self) -> str:
        return f"{self.channel}: {self.as_written}"


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    PUBLISHED = "published", _("Đã ban hành")


class ProcedureVersion(models.Model):
    """A version of the internal procedure (quy trình nội bộ) a province approves per TTHC.

    An administrator prepares a draft (at most one per procedure, no number yet) and publishes
    it: it then gets the next number and becomes the current version, the one new dossiers are
    received with. A dossier keeps the version it was received with (``Dossier.procedure_version``)
    to the end, so a published version is never edited: the next change is a new version."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=VersionStatus.choices, default=VersionStatus.PUBLISHED
    )
    valid_from = models.DateField()
    is_current = models.BooleanField(default=True)
    is_template = models.BooleanField(
        default=False, help_text=_("Quy trình mẫu chung, chưa thay bằng quy trình tỉnh ban hành")
    )
    basis = models.CharField(max_length=300, blank=True, help_text=_("Quyết định ban hành"))
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["procedure", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "number"], name="procedure_version_number"
            ),
            models.UniqueConstraint(
                fields=["procedure"], condition=Q(is_current=True), name="procedure_one_current"
            ),
            models.UniqueConstraint(
                fields=["procedure"], condition=Q(status="draft"), name="procedure_one_draft"
            ),
            # A draft has no number and is never current; a published version has its number.
            models.CheckConstraint(
                name="procedure_version_status_shape",
                condition=(
                    Q(status="draft", number__isnull=True, is_current=False)
                    | Q(status="published", number__isnull=False)
                ),
            ),
        ]

    def __str__(self) -> str:
        if self.number is None:
            return f"{self.procedure.code} (nháp)"
        return f"{self.procedure.code} v{self.number}"


class ProcedureStep(models.Model):
    """One step of an internal procedure: who (role) does what within how many working hours."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=300)
    role = models.CharField(max_length=20, choices=Role.choices)
    hours = models.PositiveIntegerField(null=True, blank=True)
    counted = models.BooleanField(
        default=True, help_text=_("Tính vào thời hạn giải quyết (bước trả kết quả thì không)")
    )

    class Meta:
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "order"], name="procedure_step_order")
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


class ProcedureForm(models.Model):
    """A downloadable form template (mẫu đơn, tờ khai) attached to a procedure."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="forms")
    title = models.CharField(max_length=300)
    file = models.FileField(upload_to="procedures/forms/")
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["procedure", "title", "pk"]

    def __str__(self) -> str:
        return self.title
