"""Why a message went to quarantine is kept as a code (iot.formats.reasons.Reason) and
shown by its label — in Chinese in the admin and the API — with the decoder's detail
beside it (it was an English sentence only)."""
from __future__ import annotations

import pytest
from django.test import Client

from iot.batch_write import message_decode, messages_ingest
from iot.formats.reasons import Reason
from iot.models import QuarantinedMessage

pytestmark = pytest.mark.django_db

BAD = {
    ("eldercare/nat-b/up", b"{not json"): Reason.JSON,
    ("eldercare/nat-b/up", b'{"type": "teleport"}'): Reason.UNKNOWN_TYPE,
    ("eldercare/nobody/up", b'{"type": "heartbeat"}'): Reason.UNKNOWN_TERMINAL,
    ("eldercare/nat-b/up", b'{"time": 1}'): Reason.MISSING_FIELD,
    ("watch/860000000000001/up", b"[3G*860000000000001*0009*UD,garbage"): Reason.BAD_FRAME,
    ("nowhere/x", b"{}"): Reason.TOPIC,
}


def test_quarantined_messages_keep_a_code_shown_by_its_label(world):
    messages_ingest([message_decode(topic, payload) for topic, payload in BAD])
    kept = {(m.topic, bytes(m.payload)): m for m in QuarantinedMessage.objects.all()}
    assert {key: m.code for key, m in kept.items()} == BAD
    assert kept[("eldercare/nobody/up", b'{"type": "heartbeat"}')].reason == "unknown terminal 'nobody'"  # the detail

    admin = Client()
    admin.force_login(world.users["root"])
    page = admin.get("/admin/iot/quarantinedmessage/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    for label in ("不是有效的 JSON", "未知的消息类型", "终端未登记", "缺少必填字段", "3G 手表数据帧格式错误"):
        assert label in page

    body = admin.get("/api/v1/ingest/quarantine/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    rows = body.get("results", body)
    assert {(r["code"], r["code_display"]) for r in rows} >= {("json", "不是有效的 JSON"),
                                                             ("unknown_terminal", "终端未登记")}
