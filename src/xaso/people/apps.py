from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "xaso.people"
    label = "people"
    verbose_name = "Công dân"
