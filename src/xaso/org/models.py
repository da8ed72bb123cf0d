"""Administrative units, agencies, staff and their roles.

Administrative units carry their GSO codes (vn-rules.md §8). Levels are rows, not constants, so
the tree holds both the four-level structure before 1 July 2025 (central / province / district /
commune) and the two-tier one after it (Law 72/2025/QH15 on the organisation of local government).
"""

from __future__ import annotations

import re
import uuid
from datetime import time
from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xaso.core.text import fold


class UnitLevel(models.Model):
    """A tier of government: central, province, district (until 30/6/2025), commune."""

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=64)
    rank = models.PositiveSmallIntegerField(help_text="0 = central, larger = lower")

    class Meta:
        ordering = ["rank"]

    def __str__(self) -> str:
        return self.name


class AdministrativeUnit(models.Model):
    """Đơn vị hành chính. A merger keeps history: the old unit gets ``dissolved_on`` and its
    ``successors``; its records stay attached to it and findable."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(max_length=8, db_index=True)
    name = models.CharField(max_length=128)
    name_folded = models.CharField(max_length=128, db_index=True, editable=False)
    division_type = models.CharField(max_length=32, help_text=_("tỉnh, huyện, xã, phường, ..."))
    level = models.ForeignKey(UnitLevel, on_delete=models.PROTECT, related_name="units")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    established_on = models.DateField(null=True, blank=True)
    dissolved_on = models.DateField(null=True, blank=True)
    successors = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="predecessors"
    )
    legal_basis = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["level__rank", "code"]
        constraints = [
            # New units reuse an old code (GSO 1027/CTK-CSCL), so a code is unique only among
            # the units in force at one level.
            models.UniqueConstraint(
                fields=["level", "code"],
                condition=Q(dissolved_on__isnull=True),
                name="unit_code_unique_in_force",
            ),
            models.CheckConstraint(
                condition=Q(dissolved_on__isnull=True)
                | Q(established_on__isnull=True)
                | Q(dissolved_on__gt=models.F("established_on")),
                name="unit_dissolved_after_established",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name_folded = fold(self.name)
        super().save(*args, **kwargs)

    @property
    def in_force(self) -> bool:
        return self.dissolved_on is None


# Decision 20/2020/QĐ-TTg (amended by Decision 09/2025/QĐ-TTg): at most 35 characters, digits,
# upper-case letters and dots; the first group is the level-1 code (a letter and two digits).
# A province whose codes follow another scheme sets XASO_AGENCY_CODE_PATTERN.
AGENCY_CODE_PATTERN = r"^[A-Z][0-9]{2}(\.[0-9A-Z]+)*$"


def validate_agency_code(value: str) -> None:
    from django.conf import settings

    pattern = getattr(settings, "XASO_AGENCY_CODE_PATTERN", AGENCY_CODE_PATTERN)
    if len(value) > 35 or not re.fullmatch(pattern, value):
        raise ValidationError(
            _(
                "Mã định danh điện tử của cơ quan phải theo Quyết định 20/2020/QĐ-TTg: tối đa 35 "
                "ký tự, chữ in hoa, chữ số và dấu chấm, nhóm đầu là một chữ cái và hai chữ số "
                "(ví dụ H25.38.21)."
            ),
            code="agency_code",
        )


class AgencyKind(models.TextChoices):
    PEOPLES_COMMITTEE = "peoples_committee", _("Ủy ban nhân dân")
    SERVICE_CENTRE = "service_centre", _("Trung tâm Phục vụ hành chính công / Bộ phận một cửa")
    SPECIALISED_OFFICE = "specialised_office", _("Cơ quan chuyên môn")
    OTHER = "other", _("Khác")


class Agency(models.Model):
    """Cơ quan: an organisation that holds records and staff, e.g. "UBND xã Thạch Khoán"."""

    code = models.CharField(max_length=35, unique=True, validators=[validate_agency_code])
    name = models.CharField(max_length=255)
    short_name = models.CharField(max_length=64, blank=True)
    kind = models.CharField(max_length=32, choices=AgencyKind.choices)
    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="agencies")
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text=_("Cơ quan cấp trên trực tiếp"),
    )
    is_active = models.BooleanField(default=True)
    # Office hours (giờ hành chính); the working-day clock reads them.
    morning_start = models.TimeField(default=time(7, 30))
    morning_end = models.TimeField(default=time(11, 30))
    afternoon_start = models.TimeField(default=time(13, 0))
    afternoon_end = models.TimeField(default=time(17, 0))
    same_day_cutoff = models.TimeField(default=time(15, 0))

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "agencies"
        constraints = [
            models.CheckConstraint(
                condition=Q(morning_start__lt=models.F("morning_end"))
                & Q(morning_end__lte=models.F("afternoon_start"))
                & Q(afternoon_start__lt=models.F("afternoon_end")),
                name="agency_office_hours_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    """Role codes (vn-rules.md §1.4 and Decree 30/2020 for the clerk)."""

    RECEPTION = "reception", _("Tiếp nhận và trả kết quả (một cửa)")
    SPECIALIST = "specialist", _("Chuyên môn")
    LEADER = "leader", _("Lãnh đạo")
    CLERK = "clerk", _("Văn thư")
    ADMIN = "admin", _("Quản trị cơ quan")
    SUPERVISOR = "supervisor", _("Giám sát (cấp trên)")


class StaffManager(UserManager["Staff"]):
    def get_by_natural_key(self, username: str | None) -> Staff:
        return self.select_related("agency").get(username=username)


class Staff(AbstractUser):
    """A person's own account (never shared), in exactly one agency."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="staff")
    full_name = models.CharField(max_length=128, help_text=_("Họ và tên"))
    title = models.CharField(max_length=128, blank=True, help_text=_("Chức vụ"))
    phone = models.CharField(max_length=20, blank=True)

    REQUIRED_FIELDS = ["agency", "full_name"]
    objects = StaffManager()  # type: ignore[misc]

    class Meta:
        ordering = ["agency__code", "username"]
        verbose_name = "staff"
        verbose_name_plural = "staff"

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.rsplit(" ", 1)[-1] if self.full_name else self.username

    @property
    def agency_code(self) -> str:
        return self.agency.code if self.agency_id else ""

    @property
    def role_codes(self) -> list[str]:
        cached = getattr(self, "_role_codes", None)
        if cached is None:
            cached = sorted({r.role for r in self.roles.all()})
            self._role_codes = cached
        return cached

    def has_role(self, *codes: str) -> bool:
        return any(c in self.role_codes for c in codes)


class StaffRole(models.Model):
    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=16, choices=Role.choices)
    field = models.CharField(
        max_length=64, blank=True, help_text=_("Lĩnh vực, ví dụ: tư pháp - hộ tịch")
    )

    class Meta:
        ordering = ["role"]
        constraints = [
            models.UniqueConstraint(fields=["staff", "role", "field"], name="staff_role_unique"),
            models.CheckConstraint(
                condition=Q(role__in=[c.value for c in Role]), name="staff_role_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role}:{self.field}" if self.field else self.role
