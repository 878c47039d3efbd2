"""Scoping and masking of every read of the API, discovered from the OpenAPI schema (so a
new endpoint is covered without a new test): a grid leader, a street official and a
department handler never get a record of another area — from a list, an export, or a
detail by id (a 404) — and the roles that do not see personal data never get an ID
number, phone or birth date unmasked.

An endpoint the test cannot classify fails it, asking for a declaration below."""
from __future__ import annotations

import json
import re

import pytest

from gis_core.roles import PERSONAL_DATA_ROLES
from tests.helpers import IN_F, listed_records

# The role's user and the cells (of tests/fixtures/records.py) outside their areas.
ROLES = {"leader_a": ["B", "F"], "street": ["F"], "handler_s1": ["F"]}

# Collections that answer only with query parameters: what to ask them.
QUERIES = {
    "/api/v1/cases/nearby/": {"lon": IN_F[0], "lat": IN_F[1], "radius": 1000},
    "/api/v1/search/": {"q": "楼"},
    "/api/v1/public/notices/": {"area": "530103001001001"},  # public: the notices in force of cell A
}
# Detail paths whose ids are not those of the list at the path before ``{id}``.
ID_SOURCES = {"/api/v1/area-stats/{id}/": "/api/v1/areas/"}
# Paths not checked here, and why.
NOT_SCOPED = {
    "/api/v1/track/{number}/": "public by tracking number (no names, phones or notes): tests/test_case_report.py",
    "/api/v1/track/applications/{number}/": ("public by number and check (no names, ID numbers, phones, notes or scans): "
                                             "tests/test_portal_tracking.py"),
    "/api/v1/ingest/quarantine/{id}/": "messages no terminal could be found for belong to no area; administrators only",
    "/api/v1/key-site-categories/{id}/": "a reference table, the same in every area",
    "/api/v1/person-tags/{id}/": "a reference table, the same in every area",
    "/api/v1/service-items/{id}/": "the service catalogue, the same in every area",
    "/api/v1/booking/slots/": "public: the free times of every centre, no personal data: tests/test_appointment_slots.py",
}
# Export formats searched as text; gpkg, shp and xlsx are the same rows (one query,
# gis_core.exporting) in binary containers.
TEXT_FORMATS = ["geojson", "csv"]

REFERENCE = re.compile(r"\{(\w+)\}")


def decoded(response):
    """The answer decoded: JSON (GeoJSON), else text (CSV)."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith(("application/json", "application/geo+json")):
        return json.loads(body)
    return body.decode("utf-8-sig", "replace")


@pytest.fixture
def api(records):
    """The schema's GET paths, classified: collections, exports, details."""
    from tiles.layers import all_layers

    schema = records.world.client("root").get("/api/schema/", {"format": "json"}).json()
    collections, exports, details, unclassified = [], [], [], []
    for path, operations in schema["paths"].items():
        if "get" not in operations or path in NOT_SCOPED:
            continue
        names = REFERENCE.findall(path)
        if not names:
            collections.append(path)
        elif set(names) <= {"fmt", "layer"}:
            layers = [layer.name for layer in all_layers()] if "layer" in names else [""]
            exports += [path.replace("{layer}", layer).replace("{fmt}", fmt) for layer in layers for fmt in TEXT_FORMATS]
        elif names[0] == "id":
            details.append(path)
        else:
            unclassified.append(path)
    assert not unclassified, (
        f"Declare how these GET endpoints are scoped in {__name__} (ID_SOURCES, QUERIES or NOT_SCOPED with "
        f"the reason): {unclassified}")
    return collections, exports, details


def leaks(answer, records, role: str) -> list[str]:
    """What of another area, or personal data the role may not see, is in the answer."""
    found = [shown for cell in ROLES[role] for shown in records.shows(answer, cell)]
    text = json.dumps(answer, ensure_ascii=False)
    if records.world.users[role].role not in PERSONAL_DATA_ROLES:
        found += [f"unmasked {value}" for value in records.personal() if value in text]
    return found


@pytest.mark.parametrize("role", ROLES)
def test_no_list_or_export_shows_another_area_or_unmasked_personal_data(records, api, role):
    collections, exports, _details = api
    client = records.world.client(role)
    problems = []
    for path in collections + exports:
        response = client.get(path, {"page_size": 1000, **QUERIES.get(path, {})})
        if response.status_code == 400:
            problems.append(f"{path}: 400 {response.content[:200]!r} — declare its query parameters in QUERIES")
        elif response.status_code == 200:
            problems += [f"{path}: {leak}" for leak in leaks(decoded(response), records, role)]
        else:
            assert response.status_code in (403, 404), (path, response.status_code)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", ROLES)
def test_a_record_of_another_area_is_a_404_at_every_detail_path(records, api, role):
    """The ids of another area's records: those the unrestricted operator lists that show
    (name or refer to) a record of that area; every detail path with such an id answers 404 (or 403
    where the role reads no such records at all)."""
    _collections, _exports, details = api
    operator, client = records.world.client("root"), records.world.client(role)
    problems = []
    for path in details:
        source = ID_SOURCES.get(path, path.split("{id}")[0])
        listed = listed_records(operator.get(source, {"page_size": 1000, **QUERIES.get(source, {})}).json())
        foreign = [item["id"] for item in listed if any(records.shows(item, cell) for cell in ROLES[role])]
        if not foreign:
            problems.append(f"{path}: no record of cells {ROLES[role]} in {source} — give tests/fixtures/records.py "
                            "one, or declare where its ids come from in ID_SOURCES")
        for pk in foreign:
            url = REFERENCE.sub(lambda m, pk=pk: str(pk) if m.group(1) == "id" else "1", path)
            response = client.get(url)
            if response.status_code not in (403, 404):
                problems.append(f"{url}: {response.status_code} {leaks(decoded(response), records, role)}")
    assert not problems, "\n".join(problems)
