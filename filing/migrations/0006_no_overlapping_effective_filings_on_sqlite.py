"""The same guarantee as 0002 on SQLite, now the embedded database serves concurrent requests
(WAL): triggers refuse an insert or update that would leave two effective filings of one
resident for the same care region with overlapping dates. The error names the constraint, as
PostgreSQL's does, so the service answers both the same way."""

from django.db import migrations

# The statements live in filing/database.py, which also makes them again after any later
# migration that rebuilds the table.
from filing.database import SQLITE_TRIGGERS as CREATE

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
