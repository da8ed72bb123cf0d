from django.apps import AppConfig


class SigningConfig(AppConfig):
    name = "xaso.signing"
    label = "signing"
    verbose_name = "Chữ ký số"
