#!/usr/bin/env bash
# Runs the portal on an embedded SQLite database with demo data: ./scripts/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

export DEBUG=True
port="${PORT:-8000}"
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py load_demo
# The background worker (Excel imports, audit checks) runs beside the server, and stops with it.
.venv/bin/python manage.py worker --no-reload -v1 &
worker=$!
trap 'kill "$worker" 2>/dev/null || true' EXIT
echo
echo "乡镇医保站经办系统: http://127.0.0.1:${port}/  (Ctrl+C 停止)"
.venv/bin/python manage.py runserver "127.0.0.1:${port}"
