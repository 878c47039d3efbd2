"""Every rule can be switched off per district (RuleSwitch, the admin): a rule switched off
queues nothing there, and stays on in other districts and without a switch."""
import datetime as dt

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.utils import timezone

from gis_core.models import Area, AreaLevel
from iot.batch_write import message_decode, messages_ingest
from iot.formats import encode
from iot.models import Alert
from notify.models import Notification, RuleSwitch
from notify.rules import RULES, alert_fan_out, alerts_escalate, rule_enabled


def switch(world, rule: str, enabled: bool = False, district: str = "D") -> RuleSwitch:
    return RuleSwitch.objects.create(rule=rule, area=world.areas[district], enabled=enabled)


def test_a_rule_is_on_without_a_switch_and_off_only_in_its_district(world):
    other = Area.objects.create(code="530102000000", name="五华区", level=AreaLevel.DISTRICT,
                                boundary=MultiPolygon(Polygon.from_bbox((102.6, 25.0, 102.69, 25.06))))
    assert rule_enabled("case_dispatched", "530103001001001")
    switch(world, "case_dispatched")
    RuleSwitch.objects.create(rule="case_closed", area=other, enabled=False)
    assert not rule_enabled("case_dispatched", "530103001001001")
    assert rule_enabled("case_dispatched", "530102001001001")
    assert rule_enabled("case_closed", "530103001001001")
    with pytest.raises(KeyError):
        rule_enabled("no_such_rule", "530103")


def test_sos_rules_switched_off_queue_nothing(world, elders, settings):
    settings.NOTIFY_SOS_ESCALATE_MINUTES = 5
    leader = world.users["leader_b"]
    leader.on_duty, leader.phone = True, "13500000002"
    leader.save()
    for rule in ("sos_contacts", "sos_responder", "sos_escalation"):
        switch(world, rule)
    lon, lat = elders.home("pB")
    messages_ingest([message_decode(*encode.native("nat-b", type="sos", time=timezone.now(), lon=lon, lat=lat))])
    alert = Alert.objects.get(terminal=elders.terminals["pB"])
    assert alert_fan_out(alert_id=alert.pk, action="raised") == 0
    assert alerts_escalate(now=alert.received_at + dt.timedelta(hours=1)) == {"steps": 0, "queued": 0}
    assert Notification.objects.count() == 0

    RuleSwitch.objects.filter(rule="sos_contacts").update(enabled=True)  # switched on again
    assert alert_fan_out(alert_id=alert.pk, action="raised") == 1


def test_case_rules_switched_off_queue_nothing(world, desk):
    switch(world, "case_filed")
    switch(world, "case_dispatched")
    case = desk.advance(desk.report("community"), "dispatched")
    assert Notification.objects.filter(subject_type="case", subject_id=case["id"]).count() == 0


def test_the_admin_lists_the_rules_by_label_and_scopes_switches(world):
    switch(world, "case_closed")
    admin = world.client("admin")
    page = admin.get("/admin/notify/ruleswitch/")
    assert page.status_code == 200
    assert str(RULES["case_closed"].label) in page.content.decode()
    form = admin.get("/admin/notify/ruleswitch/add/").content.decode()
    assert all(f'value="{code}"' in form for code in RULES)
    response = admin.post("/admin/notify/ruleswitch/add/", {"rule": "case_deadline", "area": world.areas["D"].pk})
    assert response.status_code == 302
    assert RuleSwitch.objects.filter(rule="case_deadline", enabled=False).exists()
    assert world.client("street").get("/admin/notify/ruleswitch/").status_code in (302, 403)
