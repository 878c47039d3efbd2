"""Read replicas (gis_core.replicas) against a real streaming standby (tests/fixtures/replica.py).

Replay on the standby is paused, then rows are written on the primary: an answer without
them came from the replica, an answer with them from the primary. The heavy reads (tiles,
heatmaps, exports, OGC API items, metrics, search, area statistics) read from the replica; a client that
has just written reads from the primary; a replica lagging beyond REPLICA_MAX_LAG_SECONDS,
stopped, or failing mid-request leaves the reads to the primary with a log line.
"""
from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from assets import services as assets_services
from gis_core.models import PersonalDataAccess
from gis_core.replicas import STICKY_COOKIE, read_alias, replica_health_forget, replica_reads
from incidents.models import Case, Category
from tests.helpers import IN_A, building_in, id_number, tile_features, tile_get, tile_xy

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


def new_rows(world) -> None:
    """On the primary only (replay paused): a building in cell A, a resident of house hA
    and a case filed in cell A today."""
    root = world.users["root"]
    assets_services.building_create(actor=root, name="新楼", address="盘龙路新号", footprint=building_in(102.707, 25.012),
                                    floors=3, category="residential")
    assets_services.person_create(actor=root, house=world.houses["hA"], relation="tenant", moved_in=dt.date(2024, 1, 1),
                                  tags=[], name="居民新", id_number=id_number("53010319700101004"),
                                  phone="13600004444", ethnicity="汉族")
    category = Category.objects.get(code="garbage")
    cell, now = world.areas["A"], timezone.now()
    Case.objects.create(tracking_number="R00001", kind="event", category=category, description="x",
                        location=Point(*IN_A, srid=4326), cell=cell, community=cell.parent, street=cell.parent.parent,
                        source="desk", department=category.department, reported_at=now, filed_at=now,
                        due_at=now + dt.timedelta(days=1), status="handling")


def rows_exported(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return int(response["X-Export-Rows"])


def heavy_reads(world, client) -> dict:
    """What each heavy read path answers (to the community worker of C1): counts that the
    new rows change."""
    x, y = tile_xy(102.705, 25.01, 13)
    stats = client.get(f"/api/v1/area-stats/{world.areas['C1'].pk}/").json()
    metrics = client.get("/api/v1/cases/metrics/", {"by": "street"}).json()
    return {
        "tile": len(tile_features(tile_get(client, "buildings", 13, x, y), "buildings")),
        "layer export": rows_exported(client, "/api/v1/export/buildings.csv"),
        "list export": rows_exported(client, "/api/v1/buildings/export.csv"),
        "people export": rows_exported(client, "/api/v1/people/export.csv"),
        "area stats": stats["totals"]["buildings"],
        "search": len(client.get("/api/v1/search/", {"q": "新楼"}).json()),
        "heat": client.get("/tiles/heat/people/legend.json").json()["total"],
        "case metrics": metrics["rows"][-1]["filed"],
        "ogc items": client.get("/ogc/collections/buildings/items", {"f": "json"}).json()["numberMatched"],
    }


STALE = {"tile": 2, "layer export": 2, "list export": 2, "people export": 2, "area stats": 2, "search": 0, "heat": 2,
         "case metrics": 0, "ogc items": 2}  # community C1: buildings bA and bB, residents pA and pB
FRESH = {"tile": 3, "layer export": 3, "list export": 3, "people export": 3, "area stats": 3, "search": 1, "heat": 3,
         "case metrics": 1, "ogc items": 3}


def test_heavy_reads_come_from_the_replica_everything_else_from_the_primary(world, replica):
    replica.catch_up()
    replica.pause()
    new_rows(world)
    client = world.client("community")  # signed in after the pause: the session is on the primary only
    assert heavy_reads(world, client) == STALE
    # Not a heavy read path: the building list itself is current.
    assert client.get("/api/v1/buildings/").json()["count"] == 3
    # The export read people on the replica; its personal-data access log is on the primary.
    logged = PersonalDataAccess.objects.filter(channel="GET /api/v1/people/export.csv")
    assert sorted(logged.values_list("record", flat=True)) == ["居民pA", "居民pB"]

    replica.resume()
    replica.catch_up()
    assert heavy_reads(world, client) == FRESH


def test_a_client_that_wrote_reads_from_the_primary(world, replica, settings):
    replica.catch_up()
    replica.pause()
    writer = world.client("leader_a")
    before = rows_exported(writer, "/api/v1/cases/export.csv")
    refused = writer.post("/api/v1/cases/", {"category": "garbage"}, format="json")
    assert refused.status_code == 400 and STICKY_COOKIE not in refused.cookies  # nothing written
    assert rows_exported(writer, "/api/v1/cases/export.csv") == before
    reported = writer.post("/api/v1/cases/", {"category": "garbage", "description": "垃圾堆放在楼下",
                                               "lon": IN_A[0], "lat": IN_A[1]}, format="json")
    assert reported.status_code == 201
    cookie = reported.cookies[STICKY_COOKIE]
    assert cookie["max-age"] == settings.REPLICA_STICKY_SECONDS and cookie["httponly"]
    assert rows_exported(writer, "/api/v1/cases/export.csv") == before + 1  # the primary
    assert rows_exported(world.client("leader_a"), "/api/v1/cases/export.csv") == before  # another client: the replica


def test_a_lagging_replica_leaves_the_reads_to_the_primary(world, replica, settings, caplog):
    replica.catch_up()
    replica.pause()
    new_rows(world)
    settings.REPLICA_MAX_LAG_SECONDS = 0  # replay is paused behind the primary's last commit
    client = world.client("community")
    with caplog.at_level(logging.WARNING, logger="gis_core.replicas"):
        assert heavy_reads(world, client) == FRESH
    lines = [r.getMessage() for r in caplog.records if r.name == "gis_core.replicas"]
    assert len(lines) == 1, lines  # one line, not one per read
    assert f"read replica {replica.alias} not used" in lines[0] and "replay lag" in lines[0]


def test_a_stopped_replica_leaves_the_reads_to_the_primary(world, replica, settings, caplog):
    settings.REPLICA_CHECK_SECONDS = 3600  # checked once: the failure shows on a query
    replica.catch_up()
    client = world.client("community")
    url = "/api/v1/export/buildings.csv"
    assert rows_exported(client, url) == 2
    with replica_reads():
        assert read_alias() == replica.alias  # checked and usable
    replica.stop()
    new_rows(world)
    with caplog.at_level(logging.WARNING, logger="gis_core.replicas"):
        assert rows_exported(client, url) == 3  # its query failed: run again on the primary
        assert rows_exported(client, url) == 3  # known to be down: the primary at once
        replica_health_forget()
        assert rows_exported(client, url) == 3  # checked again: unreachable
    lines = [r.getMessage() for r in caplog.records if r.name == "gis_core.replicas"]
    assert len(lines) == 2, lines
    assert "query failed" in lines[0] and "unreachable" in lines[1]

    replica.start()
    replica.catch_up()
    replica_health_forget()
    with replica_reads():
        assert read_alias() == replica.alias  # back in use


def test_the_router_inside_and_outside_replica_reads(world, replica):
    from django.contrib.sessions.models import Session
    from django.core.cache import cache
    from django.db import router
    from rest_framework.authtoken.models import Token

    from assets.models import Building
    from tiles.models import TileCache

    cache_entry = cache.cache_model_class if hasattr(cache, "cache_model_class") else None
    replica.catch_up()  # the world was written a moment ago, on the primary
    assert router.db_for_read(Building) == "default"  # outside: the primary
    with replica_reads():
        assert router.db_for_read(Building) == replica.alias
        assert router.db_for_write(Building) == "default"
        building = Building.objects.get(pk=world.buildings["bA"].pk)
        assert building._state.db == replica.alias
        assert router.db_for_write(Building, instance=building) == "default"  # written back to the primary
        assert router.db_for_read(TileCache) == "default"  # unlogged: not on a standby
        assert router.db_for_read(Session) == router.db_for_read(Token) == "default"  # signed in just now
        if cache_entry is not None:  # the database cache: counters read and written on one server
            assert router.db_for_read(cache_entry) == "default"


def test_without_replicas_the_router_is_a_no_op(world, settings):
    settings.REPLICA_DATABASES = []
    with replica_reads():
        assert read_alias() == "default"
    client = world.client("leader_a")
    reported = client.post("/api/v1/cases/", {"category": "garbage", "description": "垃圾堆放在楼下",
                                               "lon": IN_A[0], "lat": IN_A[1]}, format="json")
    assert reported.status_code == 201 and STICKY_COOKIE not in reported.cookies


def test_replica_urls_become_replica_aliases_mirroring_the_test_database():
    """DATABASE_REPLICA_URLS: one alias each, the primary's engine, a short connect
    time-out, and in tests a mirror of default (Django creates nothing there)."""
    import json
    import os
    import subprocess
    import sys

    script = ("import django, json; django.setup(); from django.conf import settings as s; "
              "print(json.dumps([s.REPLICA_DATABASES, {a: [s.DATABASES[a][k] for k in ('HOST', 'PORT', 'ENGINE')] "
              "+ [s.DATABASES[a]['TEST']['MIRROR'], s.DATABASES[a]['OPTIONS']] for a in s.REPLICA_DATABASES}]))")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings",
           "DATABASE_REPLICA_URLS": "postgres://grid:pw@127.0.0.1:5999/grid, postgres://grid:pw@10.0.0.2/grid"}
    aliases, databases = json.loads(subprocess.run([sys.executable, "-c", script], env=env, check=True,
                                                   capture_output=True, text=True).stdout)
    assert aliases == ["replica_1", "replica_2"]
    engine = "django.contrib.gis.db.backends.postgis"
    assert databases["replica_1"] == ["127.0.0.1", 5999, engine, "default", {"connect_timeout": 3}]
    assert databases["replica_2"][:3] == ["10.0.0.2", "", engine]
