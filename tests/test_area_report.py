"""Printable area reports: a standalone folium map that opens from disk with no network,
scoped like everything else."""
import re

import pytest


def report(world, role, area_key, **params):
    return world.client(role).get(f"/reports/areas/{world.areas[area_key].pk}/", params)


def external_resources(html: str) -> list[str]:
    """Scripts, stylesheets and images the page would fetch from another host."""
    return re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="(https?://[^"]+)"', html)


def test_a_street_report_stands_alone(world):
    response = report(world, "street", "S1")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert external_resources(html) == []
    assert "L.map(" in html and "leaflet-container" in html  # Leaflet inlined
    assert "拓东街道" in html and "社区一" in html and "530103001000" in html
    assert "data:image/png;base64," in html  # the residents' heat overlay, embedded


def test_roles_without_people_get_no_heat_overlay(world):
    html = report(world, "handler", "S1").content.decode()
    assert "data:image/png;base64," not in html and "拓东街道" in html


@pytest.mark.parametrize("role, area, status", [("leader_a", "A", 200), ("leader_a", "B", 404), ("street", "S2", 404)])
def test_reports_are_scoped(world, role, area, status):
    assert report(world, role, area).status_code == status


def test_download(world):
    response = report(world, "leader_a", "A", download=1)
    assert response["Content-Disposition"] == 'attachment; filename="report-530103001001001.html"'


@pytest.mark.browser
def test_the_saved_file_opens_offline(world, chromium, tmp_path):
    path = tmp_path / "report.html"
    path.write_bytes(report(world, "street", "S1").content)
    context = chromium.new_context(offline=True)
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    page.wait_for_selector(".leaflet-interactive")
    assert page.locator(".leaflet-interactive").count() >= 3  # boundary and cells drawn
    assert page.locator(".leaflet-image-layer").count() == 1  # the heat overlay
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
    context.close()
