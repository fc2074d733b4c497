from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo import data as demo


class Command(BaseCommand):
    help = "载入演示数据：一个县、两个医保站、各角色账户和数百名参保人（仅用于试用）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="在非调试模式下也载入（演示账户使用公开的密码）"
        )

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("演示账户的密码是公开的，生产环境不得载入演示数据。")
        result = demo.load()
        if result["created"]:
            self.stdout.write(
                f"已载入演示数据：{result['households']} 户，{result['residents']} 名参保人。"
            )
        else:
            self.stdout.write("演示数据已存在，未重复载入。")
        self.stdout.write(f"演示账户（密码均为 {demo.DEMO_PASSWORD}）：")
        for username, full_name, role, station in demo.STAFF:
            self.stdout.write(f"  {username:14} {full_name} {role.label} {station or '芮城县'}")
