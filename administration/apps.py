from django.apps import AppConfig


class AdministrationConfig(AppConfig):
    """What administrators manage: staff accounts, stations, the county's policy and the
    holiday calendar. Administrators never read residents' business nor the audit trail."""

    name = "administration"
    verbose_name = "系统管理"
