"""Auditor accounts, managed on the server only (separation of duties, 等保 2.0).

    manage.py auditor create USERNAME --county 140830 --name 姓名   (password from stdin)
    manage.py auditor password USERNAME                              (password from stdin)
    manage.py auditor deactivate USERNAME | activate USERNAME

The portal's administrators cannot create, change or reset an auditor (nor a supervisor:
`manage.py supervisor`, the same command): whoever administers the accounts must not choose,
or become, who reviews and audits them (accounts.models.SERVER_MANAGED_ROLES). Every run is
in the audit trail (the account's history row, with the command and the operating-system user
as its reason).
"""

from __future__ import annotations

import getpass
import os
import sys

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import County, Role, User


class Command(BaseCommand):
    help = "在服务器上维护审计员账户（系统管理员不能在网页上新建或修改审计员）。"
    role = Role.AUDITOR
    command = "auditor"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "password", "deactivate", "activate"])
        parser.add_argument("username")
        parser.add_argument("--county", help="新建时必填：县（区）代码，如 140830")
        parser.add_argument("--name", help="新建时必填：姓名")

    def handle(self, *args, action: str, username: str, **options):
        reason = f"服务器管理命令 {self.command} {action}（操作系统用户 {_os_user()}）"
        with transaction.atomic():
            if action == "create":
                user = self._create(username, options["county"], options["name"])
            else:
                found = User.objects.select_for_update().filter(username=username).first()
                if found is None or found.role != self.role:
                    raise CommandError(f"没有登录名为 {username} 的{self.role.label}。")
                user = found
                if action == "password":
                    self._set_password(user)
                else:
                    user.is_active = action == "activate"
            user._change_reason = reason  # type: ignore[attr-defined]  # django-simple-history
            user.save()
        self.stdout.write(f"已完成：{reason}，账户 {username}。")

    def _create(self, username: str, county_code: str | None, name: str | None) -> User:
        if not county_code or not name:
            raise CommandError(f"新建{self.role.label}需要 --county 和 --name。")
        county = County.objects.filter(code=county_code).first()
        if county is None:
            raise CommandError(f"没有代码为 {county_code} 的县（区）。")
        if User.objects.filter(username=username).exists():
            raise CommandError(f"登录名 {username} 已被使用。")
        user = User(username=username, full_name=name, role=self.role, county=county)
        self._set_password(user)
        return user

    def _set_password(self, user: User) -> None:
        password = _read_password()
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from error
        user.set_password(password)
        user.must_change_password = True  # the account's owner chooses their own at first login


def _read_password() -> str:
    if sys.stdin.isatty():
        return getpass.getpass("初始密码：")
    return sys.stdin.readline().rstrip("\n")


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid())
