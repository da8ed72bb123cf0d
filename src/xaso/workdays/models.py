"""Official changes to the working-day calendar (vn-rules.md §6).

The ``holidays`` package gives the statutory holidays (Labour Code 45/2019/QH14 art. 112) and the
swaps it knows about. Each year the Ministry of Home Affairs announces the civil servants' schedule
(extra days off, make-up Saturdays) and the legal force of some days is unconfirmed (24/11, Ngày
Văn hóa Việt Nam); those decisions are rows here, edited by province or central administrators.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MIN_DATE = date(2000, 1, 1)
MAX_DATE = date(2100, 12, 31)


class CalendarDayKind(models.TextChoices):
    DAY_OFF = "day_off", _("Ngày nghỉ")
    WORKING_DAY = "working_day", _("Ngày làm việc")


class CalendarDay(models.Model):
    """One official change: an extra day off on a weekday, a make-up working day on a weekend, or
    a working day that cancels a holiday the package lists."""

    date = models.DateField(unique=True)
    kind = models.CharField(max_length=16, choices=CalendarDayKind.choices)
    name = models.CharField(max_length=255, help_text=_("Tên ngày, tiếng Việt"))
    note = models.CharField(max_length=500, blank=True, help_text=_("Căn cứ, văn bản công bố"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Trống: dữ liệu phát hành kèm phần mềm"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=[c.value for c in CalendarDayKind]),
                name="calendar_day_kind_known",
            ),
            models.CheckConstraint(
                condition=Q(date__gte=MIN_DATE) & Q(date__lte=MAX_DATE),
                name="calendar_day_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.name}"
