from __future__ import annotations

import sqlite3

import pytest
from django.db import connection


@pytest.fixture(autouse=True)
def _fast_passwords(settings):  # argon2 costs ~250 ms a hash; tests hash hundreds of times
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # One private in-memory cache per test: nothing cached leaks from one test into the next.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}
    }
    from django.core.cache import cache

    cache.clear()
    # Kept pages (core.pagecache) are tested on their own (tests/core/test_pagecache.py) and in
    # the browser journeys; elsewhere tests read each response's template context.
    settings.XASO_PAGE_CACHE = False
    # `xaso demo` registers 250 civil entries per commune; tests of the demo need only a few
    # of each kind (tests/civil/test_demo.py loads the full variety).
    settings.XASO_DEMO_CIVIL_PER_AGENCY = 20
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def api_client(client):
    return client


@pytest.fixture
def file_database(tmp_path):
    """On SQLite, run the test on a copy of the test database in a file, as in production.

    Django's SQLite test database lives in
    memory, shared between threads through SQLite's shared cache, where a second writer fails at
    once ("database table is locked") instead of waiting for the lock (busy_timeout) as it does
    on the WAL file that Xã Số runs on. The in-memory connection is kept aside (closing it would
    destroy the test database) and put back after. On PostgreSQL nothing changes."""
    if connection.vendor != "sqlite":
        yield
        return
    path = tmp_path / "concurrent.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    in_memory, name = connection.connection, connection.settings_dict["NAME"]
    connection.connection = None
    connection.settings_dict["NAME"] = str(path)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = name
        connection.connection = in_memory
