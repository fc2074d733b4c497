"""What the database itself guarantees about filings, beside the service's own checks.

DOMAIN.md §2.7: two effective filings of one resident for the same care region never overlap.
PostgreSQL holds it with an exclusion constraint (migration 0002). SQLite holds it with two
triggers; SQLite drops a table's triggers whenever Django rebuilds the table (as adding a
NOT NULL column does), so they are made again after every migration (`ensure_guards`). Either
way the error names `filing_no_overlapping_effective`, which the service answers."""

from __future__ import annotations

from typing import Any

from django.db import connections

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
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER IF NOT EXISTS filing_no_overlapping_effective_{event.lower()} "
    f"BEFORE {event} ON filing_filing BEGIN {OVERLAP} END;"
    for event in ("INSERT", "UPDATE")
]


def ensure_guards(using: str = "default", **kwargs: Any) -> None:
    """(Re)make SQLite's triggers once the filing table exists (a post_migrate receiver)."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        if "filing_filing" not in connection.introspection.table_names(cursor):
            return
        for statement in SQLITE_TRIGGERS:
            cursor.execute(statement)
