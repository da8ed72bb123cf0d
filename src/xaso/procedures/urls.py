from django.urls import path

from . import version_views, views

app_name = "procedures"
urlpatterns = [
    path("", views.procedure_list, name="list"),
    path("export.json", views.export_json, name="export_json"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("import/", views.catalogue_import, name="import"),
    path("<str:code>/", views.procedure_detail, name="detail"),
    path("<str:code>/versions/", version_views.versions, name="versions"),
    path("<str:code>/forms/", views.form_upload, name="form_upload"),
    path("<str:code>/forms/<str:form_id>/", views.form_download, name="form_download"),
]
