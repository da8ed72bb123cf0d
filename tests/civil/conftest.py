from __future__ import annotations

import pytest

from tests.civil.world import CivilWorld, build_world


@pytest.fixture
def w(db) -> CivilWorld:
    return build_world()
