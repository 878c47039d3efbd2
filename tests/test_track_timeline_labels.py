"""The public tracking page's timeline: each step shows its own stages, from → to (it read
"信息收集 → 信息收集": the action's label then the status it led to, both the first stage)."""
from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def track_steps(case: dict) -> tuple[list[str], str]:
    """The timeline's steps as a resident reads them (the site's default language, Chinese)."""
    html = Client().get("/track/", {"number": case["properties"]["tracking_number"],
                                    "check": case["properties"]["tracking_key"]}).content.decode()
    found = re.findall(r'data-testid="track-step"><time>[^<]*</time>(.*?)</li>', html, re.S)
    return [" ".join(step.split()) for step in found], html


def test_each_step_shows_where_it_came_from_and_went(world, desk):
    case = desk.report()
    desk.advance(case, "dispatched")
    steps, html = track_steps(case)
    assert steps == ["信息收集", "信息收集 → 已立案", "已立案 → 已派遣"]
    assert "信息收集 → 信息收集" not in html


def test_the_api_gives_each_step_its_from_stage(world, desk):
    case = desk.report()
    desk.advance(case, "filed")
    body = Client().get(f"/api/v1/track/{case['properties']['tracking_number']}/",
                        {"check": case["properties"]["tracking_key"]}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert [(s["from_status"], s["status"]) for s in body["timeline"]] == [(None, "collected"), ("collected", "filed")]
