"""Verification where an event loop already runs in the thread (an async caller, the browser
driver's thread of the journeys): pyHanko's own loop cannot start there, so the check runs in a
thread of its own and gives the same answer."""

from __future__ import annotations

import asyncio

from xaso.signing.verify import verify_pdf


def test_verify_inside_a_running_event_loop(signed_pdf):
    async def check():
        return verify_pdf(signed_pdf)

    outside = verify_pdf(signed_pdf)
    inside = asyncio.run(check())
    assert (inside.code, [s.intact for s in inside.signatures]) == ("valid", [True])
    assert inside.code == outside.code
    assert [s.signer for s in inside.signatures] == [s.signer for s in outside.signatures]
