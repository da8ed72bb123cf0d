"""Rendered pages kept while what they show has not changed.

A commune's officials open the same few pages all day (their home page, the login screen), and
rendering one through Django's templates costs several times what serving it does. A page marked
``@cached_page(scopes=...)`` is rendered once per official, language, address and day, and kept in
this worker's memory under the current *version* of each data scope it reads ("org" for units,
agencies, staff and roles; "calendar" for the working-day calendar). Whoever changes such data
calls :func:`pages_changed` with its scope (org models do it from their save/delete signals, see
``org.apps``), which gives the scope a new version in the shared cache: every worker then renders
afresh. The versions are read on each request (one read of the shared cache), so no page is ever
served from before a change that has committed.

Per-request parts of a page never enter the kept copy: the CSRF token (masked anew for each
request) and the idle-logout seconds are replaced by markers when the page is kept and filled in
when it is served. A page with pending messages (``messages.success`` after a redirect), a
non-GET request or a non-200 answer is never kept.
"""

from __future__ import annotations

import secrets
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone, translation

_VERSION_KEY = "pages:version:{}"
_EPOCH_KEY = "pages:epoch"
_MAX_PAGES = 512

# Markers that cannot occur in real content: random for each process.
_TOKEN = secrets.token_hex(8)
CSRF_MARK = f"xasocsrf{_TOKEN}"
IDLE_MARK = f"xasoidle{_TOKEN}"
REFRESH_MARK = f"xasorefresh{_TOKEN}"


@dataclass(frozen=True)
class _Kept:
    body: bytes
    headers: dict[str, str]
    valid_until: datetime | None


class _Pages:
    """A small LRU of rendered pages, one per worker process (threads share it)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[tuple[Any, ...], _Kept] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> _Kept | None:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: tuple[Any, ...], value: _Kept) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_pages = _Pages(_MAX_PAGES)


def pages_changed(*scopes: str) -> None:
    """Data of ``scopes`` has changed: pages that show it are rendered afresh.

    The scopes get new versions once the change has committed (at once outside a transaction):
    a request that read the old version meanwhile may keep a page of the old data, but under
    the old version, which no one asks for after the renewal; one that reads the new version
    sees the committed data. The scopes a transaction changes are renewed together, once."""
    conn = transaction.get_connection()
    if not conn.in_atomic_block:
        _bump(set(scopes))
        return
    pending: set[str] = conn.__dict__.setdefault("_xaso_pages_pending", set())
    pending.update(scopes)
    flush = conn.__dict__.get("_xaso_pages_flush")
    if flush is None:

        def flush() -> None:
            _bump(set(pending))
            pending.clear()

        conn.__dict__["_xaso_pages_flush"] = flush
    # Registered once per transaction: a rollback drops Django's callbacks (and the scopes
    # pending then are renewed with the next transaction's, which costs nothing wrong).
    if not any(func is flush for _sids, func, _robust in conn.run_on_commit):
        transaction.on_commit(flush)


def _bump(scopes: set[str]) -> None:
    values = {_VERSION_KEY.format(s): uuid.uuid4().hex for s in sorted(scopes)}
    values[_EPOCH_KEY] = uuid.uuid4().hex  # last: readers re-read the scopes after it
    cache.set_many(values, timeout=None)


class _Versions:
    """This process's copy of the scope versions, good while the shared epoch is unchanged.

    Every change renews its scopes' versions and then the epoch, so a request reads one shared
    key (the epoch) instead of one per scope; when the epoch moved it reads its scopes again.
    A request that reads the old epoch while a change is half-written is served as if it had
    come just before the change, which it did."""

    def __init__(self) -> None:
        self.epoch: str | None = None
        self.known: dict[str, str] = {}
        self.lock = threading.Lock()

    def get(self, scopes: tuple[str, ...]) -> tuple[str, ...]:
        epoch = _shared(_EPOCH_KEY)
        with self.lock:
            if epoch != self.epoch:
                self.epoch, self.known = epoch, {}
            known = dict(self.known)
        missing = [s for s in scopes if s not in known]
        if missing:
            for scope in missing:
                known[scope] = _shared(_VERSION_KEY.format(scope))
            with self.lock:
                if epoch == self.epoch:
                    self.known.update({s: known[s] for s in missing})
        return tuple(known[s] for s in scopes)

    def clear(self) -> None:
        with self.lock:
            self.epoch, self.known = None, {}


def _shared(key: str) -> str:
    value = cache.get(key)
    if value is None:
        cache.add(key, uuid.uuid4().hex, timeout=None)
        value = cache.get(key)
    return str(value)


_versions = _Versions()


def scope_versions(scopes: tuple[str, ...]) -> tuple[str, ...]:
    """The current version of each of ``scopes``."""
    return _versions.get(scopes)


def forget_pages() -> None:
    """Drop this process's kept pages and versions (tests)."""
    _pages.clear()
    _versions.clear()


def _has_messages(request: HttpRequest) -> bool:
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0


Scopes = tuple[str, ...] | Callable[..., tuple[str, ...]]


def cached_page(
    *, scopes: Scopes, still_valid: Callable[..., bool] | None = None
) -> Callable[[Callable[..., HttpResponse]], Any]:
    """Keep the GET answers of a view per official, language, address (with its query string),
    htmx or not, and day (in Vietnam's time), under the current versions of ``scopes`` (a tuple,
    or a function of the request and the view's arguments giving one).

    A page whose content changes with the clock (a due time passing) says until when it holds by
    setting ``request.page_valid_until``; ``still_valid(request, **kwargs)``, when given, is asked
    before a kept page is served and can send the request to the view instead (for instance when
    a read the view audits has not been logged today)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not settings.XASO_PAGE_CACHE or request.method != "GET" or _has_messages(request):
                return view(request, *args, **kwargs)
            user = request.user
            names = scopes(request, *args, **kwargs) if callable(scopes) else scopes
            now = timezone.now()
            key = (
                view.__module__,
                view.__qualname__,
                user.pk if user.is_authenticated else None,
                translation.get_language(),
                request.get_full_path(),
                bool(request.headers.get("HX-Request")),
                timezone.localdate(now),
                names,
                scope_versions(names),
            )
            kept = _pages.get(key)
            if (
                kept is not None
                and (kept.valid_until is None or now < kept.valid_until)
                and (still_valid is None or still_valid(request, *args, **kwargs))
            ):
                return _serve(request, kept.body, kept.headers)
            request._page_marks = True  # type: ignore[attr-defined]
            response = view(request, *args, **kwargs)
            del request._page_marks  # type: ignore[attr-defined]
            if (
                response.status_code != 200
                or response.streaming
                or not response.get("Content-Type", "").startswith("text/html")
                or response.cookies.keys() - {settings.CSRF_COOKIE_NAME}
            ):
                return _fill(request, response)
            headers = {k: v for k, v in response.items() if k.lower() != "content-length"}
            valid_until = getattr(request, "page_valid_until", None)
            _pages.put(key, _Kept(response.content, headers, valid_until))
            return _fill(request, response)

        return wrapped

    return decorator


def kept(
    key: tuple[Any, ...],
    scopes: tuple[str, ...],
    build: Callable[[], tuple[bytes, datetime | None]],
) -> bytes:
    """The same for an answer that is not a page (an API's JSON): ``build()`` gives the bytes and
    until when they hold; kept under ``key`` (which must name the caller and everything the
    answer depends on besides ``scopes``), the day and the scopes' versions, read before
    building, so a change made meanwhile is never kept under the new version."""
    if not settings.XASO_PAGE_CACHE:
        return build()[0]
    now = timezone.now()
    full = (*key, timezone.localdate(now), scopes, scope_versions(scopes))
    item = _pages.get(full)
    if item is not None and (item.valid_until is None or now < item.valid_until):
        return item.body
    body, valid_until = build()
    _pages.put(full, _Kept(body, {}, valid_until))
    return body


def _values(request: HttpRequest) -> dict[str, str]:
    idle = int(getattr(request, "idle_remaining", settings.XASO_IDLE_TIMEOUT_SECONDS))
    return {
        CSRF_MARK: get_token(request),
        IDLE_MARK: str(idle),
        REFRESH_MARK: str(idle + 5),
    }


def _replace(body: bytes, values: dict[str, str]) -> bytes:
    for mark, value in values.items():
        body = body.replace(mark.encode(), value.encode())
    return body


def _fill(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    response.content = _replace(response.content, _values(request))
    return response


def _serve(request: HttpRequest, body: bytes, headers: dict[str, str]) -> HttpResponse:
    response = HttpResponse(_replace(body, _values(request)))
    for k, v in headers.items():
        response[k] = v
    return response


def page_marks(request: HttpRequest) -> dict[str, Any] | None:
    """For context processors: the markers to render instead of per-request values while a page
    is being rendered to be kept, else None."""
    if getattr(request, "_page_marks", False):
        return {"csrf_token": CSRF_MARK, "idle": IDLE_MARK, "refresh": REFRESH_MARK}
    return None
