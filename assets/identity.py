"""Identity numbers: the 18-digit resident ID (GB 11643-1999) and the unified social
credit code of organizations (GB 32100-2015). Pure functions, no database."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"  # indexed by (weighted sum mod 11)
# First two digits: the provinces of GB/T 2260 (71 Taiwan, 81/82 Hong Kong/Macao).
PROVINCES = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
             50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82}


class IdNumberError(ValueError):
    """The reason an ID number is not valid (translatable, shown to the user)."""


@dataclass(frozen=True)
class IdNumberInfo:
    region: str
    birth_date: dt.date
    gender: str  # "M" or "F"


def id_check_char(first17: str) -> str:
    return ID_CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def id_number_parse(value: str, *, today: dt.date | None = None) -> IdNumberInfo:
    """Validate an 18-digit ID number and return what it encodes; raise IdNumberError."""
    value = value.strip().upper()
    if len(value) != 18:
        raise IdNumberError(_("An ID number has 18 characters; got %(n)d.") % {"n": len(value)})
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise IdNumberError(_("An ID number is 17 digits followed by a digit or X."))
    if int(value[:2]) not in PROVINCES:
        raise IdNumberError(_("%(code)s is not a province code.") % {"code": value[:2]})
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise IdNumberError(_("The birth date %(date)s in the ID number is not a date.")
                            % {"date": value[6:14]}) from None
    today = today or dt.date.today()
    if birth > today or birth.year < 1880:
        raise IdNumberError(_("The birth date %(date)s in the ID number is impossible.") % {"date": birth})
    expected = id_check_char(value[:17])
    if value[17] != expected:
        raise IdNumberError(_("Wrong check character: %(got)s, expected %(expected)s (GB 11643).")
                            % {"got": value[17], "expected": expected})
    return IdNumberInfo(region=value[:6], birth_date=birth, gender="M" if int(value[16]) % 2 else "F")


CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(first17: str) -> str:
    total = sum(CREDIT_CODE_CHARS.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def credit_code_validate(value: str) -> str:
    """Return the normalised code or raise IdNumberError."""
    value = value.strip().upper()
    if len(value) != 18 or any(c not in CREDIT_CODE_CHARS for c in value):
        raise IdNumberError(_("A unified social credit code has 18 characters from 0-9 and A-Y "
                              "(without I, O, S, V, Z)."))
    expected = credit_code_check_char(value[:17])
    if value[17] != expected:
        raise IdNumberError(_("Wrong check character: %(got)s, expected %(expected)s (GB 32100).")
                            % {"got": value[17], "expected": expected})
    return value


def age_on(birth_date: dt.date | None, today: dt.date | None = None) -> int | None:
    if birth_date is None:
        return None
    today = today or dt.date.today()
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))
