"""The one-stop pages (server-rendered, htmx for the small updates): the counter intake, the
work queue, the dossier page with its actions, and the public status lookup."""

from __future__ import annotations

from . import detail, intake, public, queue

__all__ = ["detail", "intake", "public", "queue"]
