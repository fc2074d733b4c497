from django.apps import AppConfig
from django.db.models.signals import post_migrate


class FilingConfig(AppConfig):
    name = "filing"
    verbose_name = "异地就医备案"

    def ready(self) -> None:
        from filing.database import ensure_guards

        post_migrate.connect(ensure_guards, sender=self, dispatch_uid="filing-guards")
