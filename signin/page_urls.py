"""The sign-in steps after the password (the password form itself is at /admin/login/,
config/urls.py)."""
from django.urls import path

from signin import pages

urlpatterns = [
    path("signin/code/", pages.code_page, name="signin-code"),
    path("signin/authenticator/", pages.enrol_page, name="signin-enrol"),
]
