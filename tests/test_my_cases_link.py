""""我上报的案件": each card opens its case's tracking page (number and key), where the
case is found."""
from __future__ import annotations

import html as html_lib
import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_each_card_links_to_its_tracking_page(world, desk):
    mine = [desk.report("leader_a"), desk.report("leader_a", category="garbage")]
    page = world.client("leader_a").get("/cases/mine/").content.decode()
    links = {html_lib.unescape(href) for href in re.findall(r'<a class="card case-card[^"]*"[^>]*href="([^"]+)"', page)}
    assert links == {f"/track/?number={c['properties']['tracking_number']}&check={c['properties']['tracking_key']}"
                     for c in mine}
    for link in links:
        opened = Client().get(link)
        assert opened.status_code == 200 and 'data-testid="track-case"' in opened.content.decode()
