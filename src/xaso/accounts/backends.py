from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend


class StaffBackend(ModelBackend):
    """Django's backend, loading the signed-in official with their agency, its unit and their roles
    in one go: every page and permission check reads them."""

    def get_user(self, user_id: Any) -> Any:
        from xaso.org.models import Staff

        try:
            user = (
                Staff.objects.select_related("agency__unit__level")
                .prefetch_related("roles")
                .get(pk=user_id)
            )
        except Staff.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
