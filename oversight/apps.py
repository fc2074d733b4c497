from django.apps import AppConfig


class OversightConfig(AppConfig):
    """The top layer: what supervisors and auditors oversee, and every role's home page with
    its to-do lists: the station's day, the county dashboard, the audit log and the chain check."""

    name = "oversight"
    verbose_name = "监督"
