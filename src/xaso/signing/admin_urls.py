"""Pages for an agency's signing images (the lead mounts them at ``signing/``)."""

from django.urls import path

from . import views

app_name = "signing_admin"
urlpatterns = [
    path("images/", views.stamp_images, name="images"),
    path("images/<uuid:public_id>.png", views.stamp_image_file, name="image_file"),
]
