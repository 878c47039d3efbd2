"""The admin in Chinese: the ingest counts (iot), django-pghistory's change history and the
personal-data access log read in Chinese — names, columns, times local (they showed
"Ingest counts", "Pghistory | events", English field names and a UTC time)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import translation
from django.utils.timezone import localtime

from gis_core.models import PersonalDataAccess
from iot.models import IngestCount

pytestmark = pytest.mark.django_db


def chinese_admin(world) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(world.users["root"])
    return client


def test_admin_index_and_ingest_counts_in_chinese(world):
    IngestCount.objects.create(day=dt.date(2026, 12, 1), format="native", outcome="stored", count=3)
    client = chinese_admin(world)
    index = client.get("/admin/").content.decode()
    assert "接入计数" in index and "Ingest counts" not in index
    counts = client.get("/admin/iot/ingestcount/").content.decode()
    assert "接入计数" in counts and "消息格式" in counts and "处理结果" in counts
    assert "Ingest count" not in counts and "以 format" not in counts


def test_history_models_have_chinese_names(world):
    from pghistory.models import Events

    with translation.override("zh-hans"):
        assert str(ContentType.objects.get_for_model(Events)) == "变更历史 | 变更记录"


def test_access_log_fields_in_chinese_and_its_title_in_local_time(world):
    person = world.people["pA"]
    entry = PersonalDataAccess.objects.create(
        user=world.users["leader_a"], username="leader_a", content_type=ContentType.objects.get_for_model(person),
        object_id=person.pk, record=str(person), fields=["phone"], area=world.areas["A"], channel="/api/v1/people/")
    local = localtime(entry.at).strftime("%Y-%m-%d %H:%M")
    assert str(entry).endswith(local)
    client = chinese_admin(world)
    listing = client.get("/admin/gis_core/personaldataaccess/").content.decode()
    for english in ("Username", "Record type", "Page or endpoint", "Pghistory"):
        assert english not in listing
    change = client.get(f"/admin/gis_core/personaldataaccess/{entry.pk}/change/").content.decode()
    assert local in change
