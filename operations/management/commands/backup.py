import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from operations.backup import BackupError, backup


class Command(BaseCommand):
    help = "备份数据库和上传的文件到一个加密归档（age），只有持有解密私钥者能打开。"

    def add_arguments(self, parser):
        parser.add_argument(
            "archive", type=Path, help="归档文件路径，如 /backup/portal-20261122.age"
        )
        parser.add_argument(
            "--recipient",
            action="append",
            default=[],
            help="age 公钥（以 age1 开头）；不写则用设置 BACKUP_RECIPIENTS",
        )

    def handle(self, *args, archive: Path, recipient: list[str], **options):
        keys = recipient or settings.BACKUP_RECIPIENTS
        try:
            manifest = backup(archive, keys)
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(manifest["rows"].values())
        size = os.path.getsize(archive) / (1024 * 1024)
        self.stdout.write(
            f"已备份 {rows} 行数据、{len(manifest['files'])} 个文件到 {archive}"
            f"（{size:.1f} MB，已加密）。"
        )
