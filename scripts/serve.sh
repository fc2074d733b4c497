#!/usr/bin/env bash
# The production server: gunicorn behind the county's HTTPS reverse proxy (docs/deployment.md).
# Reads SECRET_KEY, AUDIT_KEY, DATABASE_URL, ALLOWED_HOSTS (and optional BIND,
# WEB_CONCURRENCY, MEDIA_ROOT) from the environment.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
: "${SECRET_KEY:?set SECRET_KEY}" "${DATABASE_URL:?set DATABASE_URL}" "${ALLOWED_HOSTS:?set ALLOWED_HOSTS}"
export DEBUG=False DJANGO_SETTINGS_MODULE=config.settings
.venv/bin/python manage.py check --deploy --fail-level WARNING
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py collectstatic --noinput -v0
exec .venv/bin/gunicorn config.wsgi:application -c config/gunicorn.py
