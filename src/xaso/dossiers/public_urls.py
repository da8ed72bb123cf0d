from django.urls import path

from .views import public

app_name = "lookup"
urlpatterns = [
    path("", public.search, name="search"),
    path("<str:code>/", public.status, name="status"),
]
