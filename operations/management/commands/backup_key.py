from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations.backup import BackupError, new_key_pair


class Command(BaseCommand):
    help = (
        "生成备份密钥对：私钥写入给定文件（仅本人可读，请与备份分开保管，如离线介质），"
        "打印公钥，填入 BACKUP_RECIPIENTS。"
    )

    def add_arguments(self, parser):
        parser.add_argument("identity_file", type=Path)

    def handle(self, *args, identity_file: Path, **options):
        try:
            public = new_key_pair(identity_file)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"私钥已写入 {identity_file}。公钥（BACKUP_RECIPIENTS）：\n{public}")
