"""The printable area report's scale bar is metric only (it showed "2000 ft")."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_the_scale_bar_is_metric_only(world, chromium, tmp_path):
    client = world.client("street")
    response = client.get(f"/reports/areas/{world.areas['S1'].pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "imperial: false" in html
    path = tmp_path / "report.html"
    path.write_bytes(response.content)
    context = chromium.new_context(offline=True)
    page = context.new_page()
    page.goto(path.as_uri())
    page.wait_for_selector(".leaflet-control-scale-line")
    scales = page.locator(".leaflet-control-scale-line").all_inner_texts()
    context.close()
    assert len(scales) == 1 and scales[0].strip().endswith(("m", "km"))
    assert not any("ft" in s or "mi" in s for s in scales)
