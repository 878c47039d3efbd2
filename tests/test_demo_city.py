"""manage.py seed_demo --districts: several demo districts side by side under one city,
disjoint, with their own codes and ID numbers, each district's users scoped to it."""
from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.test import override_settings

from assets.identity import id_number_parse
from assets.models import Building, Organization, Person, Road
from demo import CITY_CODE, CITY_USER
from gis_core.models import Area, AreaLevel, User
from gis_core.scoping import scope_queryset

PEOPLE = 600
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DISTRICTS = {"530103000000": "盘龙区", "530102000000": "五华区"}


@pytest.fixture(scope="module")
def city(django_db_setup, django_db_blocker):
    """Two districts, loaded once for the module and rolled back afterwards."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS), transaction.atomic():
        call_command("seed_demo", districts=2, people=PEOPLE, replace=True, no_progress=True,
                     stdout=io.StringIO(), stderr=io.StringIO())
        yield
        transaction.set_rollback(True)


def test_two_disjoint_districts_under_one_city(city, db):
    city_area = Area.objects.get(level=AreaLevel.CITY)
    assert (city_area.code, city_area.name, city_area.parent) == (CITY_CODE, "昆明市", None)
    districts = {a.code: a for a in Area.objects.filter(level=AreaLevel.DISTRICT)}
    assert {code: a.name for code, a in districts.items()} == DISTRICTS
    assert all(a.parent_id == city_area.id for a in districts.values())
    first, second = districts.values()
    assert not first.boundary.intersects(second.boundary)
    assert all(city_area.boundary.covers(a.boundary) for a in districts.values())
    # Each district has the demo's hierarchy under its own code.
    for code in DISTRICTS:
        counts = dict(Area.objects.filter(code__startswith=code[:6]).values_list("level").annotate(n=Count("id")))
        assert counts == {AreaLevel.DISTRICT: 1, AreaLevel.STREET: 4, AreaLevel.COMMUNITY: 20, AreaLevel.GRID: 200}
    assert Building.objects.filter(area__code__startswith="530102").count() > 0
    assert not Building.objects.filter(area__isnull=True).exists()
    assert Road.objects.count() == 2 * Road.objects.filter(centreline__intersects=first.boundary).count()


def test_people_and_organizations_have_unique_codes(city, db):
    people = list(Person.objects.values_list("id_number", "residence_type", "area__code"))
    assert len(people) == 2 * PEOPLE
    numbers = [n for n, *_rest in people if n is not None]
    assert len(set(numbers)) == len(numbers)
    for number, residence_type, area_code in people:
        if residence_type == "registered":  # registered where they live
            assert id_number_parse(number).region == area_code[:6]
        elif residence_type == "migrant":  # from outside the city's districts
            assert id_number_parse(number).region not in {code[:6] for code in DISTRICTS}
    credit = [c for c in Organization.objects.values_list("credit_code", flat=True) if c]
    assert len(set(credit)) == len(credit)
    assert {c[2:8] for c in credit} == {"530103", "530102"}
    assert Building.objects.filter(area__code__startswith="530102", address__startswith="昆明市五华区").exists()


def test_a_district_user_sees_only_their_district(city, db):
    per_district = {code: Person.objects.filter(area__code__startswith=code[:6]).count() for code in DISTRICTS}
    assert per_district == {code: PEOPLE for code in DISTRICTS}
    users = {u.username: u for u in User.objects.filter(username__in=["admin", "admin_530102", CITY_USER])}
    for username, region in (("admin", "530103"), ("admin_530102", "530102")):
        seen = scope_queryset(Person.objects.all(), users[username])
        assert seen.count() == PEOPLE
        assert not seen.exclude(area__code__startswith=region).exists()
        assert not scope_queryset(Road.objects.all(), users[username]).exclude(
            centreline__intersects=Area.objects.get(code=f"{region}000000").boundary).exists()
    assert scope_queryset(Person.objects.all(), users[CITY_USER]).count() == 2 * PEOPLE


def test_the_seed_decides_everything(city, db):
    from demo.city import city_districts
    from demo.loader import demo_generate

    place = city_districts(2, 2026)[1]
    again = demo_generate(people=PEOPLE, seed=2026, place=place, log=lambda message: None)
    assert sorted(n for n in again.people.id_number.tolist() if n) == sorted(
        Person.objects.filter(area__code__startswith="530102", id_number__isnull=False)
        .values_list("id_number", flat=True))


def test_the_banner_lists_the_city_logins(city, db):
    out = io.StringIO()
    call_command("demo_banner", stdout=out)
    lines = out.getvalue().splitlines()
    assert any(line.split()[:1] == [CITY_USER] and "demo2026" in line for line in lines)
    assert any(line.split()[:1] == ["admin_530102"] and "demo2026" in line for line in lines)
