"""Live alert updates for the consoles: Server-Sent Events fed by PostgreSQL LISTEN.

Whatever process commits an alert change (an ingester, a web worker taking a lifecycle
step) notifies channel ``iot_alerts`` (iot/alerting.py). Each web worker process keeps
one LISTEN connection and fans notifications out to its open streams, each passing on
only what lies in its user's areas — so every console sees a change within a moment,
however many workers serve them. A console that reconnects reloads its queue.

A stream ends after ``LIVE_STREAM_SECONDS``; the browser reconnects at once (``retry``),
so a signed-out or expired session, or a user whose areas changed, is checked again
instead of being fed for as long as the tab stays open.
"""
from __future__ import annotations

import asyncio
import json
import logging

import psycopg
from django.conf import settings
from django.db import connection
from django.http import HttpResponseForbidden, StreamingHttpResponse
from django.utils import translation

from gis_core.roles import role_allows
from gis_core.scoping import code_in_scope, user_area_prefixes
from iot.alerting import CHANNEL
from iot.models import AlertKind, AlertState

log = logging.getLogger("iot.live")
KEEPALIVE_SECONDS = 15


class Broadcaster:
    """One LISTEN connection per process, started by the first stream, reconnecting."""

    def __init__(self) -> None:
        self._queues: set[asyncio.Queue] = set()
        self._task: asyncio.Task | None = None
        self._listening = asyncio.Event()

    async def subscribe(self) -> asyncio.Queue:
        queue: asyncio.Queue = asyncio.Queue(maxsize=1000)
        self._queues.add(queue)
        if self._task is None or self._task.done():
            self._listening = asyncio.Event()
            self._task = asyncio.get_running_loop().create_task(self._listen())
        await asyncio.wait_for(self._listening.wait(), timeout=10)
        return queue

    def unsubscribe(self, queue: asyncio.Queue) -> None:
        self._queues.discard(queue)

    async def _listen(self) -> None:
        # Only the address and credentials: Django's own options (cursor factory…) are for its connections.
        params = {k: v for k, v in connection.get_connection_params().items()
                  if k in ("host", "port", "dbname", "user", "password", "sslmode")}
        while self._queues:
            try:
                async with await psycopg.AsyncConnection.connect(**params, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self._listening.set()
                    async for note in conn.notifies():
                        try:  # read once for all the streams, which only need its area
                            area = json.loads(note.payload).get("area")
                        except (ValueError, AttributeError):
                            log.warning("an unreadable alert announcement: %.200s", note.payload)
                            continue
                        for queue in list(self._queues):
                            try:
                                queue.put_nowait((area, note.payload))
                            except asyncio.QueueFull:  # a stalled console: it reloads on reconnect
                                pass
            except (psycopg.Error, OSError) as exc:
                log.warning("alert LISTEN connection lost (%s); reconnecting", exc)
                await asyncio.sleep(1)


_broadcasters: dict[asyncio.AbstractEventLoop, Broadcaster] = {}


def broadcaster() -> Broadcaster:
    loop = asyncio.get_running_loop()
    if loop not in _broadcasters:
        _broadcasters[loop] = Broadcaster()
    return _broadcasters[loop]


def labelled(payload: str, language: str) -> str:
    """The announcement with its row's labels in the stream's language (the ingester
    wrote them in the site's)."""
    if language == settings.LANGUAGE_CODE or '"row"' not in payload:
        return payload
    change = json.loads(payload)
    props = change["row"]["properties"]
    with translation.override(language):
        props["kind_display"] = str(AlertKind(props["kind"]).label)
        props["state_display"] = str(AlertState(props["state"]).label)
    return json.dumps(change, ensure_ascii=False)


async def alert_stream(request):
    """GET /live/alerts/: ``text/event-stream`` of alert changes in the user's areas
    (``event: alert``, data as iot.alerting.AlertChange.payload: the change and the
    alert's queue row), each sent as soon as its notification comes."""
    user = await request.auser()
    if not role_allows(user, "iot.view_alert"):
        return HttpResponseForbidden()
    prefixes = user_area_prefixes(user)
    language = translation.get_language() or settings.LANGUAGE_CODE
    hub = broadcaster()
    queue = await hub.subscribe()

    async def events():
        loop = asyncio.get_running_loop()
        ends = loop.time() + settings.LIVE_STREAM_SECONDS
        try:
            yield "retry: 1000\n: connected\n\n"
            while (left := ends - loop.time()) > 0:
                try:
                    area, payload = await asyncio.wait_for(queue.get(), timeout=min(KEEPALIVE_SECONDS, left))
                except TimeoutError:
                    if ends > loop.time():
                        yield ": keepalive\n\n"
                    continue
                if code_in_scope(area, prefixes):
                    yield f"event: alert\ndata: {labelled(payload, language)}\n\n"
        finally:
            hub.unsubscribe(queue)

    response = StreamingHttpResponse(events(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response
