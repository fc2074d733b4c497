from django.core.management.base import BaseCommand

from audit import anchors


class Command(BaseCommand):
    help = "把各县审计链的末端（签名）追加到锚点文件（AUDIT_ANCHOR_FILE，与数据库分开存放）。"

    def handle(self, *args, **options):
        anchor = anchors.write()
        self.stdout.write(
            f"已锚定 {len(anchor['chains'])} 条审计链的末端到 {anchors.anchor_file()}。"
        )
