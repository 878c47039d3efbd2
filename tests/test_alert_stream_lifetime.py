"""A console's live alert stream ends after LIVE_STREAM_SECONDS (the browser reconnects and
the session is checked again): no stream outlives a signed-out session or holds a server
thread for ever."""
from __future__ import annotations

import pytest


@pytest.mark.django_db(transaction=True)
def test_the_stream_ends_after_its_lifetime(world, settings):
    settings.LIVE_STREAM_SECONDS = 1
    response = world.client("dispatcher").get("/live/alerts/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/event-stream"
    body = b"".join(response).decode()  # returns only because the stream ends
    assert body.startswith("retry: 1000\n")
    assert "keepalive" not in body


@pytest.mark.django_db(transaction=True)
def test_a_signed_out_user_cannot_reconnect(world):
    client = world.client("dispatcher")
    client.logout()
    assert client.get("/live/alerts/").status_code in (302, 403)
