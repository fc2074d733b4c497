from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "security"
    verbose_name = "安全与数据保护"

    def ready(self) -> None:
        from axes.signals import user_locked_out
        from django.contrib.auth import signals
        from django.contrib.auth.models import update_last_login
        from django.core.checks import Tags, register

        from security.checks import trusted_proxies

        register(trusted_proxies, Tags.security, deploy=True)

        from security import signals as events

        # Django saves the user to record the login time, and every save of a user is a
        # history row: each login added an empty "修改 工作人员" entry beside its 登录 entry.
        signals.user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        signals.user_logged_in.connect(events.record_last_login, dispatch_uid="last-login")
        signals.user_logged_in.connect(events.logged_in, dispatch_uid="audit-login")
        signals.user_logged_out.connect(events.logged_out, dispatch_uid="audit-logout")
        signals.user_login_failed.connect(events.login_failed, dispatch_uid="audit-failed")
        user_locked_out.connect(events.locked_out, dispatch_uid="audit-locked")
