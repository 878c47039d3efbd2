"""A console's live alert stream ends after LIVE_STREAM_SECONDS (the browser reconnects and
the session is checked again): no stream outlives a signed-out session or holds a server
thread for ever."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest


def in_own_thread(call):
    """Django's sync client runs the async view with async_to_sync, which refuses a thread
    with a running event loop — as the main thread has while the browser tests' Playwright
    is open."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(call).result(timeout=60)


@pytest.mark.django_db(transaction=True)
def test_the_stream_ends_after_its_lifetime(world, settings):
    settings.LIVE_STREAM_SECONDS = 1
    client = world.client("dispatcher")
    response, body = in_own_thread(lambda: (r := client.get("/live/alerts/"), b"".join(r).decode()))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/event-stream"
    # (joining the body returned only because the stream ended)
    assert body.startswith("retry: 1000\n")
    assert "keepalive" not in body


@pytest.mark.django_db(transaction=True)
def test_a_signed_out_user_cannot_reconnect(world):
    client = world.client("dispatcher")
    client.logout()
    assert in_own_thread(lambda: client.get("/live/alerts/").status_code) in (302, 403)
