"""``?in_bbox=`` returns the features that intersect the view — as the admin geometry
widget's context layer needs: the cell a zoomed-in view lies wholly inside, both cells of a
view across their edge, and not a feature whose bounding box alone reaches the view."""
from __future__ import annotations

from django.contrib.gis.geos import MultiPolygon, Polygon

from assets import services as assets_services

CELL_A, CELL_B = "530103001001001", "530103001001002"


def cells(world, box: str) -> set[str]:
    body = world.client("admin").get("/api/v1/areas/", {"level": 5, "page_size": 1000, "in_bbox": box}).json()
    return {f["properties"]["code"] for f in body["features"]}


def test_a_view_inside_a_cell_returns_that_cell(world):
    # Zoomed in on building bA (102.705, 25.01): the view is a few metres inside cell A.
    assert cells(world, "102.7048,25.0098,102.7052,25.0102") == {CELL_A}


def test_a_view_across_an_edge_returns_both_cells(world):
    assert cells(world, "102.714,25.01,102.716,25.02") == {CELL_A, CELL_B}


def test_a_view_in_the_notch_of_an_l_shaped_footprint_does_not_return_it(world):
    l_shape = MultiPolygon(Polygon(((102.7010, 25.0050), (102.7030, 25.0050), (102.7030, 25.0055),
                                    (102.7015, 25.0055), (102.7015, 25.0070), (102.7010, 25.0070),
                                    (102.7010, 25.0050))), srid=4326)
    assets_services.building_create(actor=world.users["root"], name="L形楼", address="盘龙路L号", footprint=l_shape,
                                    floors=3, category="residential")
    client = world.client("admin")

    def names(box: str) -> set[str]:
        body = client.get("/api/v1/buildings/", {"in_bbox": box, "page_size": 1000}).json()
        return {f["properties"]["name"] for f in body["features"]}

    assert "L形楼" not in names("102.7020,25.0060,102.7025,25.0065")   # in its bounding box, not on it
    assert "L形楼" in names("102.7011,25.0060,102.7013,25.0062")       # on its upright arm
