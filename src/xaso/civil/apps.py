from django.apps import AppConfig


class CivilConfig(AppConfig):
    name = "xaso.civil"
    label = "civil"
    verbose_name = "Hộ tịch"
