from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "xaso.reports"
    label = "reports"
    verbose_name = "Báo cáo"

    def ready(self) -> None:
        # The exchange never imports reports: reports hand it their receiving handlers.
        from .services import register_handlers

        register_handlers()
