"""The password policy beyond Django's validators (settings.AUTH_PASSWORD_VALIDATORS)."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CHARACTER_CLASSES = (str.islower, str.isupper, str.isdigit,
                     lambda ch: not (ch.islower() or ch.isupper() or ch.isdigit()))  # symbols, spaces, CJK


class CharacterClassValidator:
    """At least ``min_classes`` of the four kinds of characters: lower-case letters,
    capitals, digits, other characters (symbols, spaces, CJK)."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        used = sum(any(kind(ch) for ch in password) for kind in CHARACTER_CLASSES)
        if used < self.min_classes:
            raise ValidationError(
                _("This password mixes %(used)d of the four kinds of characters (lower-case letters, capitals, "
                  "digits, symbols); it needs at least %(min)d."),
                code="password_too_uniform", params={"used": used, "min": self.min_classes})

    def get_help_text(self) -> str:
        return _("Your password must mix at least %(min)d of: lower-case letters, capitals, digits, symbols.") % {
            "min": self.min_classes}
