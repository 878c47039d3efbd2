"""``message_decode``: what the ingester keeps of a message as it arrives — its reports,
or the reason it goes to quarantine, or both for a partly readable one — and that no
decoder error escapes it (it runs on the MQTT network thread). No database or broker."""
from iot import batch_write
from iot.batch_write import message_decode
from iot.formats import encode
from iot.formats.base import HEARTBEAT


def test_a_partly_readable_message_keeps_its_reports_and_a_reason():
    frames = encode.watch3g_frame("W7", "LK,0,0,80") + encode.watch3g_frame("W7", "FOO")
    message = message_decode("watch/W7/up", frames)
    assert [(r.kind, r.battery) for r in message.reports] == [(HEARTBEAT, 80)]
    assert message.error == "frame 2: unknown message type 'FOO'"


def test_a_decoder_failing_unexpectedly_quarantines_the_message(monkeypatch):
    def broken(topic, payload):
        raise IndexError("list index out of range")

    monkeypatch.setattr(batch_write, "decode", broken)
    message = message_decode("watch/W7/up", b"[3G*W7*0002*LK]")
    assert (message.reports, message.error) == ([], "decoder failed: IndexError: list index out of range")
