"""The sign-in steps after the password (the password form itself is at /admin/login/,
config/urls.py), and signing out (POST /signout/, the top bar's 退出登录)."""
from django.contrib.auth.views import LogoutView
from django.urls import path

from signin import pages

urlpatterns = [
    path("signin/code/", pages.code_page, name="signin-code"),
    path("signin/authenticator/", pages.enrol_page, name="signin-enrol"),
    path("signout/", LogoutView.as_view(next_page="home"), name="signout"),
]
