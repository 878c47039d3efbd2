"""/healthz answers 200 while the database answers, 503 when it does not, with no data."""
import socket

import pytest
from django.db import connection


def test_health_is_ok_without_signing_in(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_health_is_503_when_the_database_does_not_answer(client, transactional_db, caplog):
    # A real refusal: the connection reopened against a port where nothing listens.
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(_closed_port()))
    try:
        response = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict.update(saved)
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}
    assert "the database does not answer" in caplog.text


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("method", ["post", "delete"])
def test_health_takes_only_reads(client, db, method):
    assert getattr(client, method)("/healthz").status_code == 405
