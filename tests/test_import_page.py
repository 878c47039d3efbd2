"""The upload page (/imports/): a form of what the user may import; posting a file shows
the report (dry run by default) with the rejected rows and their CSV; roles without an
add permission get a 403; Chinese by default."""
from __future__ import annotations

import csv
import io

from import_files import buildings_frame, footprint, write

from assets.models import Building


def _file(tmp_path):
    return write(buildings_frame([
        {"id": "1", "name": "一号楼", "geometry": footprint(102.702, 25.005)},
        {"id": "2", "name": "二号楼", "geometry": footprint(102.720, 25.010)},
    ]), tmp_path, "geojson", "page")


def test_form_lists_what_the_role_may_import(world):
    page = world.client("leader_a").get("/imports/")
    assert page.status_code == 200
    html = page.content.decode()
    for layer in ('value="buildings"', 'value="key-sites"', 'value="organizations"', 'value="people"'):
        assert layer in html
    assert 'value="areas"' not in html  # grid leaders do not add areas
    assert 'name="viewport"' in html and "imports.css" in html
    assert 'value="areas"' in world.client("admin").get("/imports/").content.decode()


def test_refused_without_add_permission(world):
    for user in ("street", "handler"):
        assert world.client(user).get("/imports/").status_code == 403


def test_dry_run_then_import(world, tmp_path):
    client = world.client("leader_a")
    post = {"layer": "buildings", "dry_run": "1"}
    with _file(tmp_path).open("rb") as handle:
        page = client.post("/imports/", {**post, "file": handle})
    html = page.content.decode()
    assert page.status_code == 200
    assert "dry run: nothing was written" in html and 'data-count="created">1<' in html
    assert "outside your areas" in html
    assert not Building.objects.filter(source_key__startswith="page:").exists()

    with _file(tmp_path).open("rb") as handle:
        page = client.post("/imports/", {"layer": "buildings", "file": handle})
    html = page.content.decode()
    assert 'data-count="created">1<' in html and 'data-count="rejected">1<' in html
    assert Building.objects.filter(source_key__startswith="page:").count() == 1
    link = html.split('data-testid="issues-download"')[0].rsplit('href="', 1)[1].split('"')[0]
    download = client.get(link)
    assert download.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert [(r["key"], r["status"], r["name"]) for r in rows] == [("page:2", "rejected", "二号楼")]


def test_errors_shown(world, tmp_path):
    bad = tmp_path / "x.csv"
    bad.write_text("名称,经度,纬度\n甲,500000,2800000\n", encoding="utf-8")
    with bad.open("rb") as handle:
        page = world.client("admin").post("/imports/", {"layer": "organizations", "file": handle})
    assert page.status_code == 400
    assert "Required column missing" in page.content.decode()


def test_chinese_by_default(world):
    from django.test import Client

    client = Client()
    client.force_login(world.users["leader_a"])
    html = client.get("/imports/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'lang="zh-hans"' in html and "楼栋" in html  # the layer titles (translated with the tiles')
