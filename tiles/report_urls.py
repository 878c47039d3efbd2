from django.urls import path

from tiles import views

urlpatterns = [path("areas/<int:pk>/", views.area_report, name="area-report")]
