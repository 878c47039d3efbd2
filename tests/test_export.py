"""Exports of lists and map layers: every format read back with geopandas (geometry,
attributes and Chinese text intact), personal data masked or recorded by role, the list's
filters and scoping, constant query counts."""
import csv
import io
import zipfile

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from django.contrib.gis.geos import Point, Polygon

from assets import services
from assets.models import KeySiteCategory
from gis_core.models import PersonalDataAccess
from tests.helpers import IN_A, IN_F, building_in, query_count

FORMATS = ["geojson", "gpkg", "shp", "csv", "xlsx"]


def export(world, user: str, url: str, expect: int = 200, **params):
    response = world.client(user).get(url, params)
    assert response.status_code == expect, (response.status_code, getattr(response, "content", b"")[:500])
    return response


def read(response, fmt: str, tmp_path, layer: str = "") -> gpd.GeoDataFrame:
    """The exported file as geopandas reads it (XLSX: pandas, geometry from the WKT)."""
    content = b"".join(response.streaming_content)
    path = tmp_path / f"export.{'zip' if fmt == 'shp' else fmt}"
    path.write_bytes(content)
    if fmt == "shp":  # full column names back from fields.csv
        frame = gpd.read_file(f"zip://{path}" + (f"!{layer}" if layer else ""))
        with zipfile.ZipFile(path) as archive:
            if "fields.csv" in archive.namelist():
                names = csv.reader(io.StringIO(archive.read("fields.csv").decode("utf-8-sig")))
                frame = frame.rename(columns=dict(names))
        return frame
    frame = gpd.read_file(path)
    if fmt == "xlsx":  # a spreadsheet: the geometry is the WKT column
        wkt = frame.pop("WKT")
        return gpd.GeoDataFrame(frame, geometry=shapely.from_wkt(wkt.where(wkt.notna(), None)), crs=4326)
    return frame


def by_name(frame: gpd.GeoDataFrame) -> dict[str, dict]:
    return {row["name"]: row for row in frame.to_dict("records")}


@pytest.mark.parametrize("fmt", FORMATS)
def test_buildings_round_trip_in_every_format(world, fmt, tmp_path):
    response = export(world, "admin", f"/api/v1/buildings/export.{fmt}")
    assert response["Content-Disposition"].startswith("attachment; filename=\"buildings-")
    assert response["X-Export-Rows"] == "3"
    frame = read(response, fmt, tmp_path)
    assert len(frame) == 3
    if fmt != "csv":  # CSV carries no coordinate system
        assert frame.crs.to_epsg() == 4326
    rows = by_name(frame)
    assert set(rows) == {"楼bA", "楼bB", "楼bF"}  # Chinese intact
    bA = rows["楼bA"]
    assert bA["address"] == "盘龙路bA号"
    assert str(bA["area_code"]) == "530103001001001"
    assert int(bA["id"]) == world.buildings["bA"].pk
    assert bA["category"] == "residential" and bA["category_name"] == "residential"
    assert int(bA["resident_count"]) == 1
    assert int(bA["house_count"]) == 1
    footprint = shapely.from_wkt(world.buildings["bA"].footprint.wkt)
    assert shapely.equals_exact(shapely.normalize(bA["geometry"]), shapely.normalize(footprint), tolerance=1e-9) or \
        bA["geometry"].equals(footprint)


def test_shapefile_zip_is_utf8_with_short_field_names(world, tmp_path):
    content = b"".join(export(world, "admin", "/api/v1/buildings/export.shp").streaming_content)
    archive = zipfile.ZipFile(io.BytesIO(content))
    names = set(archive.namelist())
    assert {"buildings.shp", "buildings.shx", "buildings.dbf", "buildings.prj", "buildings.cpg"} <= names
    assert archive.read("buildings.cpg").decode().strip() == "UTF-8"
    mapping = dict(csv.reader(io.StringIO(archive.read("fields.csv").decode("utf-8-sig"))))
    assert mapping["house_coun"] == "house_count" and mapping["resident_c"] == "resident_count"
    assert mapping["category_n"] == "category_name"


@pytest.mark.parametrize("fmt", FORMATS)
def test_key_sites_mix_points_and_polygons(world, fmt, tmp_path):
    root = world.users["root"]
    services.key_site_create(actor=root, name="加油站", category=KeySiteCategory.objects.get(code="fuel_station"),
                             geometry=Point(102.706, 25.012, srid=4326), responsible_phone="13512345678")
    services.key_site_create(actor=root, name="学校", category=KeySiteCategory.objects.get(code="school"),
                             geometry=Polygon.from_bbox((102.741, 25.021, 102.742, 25.022)))
    url = f"/api/v1/key-sites/export.{fmt}"
    if fmt == "shp":  # one shapefile per kind of geometry
        frame = pd.concat([read(export(world, "admin", url), fmt, tmp_path, layer=f"key-sites_{kind}.shp")
                           for kind in ("points", "polygons")])
    else:
        frame = read(export(world, "admin", url), fmt, tmp_path)
    rows = by_name(frame)
    assert rows["加油站"]["geometry"].geom_type == "Point"
    assert rows["学校"]["geometry"].geom_type in ("Polygon", "MultiPolygon")
    assert rows["学校"]["geometry"].equals(shapely.box(102.741, 25.021, 102.742, 25.022))
    assert rows["加油站"]["category_name"] == "加油站" and rows["学校"]["kind"] == "key_place"
    assert rows["加油站"]["responsible_phone"] == "13512345678"


# --------------------------------------------------------------------------- personal data

def test_people_are_masked_for_a_street_official_and_nothing_is_logged(world, tmp_path):
    frame = read(export(world, "street", "/api/v1/people/export.csv"), "csv", tmp_path)
    rows = by_name(frame)
    assert set(rows) == {"居民pA", "居民pB"}  # street S1: cells A and B
    pA = rows["居民pA"]
    number = world.people["pA"].id_number
    assert pA["id_number"] == number[:4] + "*" * 10 + number[-4:]
    assert pA["phone"] == "138****1111"
    assert pA["birth_date"] == "1945-**-**"
    assert int(pA["age"]) >= 80
    assert pA["tags"] == "living_alone"  # "disabled" is sensitive
    assert pA["building"] == "楼bA" and pA["room"] == "302"
    assert pA["geometry"].within(shapely.from_wkt(world.buildings["bA"].footprint.wkt))
    assert not PersonalDataAccess.objects.exists()


def test_people_are_shown_and_each_read_logged_for_a_community_worker(world, tmp_path):
    frame = read(export(world, "community", "/api/v1/people/export.gpkg"), "gpkg", tmp_path)
    pA = by_name(frame)["居民pA"]
    assert pA["id_number"] == world.people["pA"].id_number
    assert pA["phone"] == "13800001111" and pA["birth_date"] == "1945-03-12"
    assert pA["tags"] == "living_alone,disabled"
    log = {e.record: e for e in PersonalDataAccess.objects.all()}
    assert set(log) == {"居民pA", "居民pB"}
    assert log["居民pA"].fields == ["birth_date", "id_number", "phone", "tags"]
    assert log["居民pB"].fields == ["birth_date", "id_number", "phone"]
    assert log["居民pA"].area == world.areas["A"] and log["居民pB"].area == world.areas["B"]
    assert log["居民pA"].object_id == world.people["pA"].pk
    assert log["居民pA"].user == world.users["community"]
    assert log["居民pA"].channel == "GET /api/v1/people/export.gpkg"


def test_phones_of_places_are_masked_by_role(world, tmp_path):
    root = world.users["root"]
    services.organization_create(actor=root, name="居委会", kind="grassroots", location=Point(*IN_A, srid=4326),
                                 contact_name="王主任", contact_phone="13698765432")
    masked = by_name(read(export(world, "street", "/api/v1/organizations/export.geojson"), "geojson", tmp_path))
    assert masked["居委会"]["contact_phone"] == "136****5432" and masked["居委会"]["contact_name"] == "王主任"
    shown = by_name(read(export(world, "leader_a", "/api/v1/organizations/export.geojson"), "geojson", tmp_path))
    assert shown["居委会"]["contact_phone"] == "13698765432"
    assert PersonalDataAccess.objects.get().fields == ["contact_phone"]


# --------------------------------------------------------------------------- filters and scope

def test_the_lists_filters_search_and_field_choice_apply(world, tmp_path):
    hospital = read(export(world, "admin", "/api/v1/buildings/export.geojson", category="hospital"), "geojson", tmp_path)
    assert list(hospital["name"]) == ["楼bF"]
    street = read(export(world, "admin", "/api/v1/buildings/export.geojson", area_code="530103001"), "geojson", tmp_path)
    assert sorted(street["name"]) == ["楼bA", "楼bB"]
    ordered = read(export(world, "admin", "/api/v1/buildings/export.csv", ordering="-name"), "csv", tmp_path)
    assert list(ordered["name"]) == ["楼bF", "楼bB", "楼bA"]
    tagged = read(export(world, "admin", "/api/v1/people/export.geojson", tag="living_alone"), "geojson", tmp_path)
    assert list(tagged["name"]) == ["居民pA"]
    searched = read(export(world, "admin", "/api/v1/houses/export.geojson", search="bB"), "geojson", tmp_path)
    assert list(searched["building_name"]) == ["楼bB"] and list(searched["residents"]) == [1]

    cells = read(export(world, "admin", "/api/v1/areas/export.gpkg", level=5), "gpkg", tmp_path)
    assert sorted(cells["name"]) == ["网格A", "网格B", "网格E", "网格F"] and set(cells["level_name"]) == {"grid cell"}

    chosen = read(export(world, "admin", "/api/v1/buildings/export.csv", fields="name,category"), "csv", tmp_path)
    assert list(chosen.columns)[:2] == ["name", "category"] and "floors" not in chosen
    bad = export(world, "admin", "/api/v1/buildings/export.csv", expect=400, fields="name,owner")
    assert "owner" in bad.json()["fields"][0]


def test_a_grid_leader_exports_only_their_cell(world, tmp_path):
    own = read(export(world, "leader_a", "/api/v1/buildings/export.gpkg"), "gpkg", tmp_path)
    assert list(own["name"]) == ["楼bA"]
    other_cell = {"area_code": world.areas["B"].code}
    empty = read(export(world, "leader_a", "/api/v1/buildings/export.geojson", **other_cell), "geojson", tmp_path)
    assert len(empty) == 0
    cells = read(export(world, "leader_a", "/api/v1/cells/export.geojson"), "geojson", tmp_path)
    assert list(cells["code"]) == [world.areas["A"].code]
    assert len(read(export(world, "leader_a", "/api/v1/cells/export.geojson", code=world.areas["B"].code),
                    "geojson", tmp_path)) == 0
    people = read(export(world, "leader_a", "/api/v1/people/export.csv"), "csv", tmp_path)
    assert list(people["name"]) == ["居民pA"]
    layer = read(export(world, "leader_b", "/api/v1/export/buildings.geojson"), "geojson", tmp_path)
    assert list(layer["name"]) == ["楼bB"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("url", ["/api/v1/buildings/export", "/api/v1/key-sites/export"])
def test_an_empty_export_is_a_readable_file(world, url, fmt, tmp_path):
    response = export(world, "leader_a", f"{url}.{fmt}", area_code=world.areas["B"].code)
    assert response["X-Export-Rows"] == "0"
    if fmt in ("shp", "xlsx"):  # (GDAL takes a lone header row for data)
        archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
        if fmt == "shp":
            assert any(n.endswith(".shp") for n in archive.namelist())
        else:
            sheet = archive.read("xl/worksheets/sheet1.xml").decode()
            assert ">id</t>" in sheet and ">WKT</t>" in sheet and '<row r="2">' not in sheet
    else:
        assert len(read(response, fmt, tmp_path)) == 0


def test_roles_without_the_list_cannot_export_it(world):
    export(world, "handler", "/api/v1/people/export.csv", expect=403)
    export(world, "handler", "/api/v1/houses/export.csv", expect=403)
    export(world, "handler", "/api/v1/buildings/export.csv")
    export(world, "admin", "/api/v1/buildings/export.pdf", expect=404)
    assert world.client("admin").logout() is None
    from rest_framework.test import APIClient

    assert APIClient().get("/api/v1/buildings/export.csv").status_code in (401, 403)
    assert APIClient().get("/api/v1/export/buildings.csv").status_code in (401, 403)


def test_cases_are_exported_as_the_queue_shows_them(desk, tmp_path):
    world = desk.world
    desk.report("leader_a", at=IN_A)
    desk.report("admin", at=IN_F, category="street_light", reporter_name="李四", reporter_phone="13811112222")
    everyone = read(export(world, "dispatcher", "/api/v1/cases/export.geojson"), "geojson", tmp_path)
    assert len(everyone) == 2 and set(everyone["cell_name"]) == {"网格A", "网格F"}
    mine = read(export(world, "leader_a", "/api/v1/cases/export.xlsx"), "xlsx", tmp_path)
    assert list(mine["cell_name"]) == ["网格A"] and mine["description"][0] == "垃圾堆放在楼下"
    assert mine.geometry[0].equals(shapely.Point(*IN_A))
    # the map layer of open cases keeps the layer's narrowing: a handler sees their departments' only
    assert len(read(export(world, "dispatcher", "/api/v1/export/cases.csv"), "csv", tmp_path)) == 2
    assert len(read(export(world, "handler", "/api/v1/export/cases.csv"), "csv", tmp_path)) == 0


# --------------------------------------------------------------------------- layers

def test_a_map_layer_is_exported_by_name_with_its_attributes(world, tmp_path):
    frame = read(export(world, "street", "/api/v1/export/cells.gpkg"), "gpkg", tmp_path)
    assert sorted(frame["name"]) == ["网格A", "网格B", "网格E"]
    a = by_name(frame)["网格A"]
    assert (a["code"], a["leaders"], a["building_count"], a["people_count"]) == (
        world.areas["A"].code, "Leader_A", 1, 1)
    export(world, "admin", "/api/v1/export/nowhere.gpkg", expect=404)


# --------------------------------------------------------------------------- spreadsheets and size

def test_text_that_looks_like_a_formula_stays_text(world, tmp_path):
    services.building_create(actor=world.users["root"], name="=HYPERLINK(\"http://x\")", footprint=building_in(
        102.706, 25.02), floors=2)
    content = b"".join(export(world, "admin", "/api/v1/buildings/export.csv").streaming_content)
    assert content.startswith("\ufeff".encode())  # BOM: Excel reads UTF-8
    assert "'=HYPERLINK" in content.decode("utf-8-sig")
    content = b"".join(export(world, "admin", "/api/v1/buildings/export.xlsx").streaming_content)
    sheet = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and 't="inlineStr"><is><t xml:space="preserve">=HYPERLINK(' in sheet


def test_xlsx_opens_in_openpyxl_with_typed_cells(world, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    path = tmp_path / "b.xlsx"
    path.write_bytes(b"".join(export(world, "admin", "/api/v1/buildings/export.xlsx").streaming_content))
    sheet = openpyxl.load_workbook(path).active
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["id", "name", "address"] and header[-1] == "WKT" and sheet.freeze_panes == "A2"
    row = {h: c.value for h, c in zip(header, sheet[2])}
    assert row["name"] == "楼bA" and row["floors"] == 6 and row["is_key"] is False
    assert row["WKT"].startswith("MULTIPOLYGON")


@pytest.mark.parametrize("url", ["/api/v1/buildings/export.gpkg", "/api/v1/people/export.csv",
                                 "/api/v1/houses/export.shp", "/api/v1/export/cells.geojson"])
def test_query_count_does_not_grow_with_the_rows(world, url):
    query_count(world.client("community"), url)  # warm caches (content types)
    before = query_count(world.client("community"), url)
    root = world.users["root"]
    for i in range(5):
        building = services.building_create(actor=root, name=f"加楼{i}", footprint=building_in(
            102.701 + i * 0.001, 25.005), floors=3)
        house = services.house_create(actor=root, building=building, unit=1, floor=1, room="101")
        services.person_create(actor=root, house=house, name=f"加人{i}", phone="13300000000")
    assert query_count(world.client("community"), url) == before
