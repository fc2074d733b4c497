"""Per-station row counts kept by the database itself (registry.ResidentTally for residents,
filing.FilingTally for filings, reimbursement.CaseTally for cases): triggers on the counted
table add and take away as rows are inserted, deleted or moved to another station, whatever
writes them (a form, an import's COPY, a restore). A list page then reads one row instead of
counting thousands.

PostgreSQL: one trigger per statement, over its transition tables, so that a COPY of 500 rows
updates a station's row once; the functions keep the search path they were made with (a
restore's pg_restore script empties it). SQLite: a trigger per row (it has no others). A
station's row is locked from an insert to the commit: two transactions adding rows of one
station take turns (an import batch of 500 rows holds it under a second)."""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def create_sql(vendor: str, counted: str, tally: str, column: str) -> list[str]:
    """The statements that fill `tally`.`column` from `counted` and keep it so."""
    fill = (
        f"INSERT INTO {tally} (station_id, {column}) "
        f"SELECT station_id, count(*) FROM {counted} GROUP BY station_id"
    )
    if vendor != "postgresql":
        return [
            fill,
            f"""
            CREATE TRIGGER {counted}_tally_insert AFTER INSERT ON {counted} BEGIN
              INSERT INTO {tally} (station_id, {column}) VALUES (NEW.station_id, 1)
              ON CONFLICT (station_id) DO UPDATE SET {column} = {column} + 1;
            END
            """,
            f"""
            CREATE TRIGGER {counted}_tally_delete AFTER DELETE ON {counted} BEGIN
              UPDATE {tally} SET {column} = {column} - 1 WHERE station_id = OLD.station_id;
            END
            """,
            f"""
            CREATE TRIGGER {counted}_tally_move AFTER UPDATE OF station_id ON {counted}
              WHEN OLD.station_id <> NEW.station_id BEGIN
              UPDATE {tally} SET {column} = {column} - 1 WHERE station_id = OLD.station_id;
              INSERT INTO {tally} (station_id, {column}) VALUES (NEW.station_id, 1)
              ON CONFLICT (station_id) DO UPDATE SET {column} = {column} + 1;
            END
            """,
        ]
    add = f"""
      INSERT INTO {tally} AS t (station_id, {column})
        SELECT station_id, count(*) FROM {{rows}} GROUP BY station_id ORDER BY station_id
      ON CONFLICT (station_id) DO UPDATE SET {column} = t.{column} + EXCLUDED.{column};"""
    take = f"""
      UPDATE {tally} AS t SET {column} = t.{column} - gone.n
        FROM (SELECT station_id, count(*) AS n FROM {{rows}} GROUP BY station_id) AS gone
        WHERE t.station_id = gone.station_id;"""
    # Column lists are not allowed with transition tables: every update comes to the move
    # function, and only the rows whose station changed count.
    moves = (
        "(SELECT {side}.station_id FROM tally_old AS o JOIN tally_new AS n USING (id) "
        "WHERE o.station_id <> n.station_id) AS moves"
    )
    functions = {
        "inserted": add.format(rows="tally_new"),
        "deleted": take.format(rows="tally_old"),
        "moved": take.format(rows=moves.format(side="o")) + add.format(rows=moves.format(side="n")),
    }
    statements = [fill]
    for name, body in functions.items():
        statements.append(
            f"CREATE FUNCTION {counted}_tally_{name}() RETURNS trigger LANGUAGE plpgsql "
            f"SET search_path FROM CURRENT AS $$ BEGIN {body} RETURN NULL; END $$"
        )
    for event, name, transitions in (
        ("INSERT", "inserted", "NEW TABLE AS tally_new"),
        ("DELETE", "deleted", "OLD TABLE AS tally_old"),
        ("UPDATE", "moved", "OLD TABLE AS tally_old NEW TABLE AS tally_new"),
    ):
        statements.append(
            f"CREATE TRIGGER {counted}_tally_{name} AFTER {event} ON {counted} "
            f"REFERENCING {transitions} FOR EACH STATEMENT "
            f"EXECUTE FUNCTION {counted}_tally_{name}()"
        )
    return statements


def drop_sql(vendor: str, counted: str) -> list[str]:
    if vendor != "postgresql":
        return [f"DROP TRIGGER IF EXISTS {counted}_tally_{n}" for n in ("insert", "delete", "move")]
    names = ("inserted", "deleted", "moved")
    return [
        *(f"DROP TRIGGER IF EXISTS {counted}_tally_{n} ON {counted}" for n in names),
        *(f"DROP FUNCTION IF EXISTS {counted}_tally_{n}()" for n in names),
    ]


def kept_by_triggers(counted: str, tally: str, column: str) -> migrations.RunPython:
    """The migration operation that fills `tally` and installs its triggers (and, reversed,
    removes them), on whichever database the migration runs."""

    def create(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
        for statement in create_sql(schema_editor.connection.vendor, counted, tally, column):
            schema_editor.execute(statement)

    def drop(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
        for statement in drop_sql(schema_editor.connection.vendor, counted):
            schema_editor.execute(statement)

    return migrations.RunPython(create, drop)


def kept_again_on_sqlite(counted: str, tally: str, column: str) -> migrations.RunPython:
    """For a migration that rebuilds `counted` on SQLite (adding a column does): SQLite drops
    a table's triggers with it, so the tally is counted again and its triggers made anew.
    PostgreSQL alters the table in place and keeps them."""

    def again(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            return
        for statement in [*drop_sql(vendor, counted), f"DELETE FROM {tally}"]:
            schema_editor.execute(statement)
        for statement in create_sql(vendor, counted, tally, column):
            schema_editor.execute(statement)

    return migrations.RunPython(again, again)
