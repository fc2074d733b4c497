#!/usr/bin/env bash
# Every benchmark of this folder, on tiny data, so that none rots unseen (issue 31): each must
# run to its end and print its figures; no figure is judged here (they mean nothing at this
# size, on a busy machine). scripts/test.sh runs it against the PostgreSQL server of the
# tests (DATABASE_URL), in a database of its own:
#   DATABASE_URL=postgres://... bash benchmarks/tiny.sh
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?set DATABASE_URL to a PostgreSQL server the benchmarks may use}"
py=.venv/bin/python
export DATABASE_URL="${DATABASE_URL%/*}/portal_benchmarks" DJANGO_SETTINGS_MODULE=config.test_settings
$py - <<'PY'
import os
import psycopg
server = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
with psycopg.connect(server, autocommit=True) as connection:
    connection.execute("DROP DATABASE IF EXISTS portal_benchmarks")
    connection.execute("CREATE DATABASE portal_benchmarks")
PY
$py manage.py migrate -v0
echo "== benchmarks/ on tiny data: generate_scale_data"
$py manage.py generate_scale_data --residents 400 --cases 80 --filings 60
echo "== benchmarks/pages.py"
BENCH_RUNS=2 $py benchmarks/pages.py
echo "== benchmarks/import_residents.py (twice: fresh household numbers each time)"
$py benchmarks/import_residents.py 40
$py benchmarks/import_residents.py 40
echo "== benchmarks/writes_during_import.py"
BENCH_RUNS=2 $py benchmarks/writes_during_import.py 40
echo "== benchmarks/import_memory.py (the idle worker)"
$py benchmarks/import_memory.py idle
echo "== benchmarks/pdf.py"
BENCH_RUNS=2 $py benchmarks/pdf.py
echo "== benchmarks/throughput.sh (one short round)"
ROUNDS=1 SECONDS_EACH=1 bash benchmarks/throughput.sh
echo "== benchmarks/backup_restore.sh (its own PostgreSQL)"
env -u DATABASE_URL bash benchmarks/backup_restore.sh 300
