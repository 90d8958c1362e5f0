from django.apps import AppConfig


class VillageConfig(AppConfig):
    name = "village"
    verbose_name = "Village"
