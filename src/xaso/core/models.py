"""Core tables: the append-only, hash-chained audit trail."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

CHANNEL_LABELS = {
    "web": _("Giao diện web"),
    "api": _("API"),
    "cli": _("Dòng lệnh"),
    "task": _("Tác vụ nền"),
}


class AppendOnlyQuerySet(models.QuerySet["AuditEntry"]):
    """Only ``audit_record`` writes entries, one at a time; the database triggers (migration
    0003) back these guards up against raw SQL."""

    def update(self, **kwargs: Any) -> int:
        raise TypeError("The audit trail is append-only.")

    def bulk_create(self, *args: Any, **kwargs: Any) -> list[AuditEntry]:  # type: ignore[override]
        raise TypeError("Audit entries are appended one at a time by audit_record().")

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise TypeError("The audit trail is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("The audit trail is append-only.")


class AuditEntry(models.Model):
    """One line of the audit trail (nhật ký hệ thống): every write, and every read of a citizen's
    personal data. Each entry carries the hash of the previous one, so an edited, deleted or
    reordered row breaks the chain (``xaso audit verify``). The database refuses UPDATE (and
    DELETE on PostgreSQL) through triggers installed by migration 0003."""

    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField(db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_username = models.CharField(max_length=150, blank=True)
    agency_code = models.CharField(max_length=35, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=128, blank=True)
    object_repr = models.CharField(max_length=255, blank=True)
    client_address = models.CharField(max_length=64, blank=True)
    channel = models.CharField(max_length=8, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            # The browser lists one agency's entries newest first, a page at a time by seq.
            models.Index(fields=["agency_code", "-seq"], name="audit_agency_seq"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(seq__gte=1), name="audit_seq_positive")
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("The audit trail is append-only.")

    @property
    def channel_label(self) -> str:
        return str(CHANNEL_LABELS.get(self.channel, self.channel))


class AuditHead(models.Model):
    """The newest sequence number and hash, updated in the same transaction as each append.
    It serialises appends (row lock) and lets verification notice rows cut from the end."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit head #{self.seq}"
