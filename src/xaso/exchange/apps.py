from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "xaso.exchange"
    label = "exchange"
    verbose_name = "Liên thông văn bản"
