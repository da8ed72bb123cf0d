from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "xaso.documents"
    label = "documents"
    verbose_name = "Văn bản"

    def ready(self) -> None:
        # The exchange never imports documents: documents hand it their receiving handlers
        # (contract with xaso.exchange). Without the exchange installed nothing is registered.
        from .exchange_glue import register_handlers

        register_handlers()
