from __future__ import annotations

import pytest

from xaso.procedures.exchange import catalogue_load_seed


@pytest.fixture
def catalogue(db):
    """The shipped commune catalogue (60 procedures)."""
    return catalogue_load_seed()
