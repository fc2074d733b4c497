from django.core.management.base import BaseCommand, CommandError

from audit import anchors


class Command(BaseCommand):
    help = "把各县审计链的末端（签名）追加到锚点文件（AUDIT_ANCHOR_FILE，与数据库分开存放）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--rebase",
            metavar="原因",
            default="",
            help="从较早的备份恢复后重新起算锚点（记入审计记录），例如 --rebase 从备份恢复",
        )

    def handle(self, *args, **options):
        try:
            anchor = anchors.write(rebase=options["rebase"])
        except anchors.AnchorError as error:
            raise CommandError(f"拒绝写入审计锚点：{error}") from error
        self.stdout.write(
            f"已锚定 {len(anchor['chains'])} 条审计链的末端到 {anchors.anchor_file()}"
            f"（第 {anchor['n']} 个锚点）。"
        )
