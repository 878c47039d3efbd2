"""A building's resident count follows its residences, whatever writes them."""
import datetime as dt

from django.db import connection
from pghistory.models import Events

from assets import services
from assets.models import Building


def count(world, key):
    return Building.objects.get(pk=world.buildings[key].pk).resident_count


def test_moves_update_the_counts_of_both_buildings(world):
    root = world.users["root"]
    assert (count(world, "bA"), count(world, "bB")) == (1, 1)
    services.residence_move_in(actor=root, person=world.people["pA"], house=world.houses["hB"],
                               relation="tenant", moved_in=dt.date(2026, 5, 1))
    assert (count(world, "bA"), count(world, "bB")) == (0, 2)
    residence = world.people["pA"].residences.get(moved_out__isnull=True)
    services.residence_move_out(actor=root, residence=residence, moved_out=dt.date(2026, 6, 1))
    assert count(world, "bB") == 1


def test_bulk_sql_is_counted_too(world):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO assets_residence (person_id, house_id, relation, is_primary, moved_in, created_at, updated_at)"
            " SELECT id, %s, 'tenant', false, '2026-01-01', now(), now() FROM assets_person WHERE id <> %s",
            [world.houses["hF"].pk, world.people["pF"].pk])
    assert count(world, "bF") == 3


def test_the_counter_is_not_an_edit_in_the_history(world):
    before = Events.objects.tracks(world.buildings["bA"]).count()
    services.person_create(actor=world.users["root"], house=world.houses["hA"], name="新居民")
    assert count(world, "bA") == 2
    assert Events.objects.tracks(world.buildings["bA"]).count() == before
