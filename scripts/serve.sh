#!/usr/bin/env bash
# The production server: gunicorn behind the county's HTTPS reverse proxy (docs/deployment.md).
#   scripts/serve.sh          the web server
#   scripts/serve.sh worker   the background worker (imports, audit checks): run it as a service
#                             of its own beside the web server, on one machine or several
# Reads SECRET_KEY, AUDIT_KEY, DATABASE_URL, ALLOWED_HOSTS (and optional BIND,
# WEB_CONCURRENCY, MEDIA_ROOT) from the environment.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
: "${SECRET_KEY:?set SECRET_KEY}" "${AUDIT_KEY:?set AUDIT_KEY}" "${DATABASE_URL:?set DATABASE_URL}" "${ALLOWED_HOSTS:?set ALLOWED_HOSTS}"
export DEBUG=False DJANGO_SETTINGS_MODULE=config.settings
.venv/bin/python manage.py check --deploy --fail-level WARNING
.venv/bin/python manage.py migrate --noinput
if [ "${1:-}" = worker ]; then
  exec .venv/bin/python manage.py worker --no-reload
fi
.venv/bin/python manage.py collectstatic --noinput -v0
exec .venv/bin/gunicorn config.wsgi:application -c config/gunicorn.py
