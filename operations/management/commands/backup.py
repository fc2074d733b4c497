from pathlib import Path

from django.core.management.base import BaseCommand

from operations.backup import backup


class Command(BaseCommand):
    help = "备份数据库和上传的扫描件到一个归档文件（.tar.gz）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "archive", type=Path, help="归档文件路径，如 /backup/portal-20261122.tar.gz"
        )

    def handle(self, *args, archive: Path, **options):
        manifest = backup(archive)
        rows = sum(manifest["rows"].values())
        self.stdout.write(f"已备份 {rows} 行数据、{len(manifest['files'])} 个文件到 {archive}")
