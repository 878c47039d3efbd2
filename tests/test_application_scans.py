"""Scanned materials are checked by their content: a real PDF, JPEG or PNG within the
size limit. A text file named .pdf, or a GIF, is a 400 naming ``scans`` and nothing is
filed; a good scan is kept privately and served only to those who see the application."""
from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from services.models import Application

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(buffer, "PNG")
    return buffer.getvalue()


def gif_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, "GIF")
    return buffer.getvalue()


def _file(service_desk, *scans):
    world = service_desk.world
    return world.client("community").post("/api/v1/applications/", {
        "item": "elderly_allowance", "person": world.people["pA"].pk,
        "received": service_desk.material_ids(required_only=True), "scans": list(scans)}, format="multipart")


def test_fake_pdf_is_refused(service_desk):
    response = _file(service_desk, SimpleUploadedFile("id.pdf", b"just some text, not a PDF", "application/pdf"))
    assert response.status_code == 400
    assert "id.pdf" in response.json()["scans"][0]
    assert not Application.objects.exists()


def test_gif_is_refused(service_desk):
    response = _file(service_desk, SimpleUploadedFile("id.png", gif_bytes(), "image/png"))
    assert response.status_code == 400 and "scans" in response.json()


def test_too_large_is_refused(service_desk, settings):
    settings.SERVICES_SCAN_MAX_BYTES = 100
    response = _file(service_desk, SimpleUploadedFile("id.pdf", PDF + b" " * 200, "application/pdf"))
    assert response.status_code == 400 and "MB" in response.json()["scans"][0]


def test_real_scans_kept_and_served_in_scope(service_desk):
    response = _file(service_desk, SimpleUploadedFile("id.pdf", PDF, "application/octet-stream"),
                     SimpleUploadedFile("card.bin", png_bytes(), "application/octet-stream"))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [s["content_type"] for s in body["scans"]] == ["application/pdf", "image/png"]
    url = body["scans"][0]["url"]
    ok = service_desk.world.client("community").get(url)
    assert ok.status_code == 200 and b"".join(ok.streaming_content).startswith(b"%PDF")
    assert service_desk.world.client("street").get(url).status_code == 200
    assert service_desk.world.client("leader_b").get(url).status_code == 404  # a cell's leader: not the community's
