from django.apps import AppConfig


class PracticalConfig(AppConfig):
    name = "practical"
    default_auto_field = "django.db.models.BigAutoField"
