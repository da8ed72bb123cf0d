from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "xaso.org"
    label = "org"
    verbose_name = "Đơn vị hành chính, cơ quan, cán bộ"
