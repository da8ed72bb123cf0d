from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/new/", views.staff_create, name="staff_create"),
    path("staff/<str:username>/", views.staff_edit, name="staff_edit"),
    path("staff/<str:username>/password/", views.staff_reset_password, name="staff_reset_password"),
    path("agency/", views.agency_detail, name="agency_detail"),
    path("agencies/", views.agency_list, name="agency_list"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/merge/", views.unit_merge, name="unit_merge"),
    path("units/<uuid:public_id>/", views.unit_detail, name="unit_detail"),
]
