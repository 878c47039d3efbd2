"""Heat legends name their unit in the reader's language: 人/平方公里 for residents and key
groups, 件/平方公里 for cases (it was "people per km²" in the Chinese console)."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("metric", "chinese", "english"), [
    ("people", "人/平方公里", "people per km²"),
    ("cases", "件/平方公里", "cases per km²"),
])
def test_the_legend_unit_is_translated(world, metric, chinese, english):
    client = world.client("admin")
    url = f"/tiles/heat/{metric}/legend.json"
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").json()["unit"] == chinese
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()["unit"] == english
