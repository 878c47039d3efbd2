from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

SIX_DIGITS = RegexValidator(r"^[0-9]{6}$", _("Enter the 6 digits your authenticator app shows."))


class OtpCodeForm(forms.Form):
    code = forms.CharField(
        label=_("6-digit code"), max_length=6, validators=[SIX_DIGITS],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]{6}",
                                      "autofocus": True, "size": 8}))
