from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "xaso.documents"
    label = "documents"
    verbose_name = "Văn bản"
