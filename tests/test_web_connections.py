"""A web process under load holds a bounded number of database connections (its pool,
DATABASE_POOL_SIZE): ASGI runs each request's sync code in a thread of its own, and a
persistent connection per thread used to pile up until PostgreSQL refused clients."""
import http.client
import threading

from django.db import connection

from tests.fixtures.browser import web_process

CLIENTS, REQUESTS = 40, 15


def backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND pid <> pg_backend_pid()")
        return cursor.fetchone()[0]


def test_concurrent_requests_share_a_bounded_pool(transactional_db):
    statuses: list[int] = []
    most = [0]
    with web_process(DATABASE_POOL_SIZE="5") as url:
        host, port = url.removeprefix("http://").split(":")
        before = backends()

        def client() -> None:
            conn = http.client.HTTPConnection(host, int(port), timeout=30)
            for _ in range(REQUESTS):
                conn.request("GET", "/healthz")
                response = conn.getresponse()
                response.read()
                statuses.append(response.status)
            conn.close()

        threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
        for thread in threads:
            thread.start()
        while any(thread.is_alive() for thread in threads):
            most[0] = max(most[0], backends() - before)
            threads[0].join(0.05)
        for thread in threads:
            thread.join()
    assert statuses == [200] * (CLIENTS * REQUESTS)
    # the pool's 5, and room for a connection another process of the suite holds meanwhile
    # (without the pool it was dozens, and requests failed)
    assert most[0] <= 5 + 2
