"""The iot app's pages and its live stream (its API is in iot/api_urls.py)."""
from django.urls import path

from iot import pages
from iot.live import alert_stream

urlpatterns = [
    path("console/dispatch/", pages.dispatch_console, name="dispatch-console"),
    path("live/alerts/", alert_stream, name="alert-stream"),
]
