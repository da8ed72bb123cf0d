from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "xaso.reports"
    label = "reports"
    verbose_name = "Báo cáo"
