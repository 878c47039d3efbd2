"""The dispatcher's console in headless Chromium, end to end: a terminal's SOS goes through
the real broker (mosquitto_pub) and the real ingester (the ``ingester`` fixture) into PostGIS, reaches the open
console over the live stream, and the dispatcher acknowledges and resolves it there. A
grid leader's console shows only the alerts of their cell, and asks nothing of any other
host."""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import time

import pytest
from django.conf import settings
from django.contrib.gis.geos import Point
from django.utils import timezone

from gis_core.mqtt import broker_config
from tests.helpers import session_login

pytestmark = [pytest.mark.browser]


def publish(topic: str, payload) -> None:
    """Publish as a gateway would, with the mosquitto_pub command-line client (QoS 1, MQTT 5)."""
    config = broker_config(settings.MQTT_URL)
    command = ["mosquitto_pub", "-h", config.host, "-p", str(config.port), "-V", "mqttv5", "-q", "1",
               "-t", topic, "-m", json.dumps(payload)]
    if config.username:
        command += ["-u", config.username, "-P", config.password or ""]
    subprocess.run(command, check=True, timeout=15, capture_output=True)


def open_console(chromium, base_url: str, user):
    context = chromium.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(20000)
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    session_login(context, base_url, user)
    page.goto(f"{base_url}/console/dispatch/")
    page.wait_for_selector("#map canvas")
    page.wait_for_function("() => document.querySelector('#live-status').dataset.state === 'live'")
    return context, page, requests, errors


def click_on_map(page, lon: float, lat: float, layer: str, absent: str | None = None) -> None:
    """Click the map where (lon, lat) is, once `layer` is drawn there (and `absent` not)."""
    page.wait_for_function(f"""() => {{
        const map = DispatchConsole.grid.map;
        const p = map.project([{lon}, {lat}]);
        const here = (layer) => map.queryRenderedFeatures(p, {{layers: [layer]}}).length > 0;
        return map.loaded() && !map.isMoving() && here('{layer}') && {f"!here('{absent}')" if absent else "true"};
    }}""")
    x, y = page.evaluate(f"(() => {{ const p = DispatchConsole.grid.map.project([{lon}, {lat}]); return [p.x, p.y]; }})()")
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)


def test_an_sos_published_over_mqtt_reaches_the_console_and_is_acknowledged_and_resolved(
        world, elders, asgi_server, ingester, chromium):
    from iot.models import Alert, AlertEvent

    context, page, requests, errors = open_console(chromium, asgi_server, world.users["dispatcher"])
    try:
        assert page.locator("#alert-queue li").count() == 0

        # The elder walked home over the last ten minutes (buffered fixes, oldest first), then pressed SOS.
        lon, lat = elders.home("pB")
        now = int(time.time())
        walk = [{"type": "position", "ts": now - 600 + 120 * i, "lat": lat + 0.0008 - 0.0002 * i,
                 "lon": lon + 0.0004 - 0.0001 * i, "acc": 8, "spd": 3.5, "batt": 76, "sig": 60} for i in range(5)]
        publish("eldercare/nat-b/up", walk)
        publish("eldercare/nat-b/up", {"type": "sos", "ts": now, "lat": lat, "lon": lon, "acc": 6, "batt": 75})

        # The row appears by itself (live stream), urgent and flashing, and the console beeped.
        row = page.locator("#alert-queue li[data-kind=sos]")
        row.wait_for(timeout=10000)
        assert row.count() == 1
        assert "居民pB" in row.inner_text()
        assert row.get_attribute("data-state") == "new"
        assert "flash" in row.get_attribute("class") and "urgent" in row.get_attribute("class")
        assert page.evaluate("DispatchConsole.state.beeps") >= 1
        alert = Alert.objects.get(terminal=elders.terminals["pB"], kind="sos")
        assert row.get_attribute("data-alert-id") == str(alert.pk)
        assert alert.area_id == world.areas["B"].pk

        # The terminal is on the live map, with its SOS.
        page.wait_for_function(
            "() => (DispatchConsole.state.terminals || []).some(f => f.properties.device_id === 'nat-b'"
            " && f.properties.open_alert_kind === 'sos')")

        # Open it: the elder, the family contact with a phone link, the log, the steps allowed.
        row.click()
        detail = page.locator("#alert-detail")
        page.wait_for_function(f"() => document.querySelector('#alert-detail').dataset.alertId === '{alert.pk}'")
        text = detail.inner_text()
        assert "居民pB" in text and "家属pB" in text
        assert "盘龙路bB号" in text  # home address
        assert page.locator("#alert-contacts a[href='tel:13600002002']").count() == 1
        assert page.locator("#alert-events li[data-action=raised]").count() == 1
        assert page.locator("#alert-actions button").evaluate_all("bs => bs.map(b => b.dataset.action)") == [
            "acknowledge", "dispatch", "on_scene", "resolve", "false_alarm"]
        # The grid leader of cell B is among the nearest responders.
        assert "Leader_B" in page.inner_text("#alert-responders")

        # The track of the last 30 minutes is drawn, and plays back.
        page.wait_for_function("() => Number(document.querySelector('#track-box').dataset.fixes) >= 6")
        assert page.evaluate("DispatchConsole.state.track.features[0].geometry.type") \
            == "LineString"
        page.select_option("#track-speed", "300")
        page.click("#track-play")
        page.wait_for_selector("#playback-marker")
        page.wait_for_function("() => document.querySelector('#track-box').dataset.playing === 'false'"
                               " && document.querySelector('#track-box').dataset.playbackTime", timeout=20000)
        assert page.get_attribute("#track-box", "data-playback-time").startswith(
            dt.datetime.fromtimestamp(now, dt.UTC).strftime("%Y-%m-%dT%H:%M"))

        # Acknowledge, with a note: the row stops flashing.
        page.fill("#alert-note", "已电话联系家属")
        page.click("#alert-actions button[data-action=acknowledge]")
        page.wait_for_function("() => document.querySelector('#alert-detail').dataset.state === 'acknowledged'")
        page.wait_for_function(
            f"() => document.querySelector('#alert-queue li[data-alert-id=\"{alert.pk}\"]')?.dataset.state === 'acknowledged'")
        assert "flash" not in row.get_attribute("class")
        assert page.locator("#alert-actions button[data-action=acknowledge]").count() == 0

        # Resolve: it leaves the open queue.
        page.click("#alert-actions button[data-action=resolve]")
        page.wait_for_function("() => document.querySelector('#alert-detail').dataset.state === 'resolved'")
        page.wait_for_function(f"() => !document.querySelector('#alert-queue li[data-alert-id=\"{alert.pk}\"]')")
        assert page.locator("#alert-actions button").count() == 0

        # With no open alert left, a click on the terminal shows the device.
        click_on_map(page, lon, lat, "terminals-0", absent="alerts-2")
        page.wait_for_function("() => document.querySelector('#alert-detail').dataset.terminalId"
                               f" === '{elders.terminals['pB'].pk}'")
        assert "nat-b" in page.inner_text("#detail-device")

        alert.refresh_from_db()
        assert alert.state == "resolved" and alert.closed_at is not None
        events = list(AlertEvent.objects.filter(alert=alert).order_by("at", "id").values_list("action", "user__username",
                                                                                              "note"))
        assert events == [("raised", None, ""), ("acknowledge", "dispatcher", "已电话联系家属"),
                          ("resolve", "dispatcher", "")]

        assert errors == []
        assert [u for u in requests if not u.startswith((asgi_server, "data:", "blob:"))] == []
    finally:
        context.close()


def test_a_conflicting_step_reloads_the_alert_and_says_so(world, elders, asgi_server, chromium):
    from iot import services
    from iot.models import Alert

    alert = _alert(elders, world, "pB", "fall")
    context, page, _requests, errors = open_console(chromium, asgi_server, world.users["dispatcher"])
    try:
        page.click(f"#alert-queue li[data-alert-id='{alert.pk}']")
        page.wait_for_selector("#alert-actions button[data-action=acknowledge]")
        # Someone else acknowledges; the live update reaches this console, but its step is
        # taken as if it had not (the version it saw is 1).
        services.alert_advance(actor=world.users["leader_b"], alert=alert, action="acknowledge")
        page.wait_for_function("() => document.querySelector('#alert-detail').dataset.state === 'acknowledged'")
        page.evaluate("DispatchConsole.state.detail.properties.version = 1")
        page.click("#alert-actions button[data-action=dispatch]")
        page.wait_for_selector("#alert-message:not([hidden])")
        conflict = page.evaluate("(GridMap.config.consoleLabels || GridMap.config.labels).conflict")
        assert page.inner_text("#alert-message") == conflict
        assert page.get_attribute("#alert-detail", "data-state") == "acknowledged"
        assert page.get_attribute("#alert-detail", "data-version") == "2"
        assert Alert.objects.get(pk=alert.pk).state == "acknowledged"
        assert errors == []
    finally:
        context.close()


def _alert(elders, world, key: str, kind: str):
    from iot.models import Alert, Terminal

    now = timezone.now()
    lon, lat = elders.home(key)
    area = {"pA": "A", "pB": "B", "pF": "F"}[key]
    Terminal.objects.filter(pk=elders.terminals[key].pk).update(  # as the ingester keeps it
        last_position=Point(lon, lat, srid=4326), last_seen_at=now, last_fix_at=now, last_accuracy_m=10, battery=80)
    return Alert.objects.create(terminal=elders.terminals[key], person=world.people[key], kind=kind,
                                area=world.areas[area], position=Point(lon, lat, srid=4326), accuracy_m=10,
                                raised_at=now, received_at=now, last_report_at=now)


def test_a_grid_leader_sees_only_the_alerts_of_their_cell_and_nothing_leaves_the_server(
        world, elders, asgi_server, browser_page):
    mine = _alert(elders, world, "pA", "sos")
    other = _alert(elders, world, "pB", "sos")
    page = browser_page.page
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    session_login(page.context, asgi_server, world.users["leader_a"])
    page.goto(f"{asgi_server}/console/dispatch/")
    page.wait_for_function("() => document.querySelector('#live-status').dataset.state === 'live'")
    page.wait_for_selector(f"#alert-queue li[data-alert-id='{mine.pk}']")
    assert page.locator(f"#alert-queue li[data-alert-id='{other.pk}']").count() == 0
    assert page.locator("#alert-queue li").count() == 1
    # Nor on the map: the alert markers and the live terminals are the cell's only.
    page.wait_for_function("() => DispatchConsole.state.terminals !== undefined")
    assert page.evaluate("DispatchConsole.state.terminals.map(f => f.properties.device_id)") == ["860000000000001"]

    # A click on its marker on the map opens it.
    lon, lat = elders.home("pA")
    click_on_map(page, lon, lat, "alerts-2")
    page.wait_for_function(f"() => document.querySelector('#alert-detail').dataset.alertId === '{mine.pk}'")
    assert "居民pA" in page.inner_text("#alert-detail")
    assert page.locator(".maplibregl-popup").count() == 0  # no inspect popup of the cell underneath
    assert errors == []
    assert browser_page.outside(asgi_server) == []
