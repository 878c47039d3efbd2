from django.urls import path

from notify import pages

urlpatterns = [path("inbox/", pages.inbox, name="inbox")]
