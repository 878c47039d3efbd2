"""A draft's attachments, from the notice's page and by the API: a PDF, JPEG or PNG by its
content (attachments are public under MEDIA_URL, so nothing a browser would run), only to
drafts, only in the drafter's areas; a refusal is a 400 naming the file and nothing is kept."""
from django.core.files.uploadedfile import SimpleUploadedFile

from notices.models import Notice, NoticeAttachment
from tests.fixtures.notices import notice_body, notice_publish
from tests.helpers import session_client

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def draft(world) -> int:
    answer = world.client("community").post("/api/v1/notices/", notice_body(), format="json")
    assert answer.status_code == 201, answer.json()
    return answer.json()["id"]


def test_a_pdf_attached_from_the_page_is_listed_with_a_pdf_name(world):
    pk = draft(world)
    client = session_client(world.users["community"])
    page = client.get(f"/notices/{pk}/")
    assert b'data-testid="attach-form"' in page.content
    answer = client.post(f"/notices/{pk}/attachments/", {"file": SimpleUploadedFile("停水范围.html", PDF)})
    assert answer.status_code == 302 and answer["Location"] == f"/notices/{pk}/"
    attachment = NoticeAttachment.objects.get(notice_id=pk)
    assert attachment.name == "停水范围.html" and attachment.file.name.endswith(".pdf")  # the content decides
    assert Notice.objects.get(pk=pk).steps.filter(action="attach").count() == 1


def test_a_page_or_a_script_is_refused_with_the_reason(world):
    pk = draft(world)
    client = session_client(world.users["community"])
    answer = client.post(f"/notices/{pk}/attachments/", {"file": SimpleUploadedFile("x.pdf", b"<script>alert(1)</script>")})
    assert answer.status_code == 400
    assert "x.pdf" in answer.content.decode()
    api = world.client("community").post(f"/api/v1/notices/{pk}/attachments/",
                                          {"file": SimpleUploadedFile("y.png", b"<html></html>")}, format="multipart")
    assert api.status_code == 400 and "file" in api.json()
    assert not NoticeAttachment.objects.filter(notice_id=pk).exists()


def test_only_drafts_take_attachments_and_the_form_is_gone_after_approval(world):
    pk = notice_publish(world, notice_body())["id"]
    client = session_client(world.users["community"])
    assert b'data-testid="attach-form"' not in client.get(f"/notices/{pk}/").content
    answer = client.post(f"/notices/{pk}/attachments/", {"file": SimpleUploadedFile("a.pdf", PDF)})
    assert answer.status_code == 400
    assert not NoticeAttachment.objects.filter(notice_id=pk).exists()


def test_a_notice_outside_the_users_areas_is_a_404(world):
    pk = draft(world)
    other = session_client(world.users["leader_b"])
    assert other.post(f"/notices/{pk}/attachments/", {"file": SimpleUploadedFile("a.pdf", PDF)}).status_code in (403, 404)
    assert not NoticeAttachment.objects.filter(notice_id=pk).exists()
