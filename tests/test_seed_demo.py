"""manage.py seed_demo: the synthetic demo district loads completely and consistently
(with a named street grid between the buildings), and the generator is deterministic."""
from __future__ import annotations

import io

import numpy as np
import pytest
import shapely
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.test import override_settings

from assets.identity import age_on, credit_code_validate, id_number_parse
from assets.models import Building, House, KeySite, Organization, Person, Residence, Road
from demo import DEMO_USERS, GRID_LEADER_PREFIX, REFERENCE_DATE, rng_for
from demo.geography import buildings_generate, district_generate, houses_generate, roads_generate
from demo.loader import COPIED_MODELS, event_models
from demo.population import people_generate
from gis_core.models import Area, AreaLevel, User

PEOPLE = 3000
SEED = 2026
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed_demo(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", people=PEOPLE, seed=SEED, no_progress=True, stdout=out, stderr=io.StringIO(),
                 **options)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """One seed for the whole module, in a transaction rolled back afterwards; each test's
    own transaction (the ``db`` fixture) nests inside it. --replace: whatever other
    fixtures left in the database is set aside for the module and restored by the rollback."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS), transaction.atomic():
        yield seed_demo(replace=True)
        transaction.set_rollback(True)


# ----------------------------------------------------------------------------- the database

def test_hierarchy(seeded, db):
    counts = dict(Area.objects.values_list("level").annotate(n=Count("id")))
    assert counts == {AreaLevel.DISTRICT: 1, AreaLevel.STREET: 4, AreaLevel.COMMUNITY: 20, AreaLevel.GRID: 200}
    district = Area.objects.get(level=AreaLevel.DISTRICT)
    assert (district.code, district.name, district.parent) == ("530103000000", "盘龙区", None)
    for area in Area.objects.exclude(level=AreaLevel.DISTRICT).select_related("parent"):
        assert area.parent.level == area.level - 1
        assert area.code.startswith(area.parent.prefix)
    assert Area.objects.get(code="530103001001003").name == "拓东街道拓东社区第3网格"


def test_buildings_lie_in_grid_cells(seeded, db):
    buildings = Building.objects.count()
    assert 250 <= buildings <= PEOPLE / 10
    assert Building.objects.filter(area__level=AreaLevel.GRID).count() == buildings
    # Every cell boundary strictly contains its buildings' footprints.
    assert not Building.objects.exclude(area__boundary__contains_properly=F("footprint")).exists()
    assert not House.objects.filter(floor__gt=F("building__floors")).exists()


def test_people_have_valid_id_numbers(seeded, db):
    people = list(Person.objects.values_list("id_number", "birth_date", "gender", "residence_type", "nationality"))
    assert len(people) == PEOPLE
    for id_number, birth_date, gender, residence_type, nationality in people:
        if id_number is None:
            assert residence_type == "foreign" and nationality != "CHN"
            continue
        info = id_number_parse(id_number)
        assert (info.birth_date, info.gender) == (birth_date, gender)
        assert (info.region == "530103") == (residence_type == "registered")
    elders = sum(age_on(b, REFERENCE_DATE) >= 60 for _i, b, *_rest in people)
    assert 0.15 <= elders / PEOPLE <= 0.23


def test_everyone_has_one_current_primary_residence(seeded, db):
    current = Q(residences__is_primary=True, residences__moved_out__isnull=True)
    assert not Person.objects.annotate(n=Count("residences", filter=current)).exclude(n=1).exists()
    assert not Residence.objects.filter(moved_out__isnull=True, house__use__in=["vacant", "commercial"]).exists()
    assert not House.objects.annotate(n=Count("residences", filter=Q(residences__moved_out__isnull=True))
                                      ).filter(n__gt=5).exists()
    assert Residence.objects.filter(moved_out__isnull=False).count() >= PEOPLE * 0.03


def test_demo_users(seeded, db):
    for demo in DEMO_USERS:
        user = User.objects.get(username=demo.username)
        assert user.role == demo.role
        assert [a.code for a in user.areas.all()] == [demo.area_code]
        assert user.check_password("demo2026")
    assert User.objects.get(username="admin").is_superuser
    leaders = User.objects.filter(username__startswith=GRID_LEADER_PREFIX)
    assert leaders.count() == 199 and not any(u.has_usable_password() for u in leaders)
    # Every cell has exactly one leader, the demo grid leader included.
    cells = Area.objects.filter(level=AreaLevel.GRID).annotate(
        leaders=Count("users", filter=Q(users__role="grid_leader")))
    assert set(cells.values_list("leaders", flat=True)) == {1}


def test_history_not_written_for_the_bulk_load(seeded, db):
    for event in event_models(COPIED_MODELS):
        assert not event.objects.exists(), event._meta.db_table


def test_places_have_areas(seeded, db):
    assert Organization.objects.count() == PEOPLE // 200
    for code in Organization.objects.exclude(credit_code=None).values_list("credit_code", flat=True):
        assert credit_code_validate(code) == code
    assert not Organization.objects.filter(area__isnull=True).exists()
    assert not KeySite.objects.filter(area__isnull=True).exists()
    assert KeySite.objects.filter(category__code="fire_hydrant").count() >= Building.objects.count() // 4


def test_roads_form_a_named_street_grid(seeded, db):
    assert Road.objects.count() == 21 * 10 + 11 * 20  # every cell edge once
    assert not Road.objects.filter(area__isnull=True).exists()
    kinds = dict(Road.objects.values_list("kind").annotate(n=Count("id")))
    assert set(kinds) == {"trunk", "secondary", "branch", "footway"}
    assert set(Road.objects.filter(kind="trunk").values_list("name", flat=True)) == {
        "环城西路", "北京路", "环城东路", "环城南路", "人民东路", "环城北路"}
    assert {"长安街", "建设路"} <= set(Road.objects.values_list("name", flat=True))
    # (That they run between the buildings: test_generated_geometry_is_valid_and_nested.)


def test_demo_cases_cover_the_workflow_with_real_logs(seeded, db):
    from incidents.demo import DEMO_CASES
    from incidents.models import Case, CaseEvent

    assert Case.objects.count() == DEMO_CASES
    statuses = set(Case.objects.values_list("status", flat=True))
    assert {"collected", "handling", "reported_back", "suspended"} <= statuses
    assert statuses & {"closed", "evaluated", "archived"}
    assert not Case.objects.filter(cell__level__lt=AreaLevel.GRID).exists()
    # Every case's log starts with its report and ends in its status.
    firsts = CaseEvent.objects.order_by("case_id", "at", "id").distinct("case_id").values_list("action", flat=True)
    assert set(firsts) == {"report"}
    lasts = dict(CaseEvent.objects.order_by("case_id", "-at", "-id").distinct("case_id")
                 .values_list("case_id", "to_status"))
    assert lasts == dict(Case.objects.values_list("id", "status"))


def test_demo_applications_at_the_desk(seeded, db):
    from services.demo import DEMO_APPLICATIONS
    from services.models import Application, ApplicationStep

    assert Application.objects.count() == DEMO_APPLICATIONS
    assert len(set(Application.objects.values_list("state", flat=True))) >= 4
    lasts = dict(ApplicationStep.objects.order_by("application_id", "-at", "-id").distinct("application_id")
                 .values_list("application_id", "to_state"))
    assert lasts == dict(Application.objects.values_list("id", "state"))


def test_demo_service_centres_and_bookings(seeded, db):
    from gis_core.models import AreaLevel
    from services.models import Appointment, OpeningHours, ServiceCentre

    communities = Area.objects.filter(level=AreaLevel.COMMUNITY)
    assert set(ServiceCentre.objects.values_list("area", flat=True)) == set(communities.values_list("pk", flat=True))
    assert {c.desks.count() for c in ServiceCentre.objects.all()} == {2}
    assert OpeningHours.objects.filter(weekday=0).count() == 2 * communities.count()
    states = set(Appointment.objects.values_list("state", flat=True))
    assert {"attended", "no_show", "booked"} <= states and Appointment.objects.count() >= 7


def test_if_empty_does_nothing_on_a_loaded_database(seeded, db):
    before = (Person.objects.count(), Building.objects.count(), User.objects.count())
    assert "not loaded" in seed_demo(if_empty=True)
    assert (Person.objects.count(), Building.objects.count(), User.objects.count()) == before


def test_refuses_to_load_over_existing_areas(seeded, db):
    with pytest.raises(CommandError, match="--replace"):
        seed_demo()


def test_replace_loads_the_same_district_again(seeded, db):
    first = Person.objects.order_by("id").values_list("id_number", flat=True)[:50]
    before = list(first)
    seed_demo(replace=True)
    assert list(first) == before
    assert Person.objects.count() == PEOPLE and Area.objects.count() == 225
    assert User.objects.filter(username="admin").count() == 1


def test_a_failed_load_leaves_nothing_behind(seeded, db, monkeypatch):
    from demo.loader import CopyLoader

    def fail(self, cursor):
        raise RuntimeError("boom")

    before = {m._meta.db_table: m.objects.count() for m in (Area, User, *COPIED_MODELS)}
    monkeypatch.setattr(CopyLoader, "_check", fail)
    with pytest.raises(CommandError, match="rolled back: boom"):
        seed_demo(replace=True)
    assert {m._meta.db_table: m.objects.count() for m in (Area, User, *COPIED_MODELS)} == before
    with connection.cursor() as cursor:
        cursor.execute("SELECT bool_and(tgenabled = 'O') FROM pg_trigger "
                       "WHERE tgname LIKE 'pgtrigger_snapshot_insert_%'")
        assert cursor.fetchone()[0]


def test_demo_banner_lists_the_logins(seeded, db):
    out = io.StringIO()
    call_command("demo_banner", port=8123, stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8123/" in text and "http://127.0.0.1:8123/api/docs/" in text
    for demo in DEMO_USERS:
        assert demo.username in text
    assert "demo2026" in text and "拓东街道拓东社区第1网格" in text
    assert "GRID DEMO GRID DEMO" in text and "demo_otp_code" in text  # the second factor of the demo


def test_demo_logins_that_see_personal_data_have_the_published_authenticator(seeded, db):
    """So `make run`'s demo stays usable with the second factor required (the default)."""
    from base64 import b32decode

    from demo import DEMO_TOTP_SECRET
    from signin.selectors import otp_required_for, totp_device_confirmed

    for demo in DEMO_USERS:
        user = User.objects.get(username=demo.username)
        device = totp_device_confirmed(user)
        if otp_required_for(user):
            assert device is not None and device.bin_key == b32decode(DEMO_TOTP_SECRET), demo.username
        else:
            assert device is None, demo.username


# ----------------------------------------------------------------------------- the generator

def _generate(seed: int, people: int = 2000):
    district = district_generate(seed)
    buildings = buildings_generate(district, count=people // 10, people=people, seed=seed)
    houses = houses_generate(buildings, seed=seed)
    residents = people_generate(rng_for(seed, "people"), house_use=houses.use, people=people)
    return district, buildings, residents


def test_generator_is_deterministic():
    d1, b1, p1 = _generate(SEED)
    d2, b2, p2 = _generate(SEED)
    assert [shapely.to_wkb(a.boundary) for a in d1.areas] == [shapely.to_wkb(a.boundary) for a in d2.areas]
    assert shapely.to_wkb(b1.footprint).tolist() == shapely.to_wkb(b2.footprint).tolist()
    assert p1.id_number[:500].tolist() == p2.id_number[:500].tolist()
    assert p1.name.tolist() == p2.name.tolist()
    _d3, b3, p3 = _generate(SEED + 1)
    assert shapely.to_wkb(b3.footprint[:50]).tolist() != shapely.to_wkb(b1.footprint[:50]).tolist()
    assert p3.name[:50].tolist() != p1.name[:50].tolist()


def test_generated_geometry_is_valid_and_nested():
    district, buildings, _people = _generate(SEED, people=20000)
    by_code = {a.code: a for a in district.areas}
    for area in district.areas:
        assert shapely.is_valid(area.boundary)
        if area.parent_code:
            parent = by_code[area.parent_code].boundary
            assert parent.buffer(1e-9).contains(area.boundary)
    cells = np.array([by_code[c.code].boundary for c in district.cells])
    assert shapely.contains_properly(cells[buildings.cell], buildings.footprint).all()
    tree = shapely.STRtree(buildings.footprint)
    left, right = tree.query(buildings.footprint, predicate="intersects")
    assert (left == right).all(), "footprints overlap"
    roads = roads_generate(district)
    assert shapely.is_valid(roads.geometry).all()
    assert not len(tree.query(roads.geometry, predicate="intersects")[0]), "a road crosses a building"
    district_outline = by_code[district.areas[0].code].boundary
    assert shapely.covers(district_outline.buffer(1e-9), roads.geometry).all()
