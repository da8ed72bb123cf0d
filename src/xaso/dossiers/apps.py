from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class DossiersConfig(AppConfig):
    name = "xaso.dossiers"
    label = "dossiers"
    verbose_name = "Hồ sơ thủ tục hành chính (một cửa)"

    def ready(self) -> None:
        # Cache invalidation only (core.pagecache): the work queues of the agencies a dossier
        # belongs to and the dossier's own page are rendered afresh after any write to it, its
        # history, checklist or scans, whichever code path saved it. Bulk writes (the seeding)
        # call pages_changed themselves.
        from xaso.people.models import Person

        from . import models

        for model in (
            models.Dossier,
            models.DossierEvent,
            models.DossierChecklistItem,
            models.DossierAttachment,
        ):
            uid = f"pagecache-{model.__name__}"
            post_save.connect(_dossier_written, sender=model, dispatch_uid=uid)
            post_delete.connect(_dossier_written, sender=model, dispatch_uid=uid)
        post_save.connect(_person_written, sender=Person, dispatch_uid="pagecache-Person")
        from xaso.procedures import models as catalogue

        for entry in (catalogue.Procedure, catalogue.ProcedureVersion, catalogue.ProcedureStep):
            uid = f"pagecache-{entry.__name__}"
            post_save.connect(_catalogue_written, sender=entry, dispatch_uid=uid)
            post_delete.connect(_catalogue_written, sender=entry, dispatch_uid=uid)

        # Liên thông over the exchange (interlink.py): the exchange hands "dossier" packages and
        # status messages to our handlers; an incoming interlinked dossier's assignment is
        # reported back to the agency that sent it.
        from . import interlink

        interlink.register_handlers()
        post_save.connect(_event_written, sender=models.DossierEvent, dispatch_uid="interlink")


def dossier_scopes(dossier: Any) -> tuple[str, ...]:
    """The page-cache scopes a dossier's data appears under: its page and both agencies' queues."""
    return (
        f"dossier:{dossier.code}",
        f"dossiers:{dossier.receiving_agency_id}",
        f"dossiers:{dossier.competent_agency_id}",
    )


def _dossier_written(sender: Any, instance: Any, **kwargs: Any) -> None:
    from xaso.core.pagecache import pages_changed

    from .models import Dossier

    dossier: Dossier | None = instance
    if not isinstance(instance, Dossier):
        dossier = (
            Dossier.objects.filter(pk=instance.dossier_id)
            .only("code", "receiving_agency_id", "competent_agency_id")
            .first()
        )
    if dossier is not None:
        pages_changed(*dossier_scopes(dossier))


def _event_written(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    if created:
        from .interlink import event_recorded

        event_recorded(instance)


def _catalogue_written(sender: Any, **kwargs: Any) -> None:
    """A procedure, its version or steps changed: queues and dossier pages show them."""
    from xaso.core.pagecache import pages_changed

    pages_changed("catalogue")


def _person_written(sender: Any, created: bool = False, **kwargs: Any) -> None:
    """An applicant's name or details changed: queues and dossier pages show them. A new person
    is on no page yet (their dossier's own write renews its agency's queue)."""
    from xaso.core.pagecache import pages_changed

    if not created:
        pages_changed("people")
