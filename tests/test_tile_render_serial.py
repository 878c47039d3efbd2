"""A tile is drawn without parallel workers (a map asks for many tiles at once), and the
setting does not outlive the drawing: not after it in autocommit, not in the enclosing
transaction."""
from django.db import connection, transaction

from tiles.mvt import _fetchone_binary


def parallel_workers() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        return cursor.fetchone()[0]


def test_a_serial_statement_has_no_parallel_workers_and_leaves_the_setting(db):
    before = parallel_workers()
    assert before != "0"
    assert _fetchone_binary("SHOW max_parallel_workers_per_gather", [], serial=True) == ("0",)
    assert parallel_workers() == before
    assert _fetchone_binary("SHOW max_parallel_workers_per_gather", []) == (before,)


def test_inside_a_transaction_the_setting_ends_with_the_statement(transactional_db):
    before = parallel_workers()
    with transaction.atomic():
        assert _fetchone_binary("SHOW max_parallel_workers_per_gather", [], serial=True) == ("0",)
        assert parallel_workers() == before
    with connection.cursor() as cursor:  # autocommit again, no transaction left open
        cursor.execute("SELECT now() = statement_timestamp()")
        assert cursor.fetchone()[0] is True


def test_cached_tiles_are_not_compressed_again_by_postgresql(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT attstorage FROM pg_attribute WHERE attrelid = 'tiles_tilecache'::regclass"
                       " AND attname = 'data'")
        assert cursor.fetchone()[0] == "e"  # external: out of line, uncompressed
