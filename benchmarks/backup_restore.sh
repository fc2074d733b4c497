#!/usr/bin/env bash
# Backup and restore at scale (issue 16), on a throwaway PostgreSQL of scripts/postgres.sh:
#   bash benchmarks/backup_restore.sh [residents]     (default 100000)
# Generates the scale data (residents, 30 % as many cases, 20 % as many filings), times
# `manage.py backup`, then `manage.py restore` into a second, freshly migrated database, and
# checks the audit chains there.
set -euo pipefail
cd "$(dirname "$0")/.."
residents="${1:-100000}"
eval "$(bash scripts/postgres.sh start)"
trap 'bash scripts/postgres.sh stop "$PORTAL_PGDATA"' EXIT
work="$(mktemp -d)"
export DJANGO_SETTINGS_MODULE=config.settings DEBUG=False PORTAL_HTTPS=False \
  SECRET_KEY=benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz \
  AUDIT_KEY=benchmark-only-audit-key-0123456789-abcdefghijklmnopqrstuvwxyz \
  MEDIA_ROOT="$work/media" AUDIT_ANCHOR_FILE="$work/anchors.log" CACHE_DIR="$work/cache"
py=.venv/bin/python
$py manage.py migrate -v0
$py manage.py generate_scale_data --residents "$residents" --cases $((residents * 3 / 10)) \
  --filings $((residents / 5)) >/dev/null
public="$($py manage.py backup_key "$work/backup.key" | tail -n 1)"
echo "machine: $(uname -m), $(nproc) cores; $residents residents"
/usr/bin/time -f "backup: %e s, peak %M KB" $py manage.py backup "$work/portal.age" --recipient "$public"
restore_url="${DATABASE_URL%/*}/portal_restore"
$py -c "import psycopg, os; c = psycopg.connect(os.environ['DATABASE_URL'], autocommit=True); c.execute('CREATE DATABASE portal_restore')"
export DATABASE_URL="$restore_url" MEDIA_ROOT="$work/restored-media"
$py manage.py migrate -v0
/usr/bin/time -f "restore: %e s, peak %M KB" $py manage.py restore "$work/portal.age" --identity "$work/backup.key"
# The restored chains against the anchors the backup's server wrote (the database counts
# them: a missing anchor file is itself refused, audit/anchors.py).
$py manage.py verify_audit
rm -rf "$work"
