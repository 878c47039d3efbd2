from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SigninConfig(AppConfig):
    """Sign-in and sessions. Registers its role grants and the session's activity mark at
    sign-in; its pages replace the admin's login (config/urls.py)."""

    name = "signin"
    verbose_name = _("Sign-in and sessions")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from signin.roles import grant_signin
        from signin.sessions import session_activity_mark

        grant_signin()
        user_logged_in.connect(session_activity_mark, dispatch_uid="signin.session_activity")
