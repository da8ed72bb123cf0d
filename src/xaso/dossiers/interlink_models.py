"""Liên thông of one-stop dossiers between agencies and levels over the exchange (một cửa liên
thông, Decree 118/2025/NĐ-CP Art 18 — chuyển hồ sơ to the competent body; Decree 45/2020/NĐ-CP,
electronic dossiers and results). Written only by ``xaso.dossiers.interlink``.

One ``DossierInterlink`` row per hand-over, on each side: at the agency that sends the dossier
(``direction`` out, on its own dossier) and at the agency that receives it (``direction`` in, on
the dossier created in its queue). Both carry the exchange's message id of the dossier package;
the result package's id is ``result_message_id``, that of the request to stop (the applicant
withdrew the dossier at the sender) ``withdrawal_message_id``. ``peer_dossier_code`` is the other
side's dossier code (mã số hồ sơ), kept beside this side's own code.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Dossier, DossierAttachment


class InterlinkDirection(models.TextChoices):
    OUT = "out", _("Chuyển đi")
    IN = "in", _("Nhận đến")


class InterlinkStatus(models.TextChoices):
    """Where the hand-over stands: ``sent`` until the other agency reports, then the exchange's
    status vocabulary (edXML Status codes 01-06, QCVN 102:2016/BTTTT)."""

    SENT = "sent", _("Đã gửi")
    ARRIVED = "arrived", _("Đã đến")
    REFUSED = "refused", _("Bị từ chối tiếp nhận")
    REGISTERED = "registered", _("Đã tiếp nhận, vào sổ")
    ASSIGNED = "assigned", _("Đã phân công")
    PROCESSING = "processing", _("Đang xử lý")
    COMPLETED = "completed", _("Đã có kết quả")


#: The order statuses come in; a late or repeated message never moves a row back.
STATUS_RANK = {s: i for i, s in enumerate(InterlinkStatus.values)}


class InterlinkOutcome(models.TextChoices):
    APPROVED = "approved", _("Giải quyết")
    REFUSED = "refused", _("Từ chối giải quyết")


class WithdrawalStatus(models.TextChoices):
    """Where the request to stop stands (Decree 118/2025/NĐ-CP Art 21, dừng giải quyết at the
    applicant's request): sent, then applied by the other agency (its copy is withdrawn) or
    refused by it (it had already decided, or returned its result) with its reason."""

    SENT = "sent", _("Đã gửi yêu cầu dừng")
    APPLIED = "applied", _("Đã dừng giải quyết")
    REFUSED = "refused", _("Không dừng được")


class DossierInterlink(models.Model):
    """One liên thông hand-over of a dossier, seen from one side (see the module docstring)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="interlinks")
    direction = models.CharField(max_length=3, choices=InterlinkDirection.choices)
    peer_code = models.CharField(max_length=35, help_text=_("Mã định danh cơ quan bên kia"))
    peer_name = models.CharField(max_length=255)
    peer_dossier_code = models.CharField(
        max_length=64, blank=True, help_text=_("Mã số hồ sơ tại cơ quan bên kia")
    )
    message_id = models.CharField(max_length=36)
    status = models.CharField(
        max_length=12, choices=InterlinkStatus.choices, default=InterlinkStatus.SENT
    )
    status_at = models.DateTimeField()
    status_comment = models.TextField(blank=True)
    note = models.TextField(blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=8, choices=InterlinkOutcome.choices, blank=True)
    outcome_reason = models.TextField(blank=True)
    result_message_id = models.CharField(max_length=36, null=True, blank=True)
    result_attachment = models.ForeignKey(
        DossierAttachment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    result_at = models.DateTimeField(null=True, blank=True)
    # At the receiver: what the sender reported about the result package (arrived, refused).
    result_status = models.CharField(max_length=12, blank=True)
    result_status_comment = models.TextField(blank=True)
    # The applicant withdrew the dossier at the sender (rút hồ sơ): the request to stop the other
    # agency's copy, its reason, and the answer (the other agency's reason when it refused).
    withdrawal_message_id = models.CharField(max_length=36, null=True, blank=True)
    withdrawal_status = models.CharField(max_length=8, choices=WithdrawalStatus.choices, blank=True)
    withdrawal_reason = models.TextField(blank=True)
    withdrawal_comment = models.TextField(blank=True)
    withdrawal_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["dossier", "created_at", "id"]
        constraints = [
            # On one node the sender's row (out) and the receiver's (in) share the message ids.
            models.UniqueConstraint(
                fields=["message_id", "direction"], name="dossier_interlink_message"
            ),
            models.UniqueConstraint(
                fields=["result_message_id", "direction"], name="dossier_interlink_result"
            ),
            models.UniqueConstraint(
                fields=["withdrawal_message_id", "direction"], name="dossier_interlink_withdrawal"
            ),
            models.CheckConstraint(
                condition=Q(withdrawal_status__in=["", *WithdrawalStatus.values]),
                name="dossier_interlink_withdrawal_known",
            ),
            models.CheckConstraint(
                condition=Q(direction__in=InterlinkDirection.values),
                name="dossier_interlink_direction_known",
            ),
            models.CheckConstraint(
                condition=Q(status__in=InterlinkStatus.values),
                name="dossier_interlink_status_known",
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=["", *InterlinkOutcome.values]),
                name="dossier_interlink_outcome_known",
            ),
        ]
        indexes = [
            models.Index(fields=["dossier", "direction"], name="dossier_interlink_dossier"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.direction} {self.peer_code}: {self.status}"
