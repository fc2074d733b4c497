#!/usr/bin/env bash
# Runs every check and the whole test suite, on SQLite and on a real PostgreSQL:
#   ./scripts/test.sh [extra pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DJANGO_SETTINGS_MODULE=config.test_settings

echo "== pre-commit hooks on the whole tree: ruff, django-upgrade, djhtml, migrations"
.venv/bin/pre-commit run --all-files --show-diff-on-failure
echo "== import layers (an import never points up)"
.venv/bin/lint-imports
echo "== types"
.venv/bin/mypy
echo "== production settings pass Django's deployment checklist"
SECRET_KEY="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
  AUDIT_KEY="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
  DEBUG=False ALLOWED_HOSTS=yibao.county.example TRUSTED_PROXIES=127.0.0.1 \
  DJANGO_SETTINGS_MODULE=config.settings \
  .venv/bin/python manage.py check --deploy --fail-level WARNING

echo "== tests on SQLite, with branch coverage of the product code"
env -u DATABASE_URL .venv/bin/coverage run -m pytest "$@"
if [ "$#" -eq 0 ]; then  # the whole run: the figure, and its floor (pyproject.toml)
  total="$(.venv/bin/coverage report --format=total)"
  echo "branch coverage of the product code: ${total} %"
fi

echo "== tests on PostgreSQL"
eval "$(bash scripts/postgres.sh start)"
trap 'bash scripts/postgres.sh stop "$PORTAL_PGDATA"' EXIT
.venv/bin/pytest "$@"

if [ "$#" -eq 0 ]; then  # the whole run: every benchmark runs on tiny data, none rots unseen
  echo "== benchmarks on tiny data (they must run and print; no figure is judged)"
  bash benchmarks/tiny.sh
fi

echo "== several servers: PostgreSQL primary and replica, Redis, two app servers, nginx"
if [ "$#" -eq 0 ]; then  # the whole run, not a chosen test
  bash scripts/cluster.sh test
fi
