"""Report requests, their target agencies and the submissions (chế độ báo cáo: Decree
09/2019/NĐ-CP on the reporting regime of state administrative agencies — a superior sets the
content, the figures, the period and the deadline; the reports travel as electronic documents
under Decree 30/2020/NĐ-CP Art. 16-22 through the exchange of QCVN 102:2016/BTTTT).

One request exists in two places: at the requesting agency (``direction`` outgoing, one target
row per agency asked) and, as a copy to be answered, at each target agency (``direction``
incoming, one target row: itself). ``origin_id`` is the request's identifier on every node (the
requester's ``public_id``). Both sides keep every submission (``ReportSubmission``), newest
current.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xaso.org.models import Agency, Staff


class Direction(models.TextChoices):
    OUTGOING = "outgoing", _("Yêu cầu cấp dưới báo cáo")
    INCOMING = "incoming", _("Yêu cầu của cấp trên")


class ReportKind(models.TextChoices):
    FIGURES = "figures", _("Số liệu")
    FILE = "file", _("Tệp báo cáo")
    BOTH = "both", _("Số liệu và tệp báo cáo")


class RequestStatus(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    SENT = "sent", _("Đã gửi")
    CLOSED = "closed", _("Đã đóng")


class TargetState(models.TextChoices):
    PENDING = "pending", _("Chưa nộp")
    SUBMITTED = "submitted", _("Đã nộp")
    LATE = "late", _("Nộp trễ hạn")


class ReportRequest(models.Model):
    """Yêu cầu báo cáo: what the superior asks (figures of a form and/or a signed file), for
    which period, by when."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    origin_id = models.UUIDField(db_index=True, editable=False)
    direction = models.CharField(max_length=16, choices=Direction.choices)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="report_requests")
    requester_code = models.CharField(max_length=35)
    requester_name = models.CharField(max_length=255)
    title = models.CharField(max_length=500)
    instructions = models.TextField(blank=True)
    period_from = models.DateField()
    period_to = models.DateField()
    deadline = models.DateTimeField()
    kind = models.CharField(max_length=16, choices=ReportKind.choices)
    indicators = models.JSONField(default=list, blank=True)
    signature_required = models.BooleanField(default=False)
    status = models.CharField(
        max_length=16, choices=RequestStatus.choices, default=RequestStatus.DRAFT
    )
    created_by = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    #: Incoming copies: the package that brought the request (answers reply to it).
    message_id = models.CharField(max_length=100, blank=True)
    #: Outgoing drafts: who is to be asked when the request is sent — ``None`` every agency
    #: below, else the chosen codes (the send form starts from this).
    target_codes = models.JSONField(null=True, blank=True)
    #: Outgoing drafts: raised by every edit, so that an officer saving a draft someone else
    #: changed since they opened it is refused instead of overwriting it (optimistic lock).
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-deadline", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["origin_id", "agency"], name="report_request_once"),
            models.CheckConstraint(
                condition=Q(period_from__lte=models.F("period_to")),
                name="report_request_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def needs_figures(self) -> bool:
        return self.kind in (ReportKind.FIGURES, ReportKind.BOTH)

    @property
    def needs_file(self) -> bool:
        return self.kind in (ReportKind.FILE, ReportKind.BOTH)


class ReportTarget(models.Model):
    """Đơn vị báo cáo: an agency asked to report, on this node (``agency``) or on another one
    (code and name only)."""

    request = models.ForeignKey(ReportRequest, on_delete=models.CASCADE, related_name="targets")
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agency_code = models.CharField(max_length=35)
    agency_name = models.CharField(max_length=255)
    state = models.CharField(
        max_length=16, choices=TargetState.choices, default=TargetState.PENDING
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    current_version = models.PositiveIntegerField(default=0)
    #: Outgoing side: the package that carried the request, and what its recipient answered.
    message_id = models.CharField(max_length=100, blank=True)
    delivery = models.CharField(max_length=16, blank=True)
    delivery_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["agency_code"]
        constraints = [
            models.UniqueConstraint(fields=["request", "agency_code"], name="report_target_once"),
        ]

    def __str__(self) -> str:
        return f"{self.agency_name} ({self.agency_code})"


class ReportSubmission(models.Model):
    """One submission of a report (figures and/or file). A resubmission before the deadline
    becomes the current one; earlier versions are kept. A submission the requester returned
    (``returned_at``) is kept and no longer current."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    target = models.ForeignKey(ReportTarget, on_delete=models.CASCADE, related_name="submissions")
    version = models.PositiveIntegerField()
    is_current = models.BooleanField(default=True)
    submitted_by_name = models.CharField(max_length=128)
    submitted_at = models.DateTimeField()
    is_late = models.BooleanField(default=False)
    values = models.JSONField(default=dict, blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    file_path = models.CharField(max_length=255, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    file_size = models.PositiveIntegerField(default=0)
    file_content_type = models.CharField(max_length=100, blank=True)
    signer = models.CharField(max_length=255, blank=True)
    #: The package that carried it (sent by the target, received by the requester).
    message_id = models.CharField(max_length=100, blank=True)
    #: Target side: what the requester's node answered (arrived / refused, with the reason).
    delivery = models.CharField(max_length=16, blank=True)
    delivery_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    #: Trả lại để hoàn thiện: the requester sent this submission back with a reason. It is kept
    #: (history) but no longer current, so the totals stop counting it; the target is asked
    #: again until it submits a new version. Set on both sides (the target's copy learns it
    #: from the ``return`` package).
    returned_at = models.DateTimeField(null=True, blank=True)
    returned_by_name = models.CharField(max_length=128, blank=True)
    return_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["target", "version"], name="report_submission_version"),
            models.UniqueConstraint(
                fields=["target"],
                condition=Q(is_current=True),
                name="report_submission_one_current",
            ),
            models.CheckConstraint(
                condition=Q(returned_at__isnull=True)
                | (Q(is_current=False) & ~Q(return_reason="")),
                name="report_submission_returned_not_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target} v{self.version}"
