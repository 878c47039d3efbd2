"""Staff who chose not to receive notices (the ``notice`` kind: inbox or nothing) get no
inbox message of a policy or community notice; warnings reach them all the same. Other
channels cannot be chosen for notices (400 naming why)."""
from notify.models import Notification
from tests.fixtures.notices import notice_body, notice_publish, warning_body

URL = "/api/v1/inbox/channels/"


def staff_told(notice_id: int) -> set[str]:
    return set(Notification.objects.filter(subject_type="notice", subject_id=notice_id, channel="inbox")
               .values_list("user__username", flat=True))


def test_a_staff_member_who_chose_no_notices_gets_only_warnings(world):
    leader = world.client("leader_a")
    assert leader.put(URL, {"choices": {"notice": []}}, format="json").status_code == 200
    notice = notice_publish(world, notice_body(to_staff=True, to_residents=False))
    told = staff_told(notice["id"])
    assert "leader_a" not in told and {"community", "leader_b"} <= told
    warning = notice_publish(world, warning_body(to_staff=True, to_residents=False))
    assert "leader_a" in staff_told(warning["id"])


def test_notices_come_only_in_the_inbox(world):
    world.users["leader_a"].phone = "13500000001"
    world.users["leader_a"].save()
    response = world.client("leader_a").put(URL, {"choices": {"notice": ["sms"]}}, format="json")
    assert response.status_code == 400 and "inbox" in str(response.json()["choices"])
    rows = {r["kind"]: r for r in world.client("leader_a").get(URL).json()}
    assert rows["notice"]["offered"] == ["inbox"] and rows["notice"]["available"] == ["inbox"]
