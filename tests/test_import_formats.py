"""Each supported file format imports: GeoJSON, a zipped Shapefile, GeoPackage, CSV with
WKT (building footprints), CSV and XLSX with longitude/latitude (organizations), and a
GeoJSON of key sites mixing points and polygons. Positions land within a metre, values
are parsed (Chinese headers and labels), areas are derived."""
from __future__ import annotations

import pytest
import shapely
from import_files import buildings_frame, footprint, metres_apart, write

from assets.models import Building, KeySite, Organization
from gis_core.importing.services import layer_import

BUILDINGS = [
    {"编号": "b1", "名称": "一号楼", "地址": "拓东路1号", "层数": 6, "类别": "住宅",
     "geometry": footprint(102.702, 25.005)},
    {"编号": "b2", "名称": "二号楼", "地址": "拓东路2号", "层数": 12, "类别": "office",
     "geometry": footprint(102.718, 25.012)},
    {"编号": "b3", "名称": "三号楼", "地址": "", "层数": 3, "类别": "医院", "geometry": footprint(102.745, 25.04)},
]


@pytest.mark.parametrize("fmt", ["geojson", "shp", "gpkg", "csv-wkt"])
def test_buildings_each_format(world, tmp_path, fmt):
    path = write(buildings_frame(BUILDINGS), tmp_path, fmt, name="survey")
    report = layer_import(actor=world.users["root"], layer="buildings", path=path)

    assert (report.total, report.created, report.rejected) == (3, 3, 0), report.issues
    for row in BUILDINGS:
        building = Building.objects.get(source_key=f"survey:{row['编号']}")
        assert metres_apart(building.footprint, row["geometry"]) < 1.0
        assert (building.name, building.address, building.floors) == (row["名称"], row["地址"], row["层数"])
    assert Building.objects.get(source_key="survey:b1").category == "residential"
    assert Building.objects.get(source_key="survey:b3").category == "hospital"
    assert Building.objects.get(source_key="survey:b1").area == world.areas["A"]
    assert Building.objects.get(source_key="survey:b2").area == world.areas["B"]
    assert Building.objects.get(source_key="survey:b3").area == world.areas["F"]


ORGANIZATIONS = [
    {"id": "o1", "name": "拓东社区居委会", "kind": "基层组织", "联系电话": "0871-1234567",
     "geometry": shapely.Point(102.706, 25.011)},
    {"id": "o2", "name": "盘龙物流有限公司", "kind": "enterprise", "联系电话": "",
     "geometry": shapely.Point(102.741, 25.021)},
]


@pytest.mark.parametrize("fmt", ["csv-lonlat", "xlsx"])
def test_organizations_from_spreadsheets(world, tmp_path, fmt):
    path = write(buildings_frame(ORGANIZATIONS), tmp_path, fmt, name="orgs")
    report = layer_import(actor=world.users["root"], layer="organizations", path=path)

    assert (report.created, report.rejected) == (2, 0), report.issues
    o1 = Organization.objects.get(source_key="orgs:o1")
    assert (o1.kind, o1.contact_phone, o1.area) == ("grassroots", "0871-1234567", world.areas["A"])
    assert metres_apart(o1.location, ORGANIZATIONS[0]["geometry"]) < 1.0
    assert Organization.objects.get(source_key="orgs:o2").area == world.areas["F"]


def test_key_sites_points_and_polygons(world, tmp_path):
    frame = buildings_frame([
        {"id": "k1", "名称": "加油站", "类别": "fuel_station", "风险等级": "高",
         "geometry": shapely.Point(102.72, 25.02)},
        {"id": "k2", "名称": "消防栓", "类别": "fire_hydrant", "风险等级": "", "geometry": footprint(102.75, 25.05)},
    ])
    report = layer_import(actor=world.users["root"], layer="key-sites", path=write(frame, tmp_path, "geojson"))

    assert (report.created, report.rejected) == (2, 0), report.issues
    k1, k2 = KeySite.objects.get(source_key="layer:k1"), KeySite.objects.get(source_key="layer:k2")
    assert (k1.category.code, k1.risk_level, k1.geometry.geom_type, k1.area) == (
        "fuel_station", 3, "Point", world.areas["B"])
    assert (k2.geometry.geom_type, k2.risk_level, k2.area) == ("Polygon", 1, world.areas["F"])
