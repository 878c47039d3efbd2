"""A worker's job runs on a usable connection even when the server closed the last one."""
import psycopg
from django.db import connection

from gis_core.workers import fresh_connection


@fresh_connection
def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_a_job_after_the_server_closed_the_connection_reconnects(transactional_db):
    first = backend_pid()
    connection.ensure_connection()
    params = connection.get_connection_params()
    with psycopg.connect(**{k: v for k, v in params.items() if k != "cursor_factory"}, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [first])
    assert backend_pid() != first
