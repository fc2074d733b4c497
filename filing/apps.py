from django.apps import AppConfig


class FilingConfig(AppConfig):
    name = "filing"
    verbose_name = "异地就医备案"
