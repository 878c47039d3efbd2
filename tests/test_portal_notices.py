"""The portal's 通知公告: the active notices of the place a resident picks."""
import pytest
from django.test import Client

from tests.fixtures.notices import notice_body, notice_publish

pytestmark = pytest.mark.django_db


def test_a_community_sees_its_notices_and_not_another_communitys(world):
    notice_publish(world, notice_body())  # drafted by C1's community worker: C1's residents
    c1, c3 = world.areas["C1"], world.areas["C3"]
    mine = Client().get("/portal/notices/", {"area": c1.code})
    assert mine.status_code == 200
    assert "停水通知" in mine.content.decode()
    assert [n.title for n in mine.context["notices"]] == ["停水通知"]
    elsewhere = Client().get("/portal/notices/", {"area": c3.code})
    assert "停水通知" not in elsewhere.content.decode()


def test_an_unknown_place_shows_the_districts_notices(world):
    answer = Client().get("/portal/notices/", {"area": "nowhere"})
    assert answer.status_code == 200
    assert answer.context["area"].level == 2
