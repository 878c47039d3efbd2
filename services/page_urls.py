"""Pages of the services app (the API is in services/api_urls.py)."""
from django.urls import path

from services import appointment_pages, pages

urlpatterns = [
    path("services/desk/", pages.desk_page, name="services-desk"),
    path("services/metrics/", pages.metrics_page, name="services-metrics"),
    path("services/rate/", pages.rate_page, name="services-rate"),
    path("services/applications/<int:pk>/receipt/", pages.receipt_page, name="application-receipt"),
    path("services/applications/<int:pk>/notice/", pages.notice_page, name="application-notice"),
    path("services/appointments/", appointment_pages.appointments_page, name="appointments-today"),
    # the residents' portal (/portal/, the portal app) links here; its frame comes at integration
    path("portal/book/", appointment_pages.book_page, name="portal-book"),
]
