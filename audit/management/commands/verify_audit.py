import sys

from django.core.management.base import BaseCommand

from audit.verification import verify


class Command(BaseCommand):
    help = "校验审计记录的哈希链（每县一条）：未被修改、删除或插入则通过，否则指出第一处断裂。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--chain", help="只校验一条链：县（区）的编号，或 - 表示不属于任何县的记录"
        )

    def handle(self, *args, **options):
        result = verify(options["chain"])
        if result.ok:
            self.stdout.write(str(result))
            return
        self.stderr.write(f"审计记录{result}")
        sys.exit(1)
