"""The grid cell of a building is derived from its footprint by the database, and follows
boundary changes in bulk."""
import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from assets import services
from assets.models import Building, KeySite, KeySiteCategory, Organization
from gis_core import services as area_services
from gis_core.models import Area
from tests.helpers import box, building_in


def test_building_gets_the_cell_it_stands_in(world):
    assert world.buildings["bA"].area == world.areas["A"]
    assert world.buildings["bB"].area == world.areas["B"]
    assert world.buildings["bF"].area == world.areas["F"]


def test_a_footprint_straddling_two_cells_belongs_to_one(world):
    # 70 % in A, 30 % in B: the point on its surface decides.
    straddling = services.building_create(actor=world.users["root"], name="跨界楼",
                                          footprint=box(102.7143, 25.02, 102.7153, 25.0205), floors=3)
    assert straddling.area in (world.areas["A"], world.areas["B"])


def test_any_insert_path_derives_the_cell(world):
    """Raw SQL (as COPY imports do) gets the same derivation as the ORM."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO assets_building (name, address, footprint, floors, category, is_key, created_at, updated_at)"
            " VALUES ('raw', '', ST_Multi(ST_MakeEnvelope(102.741, 25.041, 102.742, 25.042, 4326)), 1,"
            " 'other', false, now(), now()) RETURNING area_id")
        assert cursor.fetchone()[0] == world.areas["F"].pk


def test_moving_a_building_rederives_its_cell(world):
    building = services.building_update(actor=world.users["root"], building=world.buildings["bA"],
                                        footprint=building_in(102.72, 25.02))
    assert building.area == world.areas["B"]


def test_cell_boundary_change_recomputes_buildings_in_bulk(world, django_assert_max_num_queries):
    # Move the A|B edge west of building bA: shrink A first, then grow B over the gap.
    area_services.area_update(area=world.areas["A"], boundary=box(102.70, 25.00, 102.703, 25.03))
    assert Building.objects.get(pk=world.buildings["bA"].pk).area == world.areas["C1"]  # no cell: its community
    with django_assert_max_num_queries(13):  # one UPDATE per derived model, whatever the number of buildings
        area_services.area_update(area=world.areas["B"], boundary=box(102.703, 25.00, 102.73, 25.03))
    assert Building.objects.get(pk=world.buildings["bA"].pk).area == world.areas["B"]
    assert Building.objects.get(pk=world.buildings["bB"].pk).area == world.areas["B"]
    assert Building.objects.get(pk=world.buildings["bF"].pk).area == world.areas["F"]


def test_places_and_organizations_follow_boundaries_too(world):
    from django.contrib.gis.geos import Point

    org = services.organization_create(actor=world.users["root"], name="社区居委会", kind="grassroots",
                                       location=Point(102.705, 25.015, srid=4326))
    site = services.key_site_create(actor=world.users["root"], name="消防栓1",
                                    category=KeySiteCategory.objects.get(code="fire_hydrant"),
                                    geometry=Point(102.706, 25.016, srid=4326))
    assert org.area == site.area == world.areas["A"]
    area_services.area_update(area=world.areas["A"], boundary=box(102.70, 25.00, 102.703, 25.03))
    assert Organization.objects.get(pk=org.pk).area == world.areas["C1"]
    assert KeySite.objects.get(pk=site.pk).area == world.areas["C1"]


def test_deleting_a_cell_hands_its_buildings_to_the_community(world):
    area_services.area_delete(area=world.areas["B"])
    assert Building.objects.get(pk=world.buildings["bB"].pk).area == world.areas["C1"]
    assert not Area.objects.filter(code="530103001001002").exists()


def test_a_building_outside_the_district_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        services.building_create(actor=world.users["root"], name="远方", footprint=building_in(100.0, 20.0))
    assert "outside every area" in exc.value.message_dict["footprint"][0]
    assert not Building.objects.filter(name="远方").exists()


def test_a_grid_leader_cannot_place_a_building_in_another_cell(world):
    with pytest.raises(ValidationError) as exc:
        services.building_create(actor=world.users["leader_a"], name="别人的楼", footprint=building_in(102.72, 25.02))
    assert "outside your areas" in exc.value.message_dict["footprint"][0]
    building = services.building_create(actor=world.users["leader_a"], name="自己的楼",
                                        footprint=building_in(102.706, 25.02))
    assert building.area == world.areas["A"]
