from django.apps import AppConfig


class HostConfig(AppConfig):
    name = "tests.minimal_host.host"
    label = "host"
    default_auto_field = "django.db.models.BigAutoField"
