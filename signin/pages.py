"""The sign-in pages: the admin's login form (the login of every page, LOGIN_URL), which
sends a user who needs a second factor on to the code page, or — with no authenticator
yet — to the enrolment page (QR code drawn here as SVG, no CDN)."""
from __future__ import annotations

from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django_otp import verify_token

from signin.forms import OtpCodeForm
from signin.lockout import lockout_response
from signin.selectors import otp_needed_for, totp_device_confirmed
from signin.services import totp_device_confirm, totp_device_enrol
from signin.two_step import (
    signin_complete,
    signin_failure_record,
    signin_locked,
    signin_pending_get,
    signin_pending_start,
)


class SignInView(LoginView):
    """The admin's login (same form and template, served at /admin/login/), with the
    second step for those who need a code."""

    authentication_form = AdminAuthenticationForm

    def get_template_names(self) -> list[str]:
        # The admin's login template as the project sets it (with single sign-on's link).
        return [admin.site.login_template or "admin/login.html"]

    def dispatch(self, request, *args, **kwargs):
        request.current_app = admin.site.name
        if request.method == "GET" and admin.site.has_permission(request):
            return redirect("admin:index")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update({**admin.site.each_context(self.request), "title": _("Log in"), "subtitle": None,
                        "app_path": self.request.get_full_path(), "username": self.request.user.get_username()})
        if REDIRECT_FIELD_NAME not in self.request.GET and REDIRECT_FIELD_NAME not in self.request.POST:
            context[REDIRECT_FIELD_NAME] = reverse("admin:index")
        return context

    def get_default_redirect_url(self):
        return reverse("admin:index")

    def form_valid(self, form):
        user = form.get_user()
        if not otp_needed_for(user):
            return super().form_valid(form)
        signin_pending_start(request=self.request, user=user, next_url=self.get_success_url())
        return redirect("signin-code" if totp_device_confirmed(user) else "signin-enrol")


def _safe_next(request: HttpRequest, url: str) -> str:
    ok = url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return url if ok else reverse("home")


def _qr_svg(data: str) -> str:
    return qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8).to_string(encoding="unicode")


def _second_step(request: HttpRequest, pending, device, check, page) -> HttpResponse:
    """The code form of ``page(form)``; a posted code that passes ``check(code)`` completes
    the sign-in. A wrong code counts as a failed sign-in (AxesMiddleware answers with the
    lockout when it was one too many); a locked account or address is refused first."""
    form = OtpCodeForm(request.POST or None)
    if request.method == "POST":
        username = pending.user.get_username()
        if signin_locked(request=request, username=username):
            return lockout_response(request)
        if form.is_valid() and check(form.cleaned_data["code"]):
            signin_complete(request=request, user=pending.user, backend=pending.backend, device=device)
            return redirect(_safe_next(request, pending.next_url))
        if form.is_valid():
            form.add_error("code", _("This code is wrong or has expired. Enter the current code."))
        signin_failure_record(request=request, username=username)
    return page(form)


@csrf_protect
@never_cache
def code_page(request: HttpRequest) -> HttpResponse:
    """The second step: the 6-digit code of the user's authenticator."""
    pending = signin_pending_get(request)
    if pending is None:
        return redirect("admin:login")
    device = totp_device_confirmed(pending.user)
    if device is None:
        return redirect("signin-enrol")
    return _second_step(
        request, pending, device, lambda code: verify_token(pending.user, device.persistent_id, code) is not None,
        lambda form: render(request, "signin/code.html", {"form": form, "signed_in_as": pending.user}))


@csrf_protect
@never_cache
def enrol_page(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator: while signing in (the role requires one and there is none
    yet), or signed in (of one's own accord). Confirmed by its first code."""
    pending = signin_pending_get(request)
    if pending is None:
        return _enrol_signed_in(request)
    if totp_device_confirmed(pending.user) is not None:
        return redirect("signin-code")
    device = totp_device_enrol(user=pending.user)
    return _second_step(request, pending, device, lambda code: totp_device_confirm(device=device, token=code),
                        lambda form: _enrol_render(request, device, form, pending.user))


@login_required
def _enrol_signed_in(request: HttpRequest) -> HttpResponse:
    if totp_device_confirmed(request.user) is not None:
        return render(request, "signin/enrolled.html")
    device = totp_device_enrol(user=request.user)
    form = OtpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if totp_device_confirm(device=device, token=form.cleaned_data["code"]):
            return render(request, "signin/enrolled.html")
        form.add_error("code", _("This code is wrong or has expired. Enter the current code."))
    return _enrol_render(request, device, form, request.user)


def _enrol_render(request: HttpRequest, device, form, user) -> HttpResponse:
    secret = b32encode(device.bin_key).decode()
    return render(request, "signin/enrol.html", {
        "form": form, "signed_in_as": user, "qr_svg": mark_safe(_qr_svg(device.config_url)),
        "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
    })
