"""Bad drafts are 400s naming the field and the reason, and write nothing."""
from __future__ import annotations

import datetime as dt

import pytest

from notices.models import Notice
from tests.fixtures.notices import notice_body, warning_body

BOWTIE = {"type": "Polygon", "coordinates": [[[102.701, 25.001], [102.709, 25.009], [102.709, 25.001],
                                              [102.701, 25.009], [102.701, 25.001]]]}


@pytest.mark.parametrize("overrides, field, words", [
    ({"target_areas": [], "polygon": BOWTIE}, "polygon", "Self-intersection"),
    ({"target_areas": ["530103999999"]}, "target_areas", "530103999999"),
    ({"valid_until": "2026-01-01T00:00:00+08:00", "valid_from": "2026-01-02T00:00:00+08:00"}, "valid_until",
     "after its start"),
    ({"target_areas": []}, "target_areas", "Choose areas"),
    ({"kind": "warning"}, "event", "CAP"),
    ({"to_residents": False, "to_staff": False}, "to_residents", "who it is for"),
    ({"circle": {"lon": 102.705, "lat": 25.01, "radius_m": 0}}, "circle", ""),
    ({"polygon": {"type": "Point", "coordinates": [102.705, 25.01]}, "target_areas": []}, "polygon", "Polygon"),
    ({"kind": "rumour"}, "kind", ""),
    ({"group": "no-such-tag"}, "group", ""),
])
def test_a_bad_draft_is_refused_naming_the_field(world, overrides, field, words):
    answer = world.client("community").post("/api/v1/notices/", notice_body(**overrides), format="json")
    assert answer.status_code == 400, answer.json()
    assert field in answer.json(), answer.json()
    assert words in " ".join(answer.json()[field] if isinstance(answer.json()[field], list)
                             else [str(answer.json()[field])])
    assert Notice.objects.count() == 0


def test_a_warning_with_its_cap_fields_is_accepted(world):
    answer = world.client("community").post("/api/v1/notices/", warning_body(), format="json")
    assert answer.status_code == 201, answer.json()
    assert answer.json()["severity"] == "Severe"


def test_editing_a_published_notice_is_refused(world):
    from tests.fixtures.notices import notice_publish

    notice = notice_publish(world, notice_body())
    answer = world.client("community").put(f"/api/v1/notices/{notice['id']}/", notice_body(title="改"), format="json")
    assert answer.status_code == 400 and "status" in answer.json()
    stale = world.client("community").post(f"/api/v1/notices/{notice['id']}/withdraw/",
                                           {"version": 1, "note": "x"}, format="json")
    assert stale.status_code == 409
    dt  # noqa: B018
