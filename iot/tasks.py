"""The worker's clock for positions (procrastinate periodic jobs, on the ``maintenance``
queue so a long retention never holds a slot that SOS notifications need): partitions
ahead every hour, even when no ingester runs; retention once a day at 03:17 Beijing time
(19:17 UTC, the quietest hour)."""
from __future__ import annotations

from procrastinate.contrib.django import app

from gis_core.workers import fresh_connection


@app.periodic(cron="11 * * * *", periodic_id="iot-partitions")
@app.task(name="iot.partitions_ensure", queue="maintenance", pass_context=False)
@fresh_connection
def partitions_ensure(*, timestamp: int) -> list[str]:
    from iot.retention import positions_partitions_ensure

    return positions_partitions_ensure()


@app.periodic(cron="17 19 * * *", periodic_id="iot-retain")
@app.task(name="iot.positions_retain", queue="maintenance", pass_context=False)
@fresh_connection
def positions_retain(*, timestamp: int) -> dict:
    from iot.retention import positions_retain as retain

    report = retain()
    return {"archived": report.archived, "default_rows": report.default_rows,
            "history_dropped": report.history_dropped, "busy": report.busy}
