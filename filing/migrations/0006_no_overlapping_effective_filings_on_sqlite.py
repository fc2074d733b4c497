"""The same guarantee as 0002 on SQLite, now the embedded database serves concurrent requests
(WAL): triggers refuse an insert or update that would leave two effective filings of one
resident for the same care region with overlapping dates. The error names the constraint, as
PostgreSQL's does, so the service answers both the same way."""

from django.db import migrations

OVERLAP = """
    SELECT RAISE(ABORT, 'filing_no_overlapping_effective')
    WHERE NEW.status IN ('pending', 'approved') AND EXISTS (
        SELECT 1 FROM filing_filing AS other
        WHERE other.id IS NOT NEW.id
          AND other.resident_id = NEW.resident_id
          AND other.care_region_code = NEW.care_region_code
          AND other.status IN ('pending', 'approved')
          AND (other.end_date IS NULL OR other.end_date >= NEW.start_date)
          AND (NEW.end_date IS NULL OR other.start_date <= NEW.end_date)
    );
"""
CREATE = [
    f"CREATE TRIGGER filing_no_overlapping_effective_insert BEFORE INSERT ON filing_filing "
    f"BEGIN {OVERLAP} END;",
    f"CREATE TRIGGER filing_no_overlapping_effective_update BEFORE UPDATE ON filing_filing "
    f"BEGIN {OVERLAP} END;",
]
DROP = [
    "DROP TRIGGER IF EXISTS filing_no_overlapping_effective_insert;",
    "DROP TRIGGER IF EXISTS filing_no_overlapping_effective_update;",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in CREATE:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("filing", "0005_calendar_moves_to_workdays")]

    operations = [migrations.RunPython(create, drop)]
