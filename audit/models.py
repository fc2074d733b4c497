"""The audit trail: one append-only, hash-chained log of every change and security event.

Every history row django-simple-history writes gets an entry here (with its field changes as
people read them), and so does every login, logout, failed login, denial, export, download of
a scan, reveal of a masked number, print of a form with full numbers, and lookup that
finds a resident of another station. Entries are chained within their county: each carries
the keyed SHA-256 of its own content and of the county's entry before it, so altering,
removing or inserting a row directly in the database breaks the chain at that row
(`manage.py verify_audit`). One chain per county (and
one for entries of no county) means that a write in one county never waits for another's.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models

GENESIS = "0" * 64


def audit_key() -> bytes:
    """AUDIT_KEY from the environment; kept apart from the database it protects."""
    return settings.AUDIT_KEY.encode()


def keyed_digest(payload: dict) -> str:
    """HMAC-SHA256 with the audit key of a JSON document in one fixed form: what signs an
    anchor of the chains and a backup's manifest."""
    content = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hmac.new(audit_key(), content.encode(), hashlib.sha256).hexdigest()


class Action(models.TextChoices):
    CREATE = "create", "新建"
    UPDATE = "update", "修改"
    DELETE = "delete", "删除"
    LOGIN = "login", "登录"
    LOGOUT = "logout", "退出"
    LOGIN_FAILED = "login_failed", "登录失败"
    LOCKED_OUT = "locked_out", "账户锁定"
    UNLOCK = "unlock", "解除锁定"
    DENIED = "denied", "拒绝访问"
    EXPORT = "export", "导出"
    DOWNLOAD = "download", "下载扫描件"
    REVEAL = "reveal", "查看完整号码"
    PRINT = "print", "打印含完整号码的表单"
    LOOKUP = "lookup", "查询其他医保站的参保人"
    TAMPERED = "tampered", "审计记录被篡改"


CHANGE_ACTIONS = (Action.CREATE, Action.UPDATE, Action.DELETE)


class AuditEntry(models.Model):
    # A storage key from the database's sequence: entries of two counties are written at the
    # same time, each in its own chain, so this number says nothing about order.
    id = models.BigAutoField("编号", primary_key=True)
    # The entry's place in its county's chain (1, 2, 3, …): the chain's order, hashed. The log
    # pages order by it too, through the county's own indexes.
    county_seq = models.BigIntegerField("县内序号", default=0)
    at = models.DateTimeField("时间", db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,  # audit_*_recent below lead with it
        related_name="+",
        verbose_name="操作人",
    )
    username = models.CharField("登录名", max_length=150, blank=True)
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    action = models.CharField("操作", max_length=20, choices=Action)
    station = models.ForeignKey(
        "accounts.Station",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,  # audit_*_recent below lead with it
        related_name="+",
        verbose_name="医保站",
    )
    county = models.ForeignKey(
        "accounts.County",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,  # audit_*_recent below lead with it
        related_name="+",
        verbose_name="县（区）",
    )
    record_type = models.CharField("记录类型", max_length=60, blank=True)
    record_id = models.CharField("记录编号", max_length=40, blank=True)
    record_label = models.CharField("记录", max_length=200, blank=True)
    history_id = models.BigIntegerField("历史记录编号", null=True, blank=True)
    # The fingerprint of that history row as written, so a row altered later is found too.
    history_digest = models.CharField(max_length=64, blank=True)
    changes = models.JSONField("变更内容", default=list, blank=True)
    detail = models.CharField("说明", max_length=300, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = verbose_name
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["county", "-county_seq"], name="audit_county_recent"),
            models.Index(fields=["station", "-county_seq"], name="audit_station_recent"),
            models.Index(fields=["user", "-county_seq"], name="audit_user_recent"),
            models.Index(fields=["record_type", "record_id"], name="audit_record"),
            models.Index(fields=["county", "action", "-county_seq"], name="audit_action_recent"),
        ]
        # A constraint, not unique=True, which would add a second (LIKE) index of the hash.
        constraints = [models.UniqueConstraint(fields=["hash"], name="audit_hash_unique")]

    def __str__(self) -> str:
        return f"#{self.id} {self.get_action_display()} {self.record_label}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise PermissionDenied("审计记录不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("审计记录不能删除。")

    def content(self) -> bytes:
        """What the hash covers: every field but the hash itself, in a fixed form."""
        values = [
            self.county_seq,
            # Milliseconds: Django's fixtures (backups) keep no finer time.
            self.at.isoformat(timespec="milliseconds"),
            self.user_id,
            self.username,
            self.ip,
            self.action,
            self.station_id,
            self.county_id,
            self.record_type,
            self.record_id,
            self.record_label,
            self.history_id,
            self.history_digest,
            self.changes,
            self.detail,
            self.prev_hash,
        ]
        return json.dumps(values, ensure_ascii=False, separators=(",", ":"), default=str).encode()

    def compute_hash(self) -> str:
        """HMAC-SHA256 with the audit key: without the key, nobody with database access can
        forge a chain that verifies."""
        return hmac.new(audit_key(), self.content(), hashlib.sha256).hexdigest()


def chain_of(county_id: int | None) -> str:
    """The name of the chain an entry of this county belongs to."""
    return str(county_id) if county_id else "-"


class ChainHead(models.Model):
    """The end of one chain: a county's, or "-" for entries of no county (e.g. a failed login
    with an unknown username). Its row is locked while an entry is appended, so that the
    county's entries are numbered and linked in one order; other counties never wait."""

    chain = models.CharField(max_length=20, unique=True)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS)

    def __str__(self) -> str:
        return f"{self.chain}#{self.last_seq}"


class AnchorLedger(models.Model):
    """How many anchors have been written to one anchor file (audit/anchors.py): each anchor
    line carries its number, so a missing, shortened or rewound file is told apart from "no
    anchor yet", and a database put back behind its file is found too. One row per file: each
    server of several anchors in a file of its own (`name`: PORTAL_SERVER_NAME). A refused
    anchor says why here, for the pages to show until an anchor is written again."""

    name = models.CharField(max_length=40, unique=True)
    written = models.PositiveIntegerField(default=0)
    refused_at = models.DateTimeField(null=True, blank=True)
    refusal = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"{self.name}: {self.written} anchors"

    @classmethod
    def get(cls, *, lock: bool = False) -> AnchorLedger:
        """This server's row, made at its first anchor."""
        name = settings.SERVER_NAME or "default"
        rows = cls.objects.select_for_update() if lock else cls.objects
        ledger = rows.filter(name=name).first()
        if ledger is None:
            ledger, _ = cls.objects.get_or_create(name=name)
        return ledger


class CheckStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "正在校验"
    DONE = "done", "已完成"
    FAILED = "failed", "校验未能完成"


class ChainCheck(models.Model):
    """One check of a county's audit chain, started from the chain page and run by the
    worker (audit/tasks.py): at 1.8 M entries a check takes minutes, never a request's time."""

    county = models.ForeignKey(
        "accounts.County", on_delete=models.PROTECT, related_name="+", verbose_name="县（区）"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="发起人",
    )
    requested_at = models.DateTimeField("发起时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=CheckStatus, default=CheckStatus.QUEUED
    )
    # A full check walks the chain from its first entry; the others from where the last
    # whole check ended (nightly `verify_audit` walks every chain in full).
    full = models.BooleanField("完整校验", default=False)
    checked = models.BigIntegerField("已校验条数", default=0)
    broken_at = models.BigIntegerField("断裂处（县内序号）", null=True, blank=True)
    reason = models.CharField("原因", max_length=200, blank=True)
    # Where the chain was found whole: the next check may start there.
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = "审计链校验"
        verbose_name_plural = verbose_name
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.county} {self.requested_at:%Y-%m-%d %H:%M}"

    @property
    def running(self) -> bool:
        return self.status in (CheckStatus.QUEUED, CheckStatus.RUNNING)

    @property
    def ok(self) -> bool:
        return self.status == CheckStatus.DONE and self.broken_at is None
