"""Who handles what arrives: apps that receive packages (``xaso.documents``) register a handler
per package kind in their ``AppConfig.ready()``; the exchange never imports them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .edxml import KINDS, DocumentPackage, StatusPackage

if TYPE_CHECKING:
    from xaso.org.models import Agency

DocumentHandler = Callable[[DocumentPackage, "Agency"], object]
StatusHandler = Callable[[StatusPackage], None]

_document_handlers: dict[str, DocumentHandler] = {}
_status_handlers: list[StatusHandler] = []


def register_document_handler(kind: str, handler: DocumentHandler) -> None:
    """Hand packages of ``kind`` to ``handler(package, agency)``. It runs exactly once per
    (message_id, recipient agency), inside the transaction that records the inbox row; a
    DomainError it raises refuses the package and undoes what it wrote. One handler per kind:
    registering again replaces it (tests do)."""
    if kind not in KINDS:
        raise ValueError(f"unknown package kind {kind!r}; one of {KINDS}")
    _document_handlers[kind] = handler


def register_status_handler(handler: StatusHandler) -> None:
    """Hand every status message (once per status message_id) to ``handler``."""
    if handler not in _status_handlers:
        _status_handlers.append(handler)


def unregister_status_handler(handler: StatusHandler) -> None:
    if handler in _status_handlers:
        _status_handlers.remove(handler)


def document_handler(kind: str) -> DocumentHandler | None:
    return _document_handlers.get(kind)


def status_handlers() -> list[StatusHandler]:
    return list(_status_handlers)


def unregister_document_handler(kind: str) -> None:
    _document_handlers.pop(kind, None)
