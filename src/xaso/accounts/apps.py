from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete


class AccountsConfig(AppConfig):
    name = "xaso.accounts"
    label = "accounts"
    verbose_name = "Đăng nhập"

    def ready(self) -> None:
        # Cache invalidation only: tokens already found are remembered per worker under the
        # "org" data version (services.api_token_authenticate); a revoked token renews it.
        from .models import ApiToken

        post_delete.connect(_token_deleted, sender=ApiToken, dispatch_uid="pagecache-ApiToken")


def _token_deleted(sender: Any, **kwargs: Any) -> None:
    from xaso.core.pagecache import pages_changed

    pages_changed("org")
