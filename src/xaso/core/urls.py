from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.audit_list, name="audit_list"),
    path("<int:seq>/", views.audit_detail, name="audit_detail"),
]
