"""Pages of the incidents app (the API is in incidents/urls.py)."""
from django.urls import path

from incidents import pages

urlpatterns = [
    path("cases/report/", pages.case_report_page, name="case-report"),
    path("cases/mine/", pages.my_cases_page, name="my-cases"),
    path("console/cases/", pages.case_desk, name="case-desk"),
    path("track/", pages.track_page, name="track"),
]
