from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """Backup and restore, run by the county's operator from the server's shell."""

    name = "operations"
    verbose_name = "运维"
