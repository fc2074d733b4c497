from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The bottom layer: reference data (regions), ID numbers and masking, validators,
    optimistic versions and form widgets. It imports no app of the portal."""

    name = "core"
    verbose_name = "基础"
