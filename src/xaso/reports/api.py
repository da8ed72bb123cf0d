"""The reports API: requests sent down, reports submitted up."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["reports"])
