"""The demo's notices (notices.demo, a part of `manage.py seed_demo`): a policy notice, a
community notice and a weather warning, drafted and approved by the demo's officials,
published and valid now, to the staff of their areas; loading again adds nothing."""
from notices.demo import demo_notices_load
from notices.models import Notice, NoticeStatus
from notices.selectors import notices_active, notices_for_area


def test_the_demo_publishes_three_active_notices_once(world):
    assert demo_notices_load(seed=1, log=lambda m: None) == 3
    assert demo_notices_load(seed=1, log=lambda m: None) == 0
    notices = {n.kind: n for n in notices_active()}
    assert set(notices) == {"policy", "community", "warning"}
    assert all(n.status == NoticeStatus.APPROVED and not n.to_residents and n.to_staff for n in notices.values())
    warning = notices["warning"]
    assert (warning.event, warning.severity, warning.approved_by.username) == ("暴雨", "Moderate", "admin")
    assert notices["community"].approved_by.username == "street"
    community = world.areas["C1"]
    assert set(notices_for_area(community).values_list("kind", flat=True)) == {"policy", "community", "warning"}
    assert Notice.objects.count() == 3
