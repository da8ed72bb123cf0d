"""Dossiers of the one-stop shop (hồ sơ thủ tục hành chính, một cửa; vn-rules.md §1).

A dossier refers to its applicant (``people.Person``) and never copies personal data. Its status
changes only through ``services.workflow._transition``, which appends a ``DossierEvent`` (the data
of the processing control sheet, Form 05) and one audit entry per change.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xaso.org.models import Agency
from xaso.people.models import Person
from xaso.procedures.models import Procedure, ProcedureDocument, ProcedureStep, ProcedureVersion


class DossierCodeCounter(models.Model):
    """The last daily sequence number given to a dossier received by ``agency`` on ``day``.

    One row per receiving agency and reception day, locked (``select_for_update``) by whoever
    takes the next number; see ``services.dossier_code_next``. Rows are never deleted: the row of
    a past day records how many dossiers the agency received that day.
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "day"], name="dossier_code_counter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.day:%y%m%d}: {self.last}"


class Channel(models.TextChoices):
    """How the dossier came in (vn-rules.md §1.3); ``NATIONAL_CHANNEL`` holds KenhThucHien."""

    COUNTER = "counter", _("Trực tiếp")
    POST = "post", _("Bưu chính công ích")
    ONLINE = "online", _("Trực tuyến")


#: KenhThucHien of the DVCQG synchronisation (vn-rules.md §1.8): 1 in person, 2 online, 3 postal.
NATIONAL_CHANNEL = {Channel.COUNTER: 1, Channel.ONLINE: 2, Channel.POST: 3}


class Status(models.TextChoices):
    """Our states, each mapped to the national status vocabulary (``NATIONAL_STATUS``)."""

    RECEIVED = "received", _("Đã tiếp nhận")
    IN_PROCESSING = "in_processing", _("Đang xử lý")
    AWAITING_SUPPLEMENT = "awaiting_supplement", _("Yêu cầu bổ sung giấy tờ")
    APPROVED = "approved", _("Đã phê duyệt, đang hoàn thiện kết quả")
    REFUSED = "refused", _("Từ chối giải quyết")
    RESULT_READY = "result_ready", _("Đã xử lý xong, chờ trả kết quả")
    RETURNED = "returned", _("Đã trả kết quả")
    WITHDRAWN = "withdrawn", _("Dừng xử lý theo yêu cầu của người nộp hồ sơ")
    TRANSFERRED = "transferred", _("Đã chuyển cơ quan có thẩm quyền (liên thông)")


#: The DVCQG status codes 1-10 (vn-rules.md §1.8) our states are reported as. ``approved`` is
#: still "Đang xử lý" (the result is being signed and sent to the counter); ``result_ready`` is
#: "Đã xử lý xong", the end of processing in Decision 766; a completed withdrawal is "Dừng xử lý";
#: a refusal after reception is "Không được tiếp nhận" (Form 03); a transferred dossier is still
#: being processed, by the agency it went to.
NATIONAL_STATUS = {
    Status.RECEIVED: 2,
    Status.IN_PROCESSING: 4,
    Status.AWAITING_SUPPLEMENT: 5,
    Status.APPROVED: 4,
    Status.REFUSED: 3,
    Status.RESULT_READY: 9,
    Status.RETURNED: 10,
    Status.WITHDRAWN: 8,
    Status.TRANSFERRED: 4,
}

#: States in which the processing clock runs: the dossier can become overdue.
CLOCK_RUNNING = (Status.RECEIVED, Status.IN_PROCESSING, Status.APPROVED, Status.TRANSFERRED)
#: States after which nothing changes any more.
FINAL = (Status.REFUSED, Status.RETURNED, Status.WITHDRAWN)


class Dossier(models.Model):
    """Hồ sơ TTHC: one request of one applicant, from reception to the returned result."""

    code = models.CharField(max_length=64, unique=True, help_text=_("Mã số hồ sơ"))
    receiving_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="dossiers_received"
    )
    # Differs from the receiving agency for dossiers received "phi địa giới" (vn-rules.md §1.3)
    # and after a transfer (liên thông).
    competent_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="dossiers_competent"
    )
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="dossiers")
    procedure_version = models.ForeignKey(
        ProcedureVersion, on_delete=models.PROTECT, related_name="dossiers"
    )
    applicant = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="dossiers")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.RECEIVED)

    current_step = models.ForeignKey(
        ProcedureStep, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers_assigned",
    )
    step_due_at = models.DateTimeField(null=True, blank=True)

    received_at = models.DateTimeField()
    counted_from = models.DateTimeField(help_text=_("Thời điểm bắt đầu tính thời hạn"))
    # The appointment printed on the receipt; ``statutory_due_at`` moves only by paused
    # supplement time (the Decision 766 measure); ``due_at`` also moves to an apology's new date.
    initial_due_at = models.DateTimeField()
    statutory_due_at = models.DateTimeField()
    due_at = models.DateTimeField(help_text=_("Ngày hẹn trả kết quả hiện hành"))

    supplement_count = models.PositiveSmallIntegerField(default=0)
    supplement_requested_at = models.DateTimeField(null=True, blank=True)
    supplement_received_at = models.DateTimeField(null=True, blank=True)
    supplement_missing = models.JSONField(default=list, blank=True)
    supplement_paused_seconds = models.PositiveIntegerField(default=0)
    # Decision 766: more than one supplement request counts the dossier as late.
    supplement_late = models.BooleanField(default=False)

    apologized_at = models.DateTimeField(null=True, blank=True)
    apology_reason = models.TextField(blank=True)

    finished_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Kết thúc xử lý (Quyết định 766)")
    )
    result_ready_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.TextField(blank=True)
    withdrawal_reason = models.TextField(blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="dossier_status_known"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="dossier_channel_known"
            ),
        ]
        indexes = [
            models.Index(fields=["competent_agency", "due_at", "id"], name="dossier_competent_due"),
            models.Index(fields=["receiving_agency", "due_at", "id"], name="dossier_receiving_due"),
            models.Index(fields=["status", "due_at"], name="dossier_status_due"),
            # The statistics (Decision 766) select an agency's dossiers by period.
            models.Index(
                fields=["competent_agency", "received_at"], name="dossier_competent_received"
            ),
            models.Index(
                fields=["competent_agency", "finished_at"], name="dossier_competent_finished"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def national_status(self) -> int:
        return NATIONAL_STATUS[Status(self.status)]

    @property
    def national_channel(self) -> int:
        return NATIONAL_CHANNEL[Channel(self.channel)]


class DossierEvent(models.Model):
    """One hand-over or change of a dossier, append-only: the processing control sheet (Form 05)
    is printed from these rows. ``step_due_at`` is the deadline of the step the dossier enters."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=24)
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    step = models.ForeignKey(
        ProcedureStep, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    step_due_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["dossier", "at", "id"]
        indexes = [models.Index(fields=["dossier", "at", "id"], name="dossier_event_order")]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.action} {self.from_status}→{self.to_status}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("dossier events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError("dossier events are append-only")


class DossierChecklistItem(models.Model):
    """A required document (thành phần hồ sơ) ticked at intake, with the counts received. The
    name is kept as the catalogue wrote it that day, since the catalogue may change."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="checklist")
    document = models.ForeignKey(
        ProcedureDocument, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    order = models.PositiveSmallIntegerField()
    name = models.TextField()
    originals = models.PositiveSmallIntegerField(default=0)
    copies = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["dossier", "order"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "order"], name="dossier_checklist_order")
        ]

    def __str__(self) -> str:
        return self.name[:80]


class DossierAttachment(models.Model):
    """A scan (PDF, JPEG, PNG) of a document of the dossier, its type checked by content."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="attachments")
    checklist_item = models.ForeignKey(
        DossierChecklistItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(max_length=300)
    file = models.FileField(upload_to="dossiers/%Y/%m/")
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["dossier", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.title


# --- Notices to the applicant (SMS, e-mail) --------------------------------------------------
# Written only by ``xaso.dossiers.notices``; see there for the sending rules.


class NoticeKind(models.TextChoices):
    """The moments the applicant is told about (Decree 118/2025 Arts 17-19, 21)."""

    RECEIVED = "received", _("Đã tiếp nhận hồ sơ")
    SUPPLEMENT = "supplement", _("Yêu cầu bổ sung hồ sơ")
    RESULT_READY = "result_ready", _("Đã có kết quả")
    DELAY = "delay", _("Xin lỗi và hẹn lại")


class NoticeChannel(models.TextChoices):
    SMS = "sms", _("Tin nhắn SMS")
    EMAIL = "email", _("Thư điện tử")


class NoticeStatus(models.TextChoices):
    SENDING = "sending", _("Đang gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi không thành công")
    SKIPPED = "skipped", _("Không gửi")


#: The event that causes each kind of notice (``DossierEvent.action``).
NOTICE_ACTIONS = {
    NoticeKind.RECEIVED: "receive",
    NoticeKind.SUPPLEMENT: "request_supplement",
    NoticeKind.RESULT_READY: "mark_ready",
    NoticeKind.DELAY: "apologize",
}


class DossierNotice(models.Model):
    """The notice one event of a dossier caused, on one channel: at most one is ever sent per
    event and channel, so a second supplement request or a second apology gets its own notice
    and a retried task never sends one twice. ``kind`` follows from the event's action.
    ``error`` is a short code (``http_500``, ``timeout``, ``no_gateway``), never personal data;
    ``permanent`` marks a failure that retrying cannot fix (the gateway refused the message)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="notices")
    event = models.ForeignKey(DossierEvent, on_delete=models.PROTECT, related_name="notices")
    kind = models.CharField(max_length=16, choices=NoticeKind.choices)
    channel = models.CharField(max_length=8, choices=NoticeChannel.choices)
    status = models.CharField(max_length=8, choices=NoticeStatus.choices)
    attempts = models.PositiveSmallIntegerField(default=0)
    permanent = models.BooleanField(default=False)
    error = models.CharField(max_length=32, blank=True)
    provider_id = models.CharField(max_length=128, blank=True)
    at = models.DateTimeField(help_text=_("Lần gửi gần nhất"))

    class Meta:
        ordering = ["dossier", "at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "channel"], name="dossier_notice_once_per_event"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=NoticeKind.values), name="dossier_notice_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=NoticeChannel.values), name="dossier_notice_channel_known"
            ),
            models.CheckConstraint(
                condition=Q(status__in=NoticeStatus.values), name="dossier_notice_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.kind}/{self.channel} #{self.event_id}: {self.status}"


# --- The tracking book produced in the background ---------------------------------------------
# Written only by ``services.tracking_book``; see there for the rules.


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ lập")
    RUNNING = "running", _("Đang lập")
    DONE = "done", _("Đã lập xong")
    FAILED = "failed", _("Không lập được")
    EXPIRED = "expired", _("Đã hết hạn tải về")


class ExportFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "Excel"


class TrackingBookExport(models.Model):
    """Sổ theo dõi hồ sơ of an agency for a period, produced by a background task (a long
    period takes minutes to print) for the official who asked, who alone may download it. The
    file holds applicants' names, addresses and phones: it is deleted after a day."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    format = models.CharField(max_length=4, choices=ExportFormat.choices)
    status = models.CharField(
        max_length=8, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    file = models.FileField(upload_to="tracking-books/%Y/%m/", blank=True)
    size = models.PositiveIntegerField(default=0)
    rows = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=32, blank=True, help_text=_("Mã lỗi, không có dữ liệu"))
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ExportStatus.values), name="tracking_export_status_known"
            ),
            models.CheckConstraint(
                condition=Q(format__in=ExportFormat.values), name="tracking_export_format_known"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="tracking_export_period_order",
            ),
        ]
        indexes = [
            models.Index(fields=["requested_by", "created_at"], name="tracking_export_requester"),
            models.Index(fields=["status", "created_at"], name="tracking_export_status"),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.period_start}..{self.period_end} {self.format}"


from .interlink_models import DossierInterlink  # noqa: E402,F401  (liên thông, interlink.py)
