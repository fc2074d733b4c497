"""The audit trail is append-only and tamper-evident: every change and security event is an
entry in a keyed hash chain, and verification points to the first broken link."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse

from audit.log import append
from audit.models import Action, AuditEntry
from audit.verification import verify
from registry.models import Resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(as_alice, alice, resident_a, registering_a):
    """A few entries written through the portal: an edit, and the fixtures' creations."""
    as_alice.post(
        reverse("registry:resident_edit", args=[resident_a.pk]),
        {
            "name": "薛建国",
            "ethnicity": "汉族",
            "insurance_type": "resident",
            "household_number": "140830100001",
            "relationship_to_head": "head",
            "phone": "13900001111",
            "address": resident_a.address,
        },
    )
    assert AuditEntry.objects.count() >= 5
    return AuditEntry.objects.order_by("id")


def test_every_change_made_through_the_portal_is_an_entry_with_its_user(trail, alice):
    edit = trail.filter(action=Action.UPDATE, record_type="registry.resident").last()
    assert edit.user == alice and edit.username == "alice"
    assert edit.station == alice.station and edit.county == alice.county
    assert edit.changes == [["联系电话", "13835901234", "13900001111"]]
    assert edit.ip == "127.0.0.1"


def test_an_untouched_chain_verifies(trail):
    result = verify()
    assert result.ok and result.checked == trail.count()


def test_entries_cannot_be_changed_or_deleted_through_the_application(trail):
    entry = trail.first()
    entry.detail = "改动"
    with pytest.raises(PermissionDenied):
        entry.save()
    with pytest.raises(PermissionDenied):
        entry.delete()


def test_an_altered_entry_breaks_the_chain_at_that_entry(trail):
    target = trail[2]
    AuditEntry.objects.filter(id=target.id).update(detail="悄悄改了")
    result = verify()
    assert (result.chain, result.broken_at) == (str(target.county_id), target.county_seq)
    assert "内容被修改" in result.reason


def test_a_deleted_entry_is_found(trail):
    target = trail[1]
    AuditEntry.objects.filter(id=target.id).delete()  # straight to the database
    result = verify()
    assert result.broken_at == target.county_seq and "已被删除" in result.reason


def test_a_deleted_last_entry_is_found(trail):
    last = trail.last()
    AuditEntry.objects.filter(id=last.id).delete()
    assert verify().broken_at == last.county_seq


def test_an_entry_inserted_out_of_order_is_found(trail):
    second = trail[1]
    forged = AuditEntry(
        county_seq=second.county_seq,
        county_id=second.county_id,
        at=second.at,
        action=Action.LOGIN,
        username="mallory",
        prev_hash=trail[0].hash,
        hash="f" * 64,
    )
    AuditEntry.objects.filter(county_seq__gte=second.county_seq).delete()
    AuditEntry.objects.bulk_create([forged])
    result = verify()
    assert result.broken_at == second.county_seq


def test_the_database_refuses_a_copy_of_an_entry_with_the_same_hash(trail):
    from django.db import IntegrityError, transaction

    last = trail.last()
    copy = AuditEntry(
        county_seq=last.county_seq + 1,
        county_id=last.county_id,
        at=last.at,
        action=Action.LOGIN,
        prev_hash=last.hash,
        hash=last.hash,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEntry.objects.bulk_create([copy])
    assert not AuditEntry.objects.filter(id__gt=last.id).exists()


def test_an_altered_history_row_is_found(trail, resident_a):
    row = resident_a.history.order_by("history_id").first()
    Resident.history.filter(history_id=row.history_id).update(phone="13000000000")
    entry = AuditEntry.objects.get(history_id=row.history_id, record_type="registry.resident")
    result = verify()
    assert result.broken_at == entry.county_seq and "历史记录内容被修改" in result.reason


def test_the_command_verifies_and_fails_loudly(trail, capsys):
    call_command("verify_audit")
    assert "审计记录完整" in capsys.readouterr().out
    AuditEntry.objects.filter(id=trail[3].id).update(username="x")
    with pytest.raises(SystemExit):
        call_command("verify_audit")
    assert f"芮城县第 {trail[3].county_seq} 条" in capsys.readouterr().err


def test_each_county_numbers_its_own_entries(trail, alice, frank):
    from audit.log import append

    append(action=Action.LOGIN, user=frank)
    append(action=Action.LOGIN, user=alice)
    for county in (alice.county, frank.county):
        numbers = list(
            AuditEntry.objects.filter(county=county)
            .order_by("id")
            .values_list("county_seq", flat=True)
        )
        assert numbers == list(range(1, len(numbers) + 1))
    login = AuditEntry.objects.get(county=frank.county, action=Action.LOGIN)
    assert login.county_seq == AuditEntry.objects.filter(county=frank.county).count()
    assert login.county_seq < login.id  # its own county's number, not the chain's


def test_an_altered_county_number_is_found(trail):
    target = trail[3]
    AuditEntry.objects.filter(id=target.id).update(county_seq=target.county_seq + 1000)
    result = verify()
    assert result.broken_at == target.county_seq and "县内序号被改动" in result.reason


def _old_chain(counties: list, tamper: bool = False):
    """Entries written as one chain for the whole installation (before migration 0006), on
    a database migrated back to 0005. Returns the migration executor."""
    import importlib

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    old_form = importlib.import_module("audit.migrations.0006_per_county_chains")
    before = [("audit", "0005_print_and_lookup")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    OldEntry, OldHead = old.get_model("audit", "AuditEntry"), old.get_model("audit", "ChainHead")
    OldEntry.objects.all().delete()  # the fixtures' own entries
    previous, seqs = "0" * 64, {}
    for number, county in enumerate(counties, start=1):
        seqs[str(county.pk)] = seqs.get(str(county.pk), 0) + 1
        entry = OldEntry(
            id=number,
            county_seq=seqs[str(county.pk)],
            at=datetime.datetime(2026, 11, 1, 8, number, tzinfo=datetime.UTC),
            action="login",
            username=f"user{number}",
            county_id=county.pk,
            prev_hash=previous,
        )
        entry.hash = old_form._hash(entry.id, entry)
        entry.save(force_insert=True)
        previous = entry.hash
    if tamper:
        OldEntry.objects.filter(id=2).update(username="mallory")
    OldHead.objects.update_or_create(
        pk=1, defaults={"last_id": len(counties), "last_hash": previous, "county_seqs": seqs}
    )
    return MigrationExecutor(connection)


def _migrate_to_the_latest() -> None:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_migration_links_each_countys_entries_in_a_chain_of_its_own(county, other_county):
    from audit.models import ChainHead

    try:
        _old_chain([county, other_county, county, county, other_county])
        _migrate_to_the_latest()
        assert verify().ok
        rows = AuditEntry.objects.order_by("id").values_list("username", "county_id", "county_seq")
        assert list(rows) == [
            ("user1", county.pk, 1),
            ("user2", other_county.pk, 1),
            ("user3", county.pk, 2),
            ("user4", county.pk, 3),
            ("user5", other_county.pk, 2),
        ]
        heads = dict(ChainHead.objects.values_list("chain", "last_seq"))
        assert heads == {str(county.pk): 3, str(other_county.pk): 2}
        # The sequence goes on after the entries that were there.
        append(action=Action.LOGIN, username="next", county_id=county.pk)
        assert AuditEntry.objects.latest("id").id == 6 and verify().ok
    finally:
        _migrate_to_the_latest()


@pytest.mark.django_db(transaction=True)
def test_a_broken_old_chain_is_never_linked_anew(county, other_county):
    try:
        _old_chain([county, other_county, county], tamper=True)
        with pytest.raises(RuntimeError, match="审计记录第 2 条校验不通过"):
            _migrate_to_the_latest()
        assert AuditEntry.objects.filter(username="mallory").exists()  # as it was, unlinked
    finally:
        from django.db import connection

        # The test's entries go, so that the migration can run.
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditentry")
        _migrate_to_the_latest()


def test_removing_the_newest_entries_and_rewriting_the_head_is_found_by_the_anchor(trail, capsys):
    """Issue 16: deleting the newest entries and rewriting the chain head in the same
    database passed verify_audit."""
    from audit.models import ChainHead

    call_command("anchor_audit")
    last = trail.last()
    chain = str(last.county_id)
    previous = AuditEntry.objects.get(county_id=last.county_id, county_seq=last.county_seq - 1)
    AuditEntry.objects.filter(pk=last.pk).delete()
    ChainHead.objects.filter(chain=chain).update(
        last_seq=previous.county_seq, last_hash=previous.hash
    )
    result = verify()
    assert (result.chain, result.broken_at) == (chain, last.county_seq)
    assert "已锚定的记录" in result.reason and "已被删除" in result.reason
    with pytest.raises(SystemExit):
        call_command("verify_audit")
    assert "已锚定的记录" in capsys.readouterr().err


def test_a_rewritten_end_after_the_anchor_is_found(trail, alice):
    """The rewrite goes on: new entries appended after the truncation reuse the numbers."""
    from audit.models import ChainHead

    call_command("anchor_audit")
    last = trail.last()
    previous = AuditEntry.objects.get(county_id=last.county_id, county_seq=last.county_seq - 1)
    AuditEntry.objects.filter(pk=last.pk).delete()
    ChainHead.objects.filter(chain=str(last.county_id)).update(
        last_seq=previous.county_seq, last_hash=previous.hash
    )
    append(action=Action.LOGIN, user=alice)  # takes the removed entry's number
    result = verify()
    assert result.broken_at == last.county_seq and "已被改写" in result.reason


def test_an_edited_anchor_file_is_reported(trail):
    from audit.anchors import anchor_file

    call_command("anchor_audit")
    text = anchor_file().read_text().replace('"chains": {"', '"chains": {"9', 1)
    anchor_file().write_text(text)
    result = verify()
    assert not result.ok and "签名不符" in result.reason and "审计锚点文件" in str(result)


def test_entries_after_the_anchor_still_verify(trail, alice):
    call_command("anchor_audit")
    append(action=Action.LOGIN, user=alice)
    assert verify().ok
