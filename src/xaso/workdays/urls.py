from django.urls import path

from xaso.core.views import healthz

app_name = "workdays"
urlpatterns = [path("", healthz, name="year")]
