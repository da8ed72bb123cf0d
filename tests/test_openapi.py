"""The committed OpenAPI document must match the API (CI fails on drift)."""

from __future__ import annotations

import json
from pathlib import Path

from xaso.core.management.commands.openapi import openapi_document

COMMITTED = Path(__file__).resolve().parents[1] / "docs" / "openapi.json"


def test_committed_openapi_matches_the_api():
    assert COMMITTED.read_text(encoding="utf-8") == openapi_document(), (
        "docs/openapi.json is stale: run `xaso openapi` and commit it"
    )


def test_served_openapi_is_the_same_document(client):
    served = client.get("/api/v1/openapi.json")
    assert served.status_code == 200
    assert served.json() == json.loads(COMMITTED.read_text(encoding="utf-8"))
