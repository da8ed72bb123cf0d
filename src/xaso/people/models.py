"""Citizens' personal data, in one place (STYLE.md §3): other apps hold a foreign key to
``Person`` and never copy names, ID numbers or addresses into their own tables.

A person record belongs to the agency that holds it (the commune that received the citizen's
dossiers), like every other record: another agency keeps its own record of the same citizen, and
no agency sees another's. Every read of a record is audited (Decree 13/2023/NĐ-CP Art 27 and
Art 9 cl.1: the controller keeps a log of the processing of personal data) — see selectors.py.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xaso.core.text import fold
from xaso.org.models import Agency


class Sex(models.TextChoices):
    MALE = "male", pgettext_lazy("giới tính", "Nam")
    FEMALE = "female", pgettext_lazy("giới tính", "Nữ")


class Person(models.Model):
    """Công dân: one citizen as known to one agency, with their last known details."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="people")
    # Họ, chữ đệm và tên kept apart (vn-rules.md §9.4), NFC with single spaces.
    family_name = models.CharField(max_length=64, help_text=_("Họ"))
    middle_name = models.CharField(max_length=128, blank=True, help_text=_("Chữ đệm"))
    given_name = models.CharField(max_length=64, help_text=pgettext_lazy("phần của họ tên", "Tên"))
    # fold(full name): lower case, no marks, đ→d; search by name compares this column.
    name_folded = models.CharField(max_length=260, editable=False)
    # Số định danh cá nhân (vn-rules.md §4); empty when the citizen has none on record (a
    # newborn before registration, a foreigner). Unique within the agency when present.
    personal_id = models.CharField(max_length=12, blank=True, help_text=_("Số định danh cá nhân"))
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=6, choices=Sex.choices, blank=True)
    phone = models.CharField(max_length=16, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    address = models.CharField(max_length=255, blank=True, help_text=_("Nơi cư trú"))
    ethnicity = models.CharField(max_length=64, blank=True, help_text=_("Dân tộc"))
    nationality = models.CharField(max_length=64, blank=True, help_text=_("Quốc tịch"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["agency_id", "name_folded", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "personal_id"],
                condition=~Q(personal_id=""),
                name="person_personal_id_unique_in_agency",
            ),
            models.CheckConstraint(condition=Q(sex__in=["", *Sex.values]), name="person_sex_known"),
            models.CheckConstraint(
                condition=~Q(family_name="") & ~Q(given_name=""), name="person_name_present"
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "name_folded"], name="person_agency_name"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name_folded = fold(self.full_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"family_name", "middle_name", "given_name"} & set(
            update_fields
        ):
            kwargs["update_fields"] = {*update_fields, "name_folded"}
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        """Họ + chữ đệm + tên, in that order."""
        return " ".join(p for p in (self.family_name, self.middle_name, self.given_name) if p)
