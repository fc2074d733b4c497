"""Each station's resident count, kept by triggers on registry_resident (registry.models.
StationTally): the caseworker's home page reads one row instead of counting a station's
residents (5 ms at 50,000) every time it is built.

PostgreSQL: one trigger per statement, over its transition tables, so that an import's COPY
of 500 rows updates the station's row once; the functions keep the search path they were made
with (a restore's pg_restore script empties it). SQLite: a trigger per row (it has no others).
A station's row is locked from a resident's insert to the commit: two transactions adding
residents to one station take turns (an import batch of 500 rows holds it under a second)."""

import django.db.models.deletion
from django.db import migrations, models

POSTGRESQL = [
    """
    CREATE FUNCTION registry_tally_inserted() RETURNS trigger LANGUAGE plpgsql
    SET search_path FROM CURRENT AS $$
    BEGIN
      INSERT INTO registry_stationtally AS t (station_id, residents)
        SELECT station_id, count(*) FROM tally_new GROUP BY station_id ORDER BY station_id
      ON CONFLICT (station_id) DO UPDATE SET residents = t.residents + EXCLUDED.residents;
      RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION registry_tally_deleted() RETURNS trigger LANGUAGE plpgsql
    SET search_path FROM CURRENT AS $$
    BEGIN
      UPDATE registry_stationtally AS t SET residents = t.residents - gone.n
        FROM (SELECT station_id, count(*) AS n FROM tally_old GROUP BY station_id) AS gone
        WHERE t.station_id = gone.station_id;
      RETURN NULL;
    END $$
    """,
    # Column lists are not allowed with transition tables: every update of residents comes
    # here, and only the rows whose station changed count.
    """
    CREATE FUNCTION registry_tally_moved() RETURNS trigger LANGUAGE plpgsql
    SET search_path FROM CURRENT AS $$
    BEGIN
      UPDATE registry_stationtally AS t SET residents = t.residents - gone.n
        FROM (
          SELECT o.station_id, count(*) AS n FROM tally_old AS o JOIN tally_new AS n USING (id)
          WHERE o.station_id <> n.station_id GROUP BY o.station_id
        ) AS gone
        WHERE t.station_id = gone.station_id;
      INSERT INTO registry_stationtally AS t (station_id, residents)
        SELECT n.station_id, count(*) FROM tally_old AS o JOIN tally_new AS n USING (id)
        WHERE o.station_id <> n.station_id GROUP BY n.station_id ORDER BY n.station_id
      ON CONFLICT (station_id) DO UPDATE SET residents = t.residents + EXCLUDED.residents;
      RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER registry_resident_tally_insert AFTER INSERT ON registry_resident
      REFERENCING NEW TABLE AS tally_new
      FOR EACH STATEMENT EXECUTE FUNCTION registry_tally_inserted()
    """,
    """
    CREATE TRIGGER registry_resident_tally_delete AFTER DELETE ON registry_resident
      REFERENCING OLD TABLE AS tally_old
      FOR EACH STATEMENT EXECUTE FUNCTION registry_tally_deleted()
    """,
    """
    CREATE TRIGGER registry_resident_tally_move AFTER UPDATE ON registry_resident
      REFERENCING OLD TABLE AS tally_old NEW TABLE AS tally_new
      FOR EACH STATEMENT EXECUTE FUNCTION registry_tally_moved()
    """,
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS registry_resident_tally_insert ON registry_resident",
    "DROP TRIGGER IF EXISTS registry_resident_tally_delete ON registry_resident",
    "DROP TRIGGER IF EXISTS registry_resident_tally_move ON registry_resident",
    "DROP FUNCTION IF EXISTS registry_tally_inserted()",
    "DROP FUNCTION IF EXISTS registry_tally_deleted()",
    "DROP FUNCTION IF EXISTS registry_tally_moved()",
]
SQLITE = [
    """
    CREATE TRIGGER registry_resident_tally_insert AFTER INSERT ON registry_resident BEGIN
      INSERT INTO registry_stationtally (station_id, residents) VALUES (NEW.station_id, 1)
      ON CONFLICT (station_id) DO UPDATE SET residents = residents + 1;
    END
    """,
    """
    CREATE TRIGGER registry_resident_tally_delete AFTER DELETE ON registry_resident BEGIN
      UPDATE registry_stationtally SET residents = residents - 1
        WHERE station_id = OLD.station_id;
    END
    """,
    """
    CREATE TRIGGER registry_resident_tally_move AFTER UPDATE OF station_id ON registry_resident
      WHEN OLD.station_id <> NEW.station_id BEGIN
      UPDATE registry_stationtally SET residents = residents - 1
        WHERE station_id = OLD.station_id;
      INSERT INTO registry_stationtally (station_id, residents) VALUES (NEW.station_id, 1)
      ON CONFLICT (station_id) DO UPDATE SET residents = residents + 1;
    END
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS registry_resident_tally_insert",
    "DROP TRIGGER IF EXISTS registry_resident_tally_delete",
    "DROP TRIGGER IF EXISTS registry_resident_tally_move",
]
# The residents already there, counted once.
FILL = (
    "INSERT INTO registry_stationtally (station_id, residents) "
    "SELECT station_id, count(*) FROM registry_resident GROUP BY station_id"
)


def create(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for statement in [FILL, *(POSTGRESQL if postgresql else SQLITE)]:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for statement in POSTGRESQL_DROP if postgresql else SQLITE_DROP:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_help_without_references"),
        ("registry", "0009_enrollment_guardian"),
    ]

    operations = [
        migrations.CreateModel(
            name="StationTally",
            fields=[
                (
                    "station",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="accounts.station",
                    ),
                ),
                ("residents", models.IntegerField(default=0)),
            ],
        ),
        migrations.RunPython(create, drop),
    ]
