"""The civil status pages (server-rendered, htmx for the search): the home page and search
(``home``), a registration form for every kind of registration (``register`` over the table of
``registrations``), an entry (``records``), the books with their closing, print and export
(``books``), and the statistics (``stats``)."""

from __future__ import annotations

from . import books, home, records, register, stats

__all__ = ["books", "home", "records", "register", "stats"]
