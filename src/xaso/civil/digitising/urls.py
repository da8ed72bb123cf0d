"""Pages of digitising old civil status books. Mount with
``path("civil/digitising/", include("xaso.civil.digitising.urls"))`` (namespace
``civil_digitising``)."""

from django.urls import path

from . import views

app_name = "civil_digitising"
urlpatterns = [
    path("", views.index, name="index"),
    path("entries/<slug:event>/", views.entry, name="entry"),
    path("imports/", views.import_new, name="import_new"),
    path("imports/<uuid:public_id>/", views.batch, name="batch"),
    path("templates/<slug:event>.xlsx", views.template, name="template"),
    path("scans/<uuid:public_id>/", views.scan, name="scan"),
]
