"""Schema-driven fuzzing: schemathesis generates requests for every operation of the OpenAPI
schema (/api/schema/, drf-spectacular) — reads and writes, valid and invalid input — and
sends them in-process (WSGI) to the app on the real test database, as a grid leader and as
a district administrator. Every answer must be no server error, with a status code the
schema documents and a body that matches it. A new endpoint is fuzzed without a new test.

``FUZZ_EXAMPLES=100`` fuzzes deeper than the suite's default (a few per operation)."""
from __future__ import annotations

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

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))

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


def operation_fuzz(operation, headers: dict[str, str], mode: GenerationMode) -> None:
    checks = [not_a_server_error, status_code_conformance]
    if not any(part in operation.path for part in BINARY):
        checks += [content_type_conformance, response_schema_conformance]

    @SETTINGS
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        case.call_and_validate(headers=headers, checks=checks)

    run()


@pytest.fixture
def wsgi_in_test_transaction():
    """The real WSGI handler closes the database connection after each request, which
    would end the test's transaction: as Django's test client does, keep it open."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield application
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.mark.parametrize("role", ["leader_a", "admin"])
def test_every_operation_answers_as_the_schema_says(world, wsgi_in_test_transaction, role):
    token = Token.objects.create(user=world.users[role]).key
    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_in_test_transaction)
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                operation_fuzz(operation, {"Authorization": f"Token {token}"}, mode)
            except FailureGroup as error:
                failures.append(f"{operation.label} ({mode.value}):\n{error}")
            except hypothesis.errors.Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE, operation.label  # nothing to make invalid
    assert not failures, f"{len(failures)} operations answer outside the schema:\n\n" + "\n\n".join(failures)
