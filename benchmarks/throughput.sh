#!/usr/bin/env bash
# Requests per second and p95 at 20 concurrent users under gunicorn, for the caseworker's home
# page and her station's lists (cases, residents, filings), against a minimal view over the
# same rows as the case list (the floor).
#   DATABASE_URL=postgres://... ./benchmarks/throughput.sh      (after generate_scale_data)
#   KEPT=no ...                                                  (the second pass only)
#   ROUNDS=1 SECONDS_EACH=1 ...                      (a quick pass: CI runs it on tiny data)
set -euo pipefail
cd "$(dirname "$0")/.."
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
# between two measures of the floor (floor, page 1, floor, page 2, … floor), in eight rounds
# of 3 s each, and its share of the floor in a round is its rate over the mean of the floor
# just before and just after it. The median of the rounds is quoted.
# Twice: as served (pages kept until the next change), then with nothing kept, as if every
# request came just after a change at the station.
PAGES="/ /reimbursement/ /registry/residents/ /filing/"
ROUNDS=${ROUNDS:-8}
results=$(mktemp)
measure() { # kept round slot page
  wrk -t2 -c20 -d"${SECONDS_EACH:-3}s" -s "$report.lua" -H "Cookie: sessionid=$cookie" "http://127.0.0.1:8899$4" \
    | tail -n 1 | sed "s|^|$1 $2 $3 $4 |" >> "$results"
}
for kept in ${KEPT:-yes no}; do
  BENCHMARK_NOTHING_KEPT=$([ $kept = no ] && echo 1 || true) BIND=127.0.0.1:8899 WEB_CONCURRENCY=3 \
    .venv/bin/gunicorn config.wsgi:application -c config/gunicorn.py \
    --env DJANGO_SETTINGS_MODULE=benchmarks.settings --access-logfile /dev/null 2>/dev/null &
  server=$!
  sleep 4
  for page in /bench/floor/ $PAGES; do  # warm every worker's connection and compiled SQL
    wrk -t2 -c20 -d"${SECONDS_EACH:-2}s" -H "Cookie: sessionid=$cookie" "http://127.0.0.1:8899$page" > /dev/null
  done
  for round in $(seq "$ROUNDS"); do
    slot=0
    measure "$kept" "$round" "$slot" /bench/floor/
    for page in $PAGES; do
      measure "$kept" "$round" $((slot + 1)) "$page"
      measure "$kept" "$round" $((slot + 2)) /bench/floor/
      slot=$((slot + 2))
    done
  done
  kill $server
  wait $server 2>/dev/null || true
  server=
done
.venv/bin/python - "$results" "${KEPT:-yes no}" "$PAGES" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
# kept round slot page rps "req/s," "p95" ms "ms," "errors" n
runs = {(r[0], r[1], int(r[2])): (r[3], float(r[4]), float(r[7]), int(r[10])) for r in rows}
rounds = sorted({r[1] for r in rows}, key=int)
for kept in sys.argv[2].split():
    print(f"pages kept in the cache: {kept}")
    floors = [m for (k, _, _), m in runs.items() if k == kept and m[0] == "/bench/floor/"]
    print(
        f"  /bench/floor/: {statistics.median(m[1] for m in floors):.1f} req/s "
        f"(from {min(m[1] for m in floors):.0f} to {max(m[1] for m in floors):.0f}), "
        f"p95 {statistics.median(m[2] for m in floors):.0f} ms, errors {sum(m[3] for m in floors)}"
    )
    for index, page in enumerate(sys.argv[3].split()):
        slot = 2 * index + 1
        mine = [runs[kept, n, slot] for n in rounds]
        shares = sorted(
            runs[kept, n, slot][1] / ((runs[kept, n, slot - 1][1] + runs[kept, n, slot + 1][1]) / 2)
            for n in rounds
        )
        print(
            f"  {page}: {statistics.median(m[1] for m in mine):.1f} req/s, "
            f"p95 {statistics.median(m[2] for m in mine):.0f} ms, errors {sum(m[3] for m in mine)}, "
            f"share of the floor {statistics.median(shares):.0%} "
            f"(rounds {', '.join(f'{s:.0%}' for s in shares)})"
        )
PY
