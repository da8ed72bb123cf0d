from django.apps import AppConfig


class ProceduresConfig(AppConfig):
    name = "xaso.procedures"
    label = "procedures"
    verbose_name = "Thủ tục hành chính"
