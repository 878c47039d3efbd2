"""gis_core.planner.planner_settings: the settings hold inside the block and end with it,
in autocommit and inside a transaction; they add nothing to Django's query log."""
from django.db import connection, transaction

from gis_core.planner import planner_settings


def show(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {name}")
        return cursor.fetchone()[0]


def test_settings_hold_in_the_block_and_end_with_it(transactional_db, django_assert_num_queries):
    assert show("enable_memoize") == "on" and show("max_parallel_workers_per_gather") != "0"
    with django_assert_num_queries(2):  # the block's own two
        with planner_settings(using="default", enable_memoize="off", max_parallel_workers_per_gather=0):
            assert show("enable_memoize") == "off"
            assert show("max_parallel_workers_per_gather") == "0"
    assert show("enable_memoize") == "on" and show("max_parallel_workers_per_gather") != "0"
    with connection.cursor() as cursor:  # autocommit again: no transaction left open
        cursor.execute("SELECT now() = statement_timestamp()")
        assert cursor.fetchone()[0] is True


def test_inside_a_transaction_they_end_with_the_block_not_the_transaction(transactional_db):
    with transaction.atomic():
        with planner_settings(using="default", enable_memoize="off"):
            assert show("enable_memoize") == "off"
        assert show("enable_memoize") == "on"

