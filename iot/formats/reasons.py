"""Why a message went to quarantine: a code kept with it (QuarantinedMessage.code) and
shown by its label, translated; the detail (which field, which value) stays beside it as
the decoder wrote it, for whoever fixes the device or its gateway."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Reason(models.TextChoices):
    TOPIC = "topic", _("topic not of this platform's form")
    ENCODING = "encoding", _("payload is not UTF-8 text")
    JSON = "json", _("payload is not valid JSON")
    SHAPE = "shape", _("message is not shaped as the format requires")
    MISSING_FIELD = "missing_field", _("a required field is missing")
    BAD_VALUE = "bad_value", _("a field's value is invalid")
    BAD_TIME = "bad_time", _("a time is invalid")
    UNKNOWN_TYPE = "unknown_type", _("unknown message type")
    DEVICE_MISMATCH = "device_mismatch", _("device in the message is not the topic's")
    BAD_FRAME = "bad_frame", _("3G-watch frame is malformed")
    DECODER_FAILED = "decoder_failed", _("the decoder failed")
    UNKNOWN_TERMINAL = "unknown_terminal", _("terminal not registered")
    TERMINAL_INACTIVE = "terminal_inactive", _("terminal not active")
    NOT_INGESTED = "not_ingested", _("could not be written")
