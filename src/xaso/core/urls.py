from django.urls import path

from . import views

app_name = "core"
urlpatterns = [path("", views.healthz, name="audit_list")]
