"""The project's URLs plus the signing image pages, mounted where the lead is asked to mount
them (``signing/``), for the tests of those pages."""

from django.urls import include, path

from xaso.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("signing/", include("xaso.signing.admin_urls")),
    *project_urlpatterns,
]
