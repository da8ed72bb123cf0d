from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.request_new, name="new"),
    path("<uuid:public_id>/", views.request_detail, name="detail"),
    path("<uuid:public_id>/edit/", views.request_edit, name="edit"),
    path("<uuid:public_id>/delete/", views.request_delete, name="delete"),
    path("<uuid:public_id>/send/", views.request_send, name="send"),
    path("<uuid:public_id>/remind/", views.request_remind, name="remind"),
    path("<uuid:public_id>/extend/", views.request_extend, name="extend"),
    path(
        "<uuid:public_id>/return/<str:agency_code>/",
        views.submission_return,
        name="return",
    ),
    path("<uuid:public_id>/close/", views.request_close, name="close"),
    path("<uuid:public_id>/export.xlsx", views.request_export, name="export"),
    path("inbox/<uuid:public_id>/", views.inbox_detail, name="inbox_detail"),
    path("files/<uuid:public_id>/", views.submission_file, name="file"),
]
