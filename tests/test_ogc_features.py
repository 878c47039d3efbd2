"""OGC API – Features (ogc/): the documents, paging, bbox, CRSs and their axis order,
datetime, queryables, scoping, masking, authentication — with Django's test client, then
with two clients that already exist, OWSLib and GDAL's OAPIF driver, against a live server."""
from __future__ import annotations

import json
import os
import subprocess

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone
from pyproj import Transformer
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from assets import services as assets_services
from assets.models import KeySiteCategory
from gis_core.models import PersonalDataAccess, User
from tests.helpers import IN_A, IN_B, IN_F

CORE = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
CRS_CLASS = "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


def get(client, url: str, status: int = 200, headers: dict | None = None, **params):
    response = client.get(url, params, headers=headers)
    assert response.status_code == status, response.content[:500]
    return response


def body(response) -> dict:
    return json.loads(response.content)


def items(client, collection: str, status: int = 200, **params) -> dict:
    return body(get(client, f"/ogc/collections/{collection}/items", status, **params))


def rels(document: dict) -> dict[str, str]:
    return {link["rel"]: link["href"] for link in document["links"]}


def names(document: dict) -> list[str]:
    return sorted(f["properties"]["name"] for f in document["features"])


@pytest.fixture
def places(world):
    """A key site in cell A and an organization in cell B, each with a phone."""
    root = world.users["root"]
    site = assets_services.key_site_create(
        actor=root, name="加油站A", category=KeySiteCategory.objects.first(), geometry=Point(*IN_A, srid=4326),
        responsible_name="张三", responsible_phone="13812345678")
    org = assets_services.organization_create(
        actor=root, name="公司B", kind="enterprise", location=Point(*IN_B, srid=4326),
        contact_name="李四", contact_phone="13987654321")
    return site, org


# --------------------------------------------------------------------------- the documents

def test_landing_page_and_conformance_are_valid_and_public(world):
    anonymous = APIClient()
    landing = body(get(anonymous, "/ogc/"))
    links = rels(landing)
    assert {"self", "service-desc", "conformance", "data"} <= set(links)
    assert links["data"].endswith("/ogc/collections")
    assert body(get(anonymous, "/ogc"))["links"] == landing["links"]  # the base URL without its slash
    conformance = body(get(anonymous, "/ogc/conformance"))
    assert CORE in conformance["conformsTo"] and CRS_CLASS in conformance["conformsTo"]
    api = get(anonymous, "/ogc/api")
    assert api["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert "/collections/{collectionId}/items" in body(api)["paths"]


def test_collections_are_the_map_layers_the_user_may_read(world):
    document = body(get(world.client("leader_a"), "/ogc/collections"))
    collections = {c["id"]: c for c in document["collections"]}
    assert {"buildings", "cells", "key-sites", "organizations"} <= set(collections)
    buildings = collections["buildings"]
    assert buildings["itemType"] == "feature" and buildings["storageCrs"] == CRS84
    assert {CRS84, EPSG + "4326", EPSG + "4490", EPSG + "4543"} <= set(buildings["crs"])
    assert any(link["rel"] == "items" and link["type"] == "application/geo+json" for link in buildings["links"])
    west, south, east, north = buildings["extent"]["spatial"]["bbox"][0]  # the leader's cell A
    assert (west, south, east, north) == pytest.approx((102.70, 25.00, 102.715, 25.03))
    assert body(get(world.client("leader_a"), "/ogc/collections/buildings"))["id"] == "buildings"
    get(world.client("leader_a"), "/ogc/collections/nowhere", 404)
    # a user whose role reads no layer has no collection: each is absent, as if it did not exist
    nobody = APIClient()
    nobody.force_authenticate(User.objects.create_user("nobody", password="pw-nobody"))
    assert body(get(nobody, "/ogc/collections"))["collections"] == []
    get(nobody, "/ogc/collections/buildings/items", 404)


def test_data_needs_a_user_and_takes_a_token(world):
    anonymous = APIClient()
    for url in ("/ogc/collections", "/ogc/collections/buildings", "/ogc/collections/buildings/items",
                f"/ogc/collections/buildings/items/{world.buildings['bA'].pk}"):
        response = get(anonymous, url, 401)
        assert response["WWW-Authenticate"] == "Token"
        assert body(response)["code"] == "NotAuthenticated"
    token = Token.objects.create(user=world.users["admin"])
    document = body(get(APIClient(HTTP_AUTHORIZATION=f"Token {token.key}"), "/ogc/collections/buildings/items"))
    assert document["numberMatched"] == 3


# --------------------------------------------------------------------------- paging, bbox, datetime, filters

def test_items_page_with_next_and_prev_links(world):
    client = world.client("admin")
    first = items(client, "buildings", limit=2)
    assert first["type"] == "FeatureCollection"
    assert (first["numberMatched"], first["numberReturned"]) == (3, 2)
    assert "prev" not in rels(first)
    second = body(get(client, rels(first)["next"]))
    assert second["numberReturned"] == 1 and "next" not in rels(second)
    back = body(get(client, rels(second)["prev"]))
    assert [f["id"] for f in back["features"]] == [f["id"] for f in first["features"]]
    seen = {f["id"] for f in first["features"]} | {f["id"] for f in second["features"]}
    assert seen == {b.pk for b in world.buildings.values()}
    assert items(client, "buildings")["numberReturned"] == 3  # default limit 100
    assert "limit=1000" in rels(items(client, "buildings", limit=50000))["self"]  # served as the maximum
    for bad in ("0", "-1", "many"):
        assert "limit" in items(client, "buildings", 400, limit=bad)
    assert "offset" in items(client, "buildings", 400, offset="-3")


def test_bbox_in_crs84_and_in_other_axis_orders(world):
    client = world.client("admin")
    assert names(items(client, "buildings", bbox="102.70,25.00,102.71,25.02")) == ["楼bA"]
    # EPSG:4490 is latitude first: the same box as lat,lon
    assert names(items(client, "buildings", bbox="25.00,102.70,25.02,102.71", **{"bbox-crs": "EPSG:4490"})) == ["楼bA"]
    # Gauss–Krüger CM 102°E: northing first
    to_gk = Transformer.from_crs(4326, 4543)  # authority axis order: (lat, lon) -> (northing, easting)
    n0, e0 = to_gk.transform(25.00, 102.70)
    n1, e1 = to_gk.transform(25.02, 102.71)
    assert names(items(client, "buildings", bbox=f"{n0},{e0},{n1},{e1}",
                       **{"bbox-crs": EPSG + "4543"})) == ["楼bA"]
    for bad in ("1,2,3", "a,b,c,d", "102.8,25,102.7,25.1", "nan,1,2,3"):
        error = items(client, "buildings", 400, bbox=bad)
        assert "bbox" in error and error["code"] == "InvalidParameterValue"
    assert "bbox-crs" in items(client, "buildings", 400, bbox="1,2,3,4", **{"bbox-crs": "EPSG:2000"})
    assert "bbox" in items(client, "buildings", 400, bbox="0,0,1e30,1e30", **{"bbox-crs": "EPSG:4543"})


def test_coordinates_in_cgcs2000_and_gauss_kruger_follow_the_crs_axis_order(world):
    client = world.client("admin")
    pk = world.buildings["bA"].pk
    plain = get(client, f"/ogc/collections/buildings/items/{pk}")
    assert plain["Content-Crs"] == f"<{CRS84}>"
    lon, lat = body(plain)["geometry"]["coordinates"][0][0][0]
    assert (lon, lat) == pytest.approx((102.705, 25.01))

    cgcs = get(client, f"/ogc/collections/buildings/items/{pk}", crs=EPSG + "4490")
    assert cgcs["Content-Crs"] == f"<{EPSG}4490>"
    assert body(cgcs)["geometry"]["coordinates"][0][0][0] == pytest.approx([25.01, 102.705])  # lat, lon

    gk = get(client, "/ogc/collections/buildings/items", crs="EPSG:4543", bbox="102.70,25.00,102.71,25.02")
    assert gk["Content-Crs"] == f"<{EPSG}4543>"
    northing, easting = body(gk)["features"][0]["geometry"]["coordinates"][0][0][0]
    expected = Transformer.from_crs(4326, 4543).transform(25.01, 102.705)
    assert (northing, easting) == pytest.approx(expected, abs=0.01)
    assert 2_700_000 < northing < 2_800_000 and 500_000 < easting < 600_000  # X north, Y east (no zone number)
    zone = body(get(client, f"/ogc/collections/buildings/items/{pk}", crs="EPSG:4522"))
    assert zone["geometry"]["coordinates"][0][0][0][1] == pytest.approx(34_000_000 + easting, abs=0.01)

    error = items(client, "buildings", 400, crs="EPSG:9999")
    assert "crs" in error and "Unknown coordinate system" in error["description"]


def test_datetime_filters_on_the_collection_time_property(world):
    client = world.client("admin")
    assert items(client, "buildings", datetime="2000-01-01T00:00:00Z/2001-01-01T00:00:00Z")["numberMatched"] == 0
    assert items(client, "buildings", datetime="2000-01-01/..")["numberMatched"] == 3
    assert items(client, "buildings", datetime="../2000-01-01")["numberMatched"] == 0
    for bad in ("yesterday", "2026-13-01", "2026-02-01/2026-01-01", "a/b/c"):
        assert "datetime" in items(client, "buildings", 400, datetime=bad)
    assert "datetime" in items(client, "key-sites", 400, datetime="2026-01-01")  # no time property


def test_queryables_filter_and_personal_data_is_never_queryable(world, places):
    client = world.client("admin")
    queryables = body(get(client, "/ogc/collections/buildings/queryables"))
    assert queryables["type"] == "object"
    assert queryables["properties"]["category"]["type"] == "string"
    assert "hospital" in queryables["properties"]["category"]["enum"]
    assert queryables["properties"]["is_key"]["type"] == "boolean"
    assert names(items(client, "buildings", category="hospital")) == ["楼bF"]
    assert items(client, "buildings", is_key="false")["numberMatched"] == 3
    assert "category" in items(client, "buildings", 400, category="castle")
    assert "floors" in items(client, "buildings", 400, floors="six")
    site_queryables = body(get(client, "/ogc/collections/key-sites/queryables"))["properties"]
    assert "name" in site_queryables and "responsible_phone" not in site_queryables
    assert "responsible_phone" in items(client, "key-sites", 400, responsible_phone="13812345678")
    assert items(client, "buildings", unknown="x")["numberMatched"] == 3  # other parameters are left alone


# --------------------------------------------------------------------------- scoping and personal data

def test_a_grid_leader_never_sees_another_cells_features(world, places):
    leader_a = world.client("leader_a")
    assert names(items(leader_a, "buildings")) == ["楼bA"]
    assert names(items(leader_a, "buildings", bbox="102.70,25.00,102.76,25.06")) == ["楼bA"]
    assert items(leader_a, "organizations")["numberMatched"] == 0  # the organization is in cell B
    for building in ("bB", "bF"):
        get(leader_a, f"/ogc/collections/buildings/items/{world.buildings[building].pk}", 404)
    get(leader_a, "/ogc/collections/buildings/items/abc", 404)
    assert [c["properties"]["code"] for c in items(leader_a, "cells")["features"]] == ["530103001001001"]


def test_a_street_official_sees_phones_masked_and_reads_are_logged_for_others(world, places):
    site, org = places
    street = world.client("street")
    sites = items(street, "key-sites")["features"]
    assert sites[0]["properties"]["responsible_phone"] == "138****5678"
    assert sites[0]["properties"]["responsible_name"] == "张三"
    org_props = body(get(street, f"/ogc/collections/organizations/items/{org.pk}"))["properties"]
    assert org_props["contact_phone"] == "139****4321"
    assert not PersonalDataAccess.objects.exists()

    admin = world.client("admin")
    assert items(admin, "key-sites")["features"][0]["properties"]["responsible_phone"] == "13812345678"
    read = PersonalDataAccess.objects.get(user=world.users["admin"])
    assert (read.object_id, read.fields) == (site.pk, ["responsible_phone"])
    assert read.channel.startswith("GET /ogc/collections/key-sites/items")


def test_open_cases_keep_the_layers_narrowing_and_filter_on_their_report_time(desk):
    world = desk.world
    desk.report("leader_a", at=IN_A)
    desk.report("admin", at=IN_F, category="street_light", reporter_name="李四", reporter_phone="13811112222")
    dispatcher = world.client("dispatcher")
    assert items(dispatcher, "cases")["numberMatched"] == 2
    assert items(world.client("handler"), "cases")["numberMatched"] == 0  # none sent to their departments yet
    assert [f["properties"]["cell_name"] for f in items(world.client("leader_a"), "cases")["features"]] == ["网格A"]
    today = timezone.localdate().isoformat()
    assert items(dispatcher, "cases", datetime=today)["numberMatched"] == 2  # reported_at within the day
    assert items(dispatcher, "cases", datetime=f"../{today}T00:00:00+08:00")["numberMatched"] == 0
    assert body(get(dispatcher, "/ogc/collections/cases"))["extent"]["temporal"]["interval"] == [[None, None]]


# --------------------------------------------------------------------------- HTML

def test_html_pages_in_the_site_frame_in_chinese(world, places):
    client = world.client("admin")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    page = get(client, "/ogc/collections", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    html = page.content.decode()
    assert page["Content-Type"].startswith("text/html")
    assert "网格化管理平台" in html and "集合" in html and "楼栋" in html
    items_page = get(client, "/ogc/collections/buildings/items", f="html", limit=1).content.decode()
    assert 'rel="next"' in items_page and "楼b" in items_page
    assert "<style" not in items_page and 'style="' not in items_page
    assert "<script>" not in items_page  # scripts only from static files (the site's CSP)
    error = get(APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans"), "/ogc/collections", 401, f="html").content.decode()
    assert "/admin/login/" in error
    assert "f" in body(get(client, "/ogc/collections", 400, f="xml"))


# --------------------------------------------------------------------------- clients that already exist

@pytest.mark.django_db(transaction=True)
def test_owslib_and_gdal_read_the_collections(world, places, live_server):
    token = Token.objects.create(user=world.users["street"]).key
    base = f"{live_server.url}/ogc"
    from owslib.ogcapi.features import Features

    api = Features(base, headers={"Authorization": f"Token {token}"})
    assert CORE in api.conformance()["conformsTo"]
    assert "buildings" in {c["id"] for c in api.collections()["collections"]}
    buildings = api.collection_items("buildings", limit=1)
    assert buildings["numberMatched"] == 2  # the street official's S1: cells A and B
    sites = api.collection_items("key-sites")
    assert sites["features"][0]["properties"]["responsible_phone"] == "138****5678"

    env = {**os.environ, "GDAL_HTTP_HEADERS": f"Authorization: Token {token}", "CPL_DEBUG": "OFF",
           "GDAL_HTTP_TIMEOUT": "20"}

    def ogrinfo(*args: str) -> str:
        result = subprocess.run(["ogrinfo", "-ro", "-al", "-so", f"OAPIF:{base}", *args], env=env,
                                capture_output=True, text=True, timeout=60, check=False)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    assert "Feature Count: 2" in ogrinfo("buildings")
    assert "Feature Count: 1" in ogrinfo("cells", "-spat", "102.70", "25.00", "102.714", "25.02")
    full = subprocess.run(["ogrinfo", "-ro", "-al", "-q", f"OAPIF:{base}", "key-sites"], env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert "138****5678" in full.stdout and "13812345678" not in full.stdout
    refused = subprocess.run(["ogrinfo", "-ro", "-so", f"OAPIF:{base}", "buildings"],
                             env={**os.environ, "GDAL_HTTP_TIMEOUT": "20"}, capture_output=True, text=True, check=False,
                             timeout=60)
    assert refused.returncode != 0
