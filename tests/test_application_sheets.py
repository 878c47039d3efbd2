"""The printable sheets: the receipt (受理回执) with the number, the item, the promised
date and how to track; the one-time notice (一次性告知) listing every missing required
material and the conditional ones with their conditions — in Chinese by default."""
from __future__ import annotations

from services.models import Application


def test_receipt(service_desk):
    a = service_desk.file()
    application = Application.objects.get(pk=a["id"])
    html = service_desk.world.client("community").get(a["receipt_url"]).content.decode()
    assert application.number in html and "高龄津贴申领" in html
    assert application.due_date.isoformat() in html and application.tracking_key in html
    assert "How to track" in html


def test_notice_lists_everything_missing(service_desk):
    a = service_desk.file(received=[])
    assert a["state"] == "correction"
    client = service_desk.world.client("community")
    html = client.get(a["notice_url"]).content.decode()
    for name in ("申请人居民身份证", "户口簿", "本人银行卡或存折"):
        assert name in html
    assert "委托他人代办时" in html  # conditional, with its condition


def test_notice_in_chinese(service_desk):
    a = service_desk.file(received=[])
    client = service_desk.world.client("community")
    html = client.get(a["notice_url"], HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "一次性告知书" in html
