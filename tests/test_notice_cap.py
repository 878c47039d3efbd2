"""CAP 1.2: every published warning is an alert valid against the OASIS schema (areas with
polygons, circles and GB/T 2260 geocodes, times +08:00), listed in the Atom feed while in
force; alerts import back — by the command (file) or the API — as draft warnings targeted
at the same residents; a polygon-only alert from upstream targets the residents inside."""
from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from lxml import etree

from notices.cap import CAP_NS, cap_schema
from notices.models import Notice
from tests.fixtures.notices import notice_body, notice_publish, warning_body

NS = {"cap": CAP_NS, "atom": "http://www.w3.org/2005/Atom"}
SQUARE = {"type": "Polygon", "coordinates": [[[102.719, 25.009], [102.722, 25.009], [102.722, 25.012],
                                              [102.719, 25.012], [102.719, 25.009]]]}


def published_warning(world, **overrides) -> dict:
    return notice_publish(world, warning_body(**overrides), drafter="admin", approver="admin")


def test_a_published_warning_is_a_valid_cap_alert(world, client):
    warning = published_warning(world, polygon=SQUARE, circle={"lon": 102.74, "lat": 25.02, "radius_m": 500})
    answer = client.get(f"/notices/cap/{warning['id']}.xml")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("application/cap+xml")
    root = etree.fromstring(answer.content)
    assert cap_schema().validate(root), cap_schema().error_log
    text = lambda path: root.findtext(path, namespaces=NS)  # noqa: E731
    assert text("cap:sent").endswith("+08:00") and text("cap:status") == "Actual" and text("cap:scope") == "Public"
    assert text("cap:info/cap:language") == "zh-CN" and text("cap:info/cap:event") == "暴雨"
    assert (text("cap:info/cap:urgency"), text("cap:info/cap:severity"), text("cap:info/cap:certainty")) == (
        "Immediate", "Severe", "Likely")
    assert text("cap:info/cap:instruction") == "请勿外出，远离低洼地带。"
    areas = root.findall("cap:info/cap:area", NS)
    assert areas[0].findtext("cap:geocode/cap:value", namespaces=NS) == "530103001001"
    assert areas[0].findtext("cap:areaDesc", namespaces=NS) == "社区一"
    drawn = areas[-1]
    ring = drawn.findtext("cap:polygon", namespaces=NS).split()
    assert ring[0] == ring[-1] and ring[0].startswith("25.0")  # closed, latitude first
    assert drawn.findtext("cap:circle", namespaces=NS) == "25.020000,102.740000 0.500"


def test_only_published_warnings_have_an_alert(world, client):
    notice = notice_publish(world, notice_body())
    assert client.get(f"/notices/cap/{notice['id']}.xml").status_code == 404
    draft = world.client("admin").post("/api/v1/notices/", warning_body(), format="json").json()
    assert client.get(f"/notices/cap/{draft['id']}.xml").status_code == 404


def test_the_atom_feed_lists_the_warnings_in_force(world, client):
    warning = published_warning(world)
    notice_publish(world, notice_body())  # not a warning
    feed = etree.fromstring(client.get("/notices/cap/atom.xml").content)
    links = [link.get("href") for link in feed.findall("atom:entry/atom:link", NS)]
    assert links == [f"http://testserver/notices/cap/{warning['id']}.xml"]
    assert feed.findtext("atom:entry/atom:title", namespaces=NS) == "暴雨红色预警"
    world.client("admin").post(f"/api/v1/notices/{warning['id']}/withdraw/", {"note": "解除"}, format="json")
    assert etree.fromstring(client.get("/notices/cap/atom.xml").content).findall("atom:entry", NS) == []
    cancelled = etree.fromstring(client.get(f"/notices/cap/{warning['id']}.xml").content)
    assert cancelled.findtext("cap:msgType", namespaces=NS) == "Cancel"


def test_an_alert_round_trips_through_the_import_command(world, client, tmp_path):
    warning = published_warning(world, polygon=SQUARE)
    path = tmp_path / "alert.xml"
    path.write_bytes(client.get(f"/notices/cap/{warning['id']}.xml").content)
    call_command("notices_import_cap", str(path))
    draft = Notice.objects.exclude(pk=warning["id"]).get()
    original = Notice.objects.get(pk=warning["id"])
    assert draft.status == "draft" and draft.kind == "warning" and draft.source_identifier.endswith(
        f".notice.{warning['id']}")
    assert list(draft.target_areas.values_list("code", flat=True)) == ["530103001001"]
    assert draft.polygon.equals_exact(original.polygon, tolerance=1e-6)
    for field in ("title", "body", "event", "urgency", "severity", "certainty", "instruction", "cap_category"):
        assert getattr(draft, field) == getattr(original, field), field
    for field in ("valid_from", "valid_until"):  # CAP times are to the second
        assert getattr(draft, field) == getattr(original, field).replace(microsecond=0), field
    call_command("notices_import_cap", str(path))  # the same alert again: skipped
    assert Notice.objects.count() == 2


UPSTREAM = """<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>CN-YN-KM-2026-0042</identifier><sender>yn.weather.example</sender>
  <sent>2026-07-01T08:00:00+08:00</sent><status>Actual</status><msgType>Alert</msgType><scope>Public</scope>
  <info><language>zh-CN</language><category>Met</category><event>雷电</event><urgency>Expected</urgency>
    <severity>Moderate</severity><certainty>Likely</certainty><expires>2099-07-01T20:00:00+08:00</expires>
    <headline>雷电黄色预警</headline><description>午后有雷电。</description>
    <area><areaDesc>拓东一带</areaDesc>
      <polygon>25.009,102.719 25.009,102.722 25.012,102.722 25.012,102.719 25.009,102.719</polygon></area>
  </info>
</alert>"""


def test_an_upstream_alert_uploaded_targets_the_residents_inside_its_polygon(world):
    admin = world.client("admin")
    upload = SimpleUploadedFile("alert.xml", UPSTREAM.encode(), content_type="application/xml")
    answer = admin.post("/api/v1/notices/import-cap/", {"file": upload}, format="multipart")
    assert answer.status_code == 201, answer.json()
    draft = answer.json()
    assert (draft["status"], draft["title"], draft["severity"]) == ("draft", "雷电黄色预警", "Moderate")
    assert admin.get(f"/api/v1/notices/{draft['id']}/preview/").json()["people"] == 1  # pB in bB


def test_a_file_that_is_not_a_cap_alert_is_a_400_naming_the_file(world):
    bad = SimpleUploadedFile("alert.xml", UPSTREAM.replace("<urgency>Expected", "<urgency>Soon").encode())
    answer = world.client("admin").post("/api/v1/notices/import-cap/", {"file": bad}, format="multipart")
    assert answer.status_code == 400 and "CAP 1.2" in answer.json()["file"][0]
    assert not Notice.objects.exists()
