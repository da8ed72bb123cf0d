from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("staff/", views.home, name="staff_list"),
    path("agency/", views.home, name="agency_detail"),
    path("units/", views.home, name="unit_list"),
]
