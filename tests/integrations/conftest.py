from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integrations.gateway import Gateway, sms_gateway


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    with sms_gateway() as g:
        yield g
