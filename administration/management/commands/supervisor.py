"""Supervisor accounts, managed on the server only, as auditors are (`manage.py auditor`):

    manage.py supervisor create USERNAME --county 140830 --name 姓名   (password from stdin)
    manage.py supervisor password USERNAME                              (password from stdin)
    manage.py supervisor deactivate USERNAME | activate USERNAME

A supervisor reads every station's records and the audit trail; an administrator who could
set a supervisor's password could read them too.
"""

from __future__ import annotations

from accounts.models import Role
from administration.management.commands import auditor


class Command(auditor.Command):
    help = "在服务器上维护审核员账户（系统管理员不能在网页上新建、修改审核员或重置其密码）。"
    role = Role.SUPERVISOR
    command = "supervisor"
