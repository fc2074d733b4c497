"""On PostgreSQL, the database itself refuses two effective filings of one resident for the
same care region with overlapping dates (DOMAIN.md §2; the code checks first, under a lock,
and this is the guarantee behind it). SQLite has triggers to the same effect (0006)."""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE filing_filing ADD CONSTRAINT filing_no_overlapping_effective
    EXCLUDE USING gist (
        resident_id WITH =,
        care_region_code WITH =,
        daterange(start_date, COALESCE(end_date, 'infinity'::date), '[]') WITH &&
    ) WHERE (status IN ('pending', 'approved'));
"""
DROP = "ALTER TABLE filing_filing DROP CONSTRAINT IF EXISTS filing_no_overlapping_effective;"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("filing", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
