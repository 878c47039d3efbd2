"""Every ordering of a list ends with the primary key, so rows that tie on the ordered field
keep their page (tests/test_case_queue_queries.py shows it through the API)."""
from gis_core.filters import ordering_with_tiebreaker
from incidents.models import Case


def test_the_primary_key_is_appended():
    assert ordering_with_tiebreaker(["due_at"], Case) == ["due_at", "pk"]
    assert ordering_with_tiebreaker(("-reported_at", "status"), Case) == ["-reported_at", "status", "pk"]


def test_an_ordering_naming_the_key_is_kept():
    assert ordering_with_tiebreaker(["due_at", "-id"], Case) == ["due_at", "-id"]
    assert ordering_with_tiebreaker(["-pk"], Case) == ["-pk"]


def test_no_ordering_stays_none():
    assert ordering_with_tiebreaker(None, Case) is None
