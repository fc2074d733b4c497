"""One audit chain per county instead of one for the whole installation.

Entries keep their content; each is numbered again within its county (as before), linked to
the county's entry before it, and hashed with its county number instead of its global
number (which no longer gives an order: counties now write at the same time). The old chain
is checked first, with the key that wrote it: a broken chain is never linked anew, which
would hide what broke it.
"""

import hashlib
import hmac
import json

from django.conf import settings
from django.db import migrations, models

GENESIS = "0" * 64


def _hash(first, entry) -> str:
    values = [
        first,
        entry.at.isoformat(timespec="milliseconds"),
        entry.user_id,
        entry.username,
        entry.ip,
        entry.action,
        entry.station_id,
        entry.county_id,
        entry.record_type,
        entry.record_id,
        entry.record_label,
        entry.history_id,
        entry.history_digest,
        entry.changes,
        entry.detail,
        entry.prev_hash,
    ]
    content = json.dumps(values, ensure_ascii=False, separators=(",", ":"), default=str)
    return hmac.new(settings.AUDIT_KEY.encode(), content.encode(), hashlib.sha256).hexdigest()


def relink(apps, schema_editor):
    Entry = apps.get_model("audit", "AuditEntry")
    Head = apps.get_model("audit", "ChainHead")
    old_head = Head.objects.filter(pk=1).first()
    previous, expected = GENESIS, 1
    for entry in Entry.objects.order_by("id").iterator(chunk_size=5000):
        if entry.id != expected or entry.prev_hash != previous or _hash(entry.id, entry) != entry.hash:
            raise RuntimeError(
                f"审计记录第 {expected} 条校验不通过，未改为按县分链；"
                "请用升级前的版本运行 verify_audit 查明原因。"
            )
        previous, expected = entry.hash, expected + 1
    if expected > 1 and (old_head is None or old_head.last_id != expected - 1):
        raise RuntimeError(f"审计记录第 {expected} 条及以后已被删除，未改为按县分链。")
    Head.objects.all().delete()
    ends: dict[str, tuple[int, str]] = {}
    batch = []
    for entry in Entry.objects.order_by("id").iterator(chunk_size=5000):
        chain = str(entry.county_id) if entry.county_id else "-"
        last_seq, last_hash = ends.get(chain, (0, GENESIS))
        entry.county_seq, entry.prev_hash = last_seq + 1, last_hash
        entry.hash = _hash(entry.county_seq, entry)
        ends[chain] = (entry.county_seq, entry.hash)
        batch.append(entry)
        if len(batch) == 2000:
            Entry.objects.bulk_update(batch, ["county_seq", "prev_hash", "hash"])
            batch = []
    Entry.objects.bulk_update(batch, ["county_seq", "prev_hash", "hash"])
    Head.objects.bulk_create(
        Head(chain=chain, last_seq=seq, last_hash=last) for chain, (seq, last) in ends.items()
    )


def continue_sequence(apps, schema_editor):
    """PostgreSQL's new identity starts at 1; the entries already there go up to their max."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "SELECT setval(pg_get_serial_sequence('audit_auditentry', 'id'), "
            "COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM audit_auditentry"
        )


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_print_and_lookup")]

    operations = [
        migrations.AlterField(
            model_name="auditentry",
            name="id",
            field=models.BigAutoField(primary_key=True, serialize=False, verbose_name="编号"),
        ),
        migrations.RunPython(continue_sequence, migrations.RunPython.noop),
        migrations.AddField(
            model_name="chainhead",
            name="chain",
            field=models.CharField(max_length=20, null=True),
        ),
        migrations.AddField(
            model_name="chainhead",
            name="last_seq",
            field=models.BigIntegerField(default=0),
        ),
        migrations.RunPython(relink, migrations.RunPython.noop),
        migrations.RemoveField(model_name="chainhead", name="last_id"),
        migrations.RemoveField(model_name="chainhead", name="county_seqs"),
        migrations.AlterField(
            model_name="chainhead",
            name="chain",
            field=models.CharField(max_length=20, unique=True),
        ),
    ]
