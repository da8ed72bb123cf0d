from django.urls import path

from . import views

app_name = "exchange"
urlpatterns = [
    path("", views.home, name="home"),
    path("outbox/<uuid:public_id>/retry", views.retry, name="retry"),
]
