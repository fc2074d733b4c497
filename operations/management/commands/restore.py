from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations.backup import RestoreError, restore


class Command(BaseCommand):
    help = (
        "从加密备份恢复到新建的空数据库（先执行 migrate）：先核对签名和每个文件的校验和，"
        "再在一个事务中写入并核对行数；任何一步不符，什么都不写入。"
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--identity", type=Path, required=True, help="age 私钥文件（备份密钥，与数据分开保管）"
        )

    def handle(self, *args, archive: Path, identity: Path, **options):
        try:
            manifest = restore(archive, identity)
        except RestoreError as error:
            raise CommandError(str(error)) from error
        rows = sum(manifest["rows"].values())
        self.stdout.write(f"已恢复 {rows} 行数据、{len(manifest['files'])} 个文件，核对一致。")
