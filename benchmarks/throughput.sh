#!/usr/bin/env bash
# Requests per second and p95 at 20 concurrent users under gunicorn, for the caseworker's home
# page and the case list, against a minimal view over the same rows (the floor).
#   DATABASE_URL=postgres://... ./benchmarks/throughput.sh      (after generate_scale_data)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
: "${DATABASE_URL:?set DATABASE_URL to the scale database}"
export DJANGO_SETTINGS_MODULE=benchmarks.settings DEBUG=False PORTAL_HTTPS=False \
  ALLOWED_HOSTS=127.0.0.1 SECRET_KEY="${SECRET_KEY:-benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz}"
.venv/bin/python manage.py collectstatic --noinput -v0
cookie=$(.venv/bin/python manage.py shell -c "
from django.contrib.sessions.backends.db import SessionStore
from accounts.models import User
user = User.objects.filter(username__startswith='scale_', role='caseworker').order_by('pk').first()
s = SessionStore(); s['_auth_user_id'] = str(user.pk)
s['_auth_user_backend'] = 'accounts.backends.StaffBackend'
s['_auth_user_hash'] = user.get_session_auth_hash(); s.create(); print(s.session_key)" | tail -n 1)
BIND=127.0.0.1:8899 WEB_CONCURRENCY=3 .venv/bin/gunicorn config.wsgi:application \
  -c config/gunicorn.py --env DJANGO_SETTINGS_MODULE=benchmarks.settings --access-logfile /dev/null &
server=$!
trap 'kill $server' EXIT
sleep 4
report=$(mktemp)
cat > "$report.lua" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("%.1f req/s, p95 %.1f ms, errors %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(95) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.timeout))
end
LUA
echo "machine: $(uname -m), $(nproc) cores; gunicorn 3 workers x 4 threads; wrk 2 threads, 20 connections, 20 s"
for page in / /reimbursement/ /bench/floor/; do
  wrk -t2 -c20 -d20s -s "$report.lua" -H "Cookie: sessionid=$cookie" "http://127.0.0.1:8899$page" \
    | tail -n 1 | sed "s|^|$page: |"
done
