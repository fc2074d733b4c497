from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "审计记录"

    def ready(self) -> None:
        from simple_history.signals import post_create_historical_record

        from audit.records import on_history_created

        # Every history row, whichever model and view wrote it, gets its audit entry here.
        post_create_historical_record.connect(on_history_created, dispatch_uid="audit-history")
