"""Pages of the civil status certificates. Mount with
``path("civil/certificates/", include("xaso.civil.certificate_urls"))``: the QR code printed on
each document opens ``verify/<code>/`` under it."""

from django.urls import path

from .certificates import views

app_name = "civil_certificates"
urlpatterns = [
    path("verify/", views.verify_search, name="verify_search"),
    path("verify/<str:code>/", views.verify, name="verify"),
    path("records/<uuid:record_id>/certificate.pdf", views.issue, name="issue"),
]
