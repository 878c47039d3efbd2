from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class TokenInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})
    otp_token = serializers.RegexField(
        r"^[0-9]{6}$", required=False, allow_blank=True,
        help_text=_("The 6-digit code of the user's authenticator app: required for roles that see personal data."))


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
