"""A poor rating (不满意, 非常不满意) opens a follow-up for the street's head: it reaches the
inbox of the street official whose street holds the community, once; the desk sees it; the
street official closes it with what was done. A good rating opens none."""
from __future__ import annotations

from notify.models import InboxItem, Notification
from notify.services import notification_deliver
from services.models import FollowUp


def test_poor_rating_opens_a_followup_for_the_street(service_desk):
    world = service_desk.world
    a = service_desk.rate("community", service_desk.collected(), 2, comment="等了很久")
    followup = FollowUp.objects.get(application_id=a["id"])
    assert (followup.state, followup.area, followup.rating.level) == ("open", world.areas["C1"], 2)
    assert a["followup"]["state"] == "open" and a["followup"]["may_close"] is False

    sent = Notification.objects.get(template="application_followup")
    assert (sent.user, sent.channel, sent.key) == (world.users["street"], "inbox",
                                                   f"followup:{followup.pk}:user:{world.users['street'].pk}")
    assert notification_deliver(notification_id=sent.pk) == "sent"
    item = InboxItem.objects.get(user=world.users["street"])
    assert a["number"] in item.body and "#followups" in item.link

    desk = world.client("community").get("/api/v1/application-followups/?state=open").json()["results"]
    assert [(f["number"], f["level"], f["may_close"]) for f in desk] == [(a["number"], 2, False)]
    refused = world.client("community").post(f"/api/v1/application-followups/{followup.pk}/close/",
                                              {"outcome": "x"}, format="json")
    assert refused.status_code == 403

    street = world.client("street")
    answer = street.post(f"/api/v1/application-followups/{followup.pk}/close/", {"outcome": ""}, format="json")
    assert answer.status_code == 400 and "outcome" in answer.json()
    answer = street.post(f"/api/v1/application-followups/{followup.pk}/close/", {"outcome": "已回访，致歉并改进"},
                         format="json")
    assert answer.status_code == 200 and answer.json()["state"] == "closed"
    assert answer.json()["closed_by"] == "Street"
    again = street.post(f"/api/v1/application-followups/{followup.pk}/close/", {"outcome": "再次"}, format="json")
    assert again.status_code == 400 and "state" in again.json()


def test_good_rating_opens_none(service_desk):
    service_desk.rate("community", service_desk.collected(), 3)
    assert not FollowUp.objects.exists()
    assert not Notification.objects.filter(template="application_followup").exists()


def test_followups_are_scoped(service_desk):
    world = service_desk.world
    a = service_desk.rate("community", service_desk.collected(), 1)
    followup = FollowUp.objects.get(application_id=a["id"])
    world.users["street"].areas.set([world.areas["S2"]])
    from gis_core.models import User

    street = User.objects.get(pk=world.users["street"].pk)
    world.users["street"] = street
    assert world.client("street").get("/api/v1/application-followups/").json()["results"] == []
    closed = world.client("street").post(f"/api/v1/application-followups/{followup.pk}/close/", {"outcome": "x"},
                                         format="json")
    assert closed.status_code == 404
