from django.urls import include, path, re_path

from xaso.api import api, not_found_view
from xaso.core import views as core_views
from xaso.org import views as org_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("", org_views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    re_path(r"^api/", not_found_view),
    path("", include("xaso.accounts.urls")),
    path("", include("xaso.org.urls")),
    path("audit/", include("xaso.core.urls")),
    path("calendar/", include("xaso.workdays.urls")),
    path("procedures/", include("xaso.procedures.urls")),
    path("people/", include("xaso.people.urls")),
    path("dossiers/", include("xaso.dossiers.urls")),
    path("lookup/", include("xaso.dossiers.public_urls")),
    path("stats/", include("xaso.dossiers.stats_urls")),
    path("civil/certificates/", include("xaso.civil.certificate_urls")),
    path("civil/digitising/", include("xaso.civil.digitising.urls")),
    path("civil/", include("xaso.civil.urls")),
    path("verify/", include("xaso.signing.urls")),
    path("signing/", include("xaso.signing.admin_urls")),
    path("documents/", include("xaso.documents.urls")),
    path("exchange/", include("xaso.exchange.urls")),
    path("reports/", include("xaso.reports.urls")),
]
