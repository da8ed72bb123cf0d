from __future__ import annotations

from tests.dossiers.conftest import file_database

__all__ = ["file_database"]
