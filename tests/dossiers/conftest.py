from __future__ import annotations

import sqlite3

import pytest
from django.db import connection


@pytest.fixture
def file_database(tmp_path):
    """On SQLite, run the test on a copy of the test database in a file, as in production.

    The same approach as tests/core/test_audit_chain.py: Django's SQLite test database lives in
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
