"""Exchange configuration. Each value is read from Django settings when settings defines it, else
from the environment variable of the same name, else the default."""

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


def _bool(name: str, default: bool) -> bool:
    value = _get(name)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


def node_dir() -> Path:
    """``XASO_DATA_DIR/keys/exchange``: the node's private key (0600) and certificate."""
    return Path(settings.DATA_DIR) / "keys" / "exchange"


def ca_file() -> str | None:
    """``XASO_EXCHANGE_CA_FILE``: PEM bundle of the CAs that issue peers' HTTPS certificates
    (default: the system's trust store)."""
    value = _get("XASO_EXCHANGE_CA_FILE")
    return str(value) if value else None


def timeout() -> float:
    """``XASO_EXCHANGE_TIMEOUT``: seconds to wait for a peer node (default 20)."""
    return float(_get("XASO_EXCHANGE_TIMEOUT", 20))


def retry_base() -> float:
    """``XASO_EXCHANGE_RETRY_BASE``: seconds before the first retry; doubled each attempt
    (default 15)."""
    return float(_get("XASO_EXCHANGE_RETRY_BASE", 15))


def retry_max() -> float:
    """``XASO_EXCHANGE_RETRY_MAX``: the longest wait between two attempts (default 1 hour)."""
    return float(_get("XASO_EXCHANGE_RETRY_MAX", 3600))


def max_bytes() -> int:
    """``XASO_EXCHANGE_MAX_BYTES``: the largest package a node accepts (default 64 MB)."""
    return int(_get("XASO_EXCHANGE_MAX_BYTES", 64 * 1024 * 1024))


def send_at_once() -> bool:
    """``XASO_EXCHANGE_SEND_AT_ONCE``: after commit, also try a message for another node at once
    in a background thread (the queued task stays as the durable path). Default on."""
    return _bool("XASO_EXCHANGE_SEND_AT_ONCE", True)
