from django.urls import path

from portal import views

urlpatterns = [
    path("portal/codes/", views.CodeRequestView.as_view(), name="portal-api-codes"),
    path("portal/reports/", views.ResidentReportView.as_view(), name="portal-api-report"),
]
