"""The admin lists notices read-only and scoped, with their log, and takes an upstream CAP
alert as a draft warning (a file that is not CAP is refused with the schema's reason)."""
from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from notices.models import Notice
from tests.fixtures.notices import notice_body, notice_publish
from tests.test_notice_cap import UPSTREAM


def test_the_admin_lists_notices_and_imports_a_cap_alert(world):
    notice_publish(world, notice_body())
    admin = world.client("admin")
    listed = admin.get("/admin/notices/notice/")
    assert listed.status_code == 200 and "停水通知" in listed.content.decode()
    refused = admin.post("/admin/notices/notice/import-cap/",
                         {"file": SimpleUploadedFile("a.xml", b"<alert/>")})
    assert refused.status_code == 200 and "CAP 1.2" in refused.content.decode()
    made = admin.post("/admin/notices/notice/import-cap/", {"file": SimpleUploadedFile("a.xml", UPSTREAM.encode())})
    assert made.status_code == 302
    assert Notice.objects.filter(title="雷电黄色预警", status="draft").exists()
    assert world.client("leader_b").get("/admin/notices/notice/").status_code in (200, 403)
