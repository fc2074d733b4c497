#!/usr/bin/env bash
# The several-server deployment of docs/deployment.md, on this machine, on loopback only:
# a PostgreSQL primary and a streaming replica (pg_basebackup), Redis, two app servers
# (gunicorn, each with its background worker, the tasks queued in Redis) and nginx balancing
# between them. Debian's packages, installed by scripts/setup.sh.
#
#   scripts/cluster.sh test                   start it, prove it (scripts/cluster_check.py), stop it
#   eval "$(scripts/cluster.sh start)"        start it; exports PORTAL_CLUSTER (its folder)
#   scripts/cluster.sh stop DIR               stop everything and remove the folder
#   scripts/cluster.sh app|worker DIR a|b start|stop|kill
#                                             one app server or worker (the check uses these)
#
# DIR/env.sh holds every address and port; DIR/*.log every server's log.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
pgbin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

wait_for() {  # wait_for WHAT COMMAND...: until the command succeeds (60 s at most)
  local what="$1"
  shift
  for _ in $(seq 1 600); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "cluster: $what did not come up" >&2
  return 1
}

server_env() {  # the environment of app server / worker $2 of cluster $1
  local dir="$1" name="$2"
  # shellcheck disable=SC1091
  source "$dir/env.sh"
  export DEBUG=False DJANGO_SETTINGS_MODULE="${PORTAL_SETTINGS:-config.settings}"
  export SECRET_KEY="cluster-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
  export AUDIT_KEY="cluster-only-audit-key-9876543210-zyxwvutsrqponmlkjihgfedcba"
  export DATABASE_URL="$PRIMARY_URL" DATABASE_REPLICA_URL="$REPLICA_URL" CACHE_URL="$REDIS_URL"
  # Tasks queued in Redis too (its database 1), run by each server's RQ worker.
  export TASK_QUEUE_URL="redis://127.0.0.1:$REDIS_PORT/1"
  export ALLOWED_HOSTS="127.0.0.1,localhost" PORTAL_HTTPS=False TRUSTED_PROXIES=127.0.0.1
  export MEDIA_ROOT="$dir/media"  # one folder for both, standing in for object storage
  export AUDIT_ANCHOR_FILE="$dir/anchors-$name.log" PORTAL_SERVER_NAME="$name"
  # Short enough for the check to see a worker taken over in seconds, not minutes.
  export WORKER_SWEEP_SECONDS=2 IMPORT_STALE_SECONDS=6
}

app() {  # app DIR a|b start|stop|kill
  local dir="$1" name="$2" action="$3"
  case "$action" in
    start)
      (
        server_env "$dir" "$name"
        port_var="APP_${name^^}_PORT"
        exec .venv/bin/gunicorn config.wsgi:application -c config/gunicorn.py \
          --bind "127.0.0.1:${!port_var}" --workers 2 --threads 4 \
          --pid "$dir/app-$name.pid" --access-logfile "$dir/app-$name.access.log"
      ) >>"$dir/app-$name.log" 2>&1 &
      server_env "$dir" "$name"
      port_var="APP_${name^^}_PORT"
      wait_for "app server $name" curl -fs -o /dev/null "http://127.0.0.1:${!port_var}/login/"
      ;;
    stop) # graceful: requests in progress finish, new connections are refused
      [ -f "$dir/app-$name.pid" ] && kill -TERM "$(cat "$dir/app-$name.pid")" 2>/dev/null || true
      for _ in $(seq 1 600); do [ -f "$dir/app-$name.pid" ] || break; sleep 0.1; done
      ;;
    kill)
      [ -f "$dir/app-$name.pid" ] && kill -KILL "$(cat "$dir/app-$name.pid")" 2>/dev/null || true
      rm -f "$dir/app-$name.pid"
      ;;
  esac
}

worker() {  # worker DIR a|b start|stop|kill
  local dir="$1" name="$2" action="$3"
  case "$action" in
    start)
      (
        server_env "$dir" "$name"
        exec .venv/bin/python manage.py worker --no-reload
      ) >>"$dir/worker-$name.log" 2>&1 &
      echo $! >"$dir/worker-$name.pid"
      ;;
    stop | kill)
      local signal=TERM
      [ "$action" = kill ] && signal=KILL
      if [ -f "$dir/worker-$name.pid" ]; then
        pid="$(cat "$dir/worker-$name.pid")"
        kill "-$signal" "$pid" 2>/dev/null || true
        for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        rm -f "$dir/worker-$name.pid"
      fi
      ;;
  esac
}

start() {
  bash scripts/setup.sh >&2
  dir="$(mktemp -d /tmp/portal-cluster.XXXXXX)"
  chmod 755 "$dir"
  mkdir -p "$dir/media" "$dir/nginx"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
  local primary_port replica_port redis_port app_a app_b balancer
  primary_port="$(free_port)" replica_port="$(free_port)" redis_port="$(free_port)"
  app_a="$(free_port)" app_b="$(free_port)" balancer="$(free_port)"
  cat >"$dir/env.sh" <<EOF
export PORTAL_CLUSTER=$dir
export PRIMARY_PORT=$primary_port REPLICA_PORT=$replica_port REDIS_PORT=$redis_port
export PRIMARY_URL=postgres://postgres@127.0.0.1:$primary_port/portal
export REPLICA_URL=postgres://postgres@127.0.0.1:$replica_port/portal
export REDIS_URL=redis://127.0.0.1:$redis_port/0
export APP_A_PORT=$app_a APP_B_PORT=$app_b BALANCER_PORT=$balancer
export BALANCER_URL=http://127.0.0.1:$balancer
EOF

  # The primary, writing the WAL a replica streams.
  as_postgres "$pgbin/initdb" -D "$dir/primary" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  as_postgres "$pgbin/pg_ctl" -D "$dir/primary" -l "$dir/primary.log" -w -o \
    "-c listen_addresses=127.0.0.1 -p $primary_port -k $dir -c wal_level=replica -c max_wal_senders=4 -c fsync=off" \
    start >/dev/null
  as_postgres "$pgbin/createdb" -h 127.0.0.1 -p "$primary_port" -U postgres portal
  # The replica: a base backup of the primary, then streaming; every statement it serves is
  # logged, so the check can count the reads it answers.
  as_postgres "$pgbin/pg_basebackup" -h 127.0.0.1 -p "$primary_port" -U postgres -D "$dir/replica" -R -X stream
  as_postgres "$pgbin/pg_ctl" -D "$dir/replica" -l "$dir/replica.log" -w -o \
    "-c listen_addresses=127.0.0.1 -p $replica_port -k $dir -c hot_standby=on -c log_statement=all -c fsync=off" \
    start >/dev/null

  redis-server --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no --daemonize yes \
    --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
  wait_for redis redis-cli -p "$redis_port" ping

  (
    server_env "$dir" setup
    .venv/bin/python manage.py migrate --noinput -v0
    .venv/bin/python manage.py collectstatic --noinput -v0
    .venv/bin/python manage.py load_demo --force >/dev/null
  ) >>"$dir/setup.log" 2>&1
  app "$dir" a start
  app "$dir" b start
  worker "$dir" a start
  worker "$dir" b start

  local user_line=""
  [ "$(id -u)" -eq 0 ] && user_line="user root;"
  cat >"$dir/nginx/nginx.conf" <<EOF
$user_line
worker_processes 1;
daemon on;
pid $dir/nginx/nginx.pid;
error_log $dir/nginx/error.log;
events { worker_connections 256; }
http {
  access_log $dir/nginx/access.log;
  client_body_temp_path $dir/nginx/body;
  proxy_temp_path $dir/nginx/proxy;
  fastcgi_temp_path $dir/nginx/fastcgi;
  uwsgi_temp_path $dir/nginx/uwsgi;
  scgi_temp_path $dir/nginx/scgi;
  client_max_body_size 20m;
  upstream portal {
    server 127.0.0.1:$app_a max_fails=1 fail_timeout=30s;
    server 127.0.0.1:$app_b max_fails=1 fail_timeout=30s;
  }
  server {
    listen 127.0.0.1:$balancer;
    location / {
      proxy_pass http://portal;
      proxy_set_header Host \$http_host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      # A server that refuses or drops a request: the other one gets it. A POST is safe to
      # send again: every form carries its one-time token (security/idempotency.py).
      proxy_next_upstream error timeout http_502 http_503 non_idempotent;
      proxy_read_timeout 120s;
    }
  }
}
EOF
  nginx -p "$dir/nginx" -c "$dir/nginx/nginx.conf"
  wait_for nginx curl -fs -o /dev/null "http://127.0.0.1:$balancer/login/"
  echo "source $dir/env.sh"
}

stop() {
  local dir="${1:?usage: cluster.sh stop DIR}"
  [ -d "$dir" ] || return 0
  [ -f "$dir/nginx/nginx.pid" ] && nginx -p "$dir/nginx" -c "$dir/nginx/nginx.conf" -s stop 2>/dev/null || true
  for name in a b; do
    worker "$dir" "$name" kill
    app "$dir" "$name" stop
    app "$dir" "$name" kill
  done
  [ -f "$dir/redis.pid" ] && kill "$(cat "$dir/redis.pid")" 2>/dev/null || true
  for db in replica primary; do
    [ -d "$dir/$db" ] && as_postgres "$pgbin/pg_ctl" -D "$dir/$db" -m immediate -w stop >/dev/null 2>&1 || true
  done
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  app) app "${2:?DIR}" "${3:?a|b}" "${4:?start|stop|kill}" ;;
  worker) worker "${2:?DIR}" "${3:?a|b}" "${4:?start|stop|kill}" ;;
  test)
    eval "$(start)"
    trap 'stop "$PORTAL_CLUSTER"' EXIT
    .venv/bin/python scripts/cluster_check.py
    ;;
  *)
    echo "usage: cluster.sh test | start | stop DIR | app|worker DIR a|b start|stop|kill" >&2
    exit 2
    ;;
esac
