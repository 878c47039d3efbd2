from django.urls import path

from notify import pages

urlpatterns = [path("inbox/", pages.inbox, name="inbox"),
               path("inbox/settings/", pages.notify_settings, name="notify-settings")]
