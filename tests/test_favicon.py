"""Every page names its icon, and /favicon.ico answers (no 404 in any browser's log)."""
from __future__ import annotations

from django.test import Client


def test_pages_name_the_icon_and_favicon_ico_answers(world):
    client = Client()
    home = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/gis_core/favicon.svg" type="image/svg+xml">' in home
    response = client.get("/favicon.ico", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain and response.redirect_chain[0][1] == 301
    assert b"<svg" in b"".join(response.streaming_content if response.streaming else [response.content])
