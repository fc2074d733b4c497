#!/usr/bin/env bash
# Requests per second and p95 at 20 concurrent users under gunicorn, for the caseworker's home
# page and her station's lists (cases, residents, filings), against a minimal view over the
# same rows as the case list (the floor).
#   DATABASE_URL=postgres://... ./benchmarks/throughput.sh      (after generate_scale_data)
#   KEPT=no ...                                                  (the second pass only)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
: "${DATABASE_URL:?set DATABASE_URL to the scale database}"
export DJANGO_SETTINGS_MODULE=benchmarks.settings DEBUG=False PORTAL_HTTPS=False \
  ALLOWED_HOSTS=127.0.0.1 SECRET_KEY="${SECRET_KEY:-benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz}" \
  AUDIT_KEY="${AUDIT_KEY:-benchmark-only-audit-key-0123456789-abcdefghijklmnopqrstuvwxyz}"
.venv/bin/python manage.py collectstatic --noinput -v0
cookie=$(.venv/bin/python manage.py shell -c "
from django.contrib.sessions.backends.db import SessionStore
from accounts.models import User
user = User.objects.filter(username__startswith='scale_', role='caseworker').order_by('pk').first()
s = SessionStore(); s['_auth_user_id'] = str(user.pk)
s['_auth_user_backend'] = 'accounts.backends.StaffBackend'
s['_auth_user_hash'] = user.get_session_auth_hash(); s.create(); print(s.session_key)" | tail -n 1)
report=$(mktemp)
cat > "$report.lua" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("%.1f req/s, p95 %.1f ms, errors %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(95) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.timeout))
end
LUA
server=
trap 'if [ -n "$server" ]; then kill "$server"; fi' EXIT
echo "machine: $(uname -m), $(nproc) cores; gunicorn 3 workers x 4 threads; wrk 2 threads, 20 connections"
# The machine is shared and its speed drifts by a third within minutes: each page is measured
# right after the floor, in six rounds of 5 s, and the median of the rounds is quoted (the
# share of the floor: the median of each round's page / floor).
# Twice: as served (pages kept until the next change), then with nothing kept, as if every
# request came just after a change at the station.
results=$(mktemp)
for kept in ${KEPT:-yes no}; do
  BENCHMARK_NOTHING_KEPT=$([ $kept = no ] && echo 1 || true) BIND=127.0.0.1:8899 WEB_CONCURRENCY=3 \
    .venv/bin/gunicorn config.wsgi:application -c config/gunicorn.py \
    --env DJANGO_SETTINGS_MODULE=benchmarks.settings --access-logfile /dev/null 2>/dev/null &
  server=$!
  sleep 4
  for round in 1 2 3 4 5 6; do
    for page in /bench/floor/ / /reimbursement/ /registry/residents/ /filing/; do
      wrk -t2 -c20 -d5s -s "$report.lua" -H "Cookie: sessionid=$cookie" "http://127.0.0.1:8899$page" \
        | tail -n 1 | sed "s|^|$kept $round $page |" >> "$results"
    done
  done
  kill $server
  wait $server 2>/dev/null || true
  server=
done
.venv/bin/python - "$results" "${KEPT:-yes no}" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
# kept round page rps "req/s," "p95" ms "ms," "errors" n
runs = {(r[0], r[1], r[2]): (float(r[3]), float(r[6]), int(r[9])) for r in rows}
for kept in sys.argv[2].split():
    print(f"pages kept in the cache: {kept}")
    for page in ("/bench/floor/", "/", "/reimbursement/", "/registry/residents/", "/filing/"):
        rounds = range(1, 7)
        mine = [runs[kept, str(n), page] for n in rounds]
        shares = [runs[kept, str(n), page][0] / runs[kept, str(n), "/bench/floor/"][0] for n in rounds]
        print(
            f"  {page}: {statistics.median(m[0] for m in mine):.1f} req/s "
            f"(rounds {', '.join(f'{m[0]:.0f}' for m in mine)}), "
            f"p95 {statistics.median(m[1] for m in mine):.0f} ms, errors {sum(m[2] for m in mine)}, "
            f"share of the floor {statistics.median(shares):.0%}"
        )
PY
