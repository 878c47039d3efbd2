"""Message texts: templates filled with values, and the length of an SMS in segments."""
from __future__ import annotations

import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# One SMS carries 160 GSM 7-bit characters or 70 UCS-2 ones (Chinese); a longer text is
# split into parts that each lose room to the concatenation header (153 / 67).
GSM_CHARS = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM_EXTENDED = set("^{}\\[~]|€")


def sms_segments(text: str) -> tuple[int, str]:
    """(number of SMS parts, encoding "GSM" or "UCS-2") for ``text``."""
    if all(c in GSM_CHARS or c in GSM_EXTENDED for c in text):
        length, single, part = sum(2 if c in GSM_EXTENDED else 1 for c in text), 160, 153
        encoding = "GSM"
    else:
        length, single, part = len(text.encode("utf-16-be")) // 2, 70, 67
        encoding = "UCS-2"
    return (1 if length <= single else -(-length // part)), encoding


def placeholders(template: str) -> set[str]:
    return {name for _text, name, _spec, _conv in string.Formatter().parse(template) if name}


def text_fill(template: str, values: dict, *, field: str = "values") -> str:
    """``template`` with its ``{name}`` placeholders filled; a missing value is a
    ValidationError naming it (never a half-filled message)."""
    missing = sorted(placeholders(template) - set(values))
    if missing:
        raise ValidationError({field: [_("Missing value for %(names)s.") % {"names": ", ".join(missing)}]})
    try:
        return template.format_map({k: "" if v is None else v for k, v in values.items()})
    except (ValueError, IndexError, AttributeError, KeyError) as exc:
        raise ValidationError({field: [_("The template cannot be filled: %(error)s") % {"error": exc}]}) from exc
