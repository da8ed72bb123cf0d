"""Exchange tables: the nodes (running platforms) this node talks to, the directory of agencies
that live on other nodes, and the outbox and inbox that make delivery store-and-forward and
registration exactly-once (QCVN 102:2016/BTTTT packages; Decision 28/2018/QĐ-TTg)."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Node(models.Model):
    """Nút liên thông: one running Xã Số (or another edXML system) that hosts agencies. The
    certificate is what this node checks every message from that node against; this node's own
    row (``is_self``) holds its public certificate, its key stays in ``XASO_DATA_DIR/keys``."""

    code = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=255)
    base_url = models.URLField(max_length=500)
    certificate = models.TextField(help_text=_("Chứng thư số (PEM) của nút"))
    is_self = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_self"], condition=Q(is_self=True), name="exchange_one_self_node"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.base_url})"


class RemoteAgency(models.Model):
    """An agency that lives on another node, by its electronic code (QCVN 102:2016 /
    Decision 20/2020/QĐ-TTg). Agencies of this node are ``org.Agency`` rows."""

    code = models.CharField(max_length=35, unique=True)
    name = models.CharField(max_length=255)
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="agencies")
    parent_code = models.CharField(max_length=35, blank=True)
    level = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "remote agencies"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class MessageKind(models.TextChoices):
    DOCUMENT = "document", _("Văn bản")
    STATUS = "status", _("Trạng thái")


class OutboxState(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    DELIVERED = "delivered", _("Đã gửi")
    FAILED = "failed", _("Gửi lỗi, đang thử lại")


class InboxState(models.TextChoices):
    ACCEPTED = "accepted", _("Đã nhận")
    REFUSED = "refused", _("Từ chối")


class Package(models.Model):
    """The edXML bytes of one message, stored once however many recipients it goes to."""

    message_id = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=16, choices=MessageKind.choices)
    data = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.kind} {self.message_id}"


STATUS_LABELS = {
    "arrived": _("Đã đến"),
    "refused": _("Từ chối tiếp nhận"),
    "registered": _("Đã vào sổ"),
    "assigned": _("Đã phân công"),
    "processing": _("Đang xử lý"),
    "completed": _("Hoàn thành"),
}


class OutboxMessage(models.Model):
    """One message to one recipient agency, committed with the sender's data before any attempt
    (store-and-forward); delivery is retried with growing waits until the recipient's node
    answers. ``node`` empty: the recipient lives on this node."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    message_id = models.CharField(max_length=100)
    kind = models.CharField(max_length=16, choices=MessageKind.choices)
    document_kind = models.CharField(max_length=32, blank=True)
    sender_code = models.CharField(max_length=35)
    recipient_code = models.CharField(max_length=35)
    recipient_name = models.CharField(max_length=255, blank=True)
    subject = models.CharField(max_length=500, blank=True)
    node = models.ForeignKey(
        Node, null=True, blank=True, on_delete=models.PROTECT, related_name="outbox"
    )
    package = models.ForeignKey(Package, on_delete=models.PROTECT, related_name="outbox")
    state = models.CharField(
        max_length=16, choices=OutboxState.choices, default=OutboxState.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    # Set while one process delivers the row, so a task, a sweep and a retry never send it at the
    # same time; a crashed sender's claim simply runs out.
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # What the recipient's inbox answered (accepted / refused) and the reason of a refusal.
    answer = models.CharField(max_length=16, blank=True)
    answer_reason = models.TextField(blank=True)
    # The latest status the recipient reported about this document (arrived ... completed).
    remote_status = models.CharField(max_length=16, blank=True)
    remote_status_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["message_id", "recipient_code"], name="exchange_outbox_once"
            ),
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="exchange_outbox_due")]

    def __str__(self) -> str:
        return f"{self.kind} {self.message_id} → {self.recipient_code} ({self.state})"

    @property
    def remote_status_label(self) -> str:
        return str(STATUS_LABELS.get(self.remote_status, self.remote_status))


class InboxMessage(models.Model):
    """A message received for one agency of this node. The unique (message_id, recipient_code)
    pair is what makes registration exactly-once: a redelivered or duplicated message cannot be
    recorded, hence handed to the handler, a second time — even when two copies arrive at once."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    message_id = models.CharField(max_length=100)
    recipient_code = models.CharField(max_length=35)
    kind = models.CharField(max_length=16, choices=MessageKind.choices)
    document_kind = models.CharField(max_length=32, blank=True)
    sender_code = models.CharField(max_length=35)
    subject = models.CharField(max_length=500, blank=True)
    from_node = models.ForeignKey(
        Node, null=True, blank=True, on_delete=models.PROTECT, related_name="inbox"
    )
    state = models.CharField(max_length=16, choices=InboxState.choices)
    reason = models.TextField(blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["message_id", "recipient_code"], name="exchange_inbox_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.message_id} → {self.recipient_code} ({self.state})"
