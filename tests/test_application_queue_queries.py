"""The services desk queue's page, signed in as in the browser: the session, the user and
the page — rows with item, department and community joined, each row's time state (the
working calendar read inside the same query) and the count of all rows — however many
applications; plus, for roles that see applicants' ID numbers and phones, the one INSERT
of the personal-data access log. Scope and masking as on every list."""
from __future__ import annotations

from gis_core.models import PersonalDataAccess
from tests.helpers import session_client

QUEUE = "/api/v1/applications/"
PAGE = {"open": "true", "ordering": "due_date", "page_size": 50}


def test_the_queue_page_takes_three_queries(service_desk, django_assert_max_num_queries):
    world = service_desk.world
    for person in ("pA", "pA", "pB"):
        service_desk.file(person=person)
    # a street official reads masked: session, user, page
    client = session_client(world.users["street"])
    with django_assert_max_num_queries(3):
        page = client.get(QUEUE, PAGE).json()
    assert page["count"] == 3 and len(page["results"]) == 3
    assert all("*" in row["applicant_phone"] for row in page["results"] if row["applicant_phone"])
    assert {row["time_state"] for row in page["results"]} == {"on_time"}
    # the community's desk reads unmasked: the same three, and the access log's one INSERT
    logged = PersonalDataAccess.objects.count()
    client = session_client(world.users["community"])
    with django_assert_max_num_queries(4):
        page = client.get(QUEUE, PAGE).json()
    assert page["count"] == 3
    assert PersonalDataAccess.objects.count() == logged + 3


def test_more_applications_take_no_more_queries(service_desk, django_assert_num_queries):
    world = service_desk.world
    service_desk.file()
    client = session_client(world.users["street"])
    with django_assert_num_queries(3):
        client.get(QUEUE, PAGE)
    for person in ("pA", "pB", "pB"):
        service_desk.file(person=person)
    with django_assert_num_queries(3):
        assert client.get(QUEUE, PAGE).json()["count"] == 4
