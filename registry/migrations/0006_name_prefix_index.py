"""Name search matches from the start of the name within a station; on PostgreSQL a
(station, name) index with the pattern operator class answers LIKE '王芳%' whatever the
database's collation. (SQLite's ordinary index on name serves the try-out database.)"""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS resident_station_name_prefix "
    "ON registry_resident (station_id, name varchar_pattern_ops)"
)
DROP = "DROP INDEX IF EXISTS resident_station_name_prefix"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("registry", "0005_enrollment_enrollment_station_day_and_more")]

    operations = [migrations.RunPython(create, drop)]
