from django.urls import path

from . import views

app_name = "workdays"
urlpatterns = [
    path("", views.year_view, name="year"),
    path("<int:year>/", views.year_view, name="year"),
    path("due/", views.due_view, name="due"),
]
