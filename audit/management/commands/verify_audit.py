import sys

from django.core.management.base import BaseCommand

from audit.verification import verify


class Command(BaseCommand):
    help = "校验审计记录的哈希链：未被修改、删除或插入则通过，否则指出第一处断裂。"

    def handle(self, *args, **options):
        result = verify()
        if result.ok:
            self.stdout.write(f"审计记录完整：已校验 {result.checked} 条，哈希链无断裂。")
            return
        self.stderr.write(
            f"审计记录校验失败：第 {result.broken_at} 条 — {result.reason}"
            f"（此前 {result.checked} 条完好）"
        )
        sys.exit(1)
