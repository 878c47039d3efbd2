"""Benchmark: one warning fanned out to the residents of a street.

    .venv/bin/python bench/notice_fanout.py [--people 250000] [--send 5000] [--quick] [--keep]

In the database grid_bench (bench/seed.py: 1,000,000 people, about 250,000 a street), the
bench district administrator ``bench-admin`` drafts an immediate, severe warning for the
street with the most residents — or, with a smaller ``--people``, for as many of its
communities as reach that many — submits and approves it, through notices.services as the
API does. Two figures, each against a baseline measured in the same run:

- queueing: the approval (one transaction: the reach, one INSERT … SELECT of an outbox row
  per distinct phone with its idempotency key, one for the staff, the delivery jobs), in
  rows queued per second — vs the same SELECT inserted by bare SQL into an index-less
  copy of the outbox table (what queueing costs beyond writing the rows);
- sending: the first ``--send`` messages delivered by the worker's code
  (notices.services.notice_chunk_send → notify's batches: one claim, a window of
  SMPP_WINDOW submit_sm over one session, one record) to the SMSC simulator
  (devstack/smsc.py, a process of its own: bench/lib/smsc.py) with no pacing, in messages
  per second — vs the simulator's ceiling: a bare smpplib client submitting the same texts
  to the same simulator, one answer awaited per message; and vs the same bare client
  keeping the platform's window of answers outstanding.

The bench warnings, their outbox rows and jobs are deleted at the end unless --keep.
``--quick``: 20,000 people, 1,000 messages. Needs grid_bench (`bench/seed.py`); waits while
a seed runs.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import socket
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.lib.database import bare_connection, use_bench_database
from bench.lib.report import Results, say
from bench.lib.users import bench_user

TITLE = "[bench] 暴雨红色预警"


def _target(people: int) -> tuple[list, int]:
    """The street with the most residents, or enough of its communities for ``people``."""
    from django.db import connection

    from gis_core.models import Area

    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT a.id, a.level, count(p.id) FROM gis_core_area a
            JOIN gis_core_area c ON c.code LIKE a.prefix || '%%' AND c.level = 5
            JOIN assets_person p ON p.area_id = c.id
            WHERE a.level IN (3, 4) GROUP BY a.id, a.level ORDER BY a.level, count(p.id) DESC""")
        rows = cursor.fetchall()
    streets = [r for r in rows if r[1] == 3]
    if not streets:
        sys.exit("grid_bench has no streets with residents: run bench/seed.py")
    street_id, _level, street_people = streets[0]
    if people >= street_people * 0.9:
        return [Area.objects.get(pk=street_id)], street_people
    street = Area.objects.get(pk=street_id)
    chosen, total = [], 0
    for area_id, level, count in rows:
        if level == 4 and Area.objects.filter(pk=area_id, code__startswith=street.prefix).exists():
            chosen.append(Area.objects.get(pk=area_id))
            total += count
            if total >= people:
                break
    return chosen, total


def _cleanup() -> None:
    import pgtrigger
    from django.db import connection, transaction

    from notices.models import Notice, NoticeStep
    from notify.models import Notification

    ids = list(Notice.objects.filter(title=TITLE).values_list("pk", flat=True))
    if not ids:
        return
    with transaction.atomic():
        Notification.objects.filter(subject_type="notice", subject_id__in=ids).delete()
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM procrastinate_jobs WHERE task_name = 'notices.send_chunk' "
                           "AND (args->>'notice_id')::bigint = ANY(%s)", [ids])
        with pgtrigger.ignore("notices.NoticeStep:append_only"):
            NoticeStep.objects.filter(notice_id__in=ids).delete()
        Notice.objects.filter(pk__in=ids).delete()
    # the outbox as the bench found it: deleting a street's rows run after run leaves its
    # indexes bloated (hundreds of MB for a few rows), which would slow every later UPDATE
    with connection.cursor() as cursor:
        cursor.execute(f"REINDEX TABLE {Notification._meta.db_table}")


def _queue(url: str, results: Results, people: int) -> object:
    from django.utils import timezone

    from gis_core.models import Area, AreaLevel, Role
    from notices import services
    from notices.targeting import Target, phones_sql
    from notify.models import Notification

    district = Area.objects.filter(level=AreaLevel.DISTRICT).order_by("code").first()
    admin = bench_user("bench-admin", Role.DISTRICT_ADMIN, district)
    areas, expected = _target(people)
    say(f"target: {', '.join(a.name for a in areas)} — {expected:,} residents")
    start = timezone.now()
    data = services.NoticeInput(
        kind="warning", title=TITLE, body="未来3小时将有特大暴雨，请做好防范。", valid_from=start,
        valid_until=start + dt.timedelta(hours=6), target_areas=areas, cap_category="Met", event="暴雨",
        urgency="Immediate", severity="Severe", certainty="Likely", instruction="请勿外出，远离低洼地带。")
    notice = services.notice_create(actor=admin, data=data)
    services.notice_submit(actor=admin, notice=notice)

    started = time.perf_counter()
    notice = services.notice_approve(actor=admin, notice=notice)
    queue_s = time.perf_counter() - started
    queued = Notification.objects.filter(subject_type="notice", subject_id=notice.pk, channel="sms").count()
    say(f"approval: {notice.people_count:,} people, {notice.phone_count:,} distinct phones, "
        f"{queued:,} SMS queued in {queue_s:.2f} s")

    sql, params = phones_sql(Target.of(notice))
    table = Notification._meta.db_table
    with bare_connection(url) as bare:
        bare.execute(f"CREATE TEMP TABLE bench_outbox (LIKE {table} INCLUDING DEFAULTS)")
        started = time.perf_counter()
        bare.execute(f"""
            INSERT INTO bench_outbox (id, key, template, values, language, channel, subject_type, subject_id, urgent,
                                      state, reason, tries, subject, body, provider_id, receipt, reply, created_at,
                                      person_id, address, area_id)
            SELECT row_number() OVER (), 'bench:' || left(md5(ph.phone), 16), 'notice_sms', '{{}}'::jsonb, 'zh-hans',
                   'sms', 'notice', 0, true, 'queued', '', 0, '', '', '', '', '', now(), ph.person_id, ph.phone,
                   ph.area_id
            FROM ({sql}) ph""", params)
        bare_s = time.perf_counter() - started
    results.ratio("queue a street's SMS (approval, one transaction)", queued / queue_s, queued / bare_s,
                  unit="rows/s", against="bare INSERT … SELECT into an index-less table", higher_is_better=True,
                  digits=0, note=f"{queued:,} rows in {queue_s:.2f} s vs {bare_s:.2f} s")
    return notice


def _bare_send(smsc, rows, text: str, *, window: int) -> float:
    """A bare smpplib client submitting ``text`` to each phone with up to ``window``
    submit_sm awaiting their answer (1: one answer awaited per message): seconds taken."""
    import smpplib.client
    import smpplib.consts as c
    import smpplib.gsm
    from django.conf import settings

    client = smpplib.client.Client("127.0.0.1", smsc.port, timeout=15)
    client.connect()
    client._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as the platform's session
    client.bind_transmitter(system_id=smsc.system_id, password=smsc.password)
    parts, coding, esm_class = smpplib.gsm.make_parts(text)
    submits = [("86" + phone, number, part) for _id, phone in rows for number, part in enumerate(parts, start=1)]
    started = time.perf_counter()
    outstanding = 0
    for destination, number, part in submits:
        if outstanding == window:
            client.read_pdu()  # a submit_sm_resp
            outstanding -= 1
        client.send_message(source_addr_ton=c.SMPP_TON_UNK, source_addr_npi=c.SMPP_NPI_UNK,
                            source_addr=settings.SMPP_SOURCE_ADDR, dest_addr_ton=c.SMPP_TON_INTL,
                            dest_addr_npi=c.SMPP_NPI_ISDN, destination_addr=destination, short_message=part,
                            data_coding=coding, esm_class=esm_class, registered_delivery=number == len(parts))
        outstanding += 1
    for _ in range(outstanding):
        client.read_pdu()
    seconds = time.perf_counter() - started
    client.unbind()
    client.disconnect()
    return seconds


def _send(results: Results, notice, count: int) -> None:
    from django.conf import settings

    from bench.lib.smsc import SmscProcess
    from notices.services import notice_chunk_send, notice_sms_text
    from notify.channels import senders_reset
    from notify.models import Notification

    with SmscProcess() as smsc:
        try:
            settings.SMPP_URL = smsc.url
            senders_reset()
            rows = list(Notification.objects.filter(subject_type="notice", subject_id=notice.pk, channel="sms",
                                                    state="queued").order_by("id")
                        .values_list("id", "address")[:count])
            if not rows:
                say("nothing to send")
                return
            started = time.perf_counter()
            states = notice_chunk_send(notice_id=notice.pk, first_id=rows[0][0], last_id=rows[-1][0], rate=10**9)
            platform_s = time.perf_counter() - started
            sent = states.get("sent", 0)
            say(f"platform: {states} in {platform_s:.2f} s (batches of NOTIFY_BATCH={settings.NOTIFY_BATCH}, "
                f"SMPP_WINDOW={settings.SMPP_WINDOW})")
            text = notice_sms_text(notice)
            bare_s = _bare_send(smsc, rows, text, window=1)
            windowed_s = _bare_send(smsc, rows, text, window=settings.SMPP_WINDOW)
            say(f"bare client: {bare_s:.2f} s one answer awaited at a time, {windowed_s:.2f} s with a window of "
                f"{settings.SMPP_WINDOW}")
        finally:
            senders_reset()
    results.ratio("send SMS through the worker's path", sent / platform_s, len(rows) / bare_s, unit="msg/s",
                  against="the SMSC simulator's ceiling (bare smpplib client, one answer awaited at a time)",
                  higher_is_better=True, digits=0,
                  note=(f"{sent:,} sent; at NOTICES_SMS_RATE={settings.NOTICES_SMS_RATE}/s the whole street's "
                        f"{notice.phone_count:,} take {notice.phone_count / settings.NOTICES_SMS_RATE / 60:.0f} min"))
    results.ratio("send SMS through the worker's path", sent / platform_s, len(rows) / windowed_s, unit="msg/s",
                  against=f"a bare smpplib client with the same window ({settings.SMPP_WINDOW})",
                  higher_is_better=True, digits=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=250_000, help="residents to reach (a street: 250,000)")
    parser.add_argument("--send", type=int, default=5000, help="messages to send for the rate")
    parser.add_argument("--quick", action="store_true", help="20,000 people, 1,000 messages")
    parser.add_argument("--keep", action="store_true", help="keep the bench warning and its outbox rows")
    args = parser.parse_args()
    if args.quick:
        args.people, args.send = 20_000, 1000
    os.environ["NOTIFY_QUIET_HOURS"] = ""  # the warning is urgent anyway; nothing waits for the morning
    url = use_bench_database()
    results = Results()
    _cleanup()
    try:
        notice = _queue(url, results, args.people)
        _send(results, notice, args.send)
    finally:
        if not args.keep:
            _cleanup()
    results.print()


if __name__ == "__main__":
    main()
