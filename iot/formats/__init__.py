"""The message formats terminals and gateways speak over MQTT, each decoded to the same
``Report``: the native JSON of ours (``eldercare/<device>/up``), OwnTracks JSON
(``owntracks/<user>/<device>``) and "3G watch" text frames forwarded by a gateway
(``watch/<device>/up``). ``decode(topic, payload)`` picks the format by topic."""
from iot.formats.base import MalformedMessage, Report, decode, format_for_topic

__all__ = ["MalformedMessage", "Report", "decode", "format_for_topic"]
