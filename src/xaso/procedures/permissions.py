"""Who may change the catalogue. Reading it is open to everyone (it is public information)."""

from __future__ import annotations

from typing import Any

from xaso.core.errors import PermissionDenied


def can_manage_catalogue(actor: Any) -> bool:
    """Agency administrators load the province's list, confirm missing values and attach forms."""
    return bool(
        actor is not None and getattr(actor, "is_authenticated", False) and actor.has_role("admin")
    )


def require_manage_catalogue(actor: Any) -> None:
    if not can_manage_catalogue(actor):
        raise PermissionDenied("Chỉ quản trị cơ quan được sửa danh mục thủ tục hành chính.")
