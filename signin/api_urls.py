from django.urls import path

from signin import views

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
]
