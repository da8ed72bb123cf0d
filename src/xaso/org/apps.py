from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class OrgConfig(AppConfig):
    name = "xaso.org"
    label = "org"
    verbose_name = "Đơn vị hành chính, cơ quan, cán bộ"

    def ready(self) -> None:
        # Cache invalidation only (core.pagecache): pages showing units, agencies, staff or roles
        # are rendered afresh after any of them changes, whichever code path saved it. Bulk
        # writes, which send no signal, call pages_changed("org") themselves.
        from . import models

        for model in (
            models.UnitLevel,
            models.AdministrativeUnit,
            models.Agency,
            models.Staff,
            models.StaffRole,
        ):
            post_save.connect(_org_saved, sender=model, dispatch_uid=f"pages-{model.__name__}")
            post_delete.connect(
                _org_deleted, sender=model, dispatch_uid=f"pages-d-{model.__name__}"
            )


def _org_saved(sender: Any, update_fields: Any = None, **kwargs: Any) -> None:
    from xaso.core.pagecache import pages_changed

    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a login: no page shows it
    pages_changed("org")


def _org_deleted(sender: Any, **kwargs: Any) -> None:
    from xaso.core.pagecache import pages_changed

    pages_changed("org")
