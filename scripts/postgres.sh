#!/usr/bin/env bash
# Starts (or stops) a throwaway PostgreSQL server in a temporary directory, run by the
# unprivileged postgres user when called as root, listening on 127.0.0.1 only.
#   eval "$(bash scripts/postgres.sh start)"   # exports DATABASE_URL and PORTAL_PGDATA
#   bash scripts/postgres.sh stop "$PORTAL_PGDATA"
set -euo pipefail
bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
# A free port unless one is given, so that two runs on one machine do not collide.
port="${PGPORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"

as_owner() {
  # From / so that the postgres user is never left in a folder it may not enter.
  if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

case "${1:-}" in
  start)
    data="$(mktemp -d /tmp/portal-pg.XXXXXX)"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$data"
    as_owner "$bin/initdb" -D "$data/db" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
    as_owner "$bin/pg_ctl" -D "$data/db" -l "$data/server.log" -w -o \
      "-c listen_addresses=127.0.0.1 -p $port -k $data -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null
    as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres portal
    echo "export PORTAL_PGDATA=$data"
    echo "export DATABASE_URL=postgres://postgres@127.0.0.1:$port/portal"
    ;;
  stop)
    data="${2:?usage: postgres.sh stop DIR}"
    as_owner "$bin/pg_ctl" -D "$data/db" -m fast -w stop >/dev/null || true
    rm -rf "$data"
    ;;
  *)
    echo "usage: postgres.sh start | stop DIR" >&2
    exit 2
    ;;
esac
