"""Who is acting and from where, for the audit trail.

The request middleware and the API authentication set it; management commands leave it empty
(the audit entry then records the command as the client)."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestMeta:
    client_address: str = ""
    channel: str = "web"  # web | api | cli | task


_current: ContextVar[RequestMeta | None] = ContextVar("xaso_request_meta", default=None)


def set_request_meta(meta: RequestMeta | None) -> object:
    return _current.set(meta)


def reset_request_meta(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]


def current_request_meta() -> RequestMeta:
    return _current.get() or RequestMeta(channel="cli")


def client_address(request: object) -> str:
    """The peer address. Behind a reverse proxy set XASO_TRUSTED_PROXY so X-Forwarded-For counts."""
    import os

    meta = getattr(request, "META", {})
    if os.environ.get("XASO_TRUSTED_PROXY") and meta.get("HTTP_X_FORWARDED_FOR"):
        return str(meta["HTTP_X_FORWARDED_FOR"]).split(",")[-1].strip()
    return str(meta.get("REMOTE_ADDR", ""))
