"""Sign-in through the district's OpenID Connect provider (mozilla-django-oidc, configured
by config/sso.py): the authorization-code flow; the provider's endpoints come from its
discovery document; the username and groups claims give the user, their role and areas."""
from __future__ import annotations

import functools
import logging

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from gis_core.services import user_identity_sync

logger = logging.getLogger(__name__)


@functools.lru_cache(maxsize=4)
def provider_configuration(issuer: str) -> dict:
    """The provider's discovery document, fetched once per process (a failure is not kept)."""
    response = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=settings.OIDC_TIMEOUT)
    response.raise_for_status()
    document = response.json()
    if document.get("issuer", "").rstrip("/") != issuer:
        raise SuspiciousOperation(f"The provider at {issuer} names another issuer: {document.get('issuer')!r}")
    return document


def _provider() -> dict:
    return provider_configuration(settings.OIDC_OP_ISSUER)


class OidcBackend(OIDCAuthenticationBackend):
    """Users are matched by the username claim (the same username as in the directory);
    their role and areas are set from the groups claim at every sign-in."""

    def __init__(self, *args, **kwargs):
        # Every sign-in instantiates every backend: the provider is asked only when a code
        # comes back to the callback (authenticate), never for a password sign-in.
        self.UserModel = get_user_model()

    def authenticate(self, request, **kwargs):
        # Only the callback view passes a nonce; password sign-ins pass a password.
        if not settings.OIDC_ENABLED or request is None or "nonce" not in kwargs or "password" in kwargs:
            return None
        try:
            provider = _provider()
            self.OIDC_OP_TOKEN_ENDPOINT = provider["token_endpoint"]
            self.OIDC_OP_USER_ENDPOINT = provider["userinfo_endpoint"]
            self.OIDC_OP_JWKS_ENDPOINT = provider["jwks_uri"]
            self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
            self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
            self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
            self.OIDC_RP_IDP_SIGN_KEY = None
            return super().authenticate(request, **kwargs)
        except (requests.RequestException, KeyError, ValueError, jwt.PyJWTError, SuspiciousOperation) as error:
            # An unreachable provider, an expired or forged token: back to the login page.
            logger.warning("single sign-on through %s failed: %s", settings.OIDC_OP_ISSUER, error)
            return None

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        if "nonce" in kwargs:  # the ID token (the library checks signature and nonce only)
            audience = payload.get("aud")
            audience = audience if isinstance(audience, list) else [audience]
            if payload.get("iss", "").rstrip("/") != settings.OIDC_OP_ISSUER:
                raise SuspiciousOperation("ID token of another issuer")
            if settings.OIDC_RP_CLIENT_ID not in audience:
                raise SuspiciousOperation("ID token for another client")
        return payload

    def retrieve_matching_jwk(self, token):
        # OpenID Connect Core 10.1: a provider with one signing key need not name it (kid);
        # the library insists on a kid.
        if "kid" in jwt.get_unverified_header(token):
            return super().retrieve_matching_jwk(token)
        response = requests.get(self.OIDC_OP_JWKS_ENDPOINT, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        keys = [key for key in response.json().get("keys", []) if key.get("use", "sig") == "sig"]
        if len(keys) != 1:
            raise SuspiciousOperation("ID token without a key id, and the provider has several keys")
        return jwt.PyJWK(keys[0])

    def get_userinfo(self, access_token, id_token, payload):
        # Providers put groups in the ID token, the userinfo answer or both.
        return {**payload, **super().get_userinfo(access_token, id_token, payload)}

    def _username(self, claims) -> str:
        return str(claims.get(settings.OIDC_USERNAME_CLAIM) or "").strip()

    def verify_claims(self, claims):
        return bool(self._username(claims))

    def filter_users_by_claims(self, claims):
        return self.UserModel.objects.filter(username__iexact=self._username(claims))

    def describe_user_by_claims(self, claims):
        return f"username {self._username(claims)}"

    def create_user(self, claims):
        user = self.UserModel.objects.create_user(self._username(claims), email=claims.get("email", ""))
        return self.update_user(user, claims)

    def update_user(self, user, claims):
        groups = claims.get(settings.OIDC_GROUPS_CLAIM) or []
        if not user_identity_sync(user=user, groups=[groups] if isinstance(groups, str) else groups):
            return None
        user.name = str(claims.get("name") or user.name)[:50]
        user.email = claims.get("email") or user.email
        user.save(update_fields=["name", "email"])
        return user


def _enabled() -> None:
    if not settings.OIDC_ENABLED:
        raise Http404


class AuthenticationRequestView(OIDCAuthenticationRequestView):
    """/oidc/authenticate/: on to the provider's login page (404 when OIDC is off)."""

    def __init__(self, *args, **kwargs):
        # The library reads the endpoint here; ours comes from discovery, in get().
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def get(self, request):
        _enabled()
        try:
            self.OIDC_OP_AUTH_ENDPOINT = _provider()["authorization_endpoint"]
        except (requests.RequestException, KeyError, ValueError, SuspiciousOperation) as error:
            logger.warning("single sign-on: the provider %s is unavailable: %s", settings.OIDC_OP_ISSUER, error)
            return HttpResponseRedirect(reverse("admin:login") + "?sso=unavailable")
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class CallbackView(OIDCAuthenticationCallbackView):
    """/oidc/callback/: the provider sends the user back here with a code (404 when OIDC is off)."""

    def get(self, request):
        _enabled()
        return super().get(request)
