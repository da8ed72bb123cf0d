"""/stats/: the one-stop statistics page and its Excel export (login required)."""

from django.urls import path

from . import stats_views

app_name = "stats"
urlpatterns = [
    path("", stats_views.stats_index, name="index"),
    path("export.xlsx", stats_views.stats_export, name="export"),
]
