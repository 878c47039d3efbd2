from django.urls import path

from grids import views

urlpatterns = [path("official/", views.official_console, name="official-console")]
