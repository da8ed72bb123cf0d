"""Dossiers of the one-stop shop (một cửa). For now: the counter behind the dossier code.

The ``Dossier`` model comes next; it takes its ``code`` from ``services.dossier_code_next`` in the
same transaction that inserts it, and keeps a unique constraint on the code as a second guard.
"""

from __future__ import annotations

from django.db import models

from xaso.org.models import Agency


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
