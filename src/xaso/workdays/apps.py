from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "xaso.workdays"
    label = "workdays"
    verbose_name = "Lịch làm việc"
