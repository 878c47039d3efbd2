"""Schema-driven fuzzing: schemathesis generates requests for every operation of the OpenAPI
schema (/api/schema/, drf-spectacular) — reads and writes, valid and invalid input — and
sends them in-process (WSGI) to the app on the real test database (tests/fixtures/records.py:
a record of every kind), as a grid leader and as a district administrator; an operation on
one record is fuzzed on a missing and on an existing record. Every answer must be no server
error, with a status code the schema documents and a body that matches it. A new endpoint
is fuzzed without a new test.

``FUZZ_EXAMPLES=100`` fuzzes deeper than the suite's default (a few per operation)."""
from __future__ import annotations

import contextlib
import os

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from tests.helpers import listed_records

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))

# Binary answers (files the client downloads: exports, photos) are not JSON, so their
# bodies cannot be matched against a JSON schema; they are still fuzzed for server errors
# and undocumented status codes.
BINARY = ("/export", "/photos/")

# (schemathesis' own pytest integration, schema.parametrize(), sets Node._nodeid, which
# pytest 9.2 no longer has: each operation is driven by Hypothesis here instead.)
SETTINGS = hypothesis.settings(
    max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
    phases=[Phase.generate],  # no shrinking: the failing request is reported as sent
    suppress_health_check=list(HealthCheck),
)


def operation_fuzz(operation, headers: dict[str, str], mode: GenerationMode, path_parameters: dict) -> None:
    checks = [not_a_server_error, status_code_conformance]
    if not any(part in operation.path for part in BINARY):
        checks += [content_type_conformance, response_schema_conformance]

    @SETTINGS
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
    def run(case):
        case.call_and_validate(headers=headers, checks=checks)

    run()


@contextlib.contextmanager
def connection_kept():
    """The real WSGI handler closes the database connection after each request, which
    would end the test's transaction: as Django's test client does (around each of its
    own requests), keep it open."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


def a_record_id(client, operation) -> int | None:
    """The id of a record the user can read at the list before ``{id}`` in the path, so
    details, updates and deletes are fuzzed on a real record too, not only on 404s."""
    if "{id}" not in operation.path:
        return None
    response = client.get(operation.path.split("{id}")[0], {"page_size": 1})
    listed = listed_records(response.json()) if response.status_code == 200 else []
    return listed[0]["id"] if listed else None


@pytest.mark.parametrize("role", ["leader_a", "admin"])
def test_every_operation_answers_as_the_schema_says(records, role):
    world = records.world
    headers = {"Authorization": f"Token {Token.objects.create(user=world.users[role]).key}"}
    with connection_kept():
        schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    operations = [result.ok() for result in schema.get_all_operations()]
    existing = {operation.label: a_record_id(world.client(role), operation) for operation in operations}
    failures = []
    with connection_kept():
        for operation in operations:
            pk = existing[operation.label]
            for path_parameters in ({}, {"id": pk}) if pk else ({},):
                for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                    try:
                        operation_fuzz(operation, headers, mode, path_parameters)
                    except FailureGroup as error:
                        failures.append(f"{operation.label} ({mode.value}, {path_parameters}):\n{error}")
                    except hypothesis.errors.Unsatisfiable:  # nothing to make invalid
                        assert mode is GenerationMode.NEGATIVE, operation.label
    assert not failures, f"{len(failures)} operations answer outside the schema:\n\n" + "\n\n".join(failures)
