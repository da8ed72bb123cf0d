from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "xaso.dossiers"
    label = "dossiers"
    verbose_name = "Hồ sơ thủ tục hành chính (một cửa)"
