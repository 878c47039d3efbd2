"""Data quality: entry rates per cell, community and street computed by hand on the world
plus a few houses and people, duplicate candidates, cells not visited, scoping, constant
query counts, the API and the page."""
import datetime as dt

import pytest
from django.utils import timezone

from assets import services
from assets.models import PersonTag
from assets.quality import visit_model
from gis_core.models import PersonalDataAccess
from iot import services as iot_services
from tests.helpers import building_in, id_number, query_count, session_login


@pytest.fixture
def rolls(world):
    """The world's rolls with gaps: in A a building of category "other", a vacant house
    (not counted) and a rented one nobody lives in; pA verified with a contact. In B an
    elder without contacts, a foreigner (no ID number expected) and 王伟 twice (born the
    same day, one written with a space) in another house of bB. pF tagged empty nest."""
    root = world.users["root"]
    a, b = world.buildings["bA"], world.buildings["bB"]
    services.building_create(actor=root, name="楼A2", footprint=building_in(102.708, 25.02), floors=2, category="other")
    services.house_create(actor=root, building=a, unit=1, floor=4, room="401", use="vacant")
    services.house_create(actor=root, building=a, unit=1, floor=5, room="501", use="rented")
    services.person_update(actor=root, person=world.people["pA"], id_verified=True)
    iot_services.emergency_contact_add(actor=root, person=world.people["pA"], name="女儿", relation="女儿",
                                       phone="13600001001")
    hB2 = services.house_create(actor=root, building=b, unit=2, floor=1, room="101")
    for name, digits, house in (("老人乙", "53010319500101012", world.houses["hB"]),
                                ("王伟", "53010319700101013", world.houses["hB"]),
                                ("王 伟", "53010319700101024", hB2)):
        world.people[name] = services.person_create(actor=root, house=house, name=name, id_number=id_number(digits),
                                                    phone="13500000000")
    services.person_create(actor=root, house=hB2, name="John Smith", residence_type="foreign", nationality="USA")
    services.person_update(actor=root, person=world.people["pF"], tags=[PersonTag.objects.get(code="empty_nest")])
    return world


def quality(world, user: str, expect: int = 200, **params) -> dict:
    response = world.client(user).get("/api/v1/quality/", params)
    assert response.status_code == expect, response.content
    return response.json()


def rates(row: dict) -> dict:
    return {name: (row[name]["count"], row[name]["total"], row[name]["rate"]) for name in (
        "houses_with_residents", "people_id_verified", "buildings_categorised", "elders_with_contacts")}


def test_rates_per_cell_by_hand(rolls):
    body = quality(rolls, "admin", by="cell")
    rows = {r["name"]: r for r in body["rows"]}
    assert list(rows) == ["网格A", "网格B", "网格E", "网格F"]
    assert rates(rows["网格A"]) == {"houses_with_residents": (1, 2, 50.0), "people_id_verified": (1, 1, 100.0),
                                  "buildings_categorised": (1, 2, 50.0), "elders_with_contacts": (1, 1, 100.0)}
    assert rows["网格A"]["houses"] == 3  # the vacant one too, though not in the rate
    assert rates(rows["网格B"]) == {"houses_with_residents": (2, 2, 100.0), "people_id_verified": (0, 4, 0.0),
                                  "buildings_categorised": (1, 1, 100.0), "elders_with_contacts": (0, 1, 0.0)}
    assert rows["网格B"]["people"] == 5 and rows["网格B"]["duplicate_groups"] == 1
    assert rates(rows["网格F"])["elders_with_contacts"] == (0, 1, 0.0)  # tagged empty nest, born 1990
    assert all(v[2] is None for v in rates(rows["网格E"]).values()) and rows["网格E"]["score"] is None
    assert rows["网格A"]["parent_name"] == "社区一"


def test_rates_per_community_and_street_and_the_total(rolls):
    community = {r["name"]: r for r in quality(rolls, "admin", by="community")["rows"]}
    assert rates(community["社区一"]) == {
        "houses_with_residents": (3, 4, 75.0), "people_id_verified": (1, 5, 20.0),
        "buildings_categorised": (2, 3, 66.67), "elders_with_contacts": (1, 2, 50.0)}
    assert community["社区一"]["duplicate_groups"] == 1
    body = quality(rolls, "admin", by="street")
    streets = {r["name"]: r for r in body["rows"]}
    assert rates(streets["拓东街道"]) == rates(community["社区一"])
    assert rates(body["total"]) == {"houses_with_residents": (4, 5, 80.0), "people_id_verified": (1, 6, 16.67),
                                    "buildings_categorised": (3, 4, 75.0), "elders_with_contacts": (1, 3, 33.33)}
    assert body["total"]["duplicate_groups"] == 1


def test_scoping(rolls):
    leader = quality(rolls, "leader_a", by="cell")
    assert [r["name"] for r in leader["rows"]] == ["网格A"]
    assert rates(leader["total"]) == rates(leader["rows"][0])
    assert quality(rolls, "leader_a", by="community")["rows"] == []  # C1 is not theirs
    street = quality(rolls, "street", by="cell")
    assert [r["name"] for r in street["rows"]] == ["网格A", "网格B", "网格E"]
    assert street["total"]["buildings_categorised"]["total"] == 3
    quality(rolls, "street", area=rolls.areas["C3"].pk, expect=404)
    drilled = quality(rolls, "admin", by="cell", area=rolls.areas["C1"].pk)
    assert [r["name"] for r in drilled["rows"]] == ["网格A", "网格B"] and drilled["area"]["name"] == "社区一"
    assert drilled["total"]["houses_with_residents"]["rate"] == 75.0
    quality(rolls, "handler", expect=403)  # department handlers do not read people
    quality(rolls, "admin", by="house", expect=400)


def test_duplicates_are_listed_masked_by_role_and_reads_recorded(rolls):
    masked = rolls.client("street").get("/api/v1/quality/duplicates/").json()
    assert masked["count"] == 1
    group = masked["results"][0]
    assert group["kind"] == "same_name_birth_date" and group["size"] == 2
    assert group["building"]["name"] == "楼bB" and group["area"]["code"] == rolls.areas["B"].code
    assert group["birth_date"] == "1970-**-**"
    assert sorted(p["name"] for p in group["people"]) == ["王 伟", "王伟"]
    assert all("*" in p["id_number"] and p["phone"] == "135****0000" for p in group["people"])
    assert {p["room"] for p in group["people"]} == {"302", "101"}
    assert not PersonalDataAccess.objects.exists()

    shown = rolls.client("community").get("/api/v1/quality/duplicates/").json()["results"][0]
    assert shown["birth_date"] == "1970-01-01"
    assert {p["id_number"] for p in shown["people"]} == {rolls.people["王伟"].id_number, rolls.people["王 伟"].id_number}
    log = PersonalDataAccess.objects.filter(user=rolls.users["community"])
    assert sorted(e.record for e in log) == ["王 伟", "王伟"]
    assert all(e.fields == ["birth_date", "id_number", "phone"] and e.area == rolls.areas["B"] for e in log)

    assert rolls.client("leader_a").get("/api/v1/quality/duplicates/").json()["count"] == 0
    assert rolls.client("admin").get("/api/v1/quality/duplicates/", {"area": rolls.areas["F"].pk}).json()["count"] == 0


def test_cells_not_visited(rolls):
    Visit = visit_model()
    if Visit is None:
        pytest.skip("visits are not recorded in this checkout")
    now = timezone.now()
    for cell, user, days_ago in (("A", "leader_a", 5), ("B", "leader_b", 40), ("E", "community", 1)):
        Visit.objects.create(cell=rolls.areas[cell], visitor=rolls.users[user], visited_at=now - dt.timedelta(
            days=days_ago), notes="走访")
    body = quality(rolls, "admin", by="cell", days=30)
    assert body["visits_recorded"] is True
    visits = {r["name"]: r["visits"] for r in body["rows"]}
    assert (visits["网格A"]["not_visited"], visits["网格B"]["not_visited"]) == (0, 1)
    assert visits["网格E"]["not_visited"] == 1  # a community worker's visit is not the leader's
    assert visits["网格F"] == {"cells": 1, "not_visited": 1, "last_visit": None}
    assert body["total"]["visits"]["not_visited"] == 3 and body["total"]["visits"]["cells"] == 4
    community = {r["name"]: r["visits"] for r in quality(rolls, "admin", by="community", days=60)["rows"]}
    assert community["社区一"]["not_visited"] == 0 and community["社区一"]["cells"] == 2


@pytest.mark.parametrize("url", ["/api/v1/quality/", "/api/v1/quality/duplicates/", "/quality/"])
def test_query_count_does_not_grow_with_the_data(rolls, url):
    client = rolls.client("community")
    query_count(client, url)
    before = query_count(client, url)
    root = rolls.users["root"]
    for i, x in enumerate((102.702, 102.717, 102.722)):
        building = services.building_create(actor=root, name=f"加楼{i}", footprint=building_in(x, 25.005), floors=3)
        for room in ("101", "102"):
            house = services.house_create(actor=root, building=building, unit=1, floor=1, room=room)
            for same in range(2):  # a duplicate pair in each house's building
                services.person_create(actor=root, house=house, name=f"重名{i}", id_number=id_number(
                    f"530103196001{i + 1:02d}{room[-1]}{same}1"))
    assert query_count(client, url) == before


# --------------------------------------------------------------------------- the page

def test_the_page_shows_every_level_worst_first_and_drills_down(rolls):
    client = rolls.client("street")
    page = client.get("/quality/").content.decode()
    assert "Data quality" in page and "拓东街道" in page
    cells = page.split("Grid cells", 1)[1]
    order = [cells.index(f'data-code="{rolls.areas[k].code}"') for k in ("B", "A", "E")]
    assert order == sorted(order)  # B (mean 50%) before A (75%), E (nothing recorded) last
    assert "66.67%" in page and 'class="bar fair"' in page and 'class="bar poor"' in page
    assert "1970-**-**" in page and "王 伟" in page  # duplicates, masked for a street official
    drilled = client.get("/quality/", {"area": rolls.areas["C1"].pk}).content.decode()
    assert "网格A" in drilled and "Communities" not in drilled and "社区一" in drilled
    assert client.get("/quality/", {"area": rolls.areas["C3"].pk}).status_code == 404
    assert rolls.client("handler").get("/quality/").status_code == 403
    from django.test import Client

    assert Client().get("/quality/").status_code == 302  # to the login


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("browser_page", [{"width": 800, "height": 1280}], indirect=True)
def test_the_page_fits_a_tablet(rolls, live_server, browser_page):
    page = browser_page.page
    session_login(page.context, live_server.url, rolls.users["street"])
    page.goto(f"{live_server.url}/quality/")
    page.wait_for_selector("table.rates")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert browser_page.outside(live_server.url) == []
    page.click("text=社区一")
    page.wait_for_url("**/quality/?area=*")
    assert page.locator("table.rates tbody tr").count() == 2  # cells A and B
