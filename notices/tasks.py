"""The worker's job for notices (procrastinate, the same worker as notify): deliver one
chunk of a notice's queued messages at the gateway's rate."""
from __future__ import annotations

from procrastinate.contrib.django import app

from gis_core.workers import fresh_connection


@app.task(name="notices.send_chunk", queue="notify")
@fresh_connection
def send_chunk(*, notice_id: int, first_id: int, last_id: int) -> dict:
    from notices.services import notice_chunk_send

    return notice_chunk_send(notice_id=notice_id, first_id=first_id, last_id=last_id)
