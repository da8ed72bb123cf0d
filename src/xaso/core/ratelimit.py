"""Limits on what anyone may ask without logging in, per client address.

Dossier codes and document ids are guessable, so the public lookups (the status page and its
JSON, the verification of a signed PDF or an issued certificate) share one budget per client
address: ``XASO_PUBLIC_LOOKUP_RATE`` requests a minute (default 30), counted in a fixed
one-minute window of the shared cache, so every web worker counts against the same figure."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from xaso.core.context import client_address

#: Public lookups per client address per minute, unless ``XASO_PUBLIC_LOOKUP_RATE`` says.
PUBLIC_LOOKUP_RATE = 30


def public_lookup_allowed(request: HttpRequest) -> bool:
    """Count this request against its address's budget; False once the minute's is spent."""
    rate = getattr(settings, "XASO_PUBLIC_LOOKUP_RATE", PUBLIC_LOOKUP_RATE)
    key = f"ratelimit:public:{client_address(request)}:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=70)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=70)
        count = 1
    return count <= rate
