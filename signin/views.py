"""POST /api/v1/auth/token/: a token for a username and password — and, for those who need
a second factor, the code of their authenticator (``otp_token``)."""
from __future__ import annotations

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from django_otp import verify_token
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from signin.lockout import lockout_response
from signin.selectors import otp_needed_for, totp_device_confirmed
from signin.serializers import TokenInputSerializer, TokenSerializer
from signin.two_step import signin_failure_record


class TokenView(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)

    @extend_schema(request=TokenInputSerializer, responses={
        200: TokenSerializer, 400: OpenApiResponse(description="wrong credentials, or `otp_token` missing or wrong"),
        429: OpenApiResponse(description="too many failed sign-ins: locked (`reason`: `locked_out`, `Retry-After`)")})
    def post(self, request):
        data = TokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        username = data.validated_data["username"]
        # The plain HttpRequest: axes reads the client's address from it and flags a
        # lockout on it, which AxesMiddleware sees.
        http_request = request._request
        user = authenticate(http_request, username=username, password=data.validated_data["password"])
        if user is not None and otp_needed_for(user):
            self._otp_check(http_request, user, data.validated_data.get("otp_token", ""))
        if getattr(http_request, "axes_locked_out", False):  # this failure, or an earlier one, locked
            return lockout_response(http_request)
        if user is None:
            raise ValidationError({"non_field_errors": [_("Unable to sign in with this username and password.")]})
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})

    @staticmethod
    def _otp_check(http_request, user, code: str) -> None:
        """400 naming ``otp_token`` unless it is the current code; a wrong code counts as a
        failed sign-in (then, if that locked, the request is flagged and the caller answers
        with the lockout)."""
        device = totp_device_confirmed(user)
        if device is None:
            raise ValidationError({"otp_token": [_(
                "This account needs an authenticator app: set it up by signing in on the website first.")]})
        if not code:
            raise ValidationError({"otp_token": [_("This account needs the 6-digit code of its authenticator app.")]})
        if verify_token(user, device.persistent_id, code) is None:
            signin_failure_record(request=http_request, username=user.get_username())
            if getattr(http_request, "axes_locked_out", False):
                return
            raise ValidationError({"otp_token": [_("This code is wrong or has expired.")]})
