"""Who handles what arrives: apps that receive packages (``xaso.documents``) register a handler
per package kind in their ``AppConfig.ready()``; the exchange never imports them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .edxml import KINDS, DocumentPackage, StatusPackage

if TYPE_CHECKING:
    from xaso.org.models import Agency

DocumentHandler = Callable[[DocumentPackage, "Agency"], object]
DocumentBatchHandler = Callable[[list[tuple[DocumentPackage, "Agency"]]], object]
StatusHandler = Callable[[StatusPackage], None]
StatusBatchHandler = Callable[[list[StatusPackage]], None]

_document_handlers: dict[str, DocumentHandler] = {}
# kind → (the handler it goes with, its batch variant): a batch variant is used only while the
# handler it was registered with is the kind's handler.
_document_batch_handlers: dict[str, tuple[DocumentHandler, DocumentBatchHandler]] = {}
_status_handlers: list[StatusHandler] = []
_status_batch_handlers: dict[StatusHandler, StatusBatchHandler] = {}


def register_document_handler(
    kind: str, handler: DocumentHandler, *, batch: DocumentBatchHandler | None = None
) -> None:
    """Hand packages of ``kind`` to ``handler(package, agency)``. It runs exactly once per
    (message_id, recipient agency), inside the transaction that records the inbox row; a
    DomainError it raises refuses the package and undoes what it wrote. One handler per kind:
    registering again replaces it (tests do).

    ``batch([(package, agency), …])``, optional, does what ``handler`` would do for each pair in
    turn, for the many recipients of this node delivered together (a directive to 150
    communes), in fewer queries. It may simply raise on the first pair it cannot take: the
    exchange then undoes all it wrote and calls ``handler`` pair by pair, so that only the
    pairs ``handler`` refuses are refused. Handlers write to the database only: whatever they
    write may be undone and the call made again."""
    if kind not in KINDS:
        raise ValueError(f"unknown package kind {kind!r}; one of {KINDS}")
    _document_handlers[kind] = handler
    if batch is None:
        _document_batch_handlers.pop(kind, None)
    else:
        _document_batch_handlers[kind] = (handler, batch)


def register_status_handler(
    handler: StatusHandler, *, batch: StatusBatchHandler | None = None
) -> None:
    """Hand every status message (once per status message_id) to ``handler``. ``batch``, as for
    document handlers: the same for many statuses at once; should it (or any status handler)
    raise, the exchange undoes the whole group and hands the statuses over one by one."""
    if handler not in _status_handlers:
        _status_handlers.append(handler)
    if batch is None:
        _status_batch_handlers.pop(handler, None)
    else:
        _status_batch_handlers[handler] = batch


def unregister_status_handler(handler: StatusHandler) -> None:
    if handler in _status_handlers:
        _status_handlers.remove(handler)
    _status_batch_handlers.pop(handler, None)


def document_batch_handler(kind: str) -> DocumentBatchHandler | None:
    handler, batch = _document_batch_handlers.get(kind, (None, None))
    return batch if handler is not None and _document_handlers.get(kind) is handler else None


def status_batch_handlers() -> list[tuple[StatusHandler, StatusBatchHandler | None]]:
    """Each status handler with its batch variant (None: called once per status)."""
    return [(h, _status_batch_handlers.get(h)) for h in _status_handlers]


def document_handler(kind: str) -> DocumentHandler | None:
    return _document_handlers.get(kind)


def status_handlers() -> list[StatusHandler]:
    return list(_status_handlers)


def unregister_document_handler(kind: str) -> None:
    _document_handlers.pop(kind, None)
    _document_batch_handlers.pop(kind, None)
