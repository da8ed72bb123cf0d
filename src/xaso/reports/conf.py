"""Reports configuration: each value from Django settings when defined there, else from the
environment variable of the same name, else the default."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings


def _get(name: str, default: Any = None) -> Any:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name) or None
    return default if value is None else value


def remind_hours() -> float:
    """``XASO_REPORT_REMIND_HOURS``: how long before the deadline agencies that have not
    submitted are reminded, once (default 24)."""
    return float(_get("XASO_REPORT_REMIND_HOURS", 24))


def max_file_bytes() -> int:
    """``XASO_REPORT_MAX_BYTES``: the largest report file accepted (default 20 MB)."""
    return int(_get("XASO_REPORT_MAX_BYTES", 20 * 1024 * 1024))


def files_dir() -> Path:
    """``XASO_DATA_DIR/reports``: report files, named by their SHA-256."""
    return Path(settings.DATA_DIR) / "reports"
