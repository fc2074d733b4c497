import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from operations.backup import RestoreError, restore


class Command(BaseCommand):
    help = "从备份归档恢复数据库和扫描件到新建的空数据库（先执行 migrate），并核对行数和校验和。"

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)

    def handle(self, *args, archive: Path, **options):
        try:
            manifest = restore(archive)
        except RestoreError as error:
            self.stderr.write(str(error))
            sys.exit(1)
        rows = sum(manifest["rows"].values())
        self.stdout.write(f"已恢复 {rows} 行数据、{len(manifest['files'])} 个文件，核对一致。")
