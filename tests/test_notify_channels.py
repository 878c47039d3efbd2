"""E-mail (a real aiosmtpd server), the signed webhook (a local HTTP server), the in-app
inbox with its read receipts, unread count and page, the case rules, the outbox API (scoped,
recipients masked by role) and the template admin's preview."""
import hashlib
import hmac
import json

from notify import services
from notify.models import InboxItem, MessageTemplate, Notification


def enqueue(**kwargs):
    defaults = {"key": "k1", "template": "case_closed", "values": {"tracking": "530103-9"}}
    return services.notification_enqueue(**{**defaults, **kwargs})


def test_email_over_smtp(db, smtp_server):
    notification = enqueue(channel="email", address="zhang@example.cn", language="en")
    assert services.notification_deliver(notification_id=notification.pk) == "sent"
    (recipients, message), = smtp_server.messages
    assert recipients == ["zhang@example.cn"] and message["Subject"] == "Case closed"
    assert "530103-9" in message.get_payload(decode=True).decode()
    assert Notification.objects.get(pk=notification.pk).provider_id == message["Message-ID"]


def test_a_bad_email_address_fails_with_the_reason(db, smtp_server):
    notification = enqueue(channel="email", address="not-an-address")
    assert services.notification_deliver(notification_id=notification.pk) == "failed"
    assert "Not an e-mail address" in Notification.objects.get(pk=notification.pk).reason
    assert smtp_server.messages == []


def test_webhook_is_signed_and_retried_on_a_server_error(db, webhook_server):
    webhook_server.statuses.append(503)
    notification = enqueue(channel="webhook")
    assert services.notification_deliver(notification_id=notification.pk) == "queued"
    assert services.notification_deliver(notification_id=notification.pk) == "sent"
    headers, body = webhook_server.requests[-1]
    expected = "sha256=" + hmac.new(b"hook-secret", body, hashlib.sha256).hexdigest()
    assert headers["X-Signature"] == expected and headers["Idempotency-Key"] == "k1"
    assert json.loads(body)["text"] == "您反映的问题（编号530103-9）已办结。"
    assert Notification.objects.get(pk=notification.pk).provider_id == "hook-2"


def test_dispatch_reaches_the_handlers_inbox_with_unread_count_and_read_receipts(desk, world):
    case = desk.advance(desk.report(), "dispatched")
    handler = world.users["handler"]
    notification = Notification.objects.get(channel="inbox", user=handler)
    assert services.notification_deliver(notification_id=notification.pk) == "sent"
    client = world.client("handler")
    assert client.get("/api/v1/inbox/unread/").json() == {"unread": 1}
    page = client.get("/inbox/").content.decode()
    assert "Case dispatched" in page or "新派遣案件" in page
    home = client.get("/", follow=True).content.decode()  # the handler's workspace
    assert 'data-testid="inbox-unread">1<' in home  # the top bar of every page
    items = client.get("/api/v1/inbox/").json()["results"]
    assert items[0]["read_at"] is None and case["properties"]["tracking_number"] in items[0]["body"]
    assert client.post("/api/v1/inbox/read/", {"ids": [items[0]["id"]]}, format="json").json() == {"unread": 0}
    assert InboxItem.objects.get(pk=items[0]["id"]).read_at is not None
    assert client.post("/api/v1/inbox/read/", {"ids": ["x"]}, format="json").status_code == 400


def test_a_grid_leaders_closed_case_goes_to_their_inbox(desk, world):
    case = desk.advance(desk.report(), "closed")
    notification = Notification.objects.get(template="case_closed")
    assert notification.channel == "inbox" and notification.user == world.users["leader_a"]
    assert notification.subject_id == case["properties"]["id"] if "id" in case["properties"] else True


def test_the_outbox_api_masks_recipients_for_roles_without_personal_data(desk, world):
    desk.advance(desk.report("community"), "closed")
    admin = world.client("admin").get("/api/v1/notifications/?template=case_closed_rate").json()
    assert admin["results"][0]["address"] == "13811112222"
    official = world.client("street").get("/api/v1/notifications/").json()
    assert official["results"][0]["address"] == "138****2222"
    assert world.client("handler").get("/api/v1/notifications/").status_code == 403


def test_template_admin_previews_with_sample_values_and_sms_length(world):
    template = MessageTemplate.objects.get(code="sos_raised", language="zh-hans")
    client = world.client("root")
    page = client.get(f"/admin/notify/messagetemplate/{template.pk}/change/").content.decode()
    assert "张桂英于08:30在盘龙区拓东路12号按下了紧急呼叫" in page and "SMS (UCS-2)" in page
    response = client.post(f"/admin/notify/messagetemplate/{template.pk}/change/", {
        "code": "sos_raised", "language": "zh-hans", "subject": "x", "body": "{elder}{unknown}",
        "sample_values": json.dumps(template.sample_values)})
    assert response.status_code == 200 and "Missing value for unknown" in response.content.decode()
    assert MessageTemplate.objects.get(pk=template.pk).body == template.body
